/* vb-firmware.c: reading QEMU's firmware descriptors and choosing one for a domain, by the
 * rules QEMU's firmware.json sets for consumers and libvirt follows: descriptors from the
 * search directories merged by file name (a later directory overrides, an empty file hides),
 * tried in file-name order, the first that fits wins.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "vb-error.h"
#include "vb-firmware.h"
#include "vb-json.h"

static const struct {
  const char *name;
  VbFirmwareFeatures feature;
} feature_names[] = {
    {"acpi-s3", VB_FIRMWARE_ACPI_S3},           {"acpi-s4", VB_FIRMWARE_ACPI_S4},
    {"secure-boot", VB_FIRMWARE_SECURE_BOOT},   {"enrolled-keys", VB_FIRMWARE_ENROLLED_KEYS},
    {"requires-smm", VB_FIRMWARE_REQUIRES_SMM},
};

static void
target_free(gpointer data)
{
  VbFirmwareTarget *target = data;

  g_free(target->arch);
  g_strfreev(target->machines);
  g_free(target);
}

void
vb_firmware_free(VbFirmware *self)
{
  if (self == NULL)
    return;
  g_free(self->name);
  g_free(self->path);
  g_free(self->executable);
  g_free(self->executable_format);
  g_free(self->nvram_template);
  g_free(self->nvram_template_format);
  g_clear_pointer(&self->targets, g_ptr_array_unref);
  g_free(self);
}

/* A descriptor's members, type-checked: a missing or mistyped one is an error naming the file
 * and the member. */
#define DESCRIPTOR_SCOPE(path)                                                                     \
  g_autofree char *where_ = g_strdup_printf("firmware descriptor %s", (path));                     \
  VbJsonScope scope = {VB_ERROR_INVALID_CONFIG, where_}

/* A {"filename": …, "format": …} member of the mapping. */
static gboolean
read_file(JsonObject *mapping,
          const char *name,
          char **filename,
          char **format,
          const char *path,
          GError **error)
{
  DESCRIPTOR_SCOPE(path);
  JsonObject *file = NULL;
  const char *value = NULL, *file_format = "raw";

  if (!vb_json_get_object(&scope, mapping, name, TRUE, &file, error) ||
      !vb_json_get_string(&scope, file, "filename", FALSE, &value, error) ||
      !vb_json_get_string(&scope, file, "format", FALSE, &file_format, error))
    return FALSE;
  if (value == NULL || !g_path_is_absolute(value)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "firmware descriptor %s: '%s' needs an absolute 'filename'", path, name);
    return FALSE;
  }
  *filename = g_strdup(value);
  *format = g_strdup(file_format);
  return TRUE;
}

static gboolean
read_mapping(VbFirmware *fw, JsonObject *mapping, const char *path, GError **error)
{
  DESCRIPTOR_SCOPE(path);
  const char *device = "", *mode = "split", *filename = NULL;

  if (!vb_json_get_string(&scope, mapping, "device", FALSE, &device, error) ||
      !vb_json_get_string(&scope, mapping, "mode", FALSE, &mode, error) ||
      !vb_json_get_string(&scope, mapping, "filename", FALSE, &filename, error))
    return FALSE;
  if (g_str_equal(device, "flash")) {
    fw->device = VB_FIRMWARE_DEVICE_FLASH;
    if (!read_file(mapping, "executable", &fw->executable, &fw->executable_format, path, error))
      return FALSE;
    if (g_str_equal(mode, "split")) {
      if (!read_file(mapping, "nvram-template", &fw->nvram_template, &fw->nvram_template_format,
                     path, error))
        return FALSE;
    } else if (!g_str_equal(mode, "stateless")) {
      return TRUE; /* "combined": code and variables in one writable image, not for us */
    }
    fw->usable = (g_str_equal(fw->executable_format, "raw") ||
                  g_str_equal(fw->executable_format, "qcow2")) &&
                 (fw->nvram_template_format == NULL ||
                  g_str_equal(fw->nvram_template_format, fw->executable_format));
  } else if (g_str_equal(device, "memory")) {
    fw->device = VB_FIRMWARE_DEVICE_MEMORY;
    if (filename == NULL || !g_path_is_absolute(filename)) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "firmware descriptor %s: 'mapping' needs an absolute 'filename'", path);
      return FALSE;
    }
    fw->executable = g_strdup(filename);
    fw->usable = TRUE;
  }
  return TRUE;
}

static gboolean
read_targets(VbFirmware *fw, JsonArray *targets, const char *path, GError **error)
{
  DESCRIPTOR_SCOPE(path);

  for (guint i = 0; i < json_array_get_length(targets); i++) {
    JsonNode *node = json_array_get_element(targets, i);
    JsonObject *object = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    const char *arch = NULL;
    VbFirmwareTarget *target;

    if (!vb_json_get_string(&scope, object, "architecture", FALSE, &arch, error))
      return FALSE;
    if (arch == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "firmware descriptor %s: a target needs an 'architecture'", path);
      return FALSE;
    }
    target = g_new0(VbFirmwareTarget, 1);
    target->arch = g_strdup(arch);
    g_ptr_array_add(fw->targets, target);
    if (!vb_json_get_strv(&scope, object, "machines", TRUE, &target->machines, error))
      return FALSE;
  }
  return TRUE;
}

/**
 * vb_firmware_parse:
 * @path: where @text was read: its base name is the descriptor's name
 *
 * Returns: (transfer full): the descriptor, or %NULL with an error naming @path and what is
 *   wrong with it
 */
VbFirmware *
vb_firmware_parse(const char *path, const char *text, gssize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable();
  g_autoptr(VbFirmware) fw = g_new0(VbFirmware, 1);
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) interfaces = NULL;
  g_auto(GStrv) features = NULL;
  DESCRIPTOR_SCOPE(path);
  JsonObject *root, *mapping = NULL;
  JsonArray *targets = NULL;
  JsonNode *node;

  fw->name = g_path_get_basename(path);
  fw->path = g_strdup(path);
  fw->targets = g_ptr_array_new_with_free_func(target_free);
  if (!json_parser_load_from_data(parser, text, length, &local)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG, "firmware descriptor %s: %s", path,
                local->message);
    return NULL;
  }
  node = json_parser_get_root(parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "firmware descriptor %s: not a JSON object", path);
    return NULL;
  }
  root = json_node_get_object(node);
  if (!vb_json_get_strv(&scope, root, "interface-types", TRUE, &interfaces, error) ||
      !vb_json_get_object(&scope, root, "mapping", TRUE, &mapping, error) ||
      !read_mapping(fw, mapping, path, error) ||
      !vb_json_get_array(&scope, root, "targets", TRUE, &targets, error) ||
      !read_targets(fw, targets, path, error) ||
      !vb_json_get_strv(&scope, root, "features", TRUE, &features, error))
    return NULL;
  fw->uefi = g_strv_contains((const char *const *)interfaces, "uefi");
  fw->bios = g_strv_contains((const char *const *)interfaces, "bios");
  for (guint i = 0; i < G_N_ELEMENTS(feature_names); i++) {
    if (g_strv_contains((const char *const *)features, feature_names[i].name))
      fw->features |= feature_names[i].feature;
  }
  return g_steal_pointer(&fw);
}

/**
 * vb_firmware_search_dirs:
 *
 * Returns: (transfer full): where @instance looks for descriptors, lowest priority first: the
 *   distribution's, the host administrator's and, for the session instance, the user's
 */
GStrv
vb_firmware_search_dirs(VbInstanceKind instance)
{
  g_autoptr(GStrvBuilder) dirs = g_strv_builder_new();

  g_strv_builder_add(dirs, "/usr/share/qemu/firmware");
  g_strv_builder_add(dirs, "/etc/qemu/firmware");
  if (instance == VB_INSTANCE_SESSION) {
    g_autofree char *user = g_build_filename(g_get_user_config_dir(), "qemu", "firmware", NULL);

    g_strv_builder_add(dirs, user);
  }
  return g_strv_builder_end(dirs);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  const VbFirmware *x = *(VbFirmware *const *)a;
  const VbFirmware *y = *(VbFirmware *const *)b;

  return strcmp(x->name, y->name);
}

/**
 * vb_firmware_load:
 * @dirs: the search directories, lowest priority first; missing ones are skipped
 *
 * Reads every "*.json" descriptor. This blocks on the disk: run it in a thread.
 *
 * Returns: (transfer full) (element-type VbFirmware): the descriptors in the order they are
 *   tried, or %NULL when one cannot be read or parsed
 */
GPtrArray *
vb_firmware_load(const char *const *dirs, GError **error)
{
  /* file name → path of the highest-priority file of that name */
  g_autoptr(GHashTable) chosen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) firmware = g_ptr_array_new_with_free_func((GDestroyNotify)vb_firmware_free);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; dirs[i] != NULL; i++) {
    g_autoptr(GDir) dir = g_dir_open(dirs[i], 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
      if (g_str_has_suffix(name, ".json"))
        g_hash_table_insert(chosen, g_strdup(name), g_build_filename(dirs[i], name, NULL));
    }
  }
  g_hash_table_iter_init(&iter, chosen);
  while (g_hash_table_iter_next(&iter, &key, &value)) {
    g_autofree char *text = NULL;
    gsize length = 0;
    VbFirmware *fw;

    if (!g_file_get_contents(value, &text, &length, error))
      return NULL;
    if (length == 0)
      continue; /* an empty file hides the lower-priority one of its name */
    fw = vb_firmware_parse(value, text, (gssize)length, error);
    if (fw == NULL)
      return NULL;
    g_ptr_array_add(firmware, fw);
  }
  g_ptr_array_sort(firmware, compare_names);
  return g_steal_pointer(&firmware);
}

/* QEMU's name for a libvirt architecture, as descriptors use it. */
static const char *
qemu_arch(const char *arch)
{
  if (g_str_equal(arch, "i686"))
    return "i386";
  if (g_str_equal(arch, "armv7l"))
    return "arm";
  return arch;
}

static gboolean
runs_machine(const VbFirmware *fw, const char *arch, const char *machine)
{
  for (guint i = 0; i < fw->targets->len; i++) {
    const VbFirmwareTarget *target = fw->targets->pdata[i];

    if (!g_str_equal(target->arch, qemu_arch(arch)))
      continue;
    for (guint m = 0; target->machines[m] != NULL; m++) {
      if (g_pattern_match_simple(target->machines[m], machine))
        return TRUE;
    }
  }
  return FALSE;
}

/* A feature the domain asks for (1), refuses (0) or leaves open (VB_ABSENT). */
static gboolean
feature_fits(const VbFirmware *fw, VbFirmwareFeatures feature, gint wanted)
{
  return wanted == VB_ABSENT || wanted == ((fw->features & feature) != 0);
}

static gboolean
fits(const VbFirmware *fw, const VbDomainDef *def, const char *arch, const char *machine)
{
  const VbOsDef *os = &def->os;
  gboolean smm = (fw->features & VB_FIRMWARE_REQUIRES_SMM) != 0;

  if (!fw->usable || !(os->firmware == VB_FIRMWARE_EFI ? fw->uefi : fw->bios) ||
      !runs_machine(fw, arch, machine))
    return FALSE;
  if (!feature_fits(fw, VB_FIRMWARE_SECURE_BOOT, os->fw_secure_boot) ||
      !feature_fits(fw, VB_FIRMWARE_ENROLLED_KEYS, os->fw_enrolled_keys))
    return FALSE;
  /* <loader secure> asks for firmware that protects its variables with SMM, or not */
  if (os->loader_secure != VB_ABSENT && os->loader_secure != smm)
    return FALSE;
  if (os->loader_type == VB_LOADER_PFLASH && fw->device != VB_FIRMWARE_DEVICE_FLASH)
    return FALSE;
  if (os->loader_type == VB_LOADER_ROM && fw->device != VB_FIRMWARE_DEVICE_MEMORY)
    return FALSE;
  if (smm && def->has_features && def->features.smm == 0)
    return FALSE;
  /* a guest told it may suspend needs firmware that supports it */
  return (def->pm_suspend_to_mem != 1 || (fw->features & VB_FIRMWARE_ACPI_S3) != 0) &&
         (def->pm_suspend_to_disk != 1 || (fw->features & VB_FIRMWARE_ACPI_S4) != 0);
}

/* "with secure-boot, without enrolled-keys, …": what the domain asked of its firmware. */
static char *
describe_request(const VbDomainDef *def)
{
  g_autoptr(GString) text = g_string_new(NULL);
  const struct {
    const char *name;
    gint state;
  } asks[] = {
      {"secure-boot", def->os.fw_secure_boot},
      {"enrolled-keys", def->os.fw_enrolled_keys},
      {"SMM (<loader secure>)", def->os.loader_secure},
      {"SMM (<features><smm>)", def->has_features && def->features.smm == 0 ? 0 : VB_ABSENT},
      {"ACPI S3", def->pm_suspend_to_mem == 1 ? 1 : VB_ABSENT},
      {"ACPI S4", def->pm_suspend_to_disk == 1 ? 1 : VB_ABSENT},
  };

  for (guint i = 0; i < G_N_ELEMENTS(asks); i++) {
    if (asks[i].state != VB_ABSENT)
      g_string_append_printf(text, "%s %s %s", text->len == 0 ? "" : ",",
                             asks[i].state ? "with" : "without", asks[i].name);
  }
  return g_string_free(g_steal_pointer(&text), FALSE);
}

/**
 * vb_firmware_select:
 * @firmware: (element-type VbFirmware) (nullable): descriptors from vb_firmware_load()
 * @def: a domain with <os firmware>
 * @arch: its architecture, libvirt's name
 * @machine: its canonical machine type
 *
 * Returns: (transfer none) (nullable): the first descriptor that fits the domain; %NULL with
 *   no error for firmware='bios' when none does (QEMU's own BIOS then runs), else an error
 *   saying what the domain asked for
 */
const VbFirmware *
vb_firmware_select(const GPtrArray *firmware,
                   const VbDomainDef *def,
                   const char *arch,
                   const char *machine,
                   GError **error)
{
  g_autofree char *request = NULL;
  g_autofree char *where = NULL;

  for (guint i = 0; firmware != NULL && i < firmware->len; i++) {
    if (fits(firmware->pdata[i], def, arch, machine))
      return firmware->pdata[i];
  }
  if (def->os.firmware == VB_FIRMWARE_BIOS)
    return NULL;
  request = describe_request(def);
  where = vb_domain_def_path(def, NULL, "os/@firmware");
  g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
              "%s: none of the %u firmware descriptors offers '%s' for %s machine %s%s%s (on "
              "Debian the ovmf package provides UEFI for x86_64)",
              where, firmware != NULL ? firmware->len : 0, vb_firmware_names[def->os.firmware],
              arch, machine, request[0] != '\0' ? "," : "", request);
  return NULL;
}
