/* vb-qemu-from-native.c: domxml-from-native: a QEMU command line ("qemu-argv") read back into
 * domain XML, for a stated subset of QEMU's options.
 *
 * libvirt removed this in 5.5; virtbus keeps it for guests started by hand that are to be
 * managed from now on. It reads the environment, the binary and these options: -name -uuid -m
 * -smp -cpu -machine/-M -enable-kvm -accel -boot -hda…-hdd -cdrom -drive -blockdev -device (disk
 * and NIC devices) -netdev user/tap/bridge -net nic/user/tap/none -nic -vnc -display -serial
 * -parallel none -monitor (ignored) -kernel -initrd -append -rtc -no-reboot -nographic -no-acpi
 * -usb -usbdevice tablet, and the options every QEMU virtbus starts carries anyway (-S
 * -no-user-config -nodefaults -no-shutdown -msg). Anything else is NotSupported, named.
 *
 * The XML is written, then read by the domain parser, so what comes out obeys every rule a
 * defined domain does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-qemu-caps.h"
#include "vb-qemu-command.h"
#include "vb-qemu-native.h"
#include "vb-xml-writer.h"

/* Environment a launcher sets for any QEMU: not the guest's, not kept. */
static const char *const launcher_env[] = {
    "LC_ALL",          "PATH", "HOME", "USER", "LOGNAME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME", NULL};

/* Options that change nothing a definition holds. */
static const char *const ignored_options[] = {
    "-S", "-no-user-config", "-nodefaults", "-no-shutdown", "-usb", NULL};
static const char *const ignored_with_value[] = {"-monitor", "-msg", NULL};

typedef struct {
  char *type;   /* "file" or "block" */
  char *device; /* "disk" or "cdrom" */
  char *source; /* (nullable) */
  char *bus;
  char *target;
  char *format; /* (nullable) */
  gboolean readonly;
} Disk;

typedef struct {
  char *type;   /* user, bridge, ethernet */
  char *bridge; /* (nullable) */
  char *ifname; /* (nullable) */
} Backend;

typedef struct {
  char *model; /* (nullable) */
  char *mac;   /* (nullable) */
  Backend backend;
} Nic;

typedef struct {
  char *name;
  char *uuid;
  char *emulator;
  char *arch;
  char *machine;
  gboolean kvm;
  gboolean acpi;
  gboolean no_reboot;
  guint64 memory_kib;
  char *smp;
  char *cpu;
  GPtrArray *boot; /* (element-type utf8): hd, cdrom, network, fd */
  gboolean bootmenu;
  char *kernel, *initrd, *append;
  char *rtc_base;
  GPtrArray *disks;        /* (element-type Disk) */
  GHashTable *drives;      /* id → Disk (borrowed from disks), for -drive if=none */
  GHashTable *blockdevs;   /* node-name → JsonObject of the -blockdev */
  GHashTable *netdevs;     /* id → Backend */
  GPtrArray *nics;         /* (element-type Nic) */
  GPtrArray *net_backends; /* -net user/tap, paired with -net nic in order */
  char *vnc;               /* (nullable): the -vnc value */
  GPtrArray *serials;      /* (element-type utf8): pty, null, file:PATH */
  gboolean tablet;
  GPtrArray *env;       /* (element-type utf8): NAME=VALUE to keep */
  guint next_letter[3]; /* per bus family: ide, virtio, scsi */
} Import;

static void
disk_free(Disk *disk)
{
  g_free(disk->type);
  g_free(disk->device);
  g_free(disk->source);
  g_free(disk->bus);
  g_free(disk->target);
  g_free(disk->format);
  g_free(disk);
}

static void
backend_clear(Backend *backend)
{
  g_free(backend->type);
  g_free(backend->bridge);
  g_free(backend->ifname);
}

static void
backend_free(Backend *backend)
{
  backend_clear(backend);
  g_free(backend);
}

static void
nic_free(Nic *nic)
{
  g_free(nic->model);
  g_free(nic->mac);
  backend_clear(&nic->backend);
  g_free(nic);
}

static void
import_clear(Import *im)
{
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
  g_ptr_array_unref(im->disks);
  g_hash_table_unref(im->drives);
  g_hash_table_unref(im->blockdevs);
  g_hash_table_unref(im->netdevs);
  g_ptr_array_unref(im->nics);
  g_ptr_array_unref(im->net_backends);
  g_free(im->vnc);
  g_ptr_array_unref(im->serials);
  g_ptr_array_unref(im->env);
}

/* QEMU's "key=value,…" with ",," for a comma; a first item with no '=' is @implied's value. */
static GHashTable *
parse_keyval(const char *text, const char *implied)
{
  GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) item = g_string_new(NULL);
  gboolean first = TRUE;

  for (const char *c = text;; c++) {
    if (*c == ',' && c[1] == ',') {
      g_string_append_c(item, ',');
      c++;
      continue;
    }
    if (*c != ',' && *c != '\0') {
      g_string_append_c(item, *c);
      continue;
    }
    {
      const char *equals = strchr(item->str, '=');

      if (equals != NULL)
        g_hash_table_replace(table, g_strndup(item->str, (gsize)(equals - item->str)),
                             g_strdup(equals + 1));
      else if (first && implied != NULL && item->len > 0)
        g_hash_table_replace(table, g_strdup(implied), g_strdup(item->str));
      else if (item->len > 0)
        g_hash_table_replace(table, g_strdup(item->str), g_strdup("on"));
    }
    first = FALSE;
    g_string_truncate(item, 0);
    if (*c == '\0')
      break;
  }
  return table;
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
  g_autoptr(JsonParser) parser = NULL;
  GHashTable *table;

  if (text[0] != '{')
    return parse_keyval(text, implied);
  parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s: '%s' is not a JSON object", option,
                text);
    return NULL;
  }
  table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  flatten_json(json_node_get_object(json_parser_get_root(parser)), "", table);
  return table;
}

static const char *
lookup(GHashTable *props, const char *key)
{
  return g_hash_table_lookup(props, key);
}

/* The next free name on a bus family: hda…, vda…, sda…. */
static char *
next_target(Import *im, const char *bus, gint index)
{
  guint family = g_str_equal(bus, "virtio") ? 1 : g_str_equal(bus, "scsi") ? 2 : 0;
  const char *prefix = family == 1 ? "vd" : family == 2 ? "sd" : "hd";
  guint n = index >= 0 ? (guint)index : im->next_letter[family];

  if (n >= 26)
    return NULL;
  im->next_letter[family] = MAX(im->next_letter[family], n + 1);
  return g_strdup_printf("%s%c", prefix, 'a' + n);
}

static Disk *
add_disk(
    Import *im, const char *source, const char *bus, gint index, gboolean cdrom, GError **error)
{
  Disk *disk = g_new0(Disk, 1);

  disk->source = g_strdup(source);
  disk->type = g_strdup(source != NULL && g_str_has_prefix(source, "/dev/") ? "block" : "file");
  disk->device = g_strdup(cdrom ? "cdrom" : "disk");
  disk->bus = g_strdup(bus);
  disk->readonly = cdrom;
  disk->target = next_target(im, bus, index);
  g_ptr_array_add(im->disks, disk);
  if (disk->target == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "more than 26 '%s' disks", bus);
    return NULL;
  }
  return disk;
}

static gboolean
read_drive(Import *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = parse_keyval(value, "file");
  const char *iface = lookup(props, "if");
  const char *index = lookup(props, "index");
  const char *media = lookup(props, "media");
  const char *id = lookup(props, "id");
  const char *bus;
  Disk *disk;

  if (iface == NULL)
    iface = "ide";
  if (g_str_equal(iface, "none"))
    bus = "pending"; /* its -device decides */
  else if (g_str_equal(iface, "ide") || g_str_equal(iface, "virtio") || g_str_equal(iface, "scsi"))
    bus = iface;
  else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-drive if=%s: domxml-from-native reads if=ide, virtio, scsi and none", iface);
    return FALSE;
  }
  disk = g_new0(Disk, 1);
  disk->source = g_strdup(lookup(props, "file"));
  disk->type =
      g_strdup(disk->source != NULL && g_str_has_prefix(disk->source, "/dev/") ? "block" : "file");
  disk->device = g_strdup(g_strcmp0(media, "cdrom") == 0 ? "cdrom" : "disk");
  disk->bus = g_strdup(bus);
  disk->format = g_strdup(lookup(props, "format"));
  disk->readonly =
      g_strcmp0(lookup(props, "readonly"), "on") == 0 || g_strcmp0(media, "cdrom") == 0;
  g_ptr_array_add(im->disks, disk);
  if (!g_str_equal(bus, "pending")) {
    disk->target =
        next_target(im, bus, index != NULL ? (gint)g_ascii_strtoll(index, NULL, 10) : -1);
    if (disk->target == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "-drive index=%s is out of range",
                  index);
      return FALSE;
    }
  }
  if (id != NULL)
    g_hash_table_replace(im->drives, g_strdup(id), disk);
  return TRUE;
}

/* The disk behind a -device's drive=: a -drive id, or a -blockdev format node and its file. */
static Disk *
drive_of(Import *im, const char *node, const char *bus, gboolean cdrom, GError **error)
{
  Disk *disk = node != NULL ? g_hash_table_lookup(im->drives, node) : NULL;
  GHashTable *blockdev;
  const char *file;
  GHashTable *storage;

  if (disk != NULL && disk->target != NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device: the -drive '%s' has a bus of its own (if=%s); give it if=none", node,
                disk->bus);
    return NULL;
  }
  if (disk != NULL) {
    g_free(disk->bus);
    disk->bus = g_strdup(bus);
    disk->target = next_target(im, bus, -1);
    if (cdrom) {
      g_free(disk->device);
      disk->device = g_strdup("cdrom");
      disk->readonly = TRUE;
    }
    return disk;
  }
  if (node == NULL)
    return add_disk(im, NULL, bus, -1, cdrom, error);
  blockdev = g_hash_table_lookup(im->blockdevs, node);
  if (blockdev == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device: drive '%s' is neither a -drive id nor a -blockdev node-name", node);
    return NULL;
  }
  file = lookup(blockdev, "file");
  storage = file != NULL ? g_hash_table_lookup(im->blockdevs, file) : NULL;
  disk =
      add_disk(im, lookup(storage != NULL ? storage : blockdev, "filename"), bus, -1, cdrom, error);
  if (disk == NULL)
    return NULL;
  if (storage != NULL)
    disk->format = g_strdup(lookup(blockdev, "driver"));
  disk->readonly = disk->readonly || g_strcmp0(lookup(blockdev, "read-only"), "on") == 0;
  return disk;
}

static gboolean
read_backend(const char *option, GHashTable *props, Backend *out, GError **error)
{
  const char *type = lookup(props, "type");

  if (g_strcmp0(type, "user") == 0) {
    out->type = g_strdup("user");
  } else if (g_strcmp0(type, "bridge") == 0) {
    out->type = g_strdup("bridge");
    out->bridge = g_strdup(lookup(props, "br") != NULL ? lookup(props, "br") : "br0");
  } else if (g_strcmp0(type, "tap") == 0) {
    out->type = g_strdup(lookup(props, "br") != NULL ? "bridge" : "ethernet");
    out->bridge = g_strdup(lookup(props, "br"));
    out->ifname = g_strdup(lookup(props, "ifname"));
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "%s %s: domxml-from-native reads the network backends user, tap and bridge", option,
                type != NULL ? type : "");
    return FALSE;
  }
  return TRUE;
}

static void
backend_copy(Backend *to, const Backend *from)
{
  to->type = g_strdup(from->type);
  to->bridge = g_strdup(from->bridge);
  to->ifname = g_strdup(from->ifname);
}

/* -device NIC,netdev=ID,mac=…: the backend is the -netdev of that id, read before. */
static gboolean
read_nic_device(Import *im, GHashTable *props, const char *driver, GError **error)
{
  const char *netdev = lookup(props, "netdev") != NULL ? lookup(props, "netdev") : "";
  const Backend *backend = g_hash_table_lookup(im->netdevs, netdev);
  Nic *nic = g_new0(Nic, 1);

  g_ptr_array_add(im->nics, nic);
  nic->model = g_strdup(vb_qemu_nic_model(driver));
  nic->mac = g_strdup(lookup(props, "mac"));
  if (backend == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device %s: its netdev '%s' is not a -netdev id", driver, netdev);
    return FALSE;
  }
  backend_copy(&nic->backend, backend);
  return TRUE;
}

static gboolean
read_device(Import *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = parse_props("-device", value, "driver", error);
  const char *driver;

  if (props == NULL)
    return FALSE;
  driver = lookup(props, "driver");
  if (driver == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "-device %s: no driver", value);
    return FALSE;
  }
  if (vb_qemu_nic_model(driver) != NULL)
    return read_nic_device(im, props, driver, error);
  {
    const char *bus = g_str_has_prefix(driver, "virtio-blk") ? "virtio"
                      : g_str_has_prefix(driver, "ide-")     ? "ide"
                      : g_str_has_prefix(driver, "scsi-")    ? "scsi"
                      : g_str_equal(driver, "usb-storage")   ? "usb"
                                                             : NULL;

    if (bus != NULL)
      return drive_of(im, lookup(props, "drive"), bus, g_str_has_suffix(driver, "-cd"), error) !=
             NULL;
  }
  g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
              "-device %s: domxml-from-native reads disk and NIC devices only", driver);
  return FALSE;
}

static gboolean
read_memory(Import *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = parse_keyval(value, "size");
  const char *size = lookup(props, "size");
  char *end = NULL;
  guint64 number = size != NULL ? g_ascii_strtoull(size, &end, 10) : 0;
  guint64 scale = 1024; /* QEMU's default unit is MiB */

  if (end != NULL && *end != '\0') {
    if (g_ascii_strcasecmp(end, "k") == 0)
      scale = 1;
    else if (g_ascii_strcasecmp(end, "g") == 0)
      scale = 1024 * 1024;
    else if (g_ascii_strcasecmp(end, "m") != 0)
      scale = 0;
  }
  if (number == 0 || scale == 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "-m %s is not a memory size", value);
    return FALSE;
  }
  im->memory_kib = number * scale;
  return TRUE;
}

static gboolean
read_boot(Import *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = parse_keyval(value, "order");
  const char *order = lookup(props, "order");

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
  im->bootmenu = g_strcmp0(lookup(props, "menu"), "on") == 0;
  return TRUE;
}

static gboolean
read_net(Import *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = parse_keyval(value, "type");
  const char *type = lookup(props, "type");

  if (g_strcmp0(type, "none") == 0)
    return TRUE;
  if (g_strcmp0(type, "nic") == 0) {
    Nic *nic = g_new0(Nic, 1);

    nic->model = g_strdup(lookup(props, "model"));
    nic->mac = g_strdup(lookup(props, "macaddr"));
    g_ptr_array_add(im->nics, nic);
    return TRUE;
  }
  {
    Backend *backend = g_new0(Backend, 1);

    g_ptr_array_add(im->net_backends, backend);
    return read_backend("-net", props, backend, error);
  }
}

static gboolean
read_nic(Import *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = parse_keyval(value, "type");
  Nic *nic = g_new0(Nic, 1);

  g_ptr_array_add(im->nics, nic);
  nic->model = g_strdup(lookup(props, "model"));
  nic->mac = g_strdup(lookup(props, "mac"));
  /* -nic takes QEMU's device names: virtio-net-pci is libvirt's virtio */
  if (nic->model != NULL && vb_qemu_nic_model(nic->model) != NULL) {
    char *model = g_strdup(vb_qemu_nic_model(nic->model));

    g_free(nic->model);
    nic->model = model;
  }
  return read_backend("-nic", props, &nic->backend, error);
}

static gboolean
read_machine(Import *im, const char *value)
{
  g_autoptr(GHashTable) props = parse_keyval(value, "type");

  g_free(im->machine);
  im->machine = g_strdup(lookup(props, "type"));
  if (g_strcmp0(lookup(props, "accel"), "kvm") == 0 ||
      g_str_has_prefix(lookup(props, "accel") != NULL ? lookup(props, "accel") : "", "kvm:"))
    im->kvm = TRUE;
  if (g_strcmp0(lookup(props, "acpi"), "off") == 0)
    im->acpi = FALSE;
  return TRUE;
}

/* Options that take a value, and what reads it. */
static gboolean
read_option(Import *im, const char *option, const char *value, GError **error)
{
  static const char *const hd_options[] = {"-hda", "-hdb", "-hdc", "-hdd", NULL};

  for (guint i = 0; hd_options[i] != NULL; i++) {
    if (g_str_equal(option, hd_options[i]))
      return add_disk(im, value, "ide", (gint)i, FALSE, error) != NULL;
  }
  if (g_str_equal(option, "-name")) {
    g_autoptr(GHashTable) props = parse_keyval(value, "guest");

    g_free(im->name);
    im->name = g_strdup(lookup(props, "guest"));
  } else if (g_str_equal(option, "-uuid")) {
    g_free(im->uuid);
    im->uuid = g_strdup(value);
  } else if (g_str_equal(option, "-m")) {
    return read_memory(im, value, error);
  } else if (g_str_equal(option, "-smp")) {
    g_free(im->smp);
    im->smp = g_strdup(value);
  } else if (g_str_equal(option, "-cpu")) {
    g_free(im->cpu);
    im->cpu = g_strdup(value);
  } else if (g_str_equal(option, "-machine") || g_str_equal(option, "-M")) {
    return read_machine(im, value);
  } else if (g_str_equal(option, "-accel")) {
    g_autoptr(GHashTable) props = parse_keyval(value, "accel");

    im->kvm = g_strcmp0(lookup(props, "accel"), "kvm") == 0;
  } else if (g_str_equal(option, "-boot")) {
    return read_boot(im, value, error);
  } else if (g_str_equal(option, "-cdrom")) {
    return add_disk(im, value, "ide", 2, TRUE, error) != NULL;
  } else if (g_str_equal(option, "-drive")) {
    return read_drive(im, value, error);
  } else if (g_str_equal(option, "-blockdev")) {
    GHashTable *props = parse_props("-blockdev", value, NULL, error);

    if (props == NULL)
      return FALSE;
    g_hash_table_replace(
        im->blockdevs,
        g_strdup(lookup(props, "node-name") != NULL ? lookup(props, "node-name") : ""), props);
  } else if (g_str_equal(option, "-device")) {
    return read_device(im, value, error);
  } else if (g_str_equal(option, "-netdev")) {
    g_autoptr(GHashTable) props = parse_keyval(value, "type");
    Backend *backend = g_new0(Backend, 1);

    g_hash_table_replace(im->netdevs,
                         g_strdup(lookup(props, "id") != NULL ? lookup(props, "id") : ""), backend);
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
    g_autoptr(GHashTable) props = parse_keyval(value, NULL);

    g_free(im->rtc_base);
    im->rtc_base = g_strdup(lookup(props, "base"));
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
    "-name",   "-uuid",   "-m",      "-smp", "-cpu",       "-machine", "-M",      "-accel",
    "-boot",   "-hda",    "-hdb",    "-hdc", "-hdd",       "-cdrom",   "-drive",  "-blockdev",
    "-device", "-netdev", "-net",    "-nic", "-vnc",       "-display", "-serial", "-parallel",
    "-kernel", "-initrd", "-append", "-rtc", "-usbdevice", NULL};

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

static void
write_disk(VbXmlWriter *w, const Disk *disk)
{
  vb_xml_writer_start(w, "disk");
  vb_xml_writer_attr(w, "type", disk->type);
  vb_xml_writer_attr(w, "device", disk->device);
  if (disk->format != NULL) {
    vb_xml_writer_start(w, "driver");
    vb_xml_writer_attr(w, "name", "qemu");
    vb_xml_writer_attr(w, "type", disk->format);
    vb_xml_writer_end(w);
  }
  if (disk->source != NULL) {
    vb_xml_writer_start(w, "source");
    vb_xml_writer_attr(w, g_str_equal(disk->type, "block") ? "dev" : "file", disk->source);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_start(w, "target");
  vb_xml_writer_attr(w, "dev", disk->target);
  vb_xml_writer_attr(w, "bus", disk->bus);
  vb_xml_writer_end(w);
  if (disk->readonly) {
    vb_xml_writer_start(w, "readonly");
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
write_nic(VbXmlWriter *w, const Nic *nic)
{
  vb_xml_writer_start(w, "interface");
  vb_xml_writer_attr(w, "type", nic->backend.type);
  if (nic->mac != NULL) {
    vb_xml_writer_start(w, "mac");
    vb_xml_writer_attr(w, "address", nic->mac);
    vb_xml_writer_end(w);
  }
  if (nic->backend.bridge != NULL) {
    vb_xml_writer_start(w, "source");
    vb_xml_writer_attr(w, "bridge", nic->backend.bridge);
    vb_xml_writer_end(w);
  }
  if (nic->backend.ifname != NULL) {
    vb_xml_writer_start(w, "target");
    vb_xml_writer_attr(w, "dev", nic->backend.ifname);
    vb_xml_writer_end(w);
  }
  if (nic->model != NULL) {
    vb_xml_writer_start(w, "model");
    vb_xml_writer_attr(w, "type", nic->model);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
write_listen(VbXmlWriter *w, const char *type, const char *attribute, const char *value)
{
  vb_xml_writer_start(w, "listen");
  vb_xml_writer_attr(w, "type", type);
  if (attribute != NULL)
    vb_xml_writer_attr(w, attribute, value);
  vb_xml_writer_end(w);
}

/* -vnc HOST:DISPLAY, :DISPLAY, unix:PATH or none. */
static gboolean
write_vnc(VbXmlWriter *w, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = parse_keyval(value, "display");
  const char *display = lookup(props, "display") != NULL ? lookup(props, "display") : "";
  const char *colon = strrchr(display, ':');
  g_autofree char *host = NULL;

  vb_xml_writer_start(w, "graphics");
  vb_xml_writer_attr(w, "type", "vnc");
  if (g_str_has_prefix(display, "unix:")) {
    write_listen(w, "socket", "socket", display + strlen("unix:"));
  } else if (g_str_equal(display, "none")) {
    write_listen(w, "none", NULL, NULL);
  } else if (colon != NULL && colon[1] != '\0' &&
             strspn(colon + 1, "0123456789") == strlen(colon + 1) && strlen(colon + 1) < 6) {
    vb_xml_writer_attr_printf(w, "port", "%" G_GINT64_FORMAT,
                              5900 + g_ascii_strtoll(colon + 1, NULL, 10));
    vb_xml_writer_attr(w, "autoport", "no");
    host = g_strndup(display, (gsize)(colon - display));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
      char *inner = g_strndup(host + 1, strlen(host) - 2);

      g_free(host);
      host = inner;
    }
    if (*host != '\0')
      write_listen(w, "address", "address", host);
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-vnc %s: domxml-from-native reads HOST:DISPLAY, :DISPLAY, unix:PATH and none",
                value);
    return FALSE;
  }
  vb_xml_writer_end(w);
  return TRUE;
}

static gboolean
write_serial(VbXmlWriter *w, const char *value, GError **error)
{
  vb_xml_writer_start(w, "serial");
  if (g_str_equal(value, "pty") || g_str_equal(value, "null")) {
    vb_xml_writer_attr(w, "type", value);
  } else if (g_str_has_prefix(value, "file:")) {
    vb_xml_writer_attr(w, "type", "file");
    vb_xml_writer_start(w, "source");
    vb_xml_writer_attr(w, "path", value + strlen("file:"));
    vb_xml_writer_end(w);
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-serial %s: domxml-from-native reads pty, null, file:PATH and none", value);
    return FALSE;
  }
  vb_xml_writer_end(w);
  return TRUE;
}

static gboolean
write_cpu(VbXmlWriter *w, const char *value)
{
  g_autoptr(GHashTable) props = parse_keyval(value, "model");
  g_auto(GStrv) items = g_strsplit(value, ",", -1);
  const char *model = lookup(props, "model");

  vb_xml_writer_start(w, "cpu");
  if (g_strcmp0(model, "host") == 0) {
    vb_xml_writer_attr(w, "mode", "host-passthrough");
  } else if (g_strcmp0(model, "max") == 0) {
    vb_xml_writer_attr(w, "mode", "maximum");
  } else {
    vb_xml_writer_attr(w, "mode", "custom");
    vb_xml_writer_element_text(w, "model", model);
    for (guint i = 1; items[i] != NULL; i++) {
      const char *item = items[i];
      gboolean on = item[0] != '-' && !g_str_has_suffix(item, "=off");
      g_autofree char *name = g_strndup(item + (item[0] == '+' || item[0] == '-'),
                                        strcspn(item + (item[0] == '+' || item[0] == '-'), "="));

      vb_xml_writer_start(w, "feature");
      vb_xml_writer_attr(w, "policy", on ? "require" : "disable");
      vb_xml_writer_attr(w, "name", name);
      vb_xml_writer_end(w);
    }
  }
  vb_xml_writer_end(w);
  return TRUE;
}

static void
write_vcpu(VbXmlWriter *w, const char *smp)
{
  g_autoptr(GHashTable) props = parse_keyval(smp != NULL ? smp : "1", "cpus");
  const char *cpus = lookup(props, "cpus") != NULL ? lookup(props, "cpus") : "1";
  const char *max = lookup(props, "maxcpus");

  vb_xml_writer_start(w, "vcpu");
  if (max != NULL && !g_str_equal(max, cpus))
    vb_xml_writer_attr(w, "current", cpus);
  vb_xml_writer_text(w, max != NULL ? max : cpus);
  vb_xml_writer_end(w);
}

static gboolean
write_domain(Import *im, VbXmlWriter *w, GError **error)
{
  vb_xml_writer_start(w, "domain");
  vb_xml_writer_attr(w, "type", im->kvm ? "kvm" : "qemu");
  if (im->env->len > 0)
    vb_xml_writer_attr(w, "xmlns:qemu", "http://libvirt.org/schemas/domain/qemu/1.0");
  vb_xml_writer_element_text(w, "name", im->name);
  if (im->uuid != NULL)
    vb_xml_writer_element_text(w, "uuid", im->uuid);
  {
    g_autofree char *memory = g_strdup_printf("%" G_GUINT64_FORMAT, im->memory_kib);

    vb_xml_writer_start(w, "memory");
    vb_xml_writer_attr(w, "unit", "KiB");
    vb_xml_writer_text(w, memory);
    vb_xml_writer_end(w);
  }
  write_vcpu(w, im->smp);
  vb_xml_writer_start(w, "os");
  vb_xml_writer_start(w, "type");
  vb_xml_writer_attr(w, "arch", im->arch);
  if (im->machine != NULL)
    vb_xml_writer_attr(w, "machine", im->machine);
  vb_xml_writer_text(w, "hvm");
  vb_xml_writer_end(w);
  if (im->kernel != NULL)
    vb_xml_writer_element_text(w, "kernel", im->kernel);
  if (im->initrd != NULL)
    vb_xml_writer_element_text(w, "initrd", im->initrd);
  if (im->append != NULL)
    vb_xml_writer_element_text(w, "cmdline", im->append);
  for (guint i = 0; i < im->boot->len; i++) {
    vb_xml_writer_start(w, "boot");
    vb_xml_writer_attr(w, "dev", im->boot->pdata[i]);
    vb_xml_writer_end(w);
  }
  if (im->bootmenu) {
    vb_xml_writer_start(w, "bootmenu");
    vb_xml_writer_attr(w, "enable", "yes");
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
  if (im->acpi) {
    vb_xml_writer_start(w, "features");
    vb_xml_writer_start(w, "acpi");
    vb_xml_writer_end(w);
    vb_xml_writer_end(w);
  }
  if (im->cpu != NULL)
    write_cpu(w, im->cpu);
  vb_xml_writer_start(w, "clock");
  vb_xml_writer_attr(w, "offset", g_strcmp0(im->rtc_base, "localtime") == 0 ? "localtime" : "utc");
  vb_xml_writer_end(w);
  if (im->no_reboot)
    vb_xml_writer_element_text(w, "on_reboot", "destroy");
  vb_xml_writer_start(w, "devices");
  vb_xml_writer_element_text(w, "emulator", im->emulator);
  for (guint i = 0; i < im->disks->len; i++)
    write_disk(w, im->disks->pdata[i]);
  for (guint i = 0; i < im->nics->len; i++)
    write_nic(w, im->nics->pdata[i]);
  for (guint i = 0; i < im->serials->len; i++) {
    if (!write_serial(w, im->serials->pdata[i], error))
      return FALSE;
  }
  if (im->tablet) {
    vb_xml_writer_start(w, "input");
    vb_xml_writer_attr(w, "type", "tablet");
    vb_xml_writer_attr(w, "bus", "usb");
    vb_xml_writer_end(w);
  }
  if (im->vnc != NULL && !write_vnc(w, im->vnc, error))
    return FALSE;
  vb_xml_writer_end(w);
  if (im->env->len > 0) {
    vb_xml_writer_start(w, "qemu:commandline");
    for (guint i = 0; i < im->env->len; i++) {
      const char *assignment = im->env->pdata[i];
      const char *equals = strchr(assignment, '=');
      g_autofree char *name = g_strndup(assignment, (gsize)(equals - assignment));

      vb_xml_writer_start(w, "qemu:env");
      vb_xml_writer_attr(w, "name", name);
      vb_xml_writer_attr(w, "value", equals + 1);
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
  return TRUE;
}

static gboolean
is_assignment(const char *word)
{
  gsize name = strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

  return name > 0 && word[name] == '=' && !g_ascii_isdigit(word[0]);
}

static gboolean
read_words(Import *im, char **words, GError **error)
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
      if (add_disk(im, option, "ide", 0, FALSE, error) == NULL)
        return FALSE;
    } else if (g_strv_contains(ignored_options, option)) {
      continue;
    } else if (g_strv_contains(ignored_with_value, option)) {
      i += words[i + 1] != NULL ? 1 : 0;
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
finish_import(Import *im, GError **error)
{
  guint next_backend = 0;

  for (guint i = 0; i < im->disks->len; i++) {
    const Disk *disk = im->disks->pdata[i];

    if (disk->target == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "-drive file=%s,if=none is used by no -device",
                  disk->source != NULL ? disk->source : "");
      return FALSE;
    }
  }
  /* -net nic pairs with the -net backends in order; QEMU's default backend is user */
  for (guint i = 0; i < im->nics->len; i++) {
    Nic *nic = im->nics->pdata[i];

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
  Import im = {
      .acpi = TRUE,
      .boot = g_ptr_array_new_with_free_func(g_free),
      .disks = g_ptr_array_new_with_free_func((GDestroyNotify)disk_free),
      .drives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
      .blockdevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)g_hash_table_unref),
      .netdevs =
          g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)backend_free),
      .nics = g_ptr_array_new_with_free_func((GDestroyNotify)nic_free),
      .net_backends = g_ptr_array_new_with_free_func((GDestroyNotify)backend_free),
      .serials = g_ptr_array_new_with_free_func(g_free),
      .env = g_ptr_array_new_with_free_func(g_free),
  };
  gboolean ok;

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
  ok = read_words(&im, words, error) && finish_import(&im, error) && write_domain(&im, w, error);
  import_clear(&im);
  return ok ? vb_xml_writer_finish(w) : NULL;
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

  if (xml == NULL)
    return NULL;
  return vb_domain_def_parse(xml, strlen(xml), error);
}
