/* vb-domain-address.h: the guest's hardware fixed at define: the controllers libvirt adds
 * and every PCI address, placed by libvirt's rules.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-domain-def.h"

G_BEGIN_DECLS

gboolean vb_domain_machine_is_q35(const char *machine);
gboolean vb_domain_assign_addresses(VbDomainDef *def, const char *machine, GError **error);
gboolean vb_domain_has_spice(const VbDomainDef *def);
VbControllerDef *
vb_domain_find_controller(const VbDomainDef *def, VbControllerType type, guint64 index);
VbVideoModel vb_domain_default_video_model(const VbDomainDef *def);

G_END_DECLS
