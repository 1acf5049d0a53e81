/* vb-domain-prepare.h: what a define and a start fix in a domain definition.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-capabilities.h"
#include "vb-domain-def.h"

G_BEGIN_DECLS

gboolean
vb_domain_prepare_define(VbDomainDef *def, const VbDomainDefaults *defaults, GError **error);
gboolean
vb_domain_prepare_start(VbDomainDef *def, const VbDomainDefaults *defaults, GError **error);

G_END_DECLS
