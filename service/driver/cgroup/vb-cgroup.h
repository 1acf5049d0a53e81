/* vb-cgroup.h: a running domain's cgroup and its device ACL.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-domain-def.h"
#include "vb-qemu-conf.h"

G_BEGIN_DECLS

typedef struct _VbCgroup VbCgroup;

VbCgroup *vb_cgroup_new(const VbQemuConf *conf, gint64 id, const char *name);
gboolean vb_cgroup_create(VbCgroup *self, const VbDomainDef *def, GError **error);
void vb_cgroup_remove(VbCgroup *self);
const char *vb_cgroup_get_devices_dir(const VbCgroup *self);
char *const *vb_cgroup_get_procs(const VbCgroup *self);
void vb_cgroup_free(VbCgroup *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbCgroup, vb_cgroup_free)

void vb_cgroup_child_join(char *const *procs);

G_END_DECLS
