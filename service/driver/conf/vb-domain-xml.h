/* vb-domain-xml.h: reading and writing domain XML in libvirt's format.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-domain-def.h"

G_BEGIN_DECLS

typedef enum {
  VB_DOMAIN_XML_INACTIVE = 0,    /* the persistent configuration */
  VB_DOMAIN_XML_LIVE = 1 << 0,   /* adds what a running domain has: id, aliases, … */
  VB_DOMAIN_XML_SECURE = 1 << 1, /* adds secrets such as graphics passwords */
} VbDomainXmlFlags;

VbDomainDef *vb_domain_def_parse(const char *xml, gsize length, GError **error);
/* The parser's last steps (aliases, drive addresses, libvirt's device names, boot orders) on a
 * definition built in code; errors name "/domain/devices" instead of a line. */
gboolean vb_domain_def_finish(VbDomainDef *def, GError **error);
char *vb_domain_def_format(const VbDomainDef *def, VbDomainXmlFlags flags, GError **error);

gboolean
vb_parse_scaled_kib(const char *number, const char *unit, guint64 *kib_out, const char **why);
gboolean vb_parse_uuid(const char *text, guint8 uuid[16]);

G_END_DECLS
