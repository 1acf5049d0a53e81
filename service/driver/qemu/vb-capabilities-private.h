/* vb-capabilities-private.h: the fields of VbCapabilities, shared by its cache core
 * (vb-capabilities.c) and its discovery of emulators and host capabilities
 * (vb-capabilities-host.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>

#include "vb-capabilities.h"

G_BEGIN_DECLS

struct _VbCapabilities {
  GObject parent_instance;

  char *cache_dir;          /* (owned): …/cache/qemu/capabilities */
  guint cache_mode;         /* of the instance's cache directory */
  GStrv search_dirs;        /* (owned): qemu.conf emulator_search_path, then the system dirs */
  VbSecurityHost *security; /* (owned) (nullable): the <secmodel>s; "none" alone without */
  uid_t qemu_uid;           /* who QEMU runs as, for /dev/kvm */
  gid_t qemu_gid;
  GHashTable *entries;       /* (owned): binary → Entry */
  GFileMonitor *kvm_monitor; /* (owned) (nullable): /dev/kvm, once something is in memory */
  GPtrArray *discovered;     /* (owned) (nullable) (element-type VbFoundEmulator): the search */
  GPtrArray *dir_monitors;   /* (owned) (nullable) (element-type GFileMonitor): its dirs */
  GHashTable *probes;        /* (owned): binary → PendingProbe */
  guint n_probes;            /* probes started, for tests */
};

/* An emulator the search found. */
typedef struct {
  char *arch;   /* (owned): libvirt's spelling */
  char *binary; /* (owned) */
} VbFoundEmulator;

void vb_capabilities_forget(VbCapabilities *self, const char *why);
void vb_capabilities_drop_monitor(GFileMonitor *monitor);

G_END_DECLS
