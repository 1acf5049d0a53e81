/* vb-json.c: type-checked reading of foreign JSON, and the one JSON writer.
 *
 * json-glib's typed getters (json_object_get_string_member and friends) emit a critical on a
 * member of the wrong type; what QEMU or a file sends must never do that, so everything from
 * outside goes through these readers, which say what was wrong instead.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-json.h"

static const char *
type_name(JsonNode *node)
{
  switch (JSON_NODE_TYPE(node)) {
  case JSON_NODE_OBJECT:
    return "an object";
  case JSON_NODE_ARRAY:
    return "an array";
  case JSON_NODE_NULL:
    return "null";
  case JSON_NODE_VALUE:
    switch (json_node_get_value_type(node)) {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_DOUBLE:
      return "a number with a fraction";
    default:
      return "an integer";
    }
  default:
    return "something else";
  }
}

static gboolean
is_object(JsonNode *node)
{
  return JSON_NODE_HOLDS_OBJECT(node);
}

static gboolean
is_array(JsonNode *node)
{
  return JSON_NODE_HOLDS_ARRAY(node);
}

static gboolean
is_string(JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING;
}

static gboolean
is_bool(JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_BOOLEAN;
}

static gboolean
is_int(JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_INT64;
}

/* The member @name in @node: NULL when it is missing, which is an error only when @required;
 * FALSE when it is missing and required, or not what @is_wanted accepts. */
static gboolean
member(const VbJsonScope *scope,
       JsonObject *object,
       const char *name,
       gboolean required,
       gboolean (*is_wanted)(JsonNode *node),
       const char *wanted,
       JsonNode **node,
       GError **error)
{
  *node = object != NULL ? json_object_get_member(object, name) : NULL;
  if (*node == NULL) {
    if (!required)
      return TRUE;
    g_set_error(error, VB_ERROR, scope->code, "%s has no member \"%s\"", scope->where, name);
    return FALSE;
  }
  if (!is_wanted(*node)) {
    g_set_error(error, VB_ERROR, scope->code, "%s: member \"%s\" is %s, not %s", scope->where, name,
                type_name(*node), wanted);
    *node = NULL;
    return FALSE;
  }
  return TRUE;
}

gboolean
vb_json_get_object(const VbJsonScope *scope,
                   JsonObject *object,
                   const char *name,
                   gboolean required,
                   JsonObject **out,
                   GError **error)
{
  JsonNode *node;

  if (!member(scope, object, name, required, is_object, "an object", &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_object(node);
  return TRUE;
}

gboolean
vb_json_get_array(const VbJsonScope *scope,
                  JsonObject *object,
                  const char *name,
                  gboolean required,
                  JsonArray **out,
                  GError **error)
{
  JsonNode *node;

  if (!member(scope, object, name, required, is_array, "an array", &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_array(node);
  return TRUE;
}

gboolean
vb_json_get_string(const VbJsonScope *scope,
                   JsonObject *object,
                   const char *name,
                   gboolean required,
                   const char **out,
                   GError **error)
{
  JsonNode *node;

  if (!member(scope, object, name, required, is_string, "a string", &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_string(node);
  return TRUE;
}

gboolean
vb_json_get_bool(const VbJsonScope *scope,
                 JsonObject *object,
                 const char *name,
                 gboolean required,
                 gboolean *out,
                 GError **error)
{
  JsonNode *node;

  if (!member(scope, object, name, required, is_bool, "a boolean", &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_boolean(node);
  return TRUE;
}

gboolean
vb_json_get_int(const VbJsonScope *scope,
                JsonObject *object,
                const char *name,
                gboolean required,
                gint64 min,
                gint64 max,
                gint64 *out,
                GError **error)
{
  JsonNode *node;
  gint64 value;

  if (!member(scope, object, name, required, is_int, "an integer", &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  value = json_node_get_int(node);
  if (value < min || value > max) {
    g_set_error(error, VB_ERROR, scope->code,
                "%s: member \"%s\" is %" G_GINT64_FORMAT ", outside %" G_GINT64_FORMAT
                "..%" G_GINT64_FORMAT,
                scope->where, name, value, min, max);
    return FALSE;
  }
  *out = value;
  return TRUE;
}

gboolean
vb_json_get_strv(const VbJsonScope *scope,
                 JsonObject *object,
                 const char *name,
                 gboolean required,
                 GStrv *out,
                 GError **error)
{
  JsonArray *array = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

  if (!vb_json_get_array(scope, object, name, required, &array, error))
    return FALSE;
  for (guint i = 0; array != NULL && i < json_array_get_length(array); i++) {
    JsonNode *item = json_array_get_element(array, i);

    if (!is_string(item)) {
      g_set_error(error, VB_ERROR, scope->code, "%s: item %u of \"%s\" is %s, not a string",
                  scope->where, i, name, type_name(item));
      return FALSE;
    }
    g_strv_builder_add(builder, json_node_get_string(item));
  }
  *out = g_strv_builder_end(builder);
  return TRUE;
}

const char *
vb_json_node_string(JsonNode *node)
{
  return node != NULL && is_string(node) ? json_node_get_string(node) : NULL;
}

char *
vb_json_write(JsonNode *node, GError **error)
{
  g_autofree char *text = json_to_string(node, FALSE);

  /* json-glib copies the bytes of a string as they are: what it wrote is valid UTF-8 exactly
   * when every string in @node was. */
  if (!g_utf8_validate(text, -1, NULL)) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                        "a value to be written as JSON is not valid UTF-8");
    return NULL;
  }
  return g_steal_pointer(&text);
}
