/* vb-domain-cpu.h: the guest CPU as libvirt fixes it, at define and at start.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-capabilities.h"
#include "vb-domain-def.h"

G_BEGIN_DECLS

gboolean vb_domain_cpu_complete(VbDomainDef *def, const VbDomainDefaults *defaults, GError **error);
VbCpuDef *vb_domain_cpu_expand_host_model(const VbDomainDef *def,
                                          const VbCpuDef *cpu,
                                          const VbQemuCaps *caps,
                                          GError **error);

G_END_DECLS
