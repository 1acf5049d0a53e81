/* vb-qemu-from-native.c: domxml-from-native: a QEMU command line ("qemu-argv") read back into
 * domain XML, for a stated subset of QEMU's options.
 *
 * libvirt removed this in 5.5; virtbus keeps it for guests started by hand that are to be
 * managed from now on, and reads back everything domxml-to-native writes. The options it reads
 * are listed in docs/qemu-command.md; anything else is NotSupported, named.
 *
 * This file reads the options and NICs into a VbImport; disks are vb-qemu-from-native-disk.c's,
 * the other devices vb-qemu-from-native-device.c's; vb-qemu-from-native-xml.c writes that as XML,
 * which the domain parser then reads, so what comes out obeys every rule a defined domain
 * does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-qemu-caps.h"
#include "vb-qemu-command.h"
#include "vb-qemu-from-native-private.h"
#include "vb-qemu-native.h"
#include "vb-qemu-props.h"
#include "vb-qmp-stream.h"

/* Environment a launcher sets for any QEMU: not the guest's, not kept. */
static const char *const launcher_env[] = {
    "LC_ALL",          "PATH", "HOME", "USER", "LOGNAME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME", NULL};

/* Options that change nothing a definition holds. */
static const char *const ignored_options[] = {"-S", "-no-user-config", "-no-shutdown", "-usb",
                                              NULL};
/* -mon serves the monitor virtbus makes itself; -sandbox and -compat are the instance's and
 * qemu.conf's to choose */
static const char *const ignored_with_value[] = {"-monitor", "-msg",    "-mon",
                                                 "-sandbox", "-compat", NULL};

static void
backend_clear(VbImportBackend *backend)
{
  g_free(backend->type);
  g_free(backend->bridge);
  g_free(backend->ifname);
}

static void
backend_free(VbImportBackend *backend)
{
  backend_clear(backend);
  g_free(backend);
}

static void
nic_free(VbImportNic *nic)
{
  g_free(nic->model);
  g_free(nic->mac);
  backend_clear(&nic->backend);
  g_free(nic->boot_order);
  g_free(nic->address);
  g_free(nic);
}

static void
import_clear(VbImport *im)
{
  g_clear_error(&im->failed);
  g_free(im->name);
  g_free(im->uuid);
  g_free(im->emulator);
  g_free(im->arch);
  g_free(im->machine);
  g_free(im->smp);
  g_free(im->cpu);
  g_ptr_array_unref(im->boot);
  g_free(im->kernel);
  g_free(im->initrd);
  g_free(im->append);
  g_free(im->rtc_base);
  g_free(im->rtc_driftfix);
  g_free(im->rtc_clock);
  g_ptr_array_unref(im->disks);
  g_hash_table_unref(im->drives);
  g_hash_table_unref(im->blockdevs);
  g_hash_table_unref(im->netdevs);
  g_ptr_array_unref(im->nics);
  g_ptr_array_unref(im->net_backends);
  g_free(im->vnc);
  g_free(im->spice);
  g_free(im->keymap);
  g_ptr_array_unref(im->serials);
  g_ptr_array_unref(im->env);
  g_hash_table_unref(im->chardevs);
  g_hash_table_unref(im->objects);
  g_ptr_array_unref(im->audios);
  g_ptr_array_unref(im->devices);
  g_hash_table_unref(im->globals);
  g_clear_pointer(&im->machine_props, g_hash_table_unref);
  g_free(im->watchdog_action);
  g_free(im->panic_action);
}

/* -device and -blockdev take JSON too; both become a flat table of strings here (nested
 * members as "a.b", as QEMU's key=value syntax spells them). */
static void
flatten_json(JsonObject *object, const char *prefix, GHashTable *table)
{
  g_autoptr(GList) members = json_object_get_members(object);

  for (GList *m = members; m != NULL; m = m->next) {
    JsonNode *node = json_object_get_member(object, m->data);
    g_autofree char *key = g_strconcat(prefix, (const char *)m->data, NULL);

    if (JSON_NODE_HOLDS_OBJECT(node)) {
      g_autofree char *inner = g_strconcat(key, ".", NULL);

      flatten_json(json_node_get_object(node), inner, table);
    } else if (JSON_NODE_HOLDS_VALUE(node)) {
      GType type = json_node_get_value_type(node);
      char *value = type == G_TYPE_STRING    ? g_strdup(json_node_get_string(node))
                    : type == G_TYPE_BOOLEAN ? g_strdup(json_node_get_boolean(node) ? "on" : "off")
                    : type == G_TYPE_INT64
                        ? g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(node))
                        : g_strdup("");

      g_hash_table_replace(table, g_steal_pointer(&key), value);
    }
  }
}

static GHashTable *
parse_props(const char *option, const char *text, const char *implied, GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  GHashTable *table;

  if (text[0] != '{')
    return vb_qemu_keyval_parse(text, implied);
  /* one object, checked as the monitor's input is (depth, trailing values, UTF-8) before
   * json-glib sees it: given "{…}{…}" json-glib would leak the first */
  root = vb_qmp_parse_object_named(text, strlen(text), "the value", &local);
  if (root == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s: '%s' is not a JSON object (%s)",
                option, text, local->message);
    return NULL;
  }
  table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  flatten_json(json_node_get_object(root), "", table);
  return table;
}

static gboolean
read_backend(const char *option, GHashTable *props, VbImportBackend *out, GError **error)
{
  const char *type = g_hash_table_lookup(props, "type");

  if (g_strcmp0(type, "user") == 0) {
    out->type = g_strdup("user");
  } else if (g_strcmp0(type, "bridge") == 0) {
    out->type = g_strdup("bridge");
    out->bridge = g_strdup(
        g_hash_table_lookup(props, "br") != NULL ? g_hash_table_lookup(props, "br") : "br0");
  } else if (g_strcmp0(type, "tap") == 0) {
    out->type = g_strdup(g_hash_table_lookup(props, "br") != NULL ? "bridge" : "ethernet");
    out->bridge = g_strdup(g_hash_table_lookup(props, "br"));
    out->ifname = g_strdup(g_hash_table_lookup(props, "ifname"));
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "%s %s: domxml-from-native reads the network backends user, tap and bridge", option,
                type != NULL ? type : "");
    return FALSE;
  }
  return TRUE;
}

static void
backend_copy(VbImportBackend *to, const VbImportBackend *from)
{
  to->type = g_strdup(from->type);
  to->bridge = g_strdup(from->bridge);
  to->ifname = g_strdup(from->ifname);
}

/* -device NIC,netdev=ID,mac=…: the backend is the -netdev of that id, read before. */
static gboolean
read_nic_device(VbImport *im, GHashTable *props, const char *driver, GError **error)
{
  const char *netdev =
      g_hash_table_lookup(props, "netdev") != NULL ? g_hash_table_lookup(props, "netdev") : "";
  const VbImportBackend *backend = g_hash_table_lookup(im->netdevs, netdev);
  VbImportNic *nic = g_new0(VbImportNic, 1);

  g_ptr_array_add(im->nics, nic);
  nic->model = g_strdup(vb_qemu_nic_model(driver));
  nic->mac = g_strdup(g_hash_table_lookup(props, "mac"));
  nic->boot_order = g_strdup(g_hash_table_lookup(props, "bootindex"));
  if (!vb_qemu_import_address_xml(props, &nic->address, error))
    return FALSE;
  if (backend == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device %s: its netdev '%s' is not a -netdev id", driver, netdev);
    return FALSE;
  }
  backend_copy(&nic->backend, backend);
  return TRUE;
}

static gboolean
read_device(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = parse_props("-device", value, "driver", error);
  const char *driver;

  if (props == NULL)
    return FALSE;
  driver = g_hash_table_lookup(props, "driver");
  if (driver == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "-device %s: no driver", value);
    return FALSE;
  }
  if (vb_qemu_nic_model(driver) != NULL)
    return read_nic_device(im, props, driver, error);
  if (g_str_has_prefix(driver, "virtio-blk") || g_str_has_prefix(driver, "ide-") ||
      g_str_has_prefix(driver, "scsi-") || g_str_equal(driver, "usb-storage"))
    return vb_qemu_import_disk_device(im, props, driver, error);
  return vb_qemu_import_other_device(im, props, error);
}

static gboolean
read_memory(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "size");
  const char *size = g_hash_table_lookup(props, "size");
  gsize digits = size != NULL ? strspn(size, "0123456789") : 0;
  g_autofree char *number_text = g_strndup(size, digits);
  const char *unit = size != NULL ? size + digits : "";
  guint64 number = 0;
  guint64 scale = 1024; /* QEMU's default unit is MiB */

  if (*unit != '\0') {
    if (g_ascii_strcasecmp(unit, "k") == 0)
      scale = 1;
    else if (g_ascii_strcasecmp(unit, "g") == 0)
      scale = 1024 * 1024;
    else if (g_ascii_strcasecmp(unit, "t") == 0)
      scale = 1024 * 1024 * 1024;
    else if (g_ascii_strcasecmp(unit, "m") != 0)
      scale = 0;
  }
  /* digits only (no sign), and within what a domain's <memory> accepts */
  if (digits == 0 || scale == 0 ||
      !g_ascii_string_to_unsigned(number_text, 10, 1, G_MAXINT64 / 1024 / scale, &number, NULL)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-m %s is not a memory size (a whole number of MiB, or with k, M, G or T, up to "
                "8 EiB)",
                value);
    return FALSE;
  }
  im->memory_kib = number * scale;
  return TRUE;
}

/* -smp N,maxcpus=…,sockets=…,dies=…,clusters=…,cores=…,threads=…: each a count. */
static gboolean
check_smp(const char *value, GError **error)
{
  static const char *const counts[] = {"cpus",     "maxcpus", "sockets", "dies",
                                       "clusters", "cores",   "threads"};
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "cpus");

  for (guint i = 0; i < G_N_ELEMENTS(counts); i++) {
    const char *count = g_hash_table_lookup(props, counts[i]);

    if (count != NULL && !g_ascii_string_to_unsigned(count, 10, 1, 4096, NULL, NULL)) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "-smp %s: %s=%s is not a count from 1 to 4096", value, counts[i], count);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
read_boot(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "order");
  const char *order = g_hash_table_lookup(props, "order");

  for (const char *c = order != NULL ? order : ""; *c != '\0'; c++) {
    const char *dev = *c == 'c'   ? "hd"
                      : *c == 'd' ? "cdrom"
                      : *c == 'n' ? "network"
                      : *c == 'a' ? "fd"
                                  : NULL;

    if (dev == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "-boot %s: '%c' is not a boot device",
                  value, *c);
      return FALSE;
    }
    g_ptr_array_add(im->boot, g_strdup(dev));
  }
  im->bootmenu = g_strcmp0(g_hash_table_lookup(props, "menu"), "on") == 0;
  return TRUE;
}

static gboolean
read_net(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "type");
  const char *type = g_hash_table_lookup(props, "type");

  if (g_strcmp0(type, "none") == 0)
    return TRUE;
  if (g_strcmp0(type, "nic") == 0) {
    VbImportNic *nic = g_new0(VbImportNic, 1);

    nic->model = g_strdup(g_hash_table_lookup(props, "model"));
    nic->mac = g_strdup(g_hash_table_lookup(props, "macaddr"));
    g_ptr_array_add(im->nics, nic);
    return TRUE;
  }
  {
    VbImportBackend *backend = g_new0(VbImportBackend, 1);

    g_ptr_array_add(im->net_backends, backend);
    return read_backend("-net", props, backend, error);
  }
}

static gboolean
read_nic(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "type");
  VbImportNic *nic = g_new0(VbImportNic, 1);

  g_ptr_array_add(im->nics, nic);
  nic->model = g_strdup(g_hash_table_lookup(props, "model"));
  nic->mac = g_strdup(g_hash_table_lookup(props, "mac"));
  /* -nic takes QEMU's device names: virtio-net-pci is libvirt's virtio */
  if (nic->model != NULL && vb_qemu_nic_model(nic->model) != NULL) {
    char *model = g_strdup(vb_qemu_nic_model(nic->model));

    g_free(nic->model);
    nic->model = model;
  }
  return read_backend("-nic", props, &nic->backend, error);
}

static gboolean
read_machine(VbImport *im, const char *value)
{
  GHashTable *props = vb_qemu_keyval_parse(value, "type");
  const char *accel = g_hash_table_lookup(props, "accel");

  g_clear_pointer(&im->machine_props, g_hash_table_unref);
  im->machine_props = props;
  g_free(im->machine);
  im->machine = g_strdup(g_hash_table_lookup(props, "type"));
  if (accel != NULL && (g_str_equal(accel, "kvm") || g_str_has_prefix(accel, "kvm:")))
    im->kvm = TRUE;
  if (g_strcmp0(g_hash_table_lookup(props, "acpi"), "off") == 0)
    im->acpi = FALSE;
  return TRUE;
}

/* -chardev, -object and -audiodev: kept by id for the devices that name them. */
static gboolean
read_backend_option(VbImport *im, const char *option, const char *value, GError **error)
{
  const char *implied = g_str_equal(option, "-chardev")  ? "backend"
                        : g_str_equal(option, "-object") ? "qom-type"
                                                         : NULL;
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, implied);
  const char *id = g_hash_table_lookup(props, "id");

  if (id == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s %s: no id", option, value);
    return FALSE;
  }
  /* The devices that name this id read its backend or type: one must be there. */
  if (implied != NULL && g_strcmp0(g_hash_table_lookup(props, implied), "") <= 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s %s: no %s", option, value, implied);
    return FALSE;
  }
  if (g_str_equal(option, "-audiodev")) {
    const char *driver = g_hash_table_lookup(props, "driver");

    if (!g_str_has_prefix(id, "audio") || g_ascii_strtoull(id + 5, NULL, 10) == 0 ||
        (g_strcmp0(driver, "none") != 0 && g_strcmp0(driver, "spice") != 0)) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-audiodev %s: domxml-from-native reads the drivers none and spice, with "
                  "ids audioN",
                  value);
      return FALSE;
    }
    g_ptr_array_add(im->audios, g_strdup_printf("<audio id='%" G_GUINT64_FORMAT "' type='%s'/>",
                                                g_ascii_strtoull(id + 5, NULL, 10), driver));
    return TRUE;
  }
  if (g_str_equal(option, "-object") &&
      g_strcmp0(g_hash_table_lookup(props, "qom-type"), "rng-random") != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-object %s: domxml-from-native reads rng-random objects", value);
    return FALSE;
  }
  g_hash_table_replace(g_str_equal(option, "-chardev") ? im->chardevs : im->objects, g_strdup(id),
                       g_steal_pointer(&props));
  return TRUE;
}

/* -global DRIVER.PROPERTY=VALUE, or driver=D,property=P,value=V. */
static gboolean
read_global(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, NULL);
  const char *driver = g_hash_table_lookup(props, "driver");
  const char *property = g_hash_table_lookup(props, "property");
  const char *equals = strchr(value, '=');

  if (driver != NULL && property != NULL && g_hash_table_lookup(props, "value") != NULL) {
    g_hash_table_replace(im->globals, g_strdup_printf("%s.%s", driver, property),
                         g_strdup(g_hash_table_lookup(props, "value")));
    return TRUE;
  }
  if (equals == NULL || memchr(value, '.', (gsize)(equals - value)) == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "-global %s: not DRIVER.PROPERTY=VALUE",
                value);
    return FALSE;
  }
  g_hash_table_replace(im->globals, g_strndup(value, (gsize)(equals - value)),
                       g_strdup(equals + 1));
  return TRUE;
}

/* Options that take a value, and what reads it. */
static gboolean
read_option(VbImport *im, const char *option, const char *value, GError **error)
{
  static const char *const hd_options[] = {"-hda", "-hdb", "-hdc", "-hdd", NULL};

  for (guint i = 0; hd_options[i] != NULL; i++) {
    if (g_str_equal(option, hd_options[i]))
      return vb_qemu_import_add_disk(im, value, "ide", (gint)i, FALSE, error) != NULL;
  }
  if (g_str_equal(option, "-name")) {
    g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "guest");

    g_free(im->name);
    im->name = g_strdup(g_hash_table_lookup(props, "guest"));
  } else if (g_str_equal(option, "-uuid")) {
    g_free(im->uuid);
    im->uuid = g_strdup(value);
  } else if (g_str_equal(option, "-m")) {
    return read_memory(im, value, error);
  } else if (g_str_equal(option, "-smp")) {
    if (!check_smp(value, error))
      return FALSE;
    g_free(im->smp);
    im->smp = g_strdup(value);
  } else if (g_str_equal(option, "-cpu")) {
    g_free(im->cpu);
    im->cpu = g_strdup(value);
  } else if (g_str_equal(option, "-machine") || g_str_equal(option, "-M")) {
    return read_machine(im, value);
  } else if (g_str_equal(option, "-accel")) {
    g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "accel");

    im->kvm = g_strcmp0(g_hash_table_lookup(props, "accel"), "kvm") == 0;
  } else if (g_str_equal(option, "-boot")) {
    return read_boot(im, value, error);
  } else if (g_str_equal(option, "-cdrom")) {
    return vb_qemu_import_add_disk(im, value, "ide", 2, TRUE, error) != NULL;
  } else if (g_str_equal(option, "-drive")) {
    return vb_qemu_import_drive(im, value, error);
  } else if (g_str_equal(option, "-blockdev")) {
    GHashTable *props = parse_props("-blockdev", value, NULL, error);

    if (props == NULL)
      return FALSE;
    g_hash_table_replace(im->blockdevs,
                         g_strdup(g_hash_table_lookup(props, "node-name") != NULL
                                      ? g_hash_table_lookup(props, "node-name")
                                      : ""),
                         props);
  } else if (g_str_equal(option, "-device")) {
    return read_device(im, value, error);
  } else if (g_str_equal(option, "-netdev")) {
    g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "type");
    VbImportBackend *backend = g_new0(VbImportBackend, 1);

    g_hash_table_replace(
        im->netdevs,
        g_strdup(g_hash_table_lookup(props, "id") != NULL ? g_hash_table_lookup(props, "id") : ""),
        backend);
    return read_backend("-netdev", props, backend, error);
  } else if (g_str_equal(option, "-net")) {
    return read_net(im, value, error);
  } else if (g_str_equal(option, "-nic")) {
    return read_nic(im, value, error);
  } else if (g_str_equal(option, "-vnc")) {
    g_free(im->vnc);
    im->vnc = g_strdup(value);
  } else if (g_str_equal(option, "-display")) {
    if (!g_str_equal(value, "none") && !g_str_has_prefix(value, "vnc=")) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-display %s: domxml-from-native reads 'none' and 'vnc=…'", value);
      return FALSE;
    }
    if (g_str_has_prefix(value, "vnc=")) {
      g_free(im->vnc);
      im->vnc = g_strdup(value + strlen("vnc="));
    }
  } else if (g_str_equal(option, "-serial")) {
    if (!g_str_equal(value, "none"))
      g_ptr_array_add(im->serials, g_strdup(value));
  } else if (g_str_equal(option, "-parallel")) {
    if (!g_str_equal(value, "none")) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-parallel %s: virtbus has no parallel ports", value);
      return FALSE;
    }
  } else if (g_str_equal(option, "-kernel")) {
    g_free(im->kernel);
    im->kernel = g_strdup(value);
  } else if (g_str_equal(option, "-initrd")) {
    g_free(im->initrd);
    im->initrd = g_strdup(value);
  } else if (g_str_equal(option, "-append")) {
    g_free(im->append);
    im->append = g_strdup(value);
  } else if (g_str_equal(option, "-rtc")) {
    g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, NULL);

    g_free(im->rtc_base);
    im->rtc_base = g_strdup(g_hash_table_lookup(props, "base"));
    g_free(im->rtc_driftfix);
    im->rtc_driftfix = g_strdup(g_hash_table_lookup(props, "driftfix"));
    g_free(im->rtc_clock);
    im->rtc_clock = g_strdup(g_hash_table_lookup(props, "clock"));
  } else if (g_str_equal(option, "-chardev") || g_str_equal(option, "-object") ||
             g_str_equal(option, "-audiodev")) {
    return read_backend_option(im, option, value, error);
  } else if (g_str_equal(option, "-global")) {
    return read_global(im, value, error);
  } else if (g_str_equal(option, "-spice")) {
    g_free(im->spice);
    im->spice = g_strdup(value);
  } else if (g_str_equal(option, "-k")) {
    g_free(im->keymap);
    im->keymap = g_strdup(value);
  } else if (g_str_equal(option, "-watchdog-action")) {
    g_free(im->watchdog_action);
    im->watchdog_action = g_strdup(value);
  } else if (g_str_equal(option, "-action")) {
    g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, NULL);

    g_free(im->panic_action);
    im->panic_action = g_strdup(g_hash_table_lookup(props, "panic"));
  } else if (g_str_equal(option, "-usbdevice")) {
    if (!g_str_equal(value, "tablet")) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-usbdevice %s: domxml-from-native reads 'tablet'", value);
      return FALSE;
    }
    im->tablet = TRUE;
  }
  return TRUE;
}

static const char *const value_options[] = {
    "-name",   "-uuid",     "-m",      "-smp",      "-cpu",       "-machine",
    "-M",      "-accel",    "-boot",   "-hda",      "-hdb",       "-hdc",
    "-hdd",    "-cdrom",    "-drive",  "-blockdev", "-device",    "-netdev",
    "-net",    "-nic",      "-vnc",    "-display",  "-serial",    "-parallel",
    "-kernel", "-initrd",   "-append", "-rtc",      "-usbdevice", "-chardev",
    "-object", "-audiodev", "-global", "-spice",    "-k",         "-watchdog-action",
    "-action", NULL};

static const char *
arch_of_binary(const char *binary)
{
  g_autofree char *base = g_path_get_basename(binary);

  if (g_str_has_prefix(base, "qemu-system-"))
    return vb_arch_from_qemu_target(base + strlen("qemu-system-"));
  if (g_str_equal(base, "qemu-kvm"))
    return vb_arch_get_host();
  if (g_str_equal(base, "qemu"))
    return "i686"; /* the old single-target binary */
  return NULL;
}

static gboolean
is_assignment(const char *word)
{
  gsize name = strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

  return name > 0 && word[name] == '=' && !g_ascii_isdigit(word[0]);
}

static gboolean
read_words(VbImport *im, char **words, GError **error)
{
  guint i = 0;

  for (; words[i] != NULL && is_assignment(words[i]); i++) {
    g_autofree char *name = g_strndup(words[i], strcspn(words[i], "="));

    if (!g_strv_contains(launcher_env, name))
      g_ptr_array_add(im->env, g_strdup(words[i]));
  }
  if (words[i] == NULL) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                        "the line names no QEMU binary after its environment");
    return FALSE;
  }
  im->emulator = g_strdup(words[i]);
  im->arch = g_strdup(arch_of_binary(words[i]));
  if (im->arch == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "'%s' is not a QEMU system emulator virtbus knows (qemu-system-ARCH, qemu-kvm)",
                words[i]);
    return FALSE;
  }
  for (i++; words[i] != NULL; i++) {
    /* QEMU takes --option as -option */
    const char *option = g_str_has_prefix(words[i], "--") ? words[i] + 1 : words[i];

    if (option[0] != '-') {
      /* a bare image is QEMU's -hda */
      if (vb_qemu_import_add_disk(im, option, "ide", 0, FALSE, error) == NULL)
        return FALSE;
    } else if (g_strv_contains(ignored_options, option)) {
      continue;
    } else if (g_strv_contains(ignored_with_value, option)) {
      i += words[i + 1] != NULL ? 1 : 0;
    } else if (g_str_equal(option, "-nodefaults")) {
      im->nodefaults = TRUE;
    } else if (g_str_equal(option, "-enable-kvm")) {
      im->kvm = TRUE;
    } else if (g_str_equal(option, "-no-reboot")) {
      im->no_reboot = TRUE;
    } else if (g_str_equal(option, "-no-acpi")) {
      im->acpi = FALSE;
    } else if (g_str_equal(option, "-nographic")) {
      continue; /* no graphics: the default here */
    } else if (g_strv_contains(value_options, option)) {
      if (words[i + 1] == NULL) {
        g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s needs a value", option);
        return FALSE;
      }
      if (!read_option(im, option, words[++i], error))
        return FALSE;
    } else {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "the option '%s' is not one domxml-from-native reads (see "
                  "docs/qemu-command.md)",
                  option);
      return FALSE;
    }
  }
  return TRUE;
}

/* What the options leave to be settled once all are read. */
static gboolean
finish_import(VbImport *im, GError **error)
{
  guint next_backend = 0;
  if (!vb_qemu_import_settle_disks(im, error))
    return FALSE;
  /* -net nic pairs with the -net backends in order; QEMU's default backend is user */
  for (guint i = 0; i < im->nics->len; i++) {
    VbImportNic *nic = im->nics->pdata[i];

    if (nic->backend.type != NULL)
      continue;
    if (next_backend < im->net_backends->len) {
      backend_copy(&nic->backend, im->net_backends->pdata[next_backend++]);
    } else {
      nic->backend.type = g_strdup("user");
    }
  }
  if (im->memory_kib == 0)
    im->memory_kib = 128 * 1024; /* QEMU's default */
  if (im->name == NULL)
    im->name = g_strdup("imported");
  return TRUE;
}

/* What a command line may hold: valid UTF-8 without control characters other than white
 * space, within VB_QEMU_NATIVE_MAX bytes. */
static gboolean
check_text(const char *text, GError **error)
{
  gsize length = strlen(text);

  if (length > VB_QEMU_NATIVE_MAX) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "the command line is %" G_GSIZE_FORMAT " bytes, more than the %d allowed", length,
                VB_QEMU_NATIVE_MAX);
    return FALSE;
  }
  if (!g_utf8_validate(text, (gssize)length, NULL)) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                        "the command line is not valid UTF-8");
    return FALSE;
  }
  for (const char *c = text; *c != '\0'; c++) {
    if (((guchar)*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r') || *c == 0x7f) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "the command line holds the control character U+%04X at byte %" G_GSIZE_FORMAT,
                  (guint)(guchar)*c, (gsize)(c - text));
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * vb_qemu_native_to_xml:
 * @text: a qemu-argv line: environment, binary, arguments (shell quoting; backslash-newline
 *   continues a line)
 *
 * Returns: (transfer full): domain XML for the command line, not yet checked by the parser
 */
char *
vb_qemu_native_to_xml(const char *text, GError **error)
{
  g_autofree char *joined = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GError) shell_error = NULL;
  g_autoptr(VbXmlWriter) w = NULL;
  VbImport im = {
      .acpi = TRUE,
      .boot = g_ptr_array_new_with_free_func(g_free),
      .disks = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_import_disk_free),
      .drives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
      .blockdevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)g_hash_table_unref),
      .netdevs =
          g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)backend_free),
      .nics = g_ptr_array_new_with_free_func((GDestroyNotify)nic_free),
      .net_backends = g_ptr_array_new_with_free_func((GDestroyNotify)backend_free),
      .serials = g_ptr_array_new_with_free_func(g_free),
      .env = g_ptr_array_new_with_free_func(g_free),
      .chardevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)g_hash_table_unref),
      .objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)g_hash_table_unref),
      .audios = g_ptr_array_new_with_free_func(g_free),
      .devices = g_ptr_array_new_with_free_func(g_free),
      .globals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
  };
  gboolean ok;

  if (!check_text(text, error)) {
    import_clear(&im);
    return NULL;
  }
  {
    g_auto(GStrv) lines = g_strsplit(text, "\\\n", -1);

    joined = g_strjoinv(" ", lines);
  }
  if (!g_shell_parse_argv(joined, NULL, &words, &shell_error)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "the line is not shell words: %s",
                shell_error->message);
    import_clear(&im);
    return NULL;
  }
  w = vb_xml_writer_new();
  ok = read_words(&im, words, error) && finish_import(&im, error);
  if (ok && im.failed != NULL) {
    g_propagate_error(error, g_steal_pointer(&im.failed));
    ok = FALSE;
  }
  ok = ok && vb_qemu_import_write(&im, w, error);
  import_clear(&im);
  return ok ? vb_xml_writer_finish(w, error) : NULL;
}

/**
 * vb_qemu_native_parse:
 *
 * Returns: (transfer full): the definition a qemu-argv line describes, checked as any defined
 *   domain is
 */
VbDomainDef *
vb_qemu_native_parse(const char *text, GError **error)
{
  g_autofree char *xml = vb_qemu_native_to_xml(text, error);
  g_autoptr(GError) local = NULL;
  VbDomainDef *def;

  if (xml == NULL) {
    vb_error_shorten(error != NULL ? *error : NULL);
    return NULL;
  }
  def = vb_domain_def_parse(xml, strlen(xml), &local);
  if (def == NULL) {
    /* The line numbers would be those of XML the user never saw: the element's path says
     * which part of the command line it came from. */
    const char *message = local->message;

    if (g_str_has_prefix(message, "line ") && strstr(message, ": ") != NULL)
      message = strstr(message, ": ") + 2;
    g_set_error(error, VB_ERROR, local->code, "the domain this command line describes: %s",
                message);
    vb_error_shorten(*error);
  }
  return def;
}
