/* vb-test-domain.h: shared checks of the domain XML tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-domain-xml.h"
#include "vb-test-schema.h"

G_BEGIN_DECLS

VbDomainDef *vb_test_parse_ok(const char *xml);
void vb_test_assert_parse_fails(const char *xml, gint code, const char *message_pattern);
char *vb_test_format_checked(VbTestSchema *schema, const char *xml);

G_END_DECLS
