/* vb-qemu-props.c: an ordered property list for one QEMU object.
 *
 * Order matters only for reading: QEMU does not care, but golden argv files and users comparing
 * with libvirt do, so properties stay where they were first added.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-json.h"
#include "vb-qemu-props.h"

typedef struct {
  char *name;
  VbQemuPropKind kind;
  char *string;
  gint64 number; /* int and bool */
  guint64 unsigned_number;
  VbQemuProps *object;
} Prop;

struct _VbQemuProps {
  GPtrArray *props; /* (element-type Prop) */
};

static void
prop_free(Prop *prop)
{
  g_free(prop->name);
  g_free(prop->string);
  vb_qemu_props_free(prop->object);
  g_free(prop);
}

VbQemuProps *
vb_qemu_props_new(void)
{
  VbQemuProps *self = g_new0(VbQemuProps, 1);

  self->props = g_ptr_array_new_with_free_func((GDestroyNotify)prop_free);
  return self;
}

void
vb_qemu_props_free(VbQemuProps *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref(self->props);
  g_free(self);
}

static gint
find(const VbQemuProps *self, const char *name)
{
  for (guint i = 0; i < self->props->len; i++) {
    const Prop *prop = self->props->pdata[i];

    if (g_str_equal(prop->name, name))
      return (gint)i;
  }
  return -1;
}

/* The property @name, emptied for a new value: an existing one keeps its place. */
static Prop *
take_slot(VbQemuProps *self, const char *name, VbQemuPropKind kind)
{
  gint index = find(self, name);
  Prop *prop;

  if (index >= 0) {
    prop = self->props->pdata[index];
    g_clear_pointer(&prop->string, g_free);
    g_clear_pointer(&prop->object, vb_qemu_props_free);
  } else {
    prop = g_new0(Prop, 1);
    prop->name = g_strdup(name);
    g_ptr_array_add(self->props, prop);
  }
  prop->kind = kind;
  return prop;
}

void
vb_qemu_props_add_string(VbQemuProps *self, const char *name, const char *value)
{
  take_slot(self, name, VB_QEMU_PROP_KIND_STRING)->string = g_strdup(value);
}

void
vb_qemu_props_add_int(VbQemuProps *self, const char *name, gint64 value)
{
  take_slot(self, name, VB_QEMU_PROP_KIND_INT)->number = value;
}

void
vb_qemu_props_add_uint(VbQemuProps *self, const char *name, guint64 value)
{
  take_slot(self, name, VB_QEMU_PROP_KIND_UINT)->unsigned_number = value;
}

void
vb_qemu_props_add_bool(VbQemuProps *self, const char *name, gboolean value)
{
  take_slot(self, name, VB_QEMU_PROP_KIND_BOOL)->number = value ? 1 : 0;
}

/* Takes @value. */
void
vb_qemu_props_add_object(VbQemuProps *self, const char *name, VbQemuProps *value)
{
  take_slot(self, name, VB_QEMU_PROP_KIND_OBJECT)->object = value;
}

gboolean
vb_qemu_props_remove(VbQemuProps *self, const char *name)
{
  gint index = find(self, name);

  if (index < 0)
    return FALSE;
  g_ptr_array_remove_index(self->props, (guint)index);
  return TRUE;
}

const char *
vb_qemu_props_get_string(const VbQemuProps *self, const char *name)
{
  gint index = find(self, name);
  const Prop *prop = index >= 0 ? self->props->pdata[index] : NULL;

  return prop != NULL && prop->kind == VB_QEMU_PROP_KIND_STRING ? prop->string : NULL;
}

guint
vb_qemu_props_get_length(const VbQemuProps *self)
{
  return self->props->len;
}

static void append_keyval(GString *out, const VbQemuProps *self, const char *prefix, gboolean bare);

/* A value as QEMU's key=value syntax writes it. */
static void
append_value(GString *out, const Prop *prop)
{
  switch (prop->kind) {
  case VB_QEMU_PROP_KIND_STRING:
    vb_qemu_keyval_append(out, prop->string);
    break;
  case VB_QEMU_PROP_KIND_INT:
    g_string_append_printf(out, "%" G_GINT64_FORMAT, prop->number);
    break;
  case VB_QEMU_PROP_KIND_UINT:
    g_string_append_printf(out, "%" G_GUINT64_FORMAT, prop->unsigned_number);
    break;
  case VB_QEMU_PROP_KIND_BOOL:
    g_string_append(out, prop->number ? "on" : "off");
    break;
  case VB_QEMU_PROP_KIND_OBJECT:
  default:
    g_assert_not_reached(); /* append_keyval() flattens objects */
  }
}

static void
add_members(JsonBuilder *builder, const VbQemuProps *self)
{
  json_builder_begin_object(builder);
  for (guint i = 0; i < self->props->len; i++) {
    const Prop *prop = self->props->pdata[i];

    json_builder_set_member_name(builder, prop->name);
    switch (prop->kind) {
    case VB_QEMU_PROP_KIND_STRING:
      json_builder_add_string_value(builder, prop->string);
      break;
    case VB_QEMU_PROP_KIND_INT:
      json_builder_add_int_value(builder, prop->number);
      break;
    case VB_QEMU_PROP_KIND_UINT:
      /* counts and indexes, far below G_MAXINT64 */
      json_builder_add_int_value(builder, (gint64)MIN(prop->unsigned_number, G_MAXINT64));
      break;
    case VB_QEMU_PROP_KIND_BOOL:
      json_builder_add_boolean_value(builder, prop->number != 0);
      break;
    case VB_QEMU_PROP_KIND_OBJECT:
      add_members(builder, prop->object);
      break;
    default:
      g_assert_not_reached();
    }
  }
  json_builder_end_object(builder);
}

/* Returns: (transfer full): the properties as a JSON object, for the monitor */
JsonNode *
vb_qemu_props_to_node(const VbQemuProps *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();

  add_members(builder, self);
  return json_builder_get_root(builder);
}

/* Returns: (transfer full): compact JSON text, or %NULL when a string is not valid UTF-8 */
char *
vb_qemu_props_to_json(const VbQemuProps *self, GError **error)
{
  g_autoptr(JsonNode) node = vb_qemu_props_to_node(self);

  return vb_json_write(node, error);
}

static void
append_keyval(GString *out, const VbQemuProps *self, const char *prefix, gboolean bare)
{
  for (guint i = 0; i < self->props->len; i++) {
    const Prop *prop = self->props->pdata[i];
    g_autofree char *name = g_strconcat(prefix, prop->name, NULL);

    if (prop->kind == VB_QEMU_PROP_KIND_OBJECT) {
      g_autofree char *inner = g_strconcat(name, ".", NULL);

      append_keyval(out, prop->object, inner, FALSE);
      continue;
    }
    if (out->len > 0)
      g_string_append_c(out, ',');
    if (!(bare && i == 0)) {
      g_string_append(out, name);
      g_string_append_c(out, '=');
    }
    append_value(out, prop);
  }
}

char *
vb_qemu_props_to_keyval(const VbQemuProps *self, gboolean bare)
{
  GString *out = g_string_new(NULL);

  append_keyval(out, self, "", bare);
  return g_string_free(out, FALSE);
}

/**
 * vb_qemu_keyval_append:
 *
 * Appends @value to a QEMU option string, doubling its commas so that QEMU reads it as one
 * value ("a,b" → "a,,b").
 */
void
vb_qemu_keyval_append(GString *out, const char *value)
{
  for (const char *c = value; *c != '\0'; c++) {
    if (*c == ',')
      g_string_append_c(out, ',');
    g_string_append_c(out, *c);
  }
}

/**
 * vb_qemu_keyval_parse:
 * @implied: (nullable): the key of a first item given without one ("user" in "user,id=n0")
 *
 * Reads QEMU's "key=value,…" syntax, ",," standing for a comma; an item with no '=' and not
 * first is a flag, "on".
 *
 * Returns: (transfer full) (element-type utf8 utf8): the keys and values
 */
GHashTable *
vb_qemu_keyval_parse(const char *text, const char *implied)
{
  GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) item = g_string_new(NULL);
  gboolean first = TRUE;

  for (const char *c = text;; c++) {
    if (*c == ',' && c[1] == ',') {
      g_string_append_c(item, ',');
      c++;
      continue;
    }
    if (*c != ',' && *c != '\0') {
      g_string_append_c(item, *c);
      continue;
    }
    {
      const char *equals = strchr(item->str, '=');

      if (equals != NULL)
        g_hash_table_replace(table, g_strndup(item->str, (gsize)(equals - item->str)),
                             g_strdup(equals + 1));
      else if (first && implied != NULL && item->len > 0)
        g_hash_table_replace(table, g_strdup(implied), g_strdup(item->str));
      else if (item->len > 0)
        g_hash_table_replace(table, g_strdup(item->str), g_strdup("on"));
    }
    first = FALSE;
    g_string_truncate(item, 0);
    if (*c == '\0')
      break;
  }
  return table;
}
