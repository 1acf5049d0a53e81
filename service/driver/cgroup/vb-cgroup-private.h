/* vb-cgroup-private.h: the parts of the cgroup layer, for its own files and tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-cgroup.h"

G_BEGIN_DECLS

#define VB_DEVICE_ANY (-1)

/* One device the ACL allows: cgroup v1's "c 1:3 rw", or a rule of the v2 BPF program. */
typedef struct {
  char type;    /* 'c' or 'b' */
  gint64 major; /* VB_DEVICE_ANY for '*' */
  gint64 minor;
  gboolean write; /* read is always allowed; "rw" when set */
} VbDeviceRule;

/* vb-cgroup-bpf.c */
gboolean vb_cgroup_bpf_attach(const char *dir, const GArray *rules, GError **error);

G_END_DECLS
