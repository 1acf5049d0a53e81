/* vb-qmp-stream.c: QEMU writes one JSON object per line, ended by "\r\n". Reads arrive split
 * anywhere and several messages may arrive in one read, so bytes are buffered until a newline.
 * A stream that has seen a bad message stays failed: after a framing error nothing later on the
 * connection can be trusted to start at a message boundary.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "vb-error.h"
#include "vb-qmp-stream.h"

struct _VbQmpStream {
  GByteArray *buffer; /* (owned): bytes of the message being read, and any after it */
  gsize scanned;      /* bytes of buffer known to hold no newline */
  gsize max_message;
  guint64 n_messages; /* complete lines seen, to name the bad one */
  GError *failure;    /* (nullable) (owned): why the stream stopped */
  JsonParser *parser; /* (owned): reused for every message */
};

VbQmpStream *
vb_qmp_stream_new(gsize max_message)
{
  VbQmpStream *self = g_new0(VbQmpStream, 1);

  self->buffer = g_byte_array_new();
  self->max_message = max_message;
  self->parser = json_parser_new_immutable();
  return self;
}

void
vb_qmp_stream_free(VbQmpStream *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref(self->buffer);
  g_clear_error(&self->failure);
  g_object_unref(self->parser);
  g_free(self);
}

gsize
vb_qmp_stream_get_buffered(const VbQmpStream *self)
{
  return self->buffer->len;
}

typedef enum {
  SHAPE_OK,
  SHAPE_TOO_DEEP,
  SHAPE_TRAILING, /* something after the first value closed: "{…}{…}" */
  SHAPE_STRANGE,  /* a character JSON never has outside a string: '/', '#', … */
} Shape;

/* Outside strings JSON has only whitespace, structure, numbers and the letters of true, false
 * and null. json-glib's scanner reads more (comments after '/' and '#'), and leaks on some of
 * them when they fail: such text never reaches it. */
static gboolean
json_outside_string(char c)
{
  return g_ascii_isspace(c) || g_ascii_isalnum(c) || strchr("{}[],:-+.", c) != NULL;
}

/* Counts brackets outside strings: the nesting depth, and whether anything follows the first
 * value once it closes (json-glib reads "{…}{…}" as one document and keeps only the first, so
 * the second would go unseen). Only has to be right for valid JSON: anything else fails in the
 * parser afterwards. */
static Shape
check_shape(const char *text, gsize length, guint max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++) {
    char c = text[i];

    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '\0' || !json_outside_string(c)) {
      return SHAPE_STRANGE;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        return SHAPE_TOO_DEEP;
    } else if ((c == ']' || c == '}') && depth > 0) {
      if (--depth == 0) {
        for (gsize j = i + 1; j < length; j++) {
          if (!g_ascii_isspace(text[j]))
            return SHAPE_TRAILING;
        }
        return SHAPE_OK;
      }
    }
  }
  return SHAPE_OK;
}

static gboolean fail(VbQmpStream *self, GError **error, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean
fail(VbQmpStream *self, GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  self->failure = g_error_new_literal(VB_ERROR, VB_ERROR_MONITOR_ERROR, message);
  g_set_error_literal(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, message);
  return FALSE;
}

/* json-glib reads 1e999999 as infinity and writes it back as "inf.0", which is not JSON:
 * such a number is refused where it comes in. Depth is bounded by check_shape(). */
static gboolean
numbers_finite(JsonNode *node)
{
  switch (JSON_NODE_TYPE(node)) {
  case JSON_NODE_OBJECT: {
    JsonObjectIter iter;
    JsonNode *member;

    json_object_iter_init(&iter, json_node_get_object(node));
    while (json_object_iter_next(&iter, NULL, &member)) {
      if (!numbers_finite(member))
        return FALSE;
    }
    return TRUE;
  }
  case JSON_NODE_ARRAY: {
    JsonArray *array = json_node_get_array(node);

    for (guint i = 0; i < json_array_get_length(array); i++) {
      if (!numbers_finite(json_array_get_element(array, i)))
        return FALSE;
    }
    return TRUE;
  }
  case JSON_NODE_VALUE:
    return json_node_get_value_type(node) != G_TYPE_DOUBLE || isfinite(json_node_get_double(node));
  case JSON_NODE_NULL:
  default:
    return TRUE;
  }
}

/* Checks and parses one JSON text that must be an object. @what names it in messages. */
static JsonNode *
parse_object(JsonParser *parser, const char *text, gsize length, const char *what, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  gsize start = 0;

  /* Anything but an object is refused before json-glib sees it: given "1{…}" it would read the
   * number and leak the rest. */
  while (start < length && g_ascii_isspace(text[start]))
    start++;
  if (start == length || text[start] != '{') {
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, "%s is not a JSON object", what);
    return NULL;
  }
  switch (check_shape(text, length, VB_QMP_DEPTH_MAX)) {
  case SHAPE_TOO_DEEP:
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, "%s nests deeper than %u levels", what,
                (guint)VB_QMP_DEPTH_MAX);
    return NULL;
  case SHAPE_TRAILING:
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, "%s holds more than one JSON value", what);
    return NULL;
  case SHAPE_STRANGE:
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR,
                "%s is not valid JSON: a character JSON has only inside strings", what);
    return NULL;
  case SHAPE_OK:
  default:
    break;
  }
  if (memchr(text, '\0', length) != NULL || !g_utf8_validate(text, (gssize)length, NULL)) {
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, "%s is not valid UTF-8 text", what);
    return NULL;
  }
  if (!json_parser_load_from_data(parser, text, (gssize)length, &local_error)) {
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, "%s is not valid JSON: %s", what,
                local_error->message);
    return NULL;
  }
  root = json_parser_get_root(parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, "%s is not a JSON object", what);
    return NULL;
  }
  if (!numbers_finite(root)) {
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR,
                "%s holds a number too large for JSON to carry", what);
    return NULL;
  }
  return root;
}

JsonNode *
vb_qmp_parse_object(const char *text, gsize length, GError **error)
{
  return vb_qmp_parse_object_named(text, length, "the command", error);
}

/* The same for any JSON object text a user gave; @what names it in errors ("the value"). */
JsonNode *
vb_qmp_parse_object_named(const char *text, gsize length, const char *what, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new(); /* mutable: the caller adds its own id */
  g_autoptr(GError) local_error = NULL;
  JsonNode *root = parse_object(parser, text, length, what, &local_error);

  if (root == NULL) {
    /* The text is the caller's, not QEMU's: a bad argument, not a monitor failure. */
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_ARGS, local_error->message);
    return NULL;
  }
  return json_node_copy(root);
}

/* Parses one line (without its line end). Blank lines are skipped, as QEMU's own parser does. */
static gboolean
parse_line(VbQmpStream *self, const char *line, gsize length, JsonObject **out, GError **error)
{
  g_autofree char *what = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  *out = NULL;
  while (length > 0 && g_ascii_isspace(line[length - 1]))
    length--;
  while (length > 0 && g_ascii_isspace(*line)) {
    line++;
    length--;
  }
  if (length == 0)
    return TRUE;

  self->n_messages++;
  what = g_strdup_printf("monitor message %" G_GUINT64_FORMAT, self->n_messages);
  root = parse_object(self->parser, line, length, what, &local_error);
  if (root == NULL) {
    self->failure = g_error_copy(local_error);
    g_propagate_error(error, g_steal_pointer(&local_error));
    return FALSE;
  }
  *out = json_node_get_object(root);
  return TRUE;
}

gboolean
vb_qmp_stream_feed(VbQmpStream *self,
                   const char *data,
                   gsize length,
                   VbQmpMessageFunc func,
                   gpointer user_data,
                   GError **error)
{
  gsize start = 0;
  gboolean go_on = TRUE;

  if (self->failure != NULL) {
    g_propagate_error(error, g_error_copy(self->failure));
    return FALSE;
  }
  g_byte_array_append(self->buffer, (const guint8 *)data, (guint)length);

  while (go_on) {
    const char *base = (const char *)self->buffer->data;
    const char *newline =
        memchr(base + start + self->scanned, '\n', self->buffer->len - start - self->scanned);
    JsonObject *message = NULL;
    gsize line_length;

    if (newline == NULL) {
      self->scanned = self->buffer->len - start;
      break;
    }
    line_length = (gsize)(newline - (base + start));
    if (line_length > self->max_message)
      break; /* reported below, as the same over-long message */
    if (!parse_line(self, base + start, line_length, &message, error))
      return FALSE;
    start += line_length + 1;
    self->scanned = 0;
    if (message != NULL)
      go_on = func(message, user_data);
  }

  g_byte_array_remove_range(self->buffer, 0, (guint)start);
  if (self->buffer->len > self->max_message)
    return fail(self, error,
                "monitor message %" G_GUINT64_FORMAT " exceeds the limit of %" G_GSIZE_FORMAT
                " bytes",
                self->n_messages + 1, self->max_message);
  return TRUE;
}
