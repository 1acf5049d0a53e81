/* vb-qemu-caps.c: one QEMU binary's capabilities.
 *
 * The probe (vb-qemu-probe.c) reduces QEMU's replies to one JSON object, which is also what the
 * cache stores, and this file reads it back: one reader, whether the data is fresh or cached.
 * Flags are derived from that data on load, by the rules in flag_rules[] plus two families,
 * "device.<QOM type>" and "machine.<machine or alias>". docs/capabilities.md lists them; where
 * libvirt has a flag of the same meaning we use its name (its status-XML spelling).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>

#include "vb-error.h"
#include "vb-json.h"
#include "vb-qemu-caps.h"

struct _VbQemuCaps {
  char *binary;  /* (owned) */
  guint version; /* VB_QEMU_VERSION() */
  char *package; /* (owned) */
  char *target;  /* (owned): QEMU's name for the architecture, e.g. "i386" */
  char *arch;    /* (owned): libvirt's, e.g. "i686" */
  gboolean kvm_present;
  gboolean kvm_enabled;
  GPtrArray *machines;   /* (owned) (element-type VbQemuMachine) */
  GPtrArray *cpu_models; /* (owned) (element-type VbQemuCpuModel) */
  /* QEMU's "max" CPU: its vendor, the features it has (sorted), and every feature QEMU knows
   * → VbQemuCpuFeatureState; empty when the probe had no expansion */
  char *cpu_max_vendor;     /* (owned) (nullable) */
  GStrv cpu_max_features;   /* (owned) */
  GHashTable *cpu_features; /* (owned) */
  GHashTable *cpu_types;    /* (owned) (nullable): QOM type → model name, while reading */
  GHashTable *types;        /* (owned): QOM type names */
  GHashTable *commands;     /* (owned): QMP command names */
  GHashTable *options;      /* (owned): command-line option → GHashTable of its parameters */
  GHashTable *flags;        /* (owned): derived, from flag_rules[] */
  JsonNode *json;           /* (owned): what it was read from, for the cache */
};

typedef enum {
  RULE_TYPE,    /* a QOM type exists (qom-list-types) */
  RULE_COMMAND, /* a QMP command exists (query-commands) */
  RULE_OPTION,  /* a command-line option exists (query-command-line-options) */
  RULE_VERSION, /* QEMU is at least this version: for what no query shows */
  RULE_KVM,     /* KVM was enabled for the probe (query-kvm) */
} RuleKind;

typedef struct {
  const char *flag;
  RuleKind kind;
  const char *what; /* the type, command or option */
  guint version;
  gboolean libvirts; /* libvirt has this flag, by this name and meaning */
} FlagRule;

/* Keep in step with docs/capabilities.md. */
static const FlagRule flag_rules[] = {
    /* Accelerators and QMP features. */
    {"kvm", RULE_KVM, NULL, 0, TRUE},
    {"tcg", RULE_TYPE, "tcg-accel", 0, TRUE},
    {"blockdev", RULE_COMMAND, "blockdev-add", 0, FALSE}, /* libvirt retired it: always set there */
    {"device.json", RULE_VERSION, NULL, 6002000, FALSE},  /* -device JSON, "json-cli" in 6.2 */
    {"query-cpu-definitions", RULE_COMMAND, "query-cpu-definitions", 0, TRUE},
    {"query-cpu-model-expansion", RULE_COMMAND, "query-cpu-model-expansion", 0, TRUE},
    {"set-action", RULE_COMMAND, "set-action", 0, TRUE},
    {"query-dirty-rate", RULE_COMMAND, "query-dirty-rate", 0, TRUE},
    {"calc-dirty-rate", RULE_COMMAND, "calc-dirty-rate", 0, TRUE},
    {"query-stats", RULE_COMMAND, "query-stats", 0, TRUE},
    {"query-stats-schemas", RULE_COMMAND, "query-stats-schemas", 0, TRUE},
    {"display-reload", RULE_COMMAND, "display-reload", 0, TRUE},
    /* Command-line options. */
    {"seccomp-sandbox", RULE_OPTION, "sandbox", 0, TRUE},
    {"spice", RULE_OPTION, "spice", 0, TRUE},
    {"vnc", RULE_OPTION, "vnc", 0, TRUE},
    /* Devices and objects, by libvirt's name for them. */
    {"hda-duplex", RULE_TYPE, "hda-duplex", 0, TRUE},
    {"hda-micro", RULE_TYPE, "hda-micro", 0, TRUE},
    {"hda-output", RULE_TYPE, "hda-output", 0, TRUE},
    {"ccid-emulated", RULE_TYPE, "ccid-card-emulated", 0, TRUE},
    {"ccid-passthru", RULE_TYPE, "ccid-card-passthru", 0, TRUE},
    {"piix3-usb-uhci", RULE_TYPE, "piix3-usb-uhci", 0, TRUE},
    {"piix4-usb-uhci", RULE_TYPE, "piix4-usb-uhci", 0, TRUE},
    {"usb-ehci", RULE_TYPE, "usb-ehci", 0, TRUE},
    {"ich9-usb-ehci1", RULE_TYPE, "ich9-usb-ehci1", 0, TRUE},
    {"pci-ohci", RULE_TYPE, "pci-ohci", 0, TRUE},
    {"nec-usb-xhci", RULE_TYPE, "nec-usb-xhci", 0, TRUE},
    {"qemu-xhci", RULE_TYPE, "qemu-xhci", 0, TRUE},
    {"usb-redir", RULE_TYPE, "usb-redir", 0, TRUE},
    {"usb-hub", RULE_TYPE, "usb-hub", 0, TRUE},
    {"usb-kbd", RULE_TYPE, "usb-kbd", 0, TRUE},
    {"usb-audio", RULE_TYPE, "usb-audio", 0, TRUE},
    {"usb-serial", RULE_TYPE, "usb-serial", 0, TRUE},
    {"usb-storage", RULE_TYPE, "usb-storage", 0, TRUE},
    {"ich9-ahci", RULE_TYPE, "ich9-ahci", 0, TRUE},
    {"ich9-intel-hda", RULE_TYPE, "ich9-intel-hda", 0, TRUE},
    {"lsi", RULE_TYPE, "lsi53c895a", 0, TRUE},
    {"virtio-scsi-pci", RULE_TYPE, "virtio-scsi-pci", 0, TRUE},
    {"megasas", RULE_TYPE, "megasas", 0, TRUE},
    {"mptsas1068", RULE_TYPE, "mptsas1068", 0, TRUE},
    {"pvscsi", RULE_TYPE, "pvscsi", 0, TRUE},
    {"dc390", RULE_TYPE, "dc390", 0, TRUE},
    {"am53c974", RULE_TYPE, "am53c974", 0, TRUE},
    {"scsi-block", RULE_TYPE, "scsi-block", 0, TRUE},
    {"qxl", RULE_TYPE, "qxl", 0, TRUE},
    {"VGA", RULE_TYPE, "VGA", 0, TRUE},
    {"cirrus-vga", RULE_TYPE, "cirrus-vga", 0, TRUE},
    {"vmware-svga", RULE_TYPE, "vmware-svga", 0, TRUE},
    {"bochs-display", RULE_TYPE, "bochs-display", 0, TRUE},
    {"ramfb", RULE_TYPE, "ramfb", 0, TRUE},
    {"virtio-gpu", RULE_TYPE, "virtio-gpu-pci", 0, TRUE},
    {"virtio-vga", RULE_TYPE, "virtio-vga", 0, TRUE},
    {"virtio-gpu-gl-pci", RULE_TYPE, "virtio-gpu-gl-pci", 0, TRUE},
    {"virtio-vga-gl", RULE_TYPE, "virtio-vga-gl", 0, TRUE},
    {"virtio-rng", RULE_TYPE, "virtio-rng-pci", 0, TRUE},
    {"rng-random", RULE_TYPE, "rng-random", 0, TRUE},
    {"rng-egd", RULE_TYPE, "rng-egd", 0, TRUE},
    {"rng-builtin", RULE_TYPE, "rng-builtin", 0, TRUE},
    {"tpm-tis", RULE_TYPE, "tpm-tis", 0, TRUE},
    {"tpm-crb", RULE_TYPE, "tpm-crb", 0, TRUE},
    {"tpm-passthrough", RULE_TYPE, "tpm-passthrough", 0, TRUE},
    {"tpm-emulator", RULE_TYPE, "tpm-emulator", 0, TRUE},
    {"pvpanic", RULE_TYPE, "pvpanic", 0, TRUE},
    {"pvpanic-pci", RULE_TYPE, "pvpanic-pci", 0, TRUE},
    {"pci-bridge", RULE_TYPE, "pci-bridge", 0, TRUE},
    {"dmi-to-pci-bridge", RULE_TYPE, "i82801b11-bridge", 0, TRUE},
    {"pcie-root-port", RULE_TYPE, "pcie-root-port", 0, TRUE},
    {"pcie-pci-bridge", RULE_TYPE, "pcie-pci-bridge", 0, TRUE},
    {"ioh3420", RULE_TYPE, "ioh3420", 0, TRUE},
    {"x3130-upstream", RULE_TYPE, "x3130-upstream", 0, TRUE},
    {"xio3130-downstream", RULE_TYPE, "xio3130-downstream", 0, TRUE},
    {"pxb", RULE_TYPE, "pxb", 0, TRUE},
    {"pxb-pcie", RULE_TYPE, "pxb-pcie", 0, TRUE},
    {"pci-serial", RULE_TYPE, "pci-serial", 0, TRUE},
    {"isa-serial", RULE_TYPE, "isa-serial", 0, TRUE},
    {"rtl8139", RULE_TYPE, "rtl8139", 0, TRUE},
    {"e1000", RULE_TYPE, "e1000", 0, TRUE},
    {"virtio-net", RULE_TYPE, "virtio-net-pci", 0, TRUE},
    {"virtio-keyboard", RULE_TYPE, "virtio-keyboard-pci", 0, TRUE},
    {"virtio-mouse", RULE_TYPE, "virtio-mouse-pci", 0, TRUE},
    {"virtio-tablet", RULE_TYPE, "virtio-tablet-pci", 0, TRUE},
    {"virtio-input-host", RULE_TYPE, "virtio-input-host-pci", 0, TRUE},
    {"virtio-mmio", RULE_TYPE, "virtio-mmio", 0, TRUE},
    {"virtio-iommu-pci", RULE_TYPE, "virtio-iommu-pci", 0, TRUE},
    {"virtio-pmem-pci", RULE_TYPE, "virtio-pmem-pci", 0, TRUE},
    {"virtio-mem-pci", RULE_TYPE, "virtio-mem-pci", 0, TRUE},
    {"intel-iommu", RULE_TYPE, "intel-iommu", 0, TRUE},
    {"vfio-pci", RULE_TYPE, "vfio-pci", 0, TRUE},
    {"vhost-scsi", RULE_TYPE, "vhost-scsi", 0, TRUE},
    {"vhost-vsock", RULE_TYPE, "vhost-vsock-device", 0, TRUE},
    {"vhost-user-blk", RULE_TYPE, "vhost-user-blk", 0, TRUE},
    {"vhost-user-gpu", RULE_TYPE, "vhost-user-gpu", 0, TRUE},
    {"vhost-user-vga", RULE_TYPE, "vhost-user-vga", 0, TRUE},
    {"ivshmem-plain", RULE_TYPE, "ivshmem-plain", 0, TRUE},
    {"ivshmem-doorbell", RULE_TYPE, "ivshmem-doorbell", 0, TRUE},
    {"nvdimm", RULE_TYPE, "nvdimm", 0, TRUE},
    {"pc-dimm", RULE_TYPE, "pc-dimm", 0, TRUE},
    {"vmgenid", RULE_TYPE, "vmgenid", 0, TRUE},
    {"vmcoreinfo", RULE_TYPE, "vmcoreinfo", 0, TRUE},
    {"mch", RULE_TYPE, "mch", 0, TRUE},
    {"i8042", RULE_TYPE, "i8042", 0, TRUE},
    {"memory-backend-memfd", RULE_TYPE, "memory-backend-memfd", 0, TRUE},
    {"dbus-vmstate", RULE_TYPE, "dbus-vmstate", 0, TRUE},
    {"input-linux", RULE_TYPE, "input-linux", 0, TRUE},
    {"thread-context", RULE_TYPE, "thread-context", 0, TRUE},
};

#define DEVICE_PREFIX "device."
#define MACHINE_PREFIX "machine."

static void
machine_free(gpointer data)
{
  VbQemuMachine *machine = data;

  g_free(machine->name);
  g_free(machine->alias);
  g_free(machine->default_cpu);
  g_free(machine);
}

static void
cpu_model_free(gpointer data)
{
  VbQemuCpuModel *model = data;

  g_free(model->name);
  g_free(model->vendor);
  g_strfreev(model->features);
  g_free(model);
}

VbQemuCaps *
vb_qemu_caps_ref(VbQemuCaps *self)
{
  return g_atomic_rc_box_acquire(self);
}

static void
caps_clear(VbQemuCaps *self)
{
  g_free(self->binary);
  g_free(self->package);
  g_free(self->target);
  g_free(self->arch);
  g_ptr_array_unref(self->machines);
  g_ptr_array_unref(self->cpu_models);
  g_free(self->cpu_max_vendor);
  g_strfreev(self->cpu_max_features);
  g_hash_table_unref(self->cpu_features);
  g_clear_pointer(&self->cpu_types, g_hash_table_unref);
  g_hash_table_unref(self->types);
  g_hash_table_unref(self->commands);
  g_hash_table_unref(self->options);
  g_hash_table_unref(self->flags);
  if (self->json != NULL)
    json_node_unref(self->json);
}

void
vb_qemu_caps_unref(VbQemuCaps *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full(self, (GDestroyNotify)caps_clear);
}

/* ---- reading the reduced JSON, strictly: a cache file someone edited must not crash us ---- */

/* The cache file's and the probe's members, type-checked (vb-json.h), as owned copies. */
static gboolean
read_string(JsonObject *object,
            const char *name,
            gboolean required,
            const char *where,
            char **out,
            GError **error)
{
  VbJsonScope scope = {VB_ERROR_FAILED, where};
  const char *value = NULL;

  if (!vb_json_get_string(&scope, object, name, required, &value, error))
    return FALSE;
  if (value != NULL)
    *out = g_strdup(value);
  return TRUE;
}

static gboolean
read_bool(JsonObject *object, const char *name, const char *where, gboolean *out, GError **error)
{
  VbJsonScope scope = {VB_ERROR_FAILED, where};

  *out = FALSE;
  return vb_json_get_bool(&scope, object, name, FALSE, out, error);
}

static gboolean
read_uint(JsonObject *object,
          const char *name,
          gboolean required,
          const char *where,
          guint *out,
          GError **error)
{
  VbJsonScope scope = {VB_ERROR_FAILED, where};
  gint64 value = *out;

  if (!vb_json_get_int(&scope, object, name, required, 0, G_MAXUINT, &value, error))
    return FALSE;
  *out = (guint)value;
  return TRUE;
}

/* A JSON array of strings into a set. */
static gboolean
read_string_set(
    JsonObject *object, const char *name, const char *where, GHashTable *set, GError **error)
{
  VbJsonScope scope = {VB_ERROR_FAILED, where};
  g_auto(GStrv) strings = NULL;

  if (!vb_json_get_strv(&scope, object, name, TRUE, &strings, error))
    return FALSE;
  for (guint i = 0; strings[i] != NULL; i++)
    g_hash_table_add(set, g_strdup(strings[i]));
  return TRUE;
}

typedef gboolean (*ReadItem)(VbQemuCaps *self, JsonObject *item, const char *where, GError **error);

/* Each object of the array member @name, given to @read_item as "@what N". */
static gboolean
read_objects(VbQemuCaps *self,
             JsonObject *root,
             const char *name,
             const char *what,
             ReadItem read_item,
             GError **error)
{
  VbJsonScope scope = {VB_ERROR_FAILED, "capabilities"};
  JsonArray *array = NULL;

  if (!vb_json_get_array(&scope, root, name, TRUE, &array, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonNode *item = json_array_get_element(array, i);
    g_autofree char *where = g_strdup_printf("%s %u", what, i);

    if (!JSON_NODE_HOLDS_OBJECT(item)) {
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "%s is not an object", where);
      return FALSE;
    }
    if (!read_item(self, json_node_get_object(item), where, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_machine(VbQemuCaps *self, JsonObject *item, const char *where, GError **error)
{
  VbQemuMachine *machine = g_new0(VbQemuMachine, 1);

  if (!read_string(item, "name", TRUE, where, &machine->name, error) ||
      !read_string(item, "alias", FALSE, where, &machine->alias, error) ||
      !read_uint(item, "cpu-max", FALSE, where, &machine->max_cpus, error) ||
      !read_bool(item, "is-default", where, &machine->is_default, error) ||
      !read_bool(item, "deprecated", where, &machine->deprecated, error) ||
      /* a QOM type name until resolve_default_cpus() makes it a model name */
      !read_string(item, "default-cpu-type", FALSE, where, &machine->default_cpu, error)) {
    machine_free(machine);
    return FALSE;
  }
  /* "none" exists for probes like ours, not for guests; libvirt leaves it out too. The
   * default goes first, as libvirt lists it. */
  if (g_strcmp0(machine->name, "none") == 0)
    machine_free(machine);
  else if (machine->is_default)
    g_ptr_array_insert(self->machines, 0, machine);
  else
    g_ptr_array_add(self->machines, machine);
  return TRUE;
}

static gboolean
read_cpu_model(VbQemuCaps *self, JsonObject *item, const char *where, GError **error)
{
  VbQemuCpuModel *model = g_new0(VbQemuCpuModel, 1);
  JsonNode *missing;

  VbJsonScope scope = {VB_ERROR_FAILED, where};
  const char *type_name = NULL;

  g_ptr_array_add(self->cpu_models, model);
  if (!read_string(item, "name", TRUE, where, &model->name, error) ||
      !read_bool(item, "deprecated", where, &model->deprecated, error) ||
      !read_string(item, "vendor", FALSE, where, &model->vendor, error) ||
      !vb_json_get_string(&scope, item, "typename", FALSE, &type_name, error))
    return FALSE;
  if (json_object_has_member(item, "features") &&
      !vb_json_get_strv(&scope, item, "features", TRUE, &model->features, error))
    return FALSE;
  if (type_name != NULL)
    g_hash_table_insert(self->cpu_types, g_strdup(type_name), model->name);
  /* QEMU lists what the accelerator lacks; a model with nothing missing is usable. */
  missing = json_object_get_member(item, "unavailable-features");
  model->usable = missing == NULL || (JSON_NODE_HOLDS_ARRAY(missing) &&
                                      json_array_get_length(json_node_get_array(missing)) == 0);
  return TRUE;
}

/* The machines' default CPU types as model names: the model of that QOM type, else the type
 * name without QEMU's "-<target>-cpu" suffix (QEMUs that list no type names). */
static void
resolve_default_cpus(VbQemuCaps *self)
{
  g_autofree char *suffix = g_strdup_printf("-%s-cpu", self->target);

  for (guint i = 0; i < self->machines->len; i++) {
    VbQemuMachine *machine = self->machines->pdata[i];
    const char *model;

    if (machine->default_cpu == NULL)
      continue;
    model = g_hash_table_lookup(self->cpu_types, machine->default_cpu);
    if (model != NULL) {
      g_free(machine->default_cpu);
      machine->default_cpu = g_strdup(model);
    } else if (g_str_has_suffix(machine->default_cpu, suffix) &&
               strlen(machine->default_cpu) > strlen(suffix)) {
      machine->default_cpu[strlen(machine->default_cpu) - strlen(suffix)] = '\0';
    } else {
      g_clear_pointer(&machine->default_cpu, g_free);
    }
  }
}

/* "cpu-max": {"vendor", "features": [on], "disabled": [off]}, when the probe had it. */
static gboolean
read_cpu_max(VbQemuCaps *self, JsonObject *root, GError **error)
{
  VbJsonScope scope = {VB_ERROR_FAILED, "cpu-max"};
  JsonObject *max = NULL;
  g_auto(GStrv) disabled = NULL;

  if (!vb_json_get_object(&scope, root, "cpu-max", FALSE, &max, error))
    return FALSE;
  if (max == NULL) {
    self->cpu_max_features = g_new0(char *, 1);
    return TRUE;
  }
  if (!read_string(max, "vendor", FALSE, "cpu-max", &self->cpu_max_vendor, error) ||
      !vb_json_get_strv(&scope, max, "features", TRUE, &self->cpu_max_features, error) ||
      !vb_json_get_strv(&scope, max, "disabled", TRUE, &disabled, error))
    return FALSE;
  for (guint i = 0; disabled[i] != NULL; i++)
    g_hash_table_insert(self->cpu_features, g_strdup(disabled[i]),
                        GINT_TO_POINTER(VB_QEMU_CPU_FEATURE_OFF));
  for (guint i = 0; self->cpu_max_features[i] != NULL; i++)
    g_hash_table_insert(self->cpu_features, g_strdup(self->cpu_max_features[i]),
                        GINT_TO_POINTER(VB_QEMU_CPU_FEATURE_ON));
  return TRUE;
}

static gboolean
read_options(VbQemuCaps *self, JsonObject *root, GError **error)
{
  VbJsonScope scope = {VB_ERROR_FAILED, "capabilities"};
  JsonObject *options = NULL;
  g_autoptr(GList) names = NULL;

  if (!vb_json_get_object(&scope, root, "command-line-options", TRUE, &options, error))
    return FALSE;
  names = json_object_get_members(options);
  for (GList *l = names; l != NULL; l = l->next) {
    GHashTable *params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *where = g_strdup_printf("option %s", (const char *)l->data);

    g_hash_table_insert(self->options, g_strdup(l->data), params);
    if (!read_string_set(options, l->data, where, params, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
rule_holds(const VbQemuCaps *self, const FlagRule *rule)
{
  switch (rule->kind) {
  case RULE_TYPE:
    return g_hash_table_contains(self->types, rule->what);
  case RULE_COMMAND:
    return g_hash_table_contains(self->commands, rule->what);
  case RULE_OPTION:
    return g_hash_table_contains(self->options, rule->what);
  case RULE_VERSION:
    return self->version >= rule->version;
  case RULE_KVM:
    return self->kvm_enabled;
  default:
    g_assert_not_reached();
  }
}

/**
 * vb_qemu_caps_new_from_json:
 * @node: the reduced probe result (see vb-qemu-probe.c), as the probe made it or the cache kept it
 *
 * Returns: (transfer full): the capabilities, or %NULL with an error naming the bad member
 */
VbQemuCaps *
vb_qemu_caps_new_from_json(JsonNode *node, GError **error)
{
  g_autoptr(VbQemuCaps) self = g_atomic_rc_box_new0(VbQemuCaps);
  VbJsonScope scope = {VB_ERROR_FAILED, "capabilities"};
  JsonObject *root;
  JsonObject *kvm = NULL;

  self->machines = g_ptr_array_new_with_free_func(machine_free);
  self->cpu_models = g_ptr_array_new_with_free_func(cpu_model_free);
  self->cpu_features = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  self->cpu_types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  self->types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  self->commands = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  self->options =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  self->flags = g_hash_table_new(g_str_hash, g_str_equal);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_FAILED, "capabilities are not a JSON object");
    return NULL;
  }
  root = json_node_get_object(node);
  if (!read_string(root, "binary", TRUE, "capabilities", &self->binary, error) ||
      !read_uint(root, "version", TRUE, "capabilities", &self->version, error) ||
      !read_string(root, "package", FALSE, "capabilities", &self->package, error) ||
      !read_string(root, "target", TRUE, "capabilities", &self->target, error) ||
      !read_objects(self, root, "machines", "machine", read_machine, error) ||
      !read_objects(self, root, "cpu-definitions", "CPU model", read_cpu_model, error) ||
      !read_cpu_max(self, root, error) ||
      !read_string_set(root, "types", "capabilities", self->types, error) ||
      !read_string_set(root, "commands", "capabilities", self->commands, error) ||
      !read_options(self, root, error))
    return NULL;
  if (!vb_json_get_object(&scope, root, "kvm", TRUE, &kvm, error) ||
      !read_bool(kvm, "present", "kvm", &self->kvm_present, error) ||
      !read_bool(kvm, "enabled", "kvm", &self->kvm_enabled, error))
    return NULL;
  if (self->version < VB_QEMU_MIN_VERSION) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "%s is QEMU %u.%u.%u; virtbus needs QEMU 3.1 or later", self->binary,
                self->version / 1000000, self->version / 1000 % 1000, self->version % 1000);
    return NULL;
  }
  if (self->machines->len == 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "%s reports no machine types", self->binary);
    return NULL;
  }
  if (vb_arch_from_qemu_target(self->target) == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "%s emulates '%s', an architecture virtbus does not know", self->binary,
                self->target);
    return NULL;
  }
  self->arch = g_strdup(vb_arch_from_qemu_target(self->target));
  resolve_default_cpus(self);
  g_clear_pointer(&self->cpu_types, g_hash_table_unref);

  for (gsize i = 0; i < G_N_ELEMENTS(flag_rules); i++) {
    if (rule_holds(self, &flag_rules[i]))
      g_hash_table_add(self->flags, (gpointer)flag_rules[i].flag);
  }
  self->json = json_node_copy(node);
  return g_steal_pointer(&self);
}

/**
 * vb_qemu_caps_to_json:
 *
 * Returns: (transfer full): what vb_qemu_caps_new_from_json() reads back
 */
JsonNode *
vb_qemu_caps_to_json(const VbQemuCaps *self)
{
  return json_node_copy(self->json);
}

const char *
vb_qemu_caps_get_binary(const VbQemuCaps *self)
{
  return self->binary;
}

guint
vb_qemu_caps_get_version(const VbQemuCaps *self)
{
  return self->version;
}

const char *
vb_qemu_caps_get_package(const VbQemuCaps *self)
{
  return self->package;
}

/* libvirt's name of the guest architecture, e.g. "i686" for qemu-system-i386. */
const char *
vb_qemu_caps_get_arch(const VbQemuCaps *self)
{
  return self->arch;
}

gboolean
vb_qemu_caps_get_kvm_enabled(const VbQemuCaps *self)
{
  return self->kvm_enabled;
}

const GPtrArray *
vb_qemu_caps_get_machines(const VbQemuCaps *self)
{
  return self->machines;
}

/* By canonical name or alias: "pc" finds "pc-i440fx-7.2". */
const VbQemuMachine *
vb_qemu_caps_lookup_machine(const VbQemuCaps *self, const char *name)
{
  for (guint i = 0; i < self->machines->len; i++) {
    const VbQemuMachine *machine = self->machines->pdata[i];

    if (g_strcmp0(machine->name, name) == 0)
      return machine;
  }
  for (guint i = 0; i < self->machines->len; i++) {
    const VbQemuMachine *machine = self->machines->pdata[i];

    if (g_strcmp0(machine->alias, name) == 0)
      return machine;
  }
  return NULL;
}

/* QEMU's own default, else the first listed (some targets name none): the first either way. */
const VbQemuMachine *
vb_qemu_caps_get_default_machine(const VbQemuCaps *self)
{
  return self->machines->pdata[0];
}

const GPtrArray *
vb_qemu_caps_get_cpu_models(const VbQemuCaps *self)
{
  return self->cpu_models;
}

const VbQemuCpuModel *
vb_qemu_caps_lookup_cpu_model(const VbQemuCaps *self, const char *name)
{
  for (guint i = 0; i < self->cpu_models->len; i++) {
    const VbQemuCpuModel *model = self->cpu_models->pdata[i];

    if (g_str_equal(model->name, name))
      return model;
  }
  return NULL;
}

gboolean
vb_qemu_caps_has_cpu_max(const VbQemuCaps *self)
{
  return g_hash_table_size(self->cpu_features) > 0;
}

const char *
vb_qemu_caps_get_cpu_max_vendor(const VbQemuCaps *self)
{
  return self->cpu_max_vendor;
}

/* Returns: (transfer none): the features QEMU's "max" CPU has, sorted; empty without an
 * expansion */
const char *const *
vb_qemu_caps_get_cpu_max_features(const VbQemuCaps *self)
{
  return (const char *const *)self->cpu_max_features;
}

/**
 * vb_qemu_caps_cpu_feature:
 * @name: a feature as a domain names it: QEMU's name, an older spelling with '_' for '-', or
 *   one of the aliases QEMU accepts (libvirt's CPU map uses some: "pclmuldq", "sse4_1")
 * @canonical: (out) (optional) (transfer none): QEMU's own name for it, when known
 */
VbQemuCpuFeatureState
vb_qemu_caps_cpu_feature(const VbQemuCaps *self, const char *name, const char **canonical)
{
  /* QEMU's x86 aliases that are more than '_' for '-' */
  static const char *const aliases[][2] = {
      {"sse3", "pni"}, {"pclmuldq", "pclmulqdq"}, {"sse4-1", "sse4.1"}, {"sse4-2", "sse4.2"},
      {"xd", "nx"},    {"ffxsr", "fxsr-opt"},     {"i64", "lm"},
  };
  g_autofree char *dashed = g_strdelimit(g_strdup(name), "_", '-');
  const char *key = dashed;
  gpointer original = NULL;
  gpointer state = NULL;

  for (guint i = 0; i < G_N_ELEMENTS(aliases); i++) {
    if (g_str_equal(dashed, aliases[i][0]))
      key = aliases[i][1];
  }
  if (!g_hash_table_lookup_extended(self->cpu_features, name, &original, &state) &&
      !g_hash_table_lookup_extended(self->cpu_features, key, &original, &state))
    return VB_QEMU_CPU_FEATURE_UNKNOWN;
  if (canonical != NULL)
    *canonical = original;
  return (VbQemuCpuFeatureState)GPOINTER_TO_INT(state);
}

/**
 * vb_qemu_caps_has_flag:
 * @flag: a name from flag_rules[], "device.<QOM type>" or "machine.<name or alias>"
 */
gboolean
vb_qemu_caps_has_flag(const VbQemuCaps *self, const char *flag)
{
#ifndef NDEBUG
  /* A misspelt flag would read as "this QEMU lacks it", silently: a bug to stop in tests. */
  if (!vb_qemu_caps_flag_is_known(flag)) {
    g_critical("'%s' is not a capability flag virtbus knows", flag);
    return FALSE;
  }
#endif
  /* named flags first: "device.json" is one, not the QOM type "json" */
  if (g_hash_table_contains(self->flags, flag))
    return TRUE;
  if (g_str_has_prefix(flag, DEVICE_PREFIX))
    return g_hash_table_contains(self->types, flag + strlen(DEVICE_PREFIX));
  if (g_str_has_prefix(flag, MACHINE_PREFIX))
    return vb_qemu_caps_lookup_machine(self, flag + strlen(MACHINE_PREFIX)) != NULL;
  return FALSE;
}

static int
compare_strings(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/**
 * vb_qemu_caps_list_flags:
 *
 * Returns: (transfer full): the named flags that hold, sorted; not the two families
 */
GStrv
vb_qemu_caps_list_flags(const VbQemuCaps *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
  GStrv flags;

  for (gsize i = 0; i < G_N_ELEMENTS(flag_rules); i++) {
    if (g_hash_table_contains(self->flags, flag_rules[i].flag))
      g_strv_builder_add(builder, flag_rules[i].flag);
  }
  flags = g_strv_builder_end(builder);
  qsort(flags, g_strv_length(flags), sizeof(char *), compare_strings);
  return flags;
}

static const FlagRule *
find_rule(const char *flag)
{
  for (gsize i = 0; i < G_N_ELEMENTS(flag_rules); i++) {
    if (strcmp(flag_rules[i].flag, flag) == 0)
      return &flag_rules[i];
  }
  return NULL;
}

/* Whether @flag names something virtbus knows how to test, whatever this binary has. */
gboolean
vb_qemu_caps_flag_is_known(const char *flag)
{
  if (g_str_has_prefix(flag, DEVICE_PREFIX) || g_str_has_prefix(flag, MACHINE_PREFIX))
    return strchr(flag, '.')[1] != '\0';
  return find_rule(flag) != NULL;
}

/**
 * vb_qemu_caps_list_known_flags:
 *
 * Returns: (transfer container): every named flag, in documentation order; not the families
 */
GPtrArray *
vb_qemu_caps_list_known_flags(void)
{
  GPtrArray *names = g_ptr_array_new();

  for (gsize i = 0; i < G_N_ELEMENTS(flag_rules); i++)
    g_ptr_array_add(names, (gpointer)flag_rules[i].flag);
  return names;
}

/* Whether libvirt has @flag under this name and meaning (for comparisons with its data). */
gboolean
vb_qemu_caps_flag_is_libvirts(const char *flag)
{
  const FlagRule *rule = find_rule(flag);

  return rule != NULL && rule->libvirts;
}

/* ---- architectures ---- */

typedef struct {
  const char *arch;   /* libvirt's */
  const char *target; /* QEMU's, from query-target and the binary's name */
  guint wordsize;
} ArchName;

static const ArchName arch_names[] = {
    {"x86_64", "x86_64", 64},
    {"i686", "i386", 32},
    {"aarch64", "aarch64", 64},
    {"armv7l", "arm", 32},
    {"ppc64", "ppc64", 64},
    {"ppc", "ppc", 32},
    {"s390x", "s390x", 64},
    {"riscv64", "riscv64", 64},
    {"riscv32", "riscv32", 32},
    {"mips", "mips", 32},
    {"mipsel", "mipsel", 32},
    {"mips64", "mips64", 64},
    {"mips64el", "mips64el", 64},
    {"sparc", "sparc", 32},
    {"sparc64", "sparc64", 64},
    {"alpha", "alpha", 64},
    {"m68k", "m68k", 32},
    {"parisc", "hppa", 32},
    {"loongarch64", "loongarch64", 64},
    {"or1k", "or1k", 32},
    {"sh4", "sh4", 32},
    {"sh4eb", "sh4eb", 32},
    {"microblaze", "microblaze", 32},
    {"microblazeel", "microblazeel", 32},
    {"xtensa", "xtensa", 32},
    {"xtensaeb", "xtensaeb", 32},
};

/* libvirt's name for QEMU's target, or %NULL for one virtbus does not know. */
const char *
vb_arch_from_qemu_target(const char *target)
{
  for (gsize i = 0; i < G_N_ELEMENTS(arch_names); i++) {
    if (strcmp(arch_names[i].target, target) == 0)
      return arch_names[i].arch;
  }
  return NULL;
}

guint
vb_arch_get_wordsize(const char *arch)
{
  for (gsize i = 0; i < G_N_ELEMENTS(arch_names); i++) {
    if (strcmp(arch_names[i].arch, arch) == 0)
      return arch_names[i].wordsize;
  }
  return 0;
}

/* The host's architecture in libvirt's spelling. */
const char *
vb_arch_get_host(void)
{
  static const char *host;

  if (g_once_init_enter(&host)) {
    struct utsname name;
    const char *arch = "x86_64";

    if (uname(&name) == 0) {
      /* uname says i686 or aarch64 as libvirt does; armv7l too. */
      for (gsize i = 0; i < G_N_ELEMENTS(arch_names); i++) {
        if (strcmp(arch_names[i].arch, name.machine) == 0)
          arch = arch_names[i].arch;
      }
    }
    g_once_init_leave(&host, arch);
  }
  return host;
}
