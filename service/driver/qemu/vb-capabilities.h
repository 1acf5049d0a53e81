/* vb-capabilities.h: the emulators of one instance, their capabilities (probed once, cached),
 * the host's capabilities XML and the defaults a domain gets from them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vb-paths.h"
#include "vb-qemu-caps.h"
#include "vb-qemu-conf.h"
#include "vb-security.h"

G_BEGIN_DECLS

#define VB_TYPE_CAPABILITIES (vb_capabilities_get_type())
G_DECLARE_FINAL_TYPE(VbCapabilities, vb_capabilities, VB, CAPABILITIES, GObject)

VbCapabilities *vb_capabilities_new(const VbPaths *paths, const VbQemuConf *conf);
void vb_capabilities_set_security(VbCapabilities *self, VbSecurityHost *security);
void vb_capabilities_set_system_dirs(VbCapabilities *self, const char *const *dirs);
guint vb_capabilities_get_probe_count(VbCapabilities *self);
char *vb_capabilities_get_cache_file(VbCapabilities *self, const char *binary);

void vb_capabilities_lookup_async(VbCapabilities *self,
                                  const char *binary,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
VbQemuCaps *
vb_capabilities_lookup_finish(VbCapabilities *self, GAsyncResult *result, GError **error);

/* What the capabilities XML shows. */
/* A security model of the host, as the capabilities' <secmodel> shows it. */
typedef struct {
  char *model;     /* (owned): "selinux", "apparmor", "none", "dac" */
  char *kvm_label; /* (owned) (nullable): the base label of a KVM domain */
  char *tcg_label; /* (owned) (nullable): of an emulated (type='qemu') one */
} VbHostSecmodel;

typedef struct {
  char *uuid;           /* (owned) (nullable) */
  const char *arch;     /* the host's, libvirt's spelling */
  gboolean kvm_usable;  /* /dev/kvm opens read-write for the user QEMU runs as */
  GPtrArray *secmodels; /* (owned) (element-type VbHostSecmodel): the confining one first */
  GPtrArray *emulators; /* (owned) (element-type VbQemuCaps): one per guest architecture */
} VbHostCaps;

void vb_host_caps_free(VbHostCaps *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbHostCaps, vb_host_caps_free)

void vb_capabilities_get_host_async(VbCapabilities *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
VbHostCaps *
vb_capabilities_get_host_finish(VbCapabilities *self, GAsyncResult *result, GError **error);
char *vb_capabilities_format_xml(const VbHostCaps *host, GError **error);

/* A domain's architecture, machine and emulator, with what was left out filled in. */
typedef struct {
  char *arch;       /* (owned) */
  char *machine;    /* (owned): canonical, never an alias */
  char *emulator;   /* (owned) */
  VbQemuCaps *caps; /* (owned): the emulator's */
} VbDomainDefaults;

VbDomainDefaults *vb_domain_defaults_new(VbQemuCaps *caps,
                                         const char *emulator,
                                         const char *arch,
                                         gboolean emulator_given,
                                         const char *machine,
                                         GError **error);
void vb_domain_defaults_free(VbDomainDefaults *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainDefaults, vb_domain_defaults_free)

void vb_capabilities_resolve_async(VbCapabilities *self,
                                   const char *arch,
                                   const char *machine,
                                   const char *emulator,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
VbDomainDefaults *
vb_capabilities_resolve_finish(VbCapabilities *self, GAsyncResult *result, GError **error);

gboolean vb_host_kvm_usable(uid_t uid, gid_t gid);
const char *vb_host_default_bridge(void);

G_END_DECLS
