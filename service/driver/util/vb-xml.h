/* vb-xml.h: hardened XML reading with "nothing silently dropped" bookkeeping.
 *
 * Readers take attributes and child elements through these helpers, which mark each as read.
 * vb_xml_check_all_read() then names the first element or attribute nobody read, so an
 * unsupported part of a document is an error instead of being lost.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* Limits on untrusted documents. */
#define VB_XML_MAX_SIZE (10 * 1024 * 1024)
#define VB_XML_MAX_DEPTH 64

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

xmlDoc *vb_xml_parse(const char *text, gsize length, GError **error);

long vb_xml_line(xmlNode *node);
void vb_xml_mark_read(xmlNode *node);
void vb_xml_mark_subtree_read(xmlNode *node);
gboolean vb_xml_check_all_read(xmlNode *root, GError **error);

const char *vb_xml_attr(xmlNode *node, const char *name);
xmlNode *vb_xml_child(xmlNode *node, const char *name);
GPtrArray *vb_xml_children(xmlNode *node, const char *name);
GPtrArray *vb_xml_ns_children(xmlNode *node, const char *ns_uri);
char *vb_xml_text(xmlNode *node);
char *vb_xml_child_text(xmlNode *node, const char *name);

char *vb_xml_path(xmlNode *node, const char *attribute);
void vb_xml_set_error(
    GError **error, gint code, xmlNode *node, const char *attribute, const char *format, ...)
    G_GNUC_PRINTF(5, 6);

gboolean vb_xml_attr_enum(
    xmlNode *node, const char *name, const char *const *values, gint *inout, GError **error);
gboolean vb_xml_attr_enum_subset(xmlNode *node,
                                 const char *name,
                                 const char *const *values,
                                 const char *const *known_elsewhere,
                                 gint *inout,
                                 GError **error);
gboolean vb_xml_attr_bool(
    xmlNode *node, const char *name, const char *yes, const char *no, gint *inout, GError **error);
gboolean
vb_xml_attr_uint(xmlNode *node, const char *name, guint64 max, guint64 *inout, GError **error);
gboolean
vb_xml_attr_count(xmlNode *node, const char *name, gint64 max, gint64 *inout, GError **error);

G_END_DECLS
