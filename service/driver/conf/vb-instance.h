/* vb-instance.h: which virtbus instance a connection means (system, session or embedded), and
 * the libvirt-style URIs that name them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VB_INSTANCE_SYSTEM,
  VB_INSTANCE_SESSION,
  VB_INSTANCE_EMBED,
} VbInstanceKind;

const char *vb_instance_kind_to_string(VbInstanceKind kind);

/* What a connection URI names: the instance and, for embed, its absolute root directory. */
typedef struct {
  VbInstanceKind kind;
  char *root; /* (nullable) (owned): embed only, canonical absolute path */
} VbInstanceUri;

VbInstanceUri *vb_instance_uri_parse(const char *uri, GError **error);
char *vb_instance_uri_to_string(const VbInstanceUri *self);
void vb_instance_uri_free(VbInstanceUri *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbInstanceUri, vb_instance_uri_free)

G_END_DECLS
