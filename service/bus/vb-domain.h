/* vb-domain.h: the org.virtbus.Virtbus1.Domain object of one domain of the driver: its
 * properties mirror the driver's VbDomainObj, its methods queue the driver's operations.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-daemon.h"
#include "vb-dbus-generated.h"

G_BEGIN_DECLS

#define VB_TYPE_DOMAIN (vb_domain_get_type())
G_DECLARE_FINAL_TYPE(VbDomain, vb_domain, VB, DOMAIN, VbDBusDomainSkeleton)

VbDomain *vb_domain_new(VbDaemon *daemon, VbDomainObj *obj);
VbDomainObj *vb_domain_get_obj(VbDomain *self);
/* Copies the driver's view into the properties, one PropertiesChanged for what changed. */
void vb_domain_update(VbDomain *self);

G_END_DECLS
