/* vb-security.h: what confines a domain's QEMU, behind the one interface the launcher calls.
 *
 * A start, in this order (the launcher's steps):
 *   0. labels (main context, vb_security_assign_labels()): the <seclabel>s the start applies,
 *      chosen so that no two running domains share an SELinux category pair;
 *   1. plan (vb_security_start_new(), once the command is built): who QEMU runs as, its exec
 *      label or profile, and which files it must be able to open;
 *   2. prepare (worker, vb_security_start_prepare()): every parent directory searchable by
 *      that user, missing chardev files made, each file given to QEMU's user (DAC, its first
 *      owner remembered) and labelled (SELinux), the AppArmor profile written and loaded;
 *      the cgroup with its device ACL is made next (vb-cgroup.h);
 *   3. spawn: in the child, before exec (vb_security_child_setup()): the cgroup joined, the
 *      exec label (setexeccon) or profile (aa_change_onexec), supplementary groups, gid,
 *      capability bounding set, uid, then no capabilities left;
 *   4. a failure anywhere before QEMU runs: vb_security_start_undo() gives every file back,
 *      restores every label and unloads the profile.
 * At every stop (and for a domain found dead at reconnect), vb_security_restore() undoes the
 * same, once, from the live definition. vb_security_forget() at undefine removes the
 * domain's AppArmor profile.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>

#include "vb-domain-def.h"
#include "vb-paths.h"
#include "vb-qemu-conf.h"

G_BEGIN_DECLS

/* What the host offers (vb-security-host.c): read once when the driver opens. */
typedef struct _VbSecurityHost VbSecurityHost;

VbSecurityHost *vb_security_host_new(const VbQemuConf *conf, const VbPaths *paths, GError **error);
VbSecurityHost *vb_security_host_ref(VbSecurityHost *self);
void vb_security_host_unref(VbSecurityHost *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbSecurityHost, vb_security_host_unref)
VbSecModel vb_security_host_get_primary(const VbSecurityHost *self);
GStrv vb_security_host_get_models(const VbSecurityHost *self);
char *vb_security_host_get_baselabel(const VbSecurityHost *self, VbSecModel model, VbVirtType virt);

/* At define (vb-security-label.c). */
void vb_security_fill_default_model(const VbSecurityHost *host, VbDomainDef *def);

/* Step 0 (vb-security-label.c). */
void vb_security_collect_labels(GHashTable *used, const VbDomainDef *live);
gboolean vb_security_assign_labels(const VbSecurityHost *host,
                                   const VbQemuConf *conf,
                                   VbDomainDef *def,
                                   GHashTable *used,
                                   GError **error);

/* What the child does before exec: precomputed, so that it only makes system calls. */
typedef struct {
  gboolean change_ids; /* QEMU runs as another user than the daemon */
  uid_t uid;
  gid_t gid;
  gid_t *groups; /* (owned): the user's supplementary groups */
  int n_groups;
  gboolean
      clear_caps;   /* no capability left: effective, permitted, inheritable, bounding, ambient */
  int cap_last;     /* the highest capability this kernel has */
  char *exec_label; /* (owned) (nullable): SELinux: QEMU's process label */
  char *profile;    /* (owned) (nullable): AppArmor: QEMU's profile */
} VbSecurityChild;

typedef struct _VbSecurityStart VbSecurityStart;

VbSecurityStart *vb_security_start_new(VbSecurityHost *host,
                                       const VbQemuConf *conf,
                                       const VbDomainDef *def,
                                       const char *const *own_dirs,
                                       const char *const *own_files,
                                       GError **error);
gboolean vb_security_start_prepare(VbSecurityStart *self, GError **error);
void vb_security_start_undo(VbSecurityStart *self);
const VbSecurityChild *vb_security_start_get_child(const VbSecurityStart *self);
void vb_security_start_free(VbSecurityStart *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbSecurityStart, vb_security_start_free)

void vb_security_child_setup(const VbSecurityChild *child);

void
vb_security_restore(const VbSecurityHost *host, const VbQemuConf *conf, const VbDomainDef *live);
void vb_security_forget(const VbSecurityHost *host, const VbDomainDef *def);

G_END_DECLS
