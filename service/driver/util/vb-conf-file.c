/* vb-conf-file.c: a parser for libvirt's configuration file syntax.
 *
 * The grammar, as libvirt's virconf.c reads qemu.conf:
 *   file    := (entry? blank* comment? (NEWLINE | ';'))*
 *   entry   := name blank* '=' blank* value
 *   name    := [A-Za-z_][A-Za-z0-9_]*
 *   value   := integer | string | list
 *   integer := [+-]?[0-9]+                        (64-bit signed)
 *   string  := '"' [^"\n]* '"' | "'" [^'\n]* "'" | '"""' anything '"""'   (no escapes)
 *   list    := '[' (value (',' value)* ','?)? ']'  (newlines and comments allowed inside)
 *   comment := '#' to the end of the line
 * Every entry keeps its position so that typed readers can name line and column in errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "vb-conf-file.h"
#include "vb-error.h"

/* Deeper nesting is no real configuration; the cap keeps the recursion bounded. */
#define MAX_LIST_DEPTH 16

struct _VbConfFile {
  char *filename;     /* (owned) */
  GPtrArray *entries; /* (owned) (element-type VbConfEntry) */
};

typedef struct {
  const VbConfFile *file;
  const char *start;
  const char *cur;
  const char *end;
  const char *line_start;
  guint line;
  const char *key; /* (nullable): the entry being read, for messages */
} Parser;

static void
vb_conf_value_free(VbConfValue *value)
{
  if (value == NULL)
    return;
  g_free(value->string);
  g_clear_pointer(&value->items, g_ptr_array_unref);
  g_free(value);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbConfValue, vb_conf_value_free)

static void
vb_conf_entry_free(VbConfEntry *entry)
{
  if (entry == NULL)
    return;
  g_free(entry->name);
  vb_conf_value_free(entry->value);
  g_free(entry);
}

void
vb_conf_file_free(VbConfFile *self)
{
  if (self == NULL)
    return;
  g_free(self->filename);
  g_clear_pointer(&self->entries, g_ptr_array_unref);
  g_free(self);
}

const char *
vb_conf_type_to_string(VbConfType type)
{
  switch (type) {
  case VB_CONF_STRING:
    return "a string";
  case VB_CONF_INTEGER:
    return "an integer";
  case VB_CONF_LIST:
    return "a list";
  default:
    g_return_val_if_reached(NULL);
  }
}

static guint
column_of(const Parser *p, const char *at)
{
  return (guint)(at - p->line_start) + 1;
}

/* Describes the byte at @at for a message: a printable character quoted, else its name. */
static char *
describe_at(const Parser *p, const char *at)
{
  if (at >= p->end)
    return g_strdup("the end of the file");
  if (*at == '\n')
    return g_strdup("the end of the line");
  if (g_ascii_isgraph(*at))
    return g_strdup_printf("'%c'", *at);
  return g_strdup_printf("byte 0x%02x", (guint)(guchar)*at);
}

static gboolean fail_at(const Parser *p, const char *at, GError **error, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

static gboolean
fail_at(const Parser *p, const char *at, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);

  if (p->key != NULL)
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG, "%s:%u:%u: setting '%s': %s",
                p->file->filename, p->line, column_of(p, at), p->key, message);
  else
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG, "%s:%u:%u: %s", p->file->filename,
                p->line, column_of(p, at), message);
  return FALSE;
}

static void
new_line(Parser *p)
{
  /* p->cur points just past a '\n' */
  p->line++;
  p->line_start = p->cur;
}

static void
skip_blanks(Parser *p)
{
  while (p->cur < p->end && (*p->cur == ' ' || *p->cur == '\t' || *p->cur == '\r'))
    p->cur++;
}

static void
skip_comment(Parser *p)
{
  if (p->cur < p->end && *p->cur == '#') {
    while (p->cur < p->end && *p->cur != '\n')
      p->cur++;
  }
}

/* Inside a list, newlines and comments are white space too. */
static void
skip_list_space(Parser *p)
{
  for (;;) {
    skip_blanks(p);
    skip_comment(p);
    if (p->cur < p->end && *p->cur == '\n') {
      p->cur++;
      new_line(p);
      continue;
    }
    return;
  }
}

static gboolean parse_value(Parser *p, guint depth, VbConfValue **out, GError **error);

static gboolean
check_string_text(Parser *p, const char *open, const char *text, gsize len, GError **error)
{
  if (memchr(text, '\0', len) != NULL)
    return fail_at(p, open, error, "the string starting here contains a NUL byte");
  if (!g_utf8_validate(text, (gssize)len, NULL))
    return fail_at(p, open, error, "the string starting here is not valid UTF-8");
  return TRUE;
}

static gboolean
parse_string(Parser *p, VbConfValue *value, GError **error)
{
  const char *open = p->cur;
  char quote = *p->cur;

  if (quote == '"' && p->end - p->cur >= 3 && strncmp(p->cur, "\"\"\"", 3) == 0) {
    const char *text = p->cur + 3;
    const char *close = NULL;

    for (const char *q = text; q + 3 <= p->end; q++) {
      if (strncmp(q, "\"\"\"", 3) == 0) {
        close = q;
        break;
      }
    }
    if (close == NULL)
      return fail_at(p, open, error, "the string opened with \"\"\" here is never closed");
    if (!check_string_text(p, open, text, (gsize)(close - text), error))
      return FALSE;
    value->string = g_strndup(text, (gsize)(close - text));
    /* The string may span lines: keep the line count right for what follows. */
    for (const char *q = text; q < close; q++) {
      if (*q == '\n') {
        p->line++;
        p->line_start = q + 1;
      }
    }
    p->cur = close + 3;
    return TRUE;
  }

  for (const char *q = open + 1; q < p->end; q++) {
    if (*q == '\n')
      break;
    if (*q == quote) {
      if (!check_string_text(p, open, open + 1, (gsize)(q - open - 1), error))
        return FALSE;
      value->string = g_strndup(open + 1, (gsize)(q - open - 1));
      p->cur = q + 1;
      return TRUE;
    }
  }
  return fail_at(p, open, error,
                 "the string opened with %c here is not closed on the same line (use \"\"\" "
                 "for text over several lines)",
                 quote);
}

static gboolean
parse_integer(Parser *p, VbConfValue *value, GError **error)
{
  const char *start = p->cur;
  gboolean negative = FALSE;
  guint64 magnitude = 0;
  const char *digits;

  if (*p->cur == '+' || *p->cur == '-') {
    negative = *p->cur == '-';
    p->cur++;
  }
  digits = p->cur;
  while (p->cur < p->end && g_ascii_isdigit(*p->cur)) {
    guint digit = (guint)(*p->cur - '0');

    if (magnitude > (G_MAXUINT64 - digit) / 10)
      return fail_at(p, start, error, "the integer starting here is out of the 64-bit range");
    magnitude = magnitude * 10 + digit;
    p->cur++;
  }
  if (p->cur == digits)
    return fail_at(p, start, error, "expected digits after the sign");
  if (p->cur < p->end && (g_ascii_isalpha(*p->cur) || *p->cur == '_' || *p->cur == '.')) {
    g_autofree char *found = describe_at(p, p->cur);
    return fail_at(p, start, error, "the integer starting here runs into %s (strings need quotes)",
                   found);
  }

  if (negative) {
    if (magnitude > (guint64)G_MAXINT64 + 1)
      return fail_at(p, start, error, "the integer starting here is out of the 64-bit range");
    value->integer = magnitude == (guint64)G_MAXINT64 + 1 ? G_MININT64 : -(gint64)magnitude;
  } else {
    if (magnitude > (guint64)G_MAXINT64)
      return fail_at(p, start, error, "the integer starting here is out of the 64-bit range");
    value->integer = (gint64)magnitude;
  }
  return TRUE;
}

static gboolean
parse_list(Parser *p, guint depth, VbConfValue *value, GError **error)
{
  const char *open = p->cur;
  guint open_line = p->line;
  guint open_column = column_of(p, open);

  if (depth >= MAX_LIST_DEPTH)
    return fail_at(p, open, error, "lists nested more than %d deep", MAX_LIST_DEPTH);

  value->items = g_ptr_array_new_with_free_func((GDestroyNotify)vb_conf_value_free);
  p->cur++; /* '[' */
  for (;;) {
    VbConfValue *item = NULL;

    skip_list_space(p);
    if (p->cur >= p->end)
      return fail_at(p, p->cur, error, "the list opened at line %u, column %u is never closed",
                     open_line, open_column);
    if (*p->cur == ']') {
      p->cur++;
      return TRUE;
    }
    if (!parse_value(p, depth + 1, &item, error))
      return FALSE;
    g_ptr_array_add(value->items, item);
    skip_list_space(p);
    if (p->cur < p->end && *p->cur == ',') {
      p->cur++;
      continue;
    }
    if (p->cur < p->end && *p->cur == ']') {
      p->cur++;
      return TRUE;
    }
    if (p->cur >= p->end)
      return fail_at(p, p->cur, error, "the list opened at line %u, column %u is never closed",
                     open_line, open_column);
    {
      g_autofree char *found = describe_at(p, p->cur);
      return fail_at(p, p->cur, error, "expected ',' or ']' in the list, found %s", found);
    }
  }
}

static gboolean
parse_value(Parser *p, guint depth, VbConfValue **out, GError **error)
{
  g_autoptr(VbConfValue) value = g_new0(VbConfValue, 1);
  char c;

  value->line = p->line;
  value->column = column_of(p, p->cur);

  c = p->cur < p->end ? *p->cur : '\0';
  if (p->cur < p->end && (c == '"' || c == '\'')) {
    value->type = VB_CONF_STRING;
    if (!parse_string(p, value, error))
      return FALSE;
  } else if (p->cur < p->end && (g_ascii_isdigit(c) || c == '+' || c == '-')) {
    value->type = VB_CONF_INTEGER;
    if (!parse_integer(p, value, error))
      return FALSE;
  } else if (p->cur < p->end && c == '[') {
    value->type = VB_CONF_LIST;
    if (!parse_list(p, depth, value, error))
      return FALSE;
  } else {
    g_autofree char *found = describe_at(p, p->cur);
    return fail_at(p, p->cur, error,
                   "expected a value (a quoted string, an integer or a [list]), found %s", found);
  }
  *out = g_steal_pointer(&value);
  return TRUE;
}

static gboolean
parse_entry(Parser *p, GError **error)
{
  const char *name_start = p->cur;
  VbConfEntry *entry;
  VbConfValue *value = NULL;
  g_autofree char *name = NULL;
  guint line = p->line;
  guint column = column_of(p, p->cur);

  if (!g_ascii_isalpha(*p->cur) && *p->cur != '_') {
    g_autofree char *found = describe_at(p, p->cur);
    return fail_at(p, p->cur, error, "expected a setting name, found %s", found);
  }
  while (p->cur < p->end && (g_ascii_isalnum(*p->cur) || *p->cur == '_'))
    p->cur++;
  name = g_strndup(name_start, (gsize)(p->cur - name_start));
  p->key = name;

  skip_blanks(p);
  if (p->cur >= p->end || *p->cur != '=') {
    g_autofree char *found = describe_at(p, p->cur);
    fail_at(p, p->cur, error, "expected '=' after the name, found %s", found);
    p->key = NULL;
    return FALSE;
  }
  p->cur++;
  skip_blanks(p);
  if (!parse_value(p, 0, &value, error)) {
    p->key = NULL;
    return FALSE;
  }
  entry = g_new0(VbConfEntry, 1);
  entry->line = line;
  entry->column = column;
  entry->value = value;
  entry->name = g_steal_pointer(&name);
  g_ptr_array_add((GPtrArray *)p->file->entries, entry);

  skip_blanks(p);
  skip_comment(p);
  if (p->cur < p->end && *p->cur != '\n' && *p->cur != ';') {
    g_autofree char *found = describe_at(p, p->cur);
    p->key = entry->name;
    fail_at(p, p->cur, error, "expected the end of the line or ';' after the value, found %s",
            found);
    p->key = NULL;
    return FALSE;
  }
  p->key = NULL;
  return TRUE;
}

/**
 * vb_conf_file_parse:
 * @filename: the name used in messages
 * @data: the file's contents, not necessarily NUL-terminated
 * @length: bytes in @data
 * @error: return location for a VB_ERROR_INVALID_CONFIG error naming file, line and column
 *
 * Returns: (transfer full) (nullable): the entries in file order
 */
VbConfFile *
vb_conf_file_parse(const char *filename, const char *data, gsize length, GError **error)
{
  g_autoptr(VbConfFile) self = g_new0(VbConfFile, 1);
  Parser p = {0};

  g_return_val_if_fail(filename != NULL, NULL);
  g_return_val_if_fail(data != NULL || length == 0, NULL);

  self->filename = g_strdup(filename);
  self->entries = g_ptr_array_new_with_free_func((GDestroyNotify)vb_conf_entry_free);

  p.file = self;
  p.start = data != NULL ? data : "";
  p.cur = p.start;
  p.end = p.start + length;
  p.line_start = p.start;
  p.line = 1;

  while (p.cur < p.end) {
    skip_blanks(&p);
    skip_comment(&p);
    if (p.cur >= p.end)
      break;
    if (*p.cur == '\n') {
      p.cur++;
      new_line(&p);
      continue;
    }
    if (*p.cur == ';') {
      p.cur++;
      continue;
    }
    if (!parse_entry(&p, error))
      return NULL;
  }
  return g_steal_pointer(&self);
}

const char *
vb_conf_file_get_filename(const VbConfFile *self)
{
  return self->filename;
}

guint
vb_conf_file_get_n_entries(const VbConfFile *self)
{
  return self->entries->len;
}

const VbConfEntry *
vb_conf_file_get_entry(const VbConfFile *self, guint index)
{
  g_return_val_if_fail(index < self->entries->len, NULL);
  return g_ptr_array_index(self->entries, index);
}

/**
 * vb_conf_file_lookup:
 *
 * Returns: (nullable): the first entry called @name; as in libvirt, later duplicates are
 * ignored
 */
const VbConfEntry *
vb_conf_file_lookup(const VbConfFile *self, const char *name)
{
  for (guint i = 0; i < self->entries->len; i++) {
    const VbConfEntry *entry = g_ptr_array_index(self->entries, i);

    if (g_str_equal(entry->name, name))
      return entry;
  }
  return NULL;
}

/**
 * vb_conf_entry_get_item:
 *
 * Returns: (nullable): item @index of a list entry; for a single string, the string itself as
 * item 0
 */
const VbConfValue *
vb_conf_entry_get_item(const VbConfEntry *entry, guint index)
{
  if (entry->value->type == VB_CONF_LIST)
    return index < entry->value->items->len ? g_ptr_array_index(entry->value->items, index) : NULL;
  return index == 0 ? entry->value : NULL;
}

/**
 * vb_conf_file_set_value_error:
 * @value: (nullable): the value at fault, defaults to the entry's value
 *
 * Sets an INVALID_CONFIG error in the form every typed reader uses:
 * "FILE:LINE:COLUMN: setting 'KEY': MESSAGE".
 */
void
vb_conf_file_set_value_error(const VbConfFile *self,
                             const VbConfEntry *entry,
                             const VbConfValue *value,
                             GError **error,
                             const char *format,
                             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (value == NULL)
    value = entry->value;
  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG, "%s:%u:%u: setting '%s': %s",
              self->filename, value->line, value->column, entry->name, message);
}

static gboolean
check_type(const VbConfFile *self,
           const VbConfEntry *entry,
           VbConfType want,
           const char *want_text,
           GError **error)
{
  if (entry->value->type == want)
    return TRUE;
  vb_conf_file_set_value_error(self, entry, NULL, error, "expected %s, found %s", want_text,
                               vb_conf_type_to_string(entry->value->type));
  return FALSE;
}

/* The typed getters leave *inout untouched when the setting is absent, so callers pre-load
 * their defaults. */

gboolean
vb_conf_file_get_string(const VbConfFile *self, const char *name, char **inout, GError **error)
{
  const VbConfEntry *entry = vb_conf_file_lookup(self, name);

  if (entry == NULL)
    return TRUE;
  if (!check_type(self, entry, VB_CONF_STRING, "a quoted string", error))
    return FALSE;
  g_free(*inout);
  *inout = g_strdup(entry->value->string);
  return TRUE;
}

gboolean
vb_conf_file_get_bool(const VbConfFile *self, const char *name, gboolean *inout, GError **error)
{
  const VbConfEntry *entry = vb_conf_file_lookup(self, name);

  if (entry == NULL)
    return TRUE;
  if (!check_type(self, entry, VB_CONF_INTEGER, "0 or 1", error))
    return FALSE;
  if (entry->value->integer != 0 && entry->value->integer != 1) {
    vb_conf_file_set_value_error(self, entry, NULL, error,
                                 "expected 0 or 1, found %" G_GINT64_FORMAT, entry->value->integer);
    return FALSE;
  }
  *inout = entry->value->integer == 1;
  return TRUE;
}

gboolean
vb_conf_file_get_int(
    const VbConfFile *self, const char *name, gint64 min, gint64 max, gint64 *inout, GError **error)
{
  const VbConfEntry *entry = vb_conf_file_lookup(self, name);

  if (entry == NULL)
    return TRUE;
  if (!check_type(self, entry, VB_CONF_INTEGER, "an integer", error))
    return FALSE;
  if (entry->value->integer < min || entry->value->integer > max) {
    vb_conf_file_set_value_error(self, entry, NULL, error,
                                 "%" G_GINT64_FORMAT
                                 " is out of range: allowed are %" G_GINT64_FORMAT
                                 " to %" G_GINT64_FORMAT,
                                 entry->value->integer, min, max);
    return FALSE;
  }
  *inout = entry->value->integer;
  return TRUE;
}

gboolean
vb_conf_file_get_string_list(const VbConfFile *self,
                             const char *name,
                             gboolean allow_single_string,
                             GStrv *inout,
                             GError **error)
{
  const VbConfEntry *entry = vb_conf_file_lookup(self, name);
  g_autoptr(GStrvBuilder) builder = NULL;

  if (entry == NULL)
    return TRUE;
  builder = g_strv_builder_new();
  if (entry->value->type == VB_CONF_STRING && allow_single_string) {
    g_strv_builder_add(builder, entry->value->string);
  } else if (entry->value->type == VB_CONF_LIST) {
    for (guint i = 0; i < entry->value->items->len; i++) {
      const VbConfValue *item = g_ptr_array_index(entry->value->items, i);

      if (item->type != VB_CONF_STRING) {
        vb_conf_file_set_value_error(self, entry, item, error,
                                     "list items must be quoted strings, found %s",
                                     vb_conf_type_to_string(item->type));
        return FALSE;
      }
      g_strv_builder_add(builder, item->string);
    }
  } else {
    vb_conf_file_set_value_error(self, entry, NULL, error, "expected %s, found %s",
                                 allow_single_string ? "a quoted string or a list of them"
                                                     : "a list of quoted strings",
                                 vb_conf_type_to_string(entry->value->type));
    return FALSE;
  }
  g_strfreev(*inout);
  *inout = g_strv_builder_end(builder);
  return TRUE;
}
