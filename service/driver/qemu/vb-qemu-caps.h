/* vb-qemu-caps.h: what one QEMU binary can do, as its probe found it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "vb-qemu-version.h"

G_BEGIN_DECLS

typedef struct {
  char *name;  /* (owned): canonical, e.g. "pc-i440fx-7.2" */
  char *alias; /* (owned) (nullable): e.g. "pc" */
  guint max_cpus;
  gboolean is_default;
  gboolean deprecated;
  char *default_cpu; /* (owned) (nullable): the CPU model QEMU gives it, e.g. "qemu64" */
} VbQemuMachine;

typedef struct {
  char *name; /* (owned) */
  /* Whether the probe's accelerator can run it: FALSE when QEMU listed features it lacks. */
  gboolean usable;
  gboolean deprecated;
  char *vendor;   /* (owned) (nullable): from its expansion, e.g. "GenuineIntel" */
  GStrv features; /* (owned) (nullable): the features it turns on, sorted; NULL when the probe
                   * did not expand it (not usable, or a versioned name) */
} VbQemuCpuModel;

/* What vb_qemu_caps_cpu_feature() says of a CPU feature name. */
typedef enum {
  VB_QEMU_CPU_FEATURE_UNKNOWN, /* QEMU has no such feature (or could not say: see below) */
  VB_QEMU_CPU_FEATURE_OFF,     /* known, and the "max" CPU lacks it */
  VB_QEMU_CPU_FEATURE_ON,      /* known, and the "max" CPU has it */
} VbQemuCpuFeatureState;

typedef struct _VbQemuCaps VbQemuCaps;

VbQemuCaps *vb_qemu_caps_new_from_json(JsonNode *node, GError **error);
JsonNode *vb_qemu_caps_to_json(const VbQemuCaps *self);
VbQemuCaps *vb_qemu_caps_ref(VbQemuCaps *self);
void vb_qemu_caps_unref(VbQemuCaps *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuCaps, vb_qemu_caps_unref)

const char *vb_qemu_caps_get_binary(const VbQemuCaps *self);
guint vb_qemu_caps_get_version(const VbQemuCaps *self);
const char *vb_qemu_caps_get_package(const VbQemuCaps *self);
const char *vb_qemu_caps_get_arch(const VbQemuCaps *self);
gboolean vb_qemu_caps_get_kvm_enabled(const VbQemuCaps *self);

const GPtrArray *vb_qemu_caps_get_machines(const VbQemuCaps *self);
const VbQemuMachine *vb_qemu_caps_lookup_machine(const VbQemuCaps *self, const char *name);
const VbQemuMachine *vb_qemu_caps_get_default_machine(const VbQemuCaps *self);
const GPtrArray *vb_qemu_caps_get_cpu_models(const VbQemuCaps *self);
const VbQemuCpuModel *vb_qemu_caps_lookup_cpu_model(const VbQemuCaps *self, const char *name);

/* QEMU's "max" CPU as the probe expanded it: FALSE when QEMU could not expand CPU models (then
 * every feature is UNKNOWN and nothing may be concluded from that). */
gboolean vb_qemu_caps_has_cpu_max(const VbQemuCaps *self);
const char *vb_qemu_caps_get_cpu_max_vendor(const VbQemuCaps *self);
const char *const *vb_qemu_caps_get_cpu_max_features(const VbQemuCaps *self);
VbQemuCpuFeatureState
vb_qemu_caps_cpu_feature(const VbQemuCaps *self, const char *name, const char **canonical);

gboolean vb_qemu_caps_has_flag(const VbQemuCaps *self, const char *flag);
GStrv vb_qemu_caps_list_flags(const VbQemuCaps *self);
gboolean vb_qemu_caps_flag_is_known(const char *flag);
GPtrArray *vb_qemu_caps_list_known_flags(void);
gboolean vb_qemu_caps_flag_is_libvirts(const char *flag);

const char *vb_arch_from_qemu_target(const char *target);
guint vb_arch_get_wordsize(const char *arch);
const char *vb_arch_get_host(void);

G_END_DECLS
