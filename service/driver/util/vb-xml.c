/* vb-xml.c: hardened parsing of untrusted XML, read-tracking and error messages that name the
 * element, the attribute and the line.
 *
 * Hardening: no network, no DTD (a <!DOCTYPE> stops the parse before its declarations are read,
 * so no entity can be declared, let alone expanded), a size cap and a depth cap.
 *
 * Read-tracking uses the `_private` pointer libxml2 reserves for applications on every node and
 * attribute: documents parsed here are private to one reader, never shared.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdarg.h>
#include <string.h>

#include "vb-error.h"
#include "vb-xml.h"

#define READ_MARK GINT_TO_POINTER(1)

/* What the parser callbacks saw, through the context's _private pointer. */
typedef struct {
  gboolean saw_doctype;
  gboolean have_first;
  int first_line;
  int first_column;
  char *first_message; /* (owned) (nullable): the first error, the cause of the rest */
} ParseState;

static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
  xmlParserCtxt *ctxt = ctx;
  ParseState *state = ctxt->_private;

  state->saw_doctype = TRUE;
  xmlStopParser(ctxt);
}

/* libxml2 counts an element's line in 16 bits (65535 means "or later"), and BIG_LINES keeps
 * the real number for text nodes only: elements past that line keep theirs in psvi, which
 * nothing else uses in documents parsed without a schema. */
static void
on_start_element(void *ctx,
                 const xmlChar *localname,
                 const xmlChar *prefix,
                 const xmlChar *uri,
                 int nb_namespaces,
                 const xmlChar **namespaces,
                 int nb_attributes,
                 int nb_defaulted,
                 const xmlChar **attributes)
{
  xmlParserCtxt *ctxt = ctx;

  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                        nb_defaulted, attributes);
  if (ctxt->node != NULL && ctxt->input != NULL && ctxt->input->line >= 65535)
    ctxt->node->psvi = GINT_TO_POINTER(ctxt->input->line);
}

/**
 * vb_xml_line:
 *
 * Returns: the line @node starts on, also past line 65535
 */
long
vb_xml_line(xmlNode *node)
{
  if (node->type == XML_ELEMENT_NODE && node->line == 65535 && node->psvi != NULL)
    return GPOINTER_TO_INT(node->psvi);
  return xmlGetLineNo(node);
}

/* libxml2 keeps only the last error, which after an unclosed element is "Premature end of
 * data" at the end of the document: the first one says where the document went wrong. */
static void
on_error(void *ctx, xmlError *error)
{
  xmlParserCtxt *ctxt = ctx;
  ParseState *state = ctxt != NULL ? ctxt->_private : NULL;

  if (state == NULL || state->have_first || error->level < XML_ERR_ERROR)
    return;
  state->have_first = TRUE;
  state->first_line = error->line;
  state->first_column = error->int2;
  state->first_message = g_strdup(error->message != NULL ? error->message : "malformed XML");
  g_strchomp(state->first_message);
}

/* The first element nested deeper than VB_XML_MAX_DEPTH, or NULL; iterative, so a deep
 * document costs no stack. */
static xmlNode *
too_deep(xmlNode *root)
{
  xmlNode *node = root;
  guint depth = 1;

  while (node != NULL) {
    xmlNode *child = node->children;

    while (child != NULL && child->type != XML_ELEMENT_NODE)
      child = child->next;
    if (child != NULL) {
      if (++depth > VB_XML_MAX_DEPTH)
        return child;
      node = child;
      continue;
    }
    /* no element below: the next element sibling here or of an ancestor */
    while (node != NULL && node != root) {
      xmlNode *next = node->next;

      while (next != NULL && next->type != XML_ELEMENT_NODE)
        next = next->next;
      if (next != NULL) {
        node = next;
        break;
      }
      node = node->parent;
      depth--;
    }
    if (node == root)
      break;
  }
  return NULL;
}

/* 1 + the newlines before @offset. */
static guint
line_at(const char *text, gsize offset)
{
  guint line = 1;

  for (gsize i = 0; i < offset; i++) {
    if (text[i] == '\n')
      line++;
  }
  return line;
}

/**
 * vb_xml_parse:
 * @text: the document, not necessarily NUL-terminated
 * @length: bytes in @text
 * @error: return location for a VB_ERROR_INVALID_XML error with line and column
 *
 * Returns: (transfer full) (nullable): the document
 */
xmlDoc *
vb_xml_parse(const char *text, gsize length, GError **error)
{
  xmlParserCtxt *ctxt;
  g_autoptr(xmlDoc) doc = NULL;
  ParseState state = {0};
  const char *nul;
  xmlNode *deep;
  /* BIG_LINES: line numbers past 65535 are reported as they are, not as 65535. HUGE: our own
   * caps (size, depth) are the limits, so that a long value inside them is not refused with
   * libxml2's confusing "huge text node" and "Extra content" messages. */
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                      XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES | XML_PARSE_HUGE;

  if (length > VB_XML_MAX_SIZE) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_XML,
                "the document is %zu bytes, more than the %d bytes allowed", length,
                VB_XML_MAX_SIZE);
    return NULL;
  }
  if (length == 0) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_XML, "the document is empty");
    return NULL;
  }
  /* libxml2 stops reading at a NUL byte and would take what came before it for the document */
  nul = memchr(text, '\0', length);
  if (nul != NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_XML,
                "line %u: the document holds a NUL byte, which XML cannot carry",
                line_at(text, (gsize)(nul - text)));
    return NULL;
  }

  ctxt = xmlNewParserCtxt();
  if (ctxt == NULL) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_FAILED, "cannot allocate an XML parser");
    return NULL;
  }
  ctxt->sax->internalSubset = on_doctype;
  ctxt->sax->serror = on_error;
  ctxt->sax->startElementNs = on_start_element;
  ctxt->sax->initialized = XML_SAX2_MAGIC; /* libxml2 calls serror only then */
  ctxt->_private = &state;
  doc = xmlCtxtReadMemory(ctxt, text, (int)length, "domain.xml", "UTF-8", options);

  if (state.saw_doctype) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_XML,
                "line %d: document type declarations (<!DOCTYPE>) are not accepted",
                ctxt->input != NULL ? ctxt->input->line : 0);
    xmlFreeParserCtxt(ctxt);
    g_free(state.first_message);
    return NULL;
  }
  if (doc == NULL || !ctxt->wellFormed) {
    const xmlError *last = xmlCtxtGetLastError(ctxt);

    if (state.have_first)
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_XML, "line %d, column %d: %s", state.first_line,
                  state.first_column, state.first_message);
    else
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_XML, "line %d, column %d: malformed XML",
                  last != NULL ? last->line : 0, last != NULL ? last->int2 : 0);
    xmlFreeParserCtxt(ctxt);
    g_free(state.first_message);
    return NULL;
  }
  xmlFreeParserCtxt(ctxt);
  g_free(state.first_message);

  if (xmlDocGetRootElement(doc) == NULL) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_XML, "the document has no element");
    return NULL;
  }
  deep = too_deep(xmlDocGetRootElement(doc));
  if (deep != NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_XML,
                "line %ld: <%s> is nested more than %d elements deep", vb_xml_line(deep),
                (const char *)deep->name, VB_XML_MAX_DEPTH);
    return NULL;
  }
  return g_steal_pointer(&doc);
}

void
vb_xml_mark_read(xmlNode *node)
{
  node->_private = READ_MARK;
}

/* For content kept verbatim (metadata): everything below counts as read. */
void
vb_xml_mark_subtree_read(xmlNode *node)
{
  node->_private = READ_MARK;
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next)
    attr->_private = READ_MARK;
  for (xmlNode *child = node->children; child != NULL; child = child->next) {
    if (child->type == XML_ELEMENT_NODE)
      vb_xml_mark_subtree_read(child);
  }
}

/**
 * vb_xml_path:
 * @attribute: (nullable): an attribute of @node to name
 *
 * Returns: (transfer full): an XPath-like name such as /domain/devices/disk[2]/@device
 */
char *
vb_xml_path(xmlNode *node, const char *attribute)
{
  GString *path = g_string_new(NULL);

  /* Built here rather than with xmlGetNodePath(), which names an element in a default
   * namespace "*", useless in a message. A prefix is shown as written. */
  for (xmlNode *n = node; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent) {
    g_autofree char *step = NULL;
    guint index = 0, count = 0;

    for (xmlNode *s = n->parent != NULL ? n->parent->children : n; s != NULL; s = s->next) {
      if (s->type != XML_ELEMENT_NODE || !xmlStrEqual(s->name, n->name) ||
          (s->ns == NULL) != (n->ns == NULL) ||
          (s->ns != NULL && !xmlStrEqual(s->ns->href, n->ns->href)))
        continue;
      count++;
      if (s == n)
        index = count;
    }
    step = g_strdup_printf(
        "/%s%s%s", n->ns != NULL && n->ns->prefix != NULL ? (const char *)n->ns->prefix : "",
        n->ns != NULL && n->ns->prefix != NULL ? ":" : "", (const char *)n->name);
    if (count > 1) {
      g_autofree char *numbered = g_strdup_printf("%s[%u]", step, index);

      g_string_prepend(path, numbered);
    } else {
      g_string_prepend(path, step);
    }
  }
  if (attribute != NULL)
    g_string_append_printf(path, "/@%s", attribute);
  return g_string_free(path, FALSE);
}

/**
 * vb_xml_set_error:
 *
 * Sets an error of the form "line N: /domain/path/@attr: MESSAGE".
 */
void
vb_xml_set_error(
    GError **error, gint code, xmlNode *node, const char *attribute, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *path = vb_xml_path(node, attribute);
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, VB_ERROR, code, "line %ld: %s: %s", vb_xml_line(node), path, message);
  vb_error_shorten(error != NULL ? *error : NULL);
}

static gboolean
check_node(xmlNode *node, GError **error)
{
  if (node->_private != READ_MARK) {
    vb_xml_set_error(error, VB_ERROR_NOT_SUPPORTED, node, NULL,
                     "the element <%s> is not supported by virtbus", (const char *)node->name);
    return FALSE;
  }
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next) {
    if (attr->_private != READ_MARK) {
      vb_xml_set_error(error, VB_ERROR_NOT_SUPPORTED, node, (const char *)attr->name,
                       "the attribute '%s' is not supported by virtbus", (const char *)attr->name);
      return FALSE;
    }
  }
  for (xmlNode *child = node->children; child != NULL; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && !check_node(child, error))
      return FALSE;
  }
  return TRUE;
}

/**
 * vb_xml_check_all_read:
 * @error: return location for a VB_ERROR_NOT_SUPPORTED error naming the first element or
 *   attribute below @root that no reader took
 */
gboolean
vb_xml_check_all_read(xmlNode *root, GError **error)
{
  return check_node(root, error);
}

/* Attributes in no namespace only: a namespaced attribute belongs to an extension. */
static xmlAttr *
find_attr(xmlNode *node, const char *name)
{
  for (xmlAttr *attr = node->properties; attr != NULL; attr = attr->next) {
    if (attr->ns == NULL && g_strcmp0((const char *)attr->name, name) == 0)
      return attr;
  }
  return NULL;
}

/**
 * vb_xml_attr:
 *
 * Returns: (nullable) (transfer none): the value of attribute @name, marked as read; it lives as
 *   long as the document
 */
const char *
vb_xml_attr(xmlNode *node, const char *name)
{
  xmlAttr *attr = find_attr(node, name);

  if (attr == NULL)
    return NULL;
  attr->_private = READ_MARK;
  if (attr->children == NULL)
    return "";
  return (const char *)attr->children->content;
}

static gboolean
is_plain_element(xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && node->ns == NULL &&
         g_strcmp0((const char *)node->name, name) == 0;
}

/**
 * vb_xml_child:
 *
 * Returns: (nullable) (transfer none): the first child element @name (in no namespace), marked
 *   as read
 */
xmlNode *
vb_xml_child(xmlNode *node, const char *name)
{
  for (xmlNode *child = node->children; child != NULL; child = child->next) {
    if (is_plain_element(child, name)) {
      child->_private = READ_MARK;
      return child;
    }
  }
  return NULL;
}

/**
 * vb_xml_children:
 *
 * Returns: (transfer container) (element-type xmlNode): every child element @name, in order,
 *   each marked as read
 */
GPtrArray *
vb_xml_children(xmlNode *node, const char *name)
{
  GPtrArray *found = g_ptr_array_new();

  for (xmlNode *child = node->children; child != NULL; child = child->next) {
    if (is_plain_element(child, name)) {
      child->_private = READ_MARK;
      g_ptr_array_add(found, child);
    }
  }
  return found;
}

/**
 * vb_xml_ns_children:
 *
 * Returns: (transfer container) (element-type xmlNode): every child element in the namespace
 *   @ns_uri, whatever its prefix, in order; not marked (their reader marks what it takes)
 */
GPtrArray *
vb_xml_ns_children(xmlNode *node, const char *ns_uri)
{
  GPtrArray *found = g_ptr_array_new();

  for (xmlNode *child = node->children; child != NULL; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && child->ns != NULL &&
        g_strcmp0((const char *)child->ns->href, ns_uri) == 0)
      g_ptr_array_add(found, child);
  }
  return found;
}

/**
 * vb_xml_text:
 *
 * Returns: (transfer full): the text content of @node, trimmed
 */
char *
vb_xml_text(xmlNode *node)
{
  xmlChar *content = xmlNodeGetContent(node);
  char *text = g_strstrip(g_strdup(content != NULL ? (const char *)content : ""));

  xmlFree(content);
  return text;
}

/**
 * vb_xml_child_text:
 *
 * Returns: (transfer full) (nullable): the trimmed text of child element @name, marked read
 */
char *
vb_xml_child_text(xmlNode *node, const char *name)
{
  xmlNode *child = vb_xml_child(node, name);

  return child != NULL ? vb_xml_text(child) : NULL;
}

/**
 * vb_xml_attr_enum:
 * @values: NULL-terminated names; the index of the match goes to *@inout
 *
 * Leaves *@inout alone when the attribute is absent.
 */
gboolean
vb_xml_attr_enum(
    xmlNode *node, const char *name, const char *const *values, gint *inout, GError **error)
{
  const char *value = vb_xml_attr(node, name);

  if (value == NULL)
    return TRUE;
  for (gint i = 0; values[i] != NULL; i++) {
    if (g_str_equal(values[i], value)) {
      *inout = i;
      return TRUE;
    }
  }
  {
    g_autofree char *allowed = g_strjoinv("', '", (GStrv)values);

    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, name,
                     "'%s' is not allowed (allowed: '%s')", value, allowed);
  }
  return FALSE;
}

/**
 * vb_xml_attr_enum_subset:
 * @known_elsewhere: NULL-terminated values libvirt accepts that virtbus does not implement
 *
 * Like vb_xml_attr_enum(), but a value libvirt knows and we do not is NotSupported rather than
 * InvalidConfig: the definition is valid, virtbus just cannot run it.
 */
gboolean
vb_xml_attr_enum_subset(xmlNode *node,
                        const char *name,
                        const char *const *values,
                        const char *const *known_elsewhere,
                        gint *inout,
                        GError **error)
{
  const char *value = vb_xml_attr(node, name);

  if (value != NULL && g_strv_contains(known_elsewhere, value)) {
    g_autofree char *allowed = g_strjoinv("', '", (GStrv)values);

    vb_xml_set_error(error, VB_ERROR_NOT_SUPPORTED, node, name,
                     "'%s' is not supported by virtbus (supported: '%s')", value, allowed);
    return FALSE;
  }
  return vb_xml_attr_enum(node, name, values, inout, error);
}

/**
 * vb_xml_attr_bool:
 * @yes: the spelling of true ("yes", "on")
 * @no: the spelling of false
 * @inout: -1 stays when the attribute is absent, else 1 or 0
 */
gboolean
vb_xml_attr_bool(
    xmlNode *node, const char *name, const char *yes, const char *no, gint *inout, GError **error)
{
  const char *value = vb_xml_attr(node, name);

  if (value == NULL)
    return TRUE;
  if (g_str_equal(value, yes)) {
    *inout = 1;
    return TRUE;
  }
  if (g_str_equal(value, no)) {
    *inout = 0;
    return TRUE;
  }
  vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, name,
                   "'%s' is not allowed (allowed: '%s', '%s')", value, yes, no);
  return FALSE;
}

/**
 * vb_xml_attr_uint:
 *
 * Reads a decimal (or 0x-prefixed hexadecimal) unsigned attribute up to @max; leaves *@inout
 * alone when absent.
 */
gboolean
vb_xml_attr_uint(xmlNode *node, const char *name, guint64 max, guint64 *inout, GError **error)
{
  const char *value = vb_xml_attr(node, name);
  guint64 parsed;
  gboolean ok;

  if (value == NULL)
    return TRUE;
  if (g_str_has_prefix(value, "0x") || g_str_has_prefix(value, "0X"))
    ok = value[2] != '\0' && g_ascii_string_to_unsigned(value + 2, 16, 0, max, &parsed, NULL);
  else
    ok = g_ascii_string_to_unsigned(value, 10, 0, max, &parsed, NULL);
  if (!ok) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, name,
                     "'%s' is not a number from 0 to %" G_GUINT64_FORMAT, value, max);
    return FALSE;
  }
  *inout = parsed;
  return TRUE;
}

/**
 * vb_xml_attr_count:
 * @inout: stays as it was (by convention -1, "not given") when the attribute is absent
 *
 * vb_xml_attr_uint() for the model's optional numbers, kept as gint64 with -1 for absent.
 */
gboolean
vb_xml_attr_count(xmlNode *node, const char *name, gint64 max, gint64 *inout, GError **error)
{
  guint64 value;

  if (vb_xml_attr(node, name) == NULL)
    return TRUE;
  if (!vb_xml_attr_uint(node, name, (guint64)max, &value, error))
    return FALSE;
  *inout = (gint64)value;
  return TRUE;
}
