/* vb-xml-writer.c: a minimal streaming XML writer for libvirt-style output.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "vb-error.h"
#include "vb-xml-writer.h"

typedef enum {
  TAG_OPEN,     /* "<name attr='…'" written, nothing after it yet */
  TAG_CHILDREN, /* ">\n" written, children follow on their own lines */
  TAG_TEXT,     /* ">text" written, the end tag follows on the same line */
} TagState;

typedef struct {
  char *name; /* (owned) */
  TagState state;
} Tag;

struct _VbXmlWriter {
  GString *out;   /* (owned) */
  GArray *stack;  /* (owned) (element-type Tag) */
  GError *failed; /* (nullable) (owned): the first value XML cannot carry */
};

static void
clear_tag(Tag *tag)
{
  g_free(tag->name);
}

VbXmlWriter *
vb_xml_writer_new(void)
{
  VbXmlWriter *w = g_new0(VbXmlWriter, 1);

  w->out = g_string_new(NULL);
  w->stack = g_array_new(FALSE, FALSE, sizeof(Tag));
  g_array_set_clear_func(w->stack, (GDestroyNotify)clear_tag);
  return w;
}

void
vb_xml_writer_free(VbXmlWriter *w)
{
  if (w == NULL)
    return;
  g_string_free(w->out, TRUE);
  g_array_unref(w->stack);
  g_clear_error(&w->failed);
  g_free(w);
}

/**
 * vb_xml_writer_finish:
 *
 * Every element must have been ended.
 *
 * Returns: (transfer full): the document, or %NULL with an INVALID_ARGS error naming the first
 *   value that XML cannot carry (invalid UTF-8, a control character)
 */
char *
vb_xml_writer_finish(VbXmlWriter *w, GError **error)
{
  g_return_val_if_fail(w->stack->len == 0, NULL);
  if (w->failed != NULL) {
    g_propagate_error(error, g_error_copy(w->failed));
    return NULL;
  }
  return g_strdup(w->out->str);
}

/* The characters of XML 1.0: tab, line feed, carriage return and from U+0020 on, less the
 * surrogates and U+FFFE, U+FFFF. */
static gboolean
is_xml_char(gunichar c)
{
  return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Where the writer is, as an XPath-like location: "/domain/devices/disk/source/@file". */
static char *
location(VbXmlWriter *w, const char *attribute)
{
  GString *where = g_string_new(NULL);

  for (guint i = 0; i < w->stack->len; i++)
    g_string_append_printf(where, "/%s", g_array_index(w->stack, Tag, i).name);
  if (attribute != NULL)
    g_string_append_printf(where, "/@%s", attribute);
  return g_string_free(where, FALSE);
}

/* Remembers the first value that cannot be written, for finish(); @attribute (or the element
 * when NULL) names it. */
static gboolean
check_value(VbXmlWriter *w, const char *attribute, const char *text)
{
  g_autofree char *where = NULL;
  const char *c;

  if (w->failed != NULL)
    return FALSE;
  if (!g_utf8_validate(text, -1, NULL)) {
    where = location(w, attribute);
    w->failed = g_error_new(VB_ERROR, VB_ERROR_INVALID_ARGS,
                            "%s: the value is not valid UTF-8, which XML cannot carry", where);
    return FALSE;
  }
  for (c = text; *c != '\0'; c = g_utf8_next_char(c)) {
    gunichar u = g_utf8_get_char(c);

    if (!is_xml_char(u)) {
      where = location(w, attribute);
      w->failed =
          g_error_new(VB_ERROR, VB_ERROR_INVALID_ARGS,
                      "%s: the value holds the character U+%04X, which XML cannot carry", where, u);
      return FALSE;
    }
  }
  return TRUE;
}

static void
escape(GString *out, const char *text, gboolean attribute)
{
  for (const char *c = text; *c != '\0'; c++) {
    switch (*c) {
    /* A parser turns white space in an attribute into spaces, and a carriage return anywhere
     * into a line feed: as references they read back as they were. */
    case '\n':
    case '\t':
      if (attribute)
        g_string_append_printf(out, "&#%d;", *c);
      else
        g_string_append_c(out, *c);
      break;
    case '\r':
      g_string_append(out, "&#13;");
      break;
    case '&':
      g_string_append(out, "&amp;");
      break;
    case '<':
      g_string_append(out, "&lt;");
      break;
    case '>':
      g_string_append(out, "&gt;");
      break;
    case '\'':
      g_string_append(out, attribute ? "&apos;" : "'");
      break;
    case '"':
      g_string_append(out, attribute ? "&quot;" : "\"");
      break;
    default:
      g_string_append_c(out, *c);
      break;
    }
  }
}

static void
indent(VbXmlWriter *w)
{
  for (guint i = 0; i < w->stack->len; i++)
    g_string_append(w->out, "  ");
}

/* Before a child: the parent's start tag gets its ">" and a line of its own. */
static void
open_parent(VbXmlWriter *w)
{
  Tag *parent;

  if (w->stack->len == 0)
    return;
  parent = &g_array_index(w->stack, Tag, w->stack->len - 1);
  if (parent->state == TAG_OPEN) {
    g_string_append(w->out, ">\n");
    parent->state = TAG_CHILDREN;
  }
}

void
vb_xml_writer_start(VbXmlWriter *w, const char *name)
{
  Tag tag = {g_strdup(name), TAG_OPEN};

  open_parent(w);
  indent(w);
  g_string_append_printf(w->out, "<%s", name);
  g_array_append_val(w->stack, tag);
}

/* Writes name='value'; a NULL value writes nothing, so optional attributes need no test. */
void
vb_xml_writer_attr(VbXmlWriter *w, const char *name, const char *value)
{
  g_return_if_fail(w->stack->len > 0);
  g_return_if_fail(g_array_index(w->stack, Tag, w->stack->len - 1).state == TAG_OPEN);

  if (value == NULL)
    return;
  if (!check_value(w, name, value))
    return;
  g_string_append_printf(w->out, " %s='", name);
  escape(w->out, value, TRUE);
  g_string_append_c(w->out, '\'');
}

void
vb_xml_writer_attr_printf(VbXmlWriter *w, const char *name, const char *format, ...)
{
  g_autofree char *value = NULL;
  va_list args;

  va_start(args, format);
  value = g_strdup_vprintf(format, args);
  va_end(args);
  vb_xml_writer_attr(w, name, value);
}

/* @value indexes @values, as the readers' vb_xml_attr_enum() fills it. */
void
vb_xml_writer_attr_enum(VbXmlWriter *w, const char *name, const char *const *values, gint value)
{
  if (value >= 0)
    vb_xml_writer_attr(w, name, values[value]);
}

/* @value is a tri-state as vb_xml_attr_bool() fills it. */
void
vb_xml_writer_attr_bool(
    VbXmlWriter *w, const char *name, gint value, const char *yes, const char *no)
{
  if (value >= 0)
    vb_xml_writer_attr(w, name, value ? yes : no);
}

void
vb_xml_writer_attr_count(VbXmlWriter *w, const char *name, gint64 value)
{
  if (value >= 0)
    vb_xml_writer_attr_printf(w, name, "%" G_GINT64_FORMAT, value);
}

void
vb_xml_writer_text(VbXmlWriter *w, const char *text)
{
  Tag *tag;

  g_return_if_fail(w->stack->len > 0);
  tag = &g_array_index(w->stack, Tag, w->stack->len - 1);
  g_return_if_fail(tag->state == TAG_OPEN);
  g_string_append_c(w->out, '>');
  if (check_value(w, NULL, text))
    escape(w->out, text, FALSE);
  tag->state = TAG_TEXT;
}

/* Writes one ready-made element (kept verbatim, such as a <metadata> child) on a line of its
 * own at the current depth. Its inner lines are written as they are: the caller serialised it
 * for this depth, and re-indenting would change text inside it. */
void
vb_xml_writer_raw(VbXmlWriter *w, const char *xml)
{
  open_parent(w);
  indent(w);
  g_string_append(w->out, xml);
  g_string_append_c(w->out, '\n');
}

void
vb_xml_writer_end(VbXmlWriter *w)
{
  Tag *tag;

  g_return_if_fail(w->stack->len > 0);
  tag = &g_array_index(w->stack, Tag, w->stack->len - 1);
  switch (tag->state) {
  case TAG_OPEN:
    g_string_append(w->out, "/>\n");
    break;
  case TAG_TEXT:
    g_string_append_printf(w->out, "</%s>\n", tag->name);
    break;
  case TAG_CHILDREN:
  default: {
    g_autofree char *name = g_strdup(tag->name);

    g_array_set_size(w->stack, w->stack->len - 1);
    indent(w);
    g_string_append_printf(w->out, "</%s>\n", name);
    return;
  }
  }
  g_array_set_size(w->stack, w->stack->len - 1);
}

/* <name>text</name>, nothing when @text is NULL. */
void
vb_xml_writer_element_text(VbXmlWriter *w, const char *name, const char *text)
{
  if (text == NULL)
    return;
  vb_xml_writer_start(w, name);
  vb_xml_writer_text(w, text);
  vb_xml_writer_end(w);
}
