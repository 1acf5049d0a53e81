/* vb-test-schema.h: validation of our XML output against libvirt's RelaxNG schemas.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VbTestSchema VbTestSchema;

VbTestSchema *vb_test_schema_load(const char *name, GError **error);
gboolean vb_test_schema_validate(VbTestSchema *schema, const char *xml, GError **error);
void vb_test_schema_free(VbTestSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbTestSchema, vb_test_schema_free)

G_END_DECLS
