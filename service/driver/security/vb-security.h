/* vb-security.h: what confines a domain's QEMU, behind the one interface the launcher calls.
 *
 * A start, in this order (vb_security_start_*, the launcher's steps):
 *   1. plan (once the command is built): from qemu.conf and the definition, who QEMU runs as
 *      and which files it must be able to open;
 *   2. prepare (worker): every parent directory searchable by that user, then each file given
 *      to it (DAC), its first owner remembered;
 *   3. spawn: in the child, before exec, vb_security_child_setup(): supplementary groups, gid,
 *      capability bounding set, uid, then no capabilities left;
 *   4. a failure anywhere before QEMU runs: vb_security_start_undo() restores every file.
 * At every stop (and for a domain found dead at reconnect), vb_security_restore() gives the
 * files back, once, from the live definition.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <sys/types.h>

#include "vb-domain-def.h"
#include "vb-qemu-conf.h"

G_BEGIN_DECLS

/* What the child does before exec: precomputed, so that it only makes system calls. */
typedef struct {
  gboolean change_ids; /* QEMU runs as another user than the daemon */
  uid_t uid;
  gid_t gid;
  gid_t *groups; /* (owned): the user's supplementary groups */
  int n_groups;
  gboolean
      clear_caps; /* no capability left: effective, permitted, inheritable, bounding, ambient */
  int cap_last;   /* the highest capability this kernel has */
} VbSecurityChild;

typedef struct _VbSecurityStart VbSecurityStart;

VbSecurityStart *vb_security_start_new(const VbQemuConf *conf,
                                       const VbDomainDef *def,
                                       const char *const *own_paths,
                                       GError **error);
gboolean vb_security_start_prepare(VbSecurityStart *self, GError **error);
void vb_security_start_undo(VbSecurityStart *self);
const VbSecurityChild *vb_security_start_get_child(const VbSecurityStart *self);
void vb_security_start_free(VbSecurityStart *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbSecurityStart, vb_security_start_free)

void vb_security_child_setup(const VbSecurityChild *child);

void vb_security_restore(const VbQemuConf *conf, const VbDomainDef *live);

G_END_DECLS
