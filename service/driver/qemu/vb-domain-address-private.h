/* vb-domain-address-private.h: what the files of the define-time assignment share
 * (vb-domain-address.c: implicit devices and the order; -pci.c: PCI; -ports.c: USB and
 * virtio-serial ports).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-domain-address.h"

G_BEGIN_DECLS

VbControllerDef *vb_domain_add_implicit_controller(VbDomainDef *def,
                                                   VbControllerType type,
                                                   guint64 index,
                                                   const char *model);

gboolean vb_domain_assign_pci_addresses(VbDomainDef *def, gboolean q35, GError **error);
gboolean vb_domain_assign_usb_ports(VbDomainDef *def, GError **error);
gboolean vb_domain_assign_virtio_serial_ports(VbDomainDef *def, GError **error);

G_END_DECLS
