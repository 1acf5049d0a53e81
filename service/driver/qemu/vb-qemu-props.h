/* vb-qemu-props.h: the properties of one QEMU object (a -device, -blockdev, -netdev, …), in
 * the order they were added, written either as JSON or as QEMU's "key=value,…" syntax.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  VB_QEMU_PROP_KIND_STRING,
  VB_QEMU_PROP_KIND_INT,
  VB_QEMU_PROP_KIND_UINT,
  VB_QEMU_PROP_KIND_BOOL,
  VB_QEMU_PROP_KIND_OBJECT,
} VbQemuPropKind;

typedef struct _VbQemuProps VbQemuProps;

VbQemuProps *vb_qemu_props_new(void);
void vb_qemu_props_free(VbQemuProps *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuProps, vb_qemu_props_free)

/* Each replaces a property of the same name in place, or appends. */
void vb_qemu_props_add_string(VbQemuProps *self, const char *name, const char *value);
void vb_qemu_props_add_int(VbQemuProps *self, const char *name, gint64 value);
void vb_qemu_props_add_uint(VbQemuProps *self, const char *name, guint64 value);
void vb_qemu_props_add_bool(VbQemuProps *self, const char *name, gboolean value);
void vb_qemu_props_add_object(VbQemuProps *self, const char *name, VbQemuProps *value);
gboolean vb_qemu_props_remove(VbQemuProps *self, const char *name);

const char *vb_qemu_props_get_string(const VbQemuProps *self, const char *name);
guint vb_qemu_props_get_length(const VbQemuProps *self);

/* {"name":value,…} with no spaces, as libvirt writes it, by the one JSON writer (vb-json.h). */
char *vb_qemu_props_to_json(const VbQemuProps *self, GError **error);
JsonNode *vb_qemu_props_to_node(const VbQemuProps *self);
/* "v1,name2=v2,…": when @bare is set, the first property is written by value alone (the
 * -device driver); commas in values are doubled; booleans are on/off; a nested object's
 * members are "name.member=…". */
char *vb_qemu_props_to_keyval(const VbQemuProps *self, gboolean bare);

void vb_qemu_keyval_append(GString *out, const char *value);
GHashTable *vb_qemu_keyval_parse(const char *text, const char *implied);

G_END_DECLS
