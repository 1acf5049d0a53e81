/* vb-qemu-from-native.c: domxml-from-native: a QEMU command line ("qemu-argv") read back into
 * a domain definition, for a stated subset of QEMU's options.
 *
 * libvirt removed this in 5.5; virtbus keeps it for guests started by hand that are to be
 * managed from now on, and reads back everything domxml-to-native writes. The options it reads
 * are listed in docs/qemu-command.md; anything else is NotSupported, named.
 *
 * This file reads the words and options; the machine and displays are
 * vb-qemu-from-native-machine.c's, NICs vb-qemu-from-native-net.c's, disks
 * vb-qemu-from-native-disk.c's and the other devices vb-qemu-from-native-device.c's. They fill
 * one VbDomainDef, the model every domain uses. What comes out is then read back as DefineXML
 * reads a document, so it obeys every rule a defined domain does and defines as it is.
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

/* The number at the end of an id: "serial2" → 2; -1 when there is none. */
gint64
vb_qemu_import_id_number(const char *id, const char *prefix)
{
  const char *digits;

  if (id == NULL || !g_str_has_prefix(id, prefix))
    return -1;
  digits = id + strlen(prefix);
  if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits) || strlen(digits) > 9)
    return -1;
  return g_ascii_strtoll(digits, NULL, 10);
}

/**
 * vb_qemu_import_count:
 * @option: the option and driver, for the message ("-device pcie-root-port")
 * @out: (inout): left as it is when @props has no @key
 *
 * Reads the number @key of @props (decimal, or hex with 0x, as QEMU reads it), from 0 to @max.
 */
gboolean
vb_qemu_import_count(
    const char *option, GHashTable *props, const char *key, gint64 max, gint64 *out, GError **error)
{
  const char *text = g_hash_table_lookup(props, key);
  guint64 value;
  char *end = NULL;

  if (text == NULL)
    return TRUE;
  value = g_ascii_strtoull(text, &end, 0);
  if (!g_ascii_isdigit(text[0]) || end == text || *end != '\0' || value > (guint64)max) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "%s %s=%s: not a number from 0 to %" G_GINT64_FORMAT, option, key, text, max);
    vb_error_shorten(error != NULL ? *error : NULL);
    return FALSE;
  }
  *out = (gint64)value;
  return TRUE;
}

/**
 * vb_qemu_import_name:
 * @names: the model's names for the setting
 * @out: (out): the enum value @value names
 *
 * Returns: %FALSE with NotSupported, naming what virtbus runs, when @value is none of @names
 */
gboolean
vb_qemu_import_name(const char *option,
                    const char *key,
                    const char *value,
                    const char *const *names,
                    gint *out,
                    GError **error)
{
  g_autofree char *allowed = NULL;

  *out = vb_names_index(names, value);
  if (*out >= 0)
    return TRUE;
  allowed = g_strjoinv("', '", (char **)names);
  g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
              "%s %s=%s: not one virtbus runs (it runs '%s')", option, key,
              value != NULL ? value : "", allowed);
  vb_error_shorten(error != NULL ? *error : NULL);
  return FALSE;
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

/* -chardev, -object and -audiodev: the first two kept by id for the devices that name them,
 * the last an <audio> of its own. */
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
    gint type = vb_names_index(vb_audio_type_names, g_hash_table_lookup(props, "driver"));
    gint64 number = vb_qemu_import_id_number(id, "audio");
    VbAudioDef *audio;

    if (number <= 0 || type < 0) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-audiodev %s: domxml-from-native reads the drivers none and spice, with "
                  "ids audioN",
                  value);
      return FALSE;
    }
    audio = g_new0(VbAudioDef, 1);
    audio->id = (guint64)number;
    audio->type = (VbAudioType)type;
    g_ptr_array_add(im->def->audios, audio);
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
    return vb_qemu_import_nic_device(im, props, driver, error);
  if (g_str_equal(driver, "usb-hub")) {
    VbHubDef *hub = vb_hub_def_new();
    const char *port = g_hash_table_lookup(props, "port");

    if (port != NULL) {
      hub->info.address.type = VB_ADDRESS_USB;
      hub->info.address.usb_port = g_strdup(port);
    }
    g_ptr_array_add(im->def->hubs, hub);
    return TRUE;
  }
  if (g_str_equal(driver, "usb-bot")) {
    /* a USB CD-ROM's USB half: the scsi-cd on its bus is the disk */
    const char *id = g_hash_table_lookup(props, "id");
    const char *port = g_hash_table_lookup(props, "port");

    if (id == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "-device usb-bot: no id");
      return FALSE;
    }
    g_hash_table_replace(im->usb_bots, g_strdup(id), g_strdup(port != NULL ? port : ""));
    return TRUE;
  }
  if (g_str_has_prefix(driver, "virtio-blk") || g_str_has_prefix(driver, "ide-") ||
      g_str_has_prefix(driver, "scsi-") || g_str_equal(driver, "usb-storage"))
    return vb_qemu_import_disk_device(im, props, driver, error);
  return vb_qemu_import_other_device(im, props, error);
}

static void
replace_string(char **field, const char *value)
{
  g_free(*field);
  *field = g_strdup(value);
}

/* Options that take a value, and what reads it. */
static gboolean
read_option(VbImport *im, const char *option, const char *value, GError **error)
{
  static const char *const hd_options[] = {"-hda", "-hdb", "-hdc", "-hdd", NULL};
  VbDomainDef *def = im->def;

  for (guint i = 0; hd_options[i] != NULL; i++) {
    if (g_str_equal(option, hd_options[i]))
      return vb_qemu_import_add_disk(im, value, VB_DISK_BUS_IDE, (gint)i, FALSE, error);
  }
  if (g_str_equal(option, "-name")) {
    g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "guest");

    replace_string(&def->name, g_hash_table_lookup(props, "guest"));
  } else if (g_str_equal(option, "-uuid")) {
    if (!vb_parse_uuid(value, def->uuid)) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "-uuid %s is not a UUID (32 hex digits, in groups of 8-4-4-4-12)", value);
      return FALSE;
    }
  } else if (g_str_equal(option, "-m")) {
    return vb_qemu_import_memory(im, value, error);
  } else if (g_str_equal(option, "-smp")) {
    return vb_qemu_import_smp(im, value, error);
  } else if (g_str_equal(option, "-cpu")) {
    return vb_qemu_import_cpu(im, value, error);
  } else if (g_str_equal(option, "-machine") || g_str_equal(option, "-M")) {
    vb_qemu_import_machine(im, value);
  } else if (g_str_equal(option, "-accel")) {
    g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "accel");

    def->virt_type =
        g_strcmp0(g_hash_table_lookup(props, "accel"), "kvm") == 0 ? VB_VIRT_KVM : VB_VIRT_QEMU;
  } else if (g_str_equal(option, "-boot")) {
    return vb_qemu_import_boot(im, value, error);
  } else if (g_str_equal(option, "-cdrom")) {
    return vb_qemu_import_add_disk(im, value, VB_DISK_BUS_IDE, 2, TRUE, error);
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
    return vb_qemu_import_netdev(im, value, error);
  } else if (g_str_equal(option, "-net")) {
    return vb_qemu_import_net(im, value, error);
  } else if (g_str_equal(option, "-nic")) {
    return vb_qemu_import_nic(im, value, error);
  } else if (g_str_equal(option, "-vnc")) {
    replace_string(&im->vnc, value);
  } else if (g_str_equal(option, "-display")) {
    if (!g_str_equal(value, "none") && !g_str_has_prefix(value, "vnc=")) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-display %s: domxml-from-native reads 'none' and 'vnc=…'", value);
      return FALSE;
    }
    if (g_str_has_prefix(value, "vnc="))
      replace_string(&im->vnc, value + strlen("vnc="));
  } else if (g_str_equal(option, "-serial")) {
    return g_str_equal(value, "none") || vb_qemu_import_serial_option(im, value, error);
  } else if (g_str_equal(option, "-parallel")) {
    if (!g_str_equal(value, "none")) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-parallel %s: virtbus has no parallel ports", value);
      return FALSE;
    }
  } else if (g_str_equal(option, "-kernel")) {
    replace_string(&def->os.kernel, value);
  } else if (g_str_equal(option, "-initrd")) {
    replace_string(&def->os.initrd, value);
  } else if (g_str_equal(option, "-append")) {
    replace_string(&def->os.cmdline, value);
  } else if (g_str_equal(option, "-rtc")) {
    replace_string(&im->rtc, value);
  } else if (g_str_equal(option, "-chardev") || g_str_equal(option, "-object") ||
             g_str_equal(option, "-audiodev")) {
    return read_backend_option(im, option, value, error);
  } else if (g_str_equal(option, "-global")) {
    return read_global(im, value, error);
  } else if (g_str_equal(option, "-spice")) {
    replace_string(&im->spice, value);
  } else if (g_str_equal(option, "-k")) {
    replace_string(&im->keymap, value);
  } else if (g_str_equal(option, "-watchdog-action")) {
    gint action;

    if (!vb_qemu_import_name(option, "action", value, vb_watchdog_action_names, &action, error))
      return FALSE;
    replace_string(&im->watchdog_action, value);
  } else if (g_str_equal(option, "-action")) {
    g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, NULL);

    replace_string(&im->panic_action, g_hash_table_lookup(props, "panic"));
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

static gboolean
read_words(VbImport *im, char **words, GError **error)
{
  VbDomainDef *def = im->def;
  guint i = 0;

  for (; words[i] != NULL && is_assignment(words[i]); i++) {
    g_autofree char *name = g_strndup(words[i], strcspn(words[i], "="));

    if (!g_strv_contains(launcher_env, name)) {
      VbQemuEnv *env = g_new0(VbQemuEnv, 1);

      env->name = g_steal_pointer(&name);
      env->value = g_strdup(strchr(words[i], '=') + 1);
      g_ptr_array_add(def->qemu.env, env);
    }
  }
  if (words[i] == NULL) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                        "the line names no QEMU binary after its environment");
    return FALSE;
  }
  def->emulator = g_strdup(words[i]);
  def->os.arch = g_strdup(arch_of_binary(words[i]));
  if (def->os.arch == NULL) {
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
      if (!vb_qemu_import_add_disk(im, option, VB_DISK_BUS_IDE, 0, FALSE, error))
        return FALSE;
    } else if (g_strv_contains(ignored_options, option)) {
      continue;
    } else if (g_strv_contains(ignored_with_value, option)) {
      i += words[i + 1] != NULL ? 1 : 0;
    } else if (g_str_equal(option, "-nodefaults")) {
      im->nodefaults = TRUE;
    } else if (g_str_equal(option, "-enable-kvm")) {
      def->virt_type = VB_VIRT_KVM;
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
  if (!vb_qemu_import_settle_disks(im, error))
    return FALSE;
  vb_qemu_import_pair_nics(im);
  if (!vb_qemu_import_finish_machine(im, error) || !vb_qemu_import_finish_displays(im, error))
    return FALSE;
  vb_qemu_import_finish_devices(im);
  if (im->def->name == NULL)
    im->def->name = g_strdup("imported");
  return TRUE;
}

static VbImport *
import_new(void)
{
  VbImport *im = g_new0(VbImport, 1);

  im->def = vb_domain_def_new();
  im->def->os.type = g_strdup("hvm");
  {
    /* replaced by -uuid when there is one */
    g_autofree char *uuid = g_uuid_string_random();

    vb_parse_uuid(uuid, im->def->uuid);
  }
  im->acpi = TRUE;
  im->drives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  im->unclaimed = g_hash_table_new(g_direct_hash, g_direct_equal);
  im->blockdevs =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  im->netdevs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)vb_qemu_import_backend_free);
  im->net_backends = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_import_backend_free);
  im->unpaired = g_hash_table_new(g_direct_hash, g_direct_equal);
  im->chardevs =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  im->objects =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  im->globals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  im->machine = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  im->usb_bots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  im->serial_options = g_ptr_array_new_with_free_func((GDestroyNotify)vb_serial_def_free);
  return im;
}

static void
import_free(VbImport *im)
{
  g_clear_pointer(&im->def, vb_domain_def_free);
  g_hash_table_unref(im->drives);
  g_hash_table_unref(im->unclaimed);
  g_hash_table_unref(im->blockdevs);
  g_hash_table_unref(im->netdevs);
  g_ptr_array_unref(im->net_backends);
  g_hash_table_unref(im->unpaired);
  g_hash_table_unref(im->chardevs);
  g_hash_table_unref(im->objects);
  g_hash_table_unref(im->globals);
  g_hash_table_unref(im->machine);
  g_hash_table_unref(im->usb_bots);
  g_ptr_array_unref(im->serial_options);
  g_free(im->vnc);
  g_free(im->spice);
  g_free(im->keymap);
  g_free(im->rtc);
  g_free(im->watchdog_action);
  g_free(im->panic_action);
  g_free(im);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbImport, import_free)

/* The definition the command line describes, as the options filled it: not yet read back. */
static VbDomainDef *
import_line(const char *text, GError **error)
{
  g_autofree char *joined = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GError) shell_error = NULL;
  g_autoptr(VbImport) im = NULL;

  if (!check_text(text, error))
    return NULL;
  {
    g_auto(GStrv) lines = g_strsplit(text, "\\\n", -1);

    joined = g_strjoinv(" ", lines);
  }
  if (!g_shell_parse_argv(joined, NULL, &words, &shell_error)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "the line is not shell words: %s",
                shell_error->message);
    return NULL;
  }
  im = import_new();
  if (!read_words(im, words, error) || !finish_import(im, error)) {
    vb_error_shorten(error != NULL ? *error : NULL);
    return NULL;
  }
  return g_steal_pointer(&im->def);
}

/**
 * vb_qemu_native_to_xml:
 * @text: a qemu-argv line: environment, binary, arguments (shell quoting; backslash-newline
 *   continues a line)
 *
 * Returns: (transfer full): domain XML for the command line, not yet read back as a
 *   definition (vb_qemu_native_parse() does that)
 */
char *
vb_qemu_native_to_xml(const char *text, GError **error)
{
  g_autoptr(VbDomainDef) def = import_line(text, error);

  return def != NULL ? vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE, error) : NULL;
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

  if (xml == NULL)
    return NULL;
  /* Read back as DefineXML reads a document: every rule of a defined domain applies, the
   * defaults are the parser's, and the result is what defining this XML gives. */
  def = vb_domain_def_parse(xml, strlen(xml), &local);
  if (def == NULL) {
    /* The line numbers would be those of XML the user never saw: the element's path says
     * which part of the command line it came from. */
    const char *message = local->message;

    if (g_str_has_prefix(message, "line ") && strstr(message, ": ") != NULL)
      message = strstr(message, ": ") + 2;
    g_set_error(error, VB_ERROR, local->code, "the domain this command line describes: %s",
                message);
    vb_error_shorten(error != NULL ? *error : NULL);
  }
  return def;
}
