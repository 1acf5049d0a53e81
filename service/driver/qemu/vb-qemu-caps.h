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
} VbQemuMachine;

typedef struct {
  char *name; /* (owned) */
  /* Whether the probe's accelerator can run it: FALSE when QEMU listed features it lacks. */
  gboolean usable;
  gboolean deprecated;
} VbQemuCpuModel;

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

gboolean vb_qemu_caps_has_flag(const VbQemuCaps *self, const char *flag);
GStrv vb_qemu_caps_list_flags(const VbQemuCaps *self);
gboolean vb_qemu_caps_flag_is_known(const char *flag);
GPtrArray *vb_qemu_caps_list_known_flags(void);
gboolean vb_qemu_caps_flag_is_libvirts(const char *flag);

const char *vb_arch_from_qemu_target(const char *target);
guint vb_arch_get_wordsize(const char *arch);
const char *vb_arch_get_host(void);

G_END_DECLS
