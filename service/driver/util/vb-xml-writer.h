/* vb-xml-writer.h: writes XML in libvirt's layout: two-space indent, single-quoted attributes,
 * empty elements closed with "/>", text inline.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _VbXmlWriter VbXmlWriter;

VbXmlWriter *vb_xml_writer_new(void);
void vb_xml_writer_free(VbXmlWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbXmlWriter, vb_xml_writer_free)
char *vb_xml_writer_finish(VbXmlWriter *w, GError **error);

void vb_xml_writer_start(VbXmlWriter *w, const char *name);
void vb_xml_writer_attr(VbXmlWriter *w, const char *name, const char *value);
void vb_xml_writer_attr_printf(VbXmlWriter *w, const char *name, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
/* Optional values: a negative value (VB_ABSENT in the domain model, -1 for counts) writes
 * nothing. */
void
vb_xml_writer_attr_enum(VbXmlWriter *w, const char *name, const char *const *values, gint value);
void vb_xml_writer_attr_bool(
    VbXmlWriter *w, const char *name, gint value, const char *yes, const char *no);
void vb_xml_writer_attr_count(VbXmlWriter *w, const char *name, gint64 value);
void vb_xml_writer_text(VbXmlWriter *w, const char *text);
void vb_xml_writer_raw(VbXmlWriter *w, const char *xml);
void vb_xml_writer_end(VbXmlWriter *w);

void vb_xml_writer_element_text(VbXmlWriter *w, const char *name, const char *text);

G_END_DECLS
