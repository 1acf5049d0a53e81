/* vb-domain-device-defaults.h: the device models and settings a define writes where the
 * domain left them out.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-domain-def.h"

G_BEGIN_DECLS

void vb_domain_fill_device_defaults(VbDomainDef *def, gboolean q35);

G_END_DECLS
