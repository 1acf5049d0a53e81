/* vb-domain-xml-private.h: the per-family readers and writers behind vb-domain-xml.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libxml/tree.h>

#include "vb-domain-xml.h"
#include "vb-xml-writer.h"

G_BEGIN_DECLS

/* vb-domain-device.c: what every device has, and the small devices */
gboolean
vb_device_info_parse(xmlNode *node, VbDeviceInfo *info, gboolean allow_boot, GError **error);
void vb_device_boot_format(VbXmlWriter *w, const VbDeviceInfo *info);
void vb_device_info_format(VbXmlWriter *w, const VbDeviceInfo *info, VbDomainXmlFlags flags);
gboolean vb_domain_parse_inputs(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_inputs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_domain_parse_memballoon(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_memballoon(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_domain_parse_rngs(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_rngs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_domain_parse_panics(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_panics(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_domain_parse_watchdog(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_watchdog(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_domain_check_aliases(VbDomainDef *def, xmlNode *devices, GError **error);

/* An error of the steps after parsing, which also run on definitions built in code: at @devices
 * (with its line) when the definition was parsed, else at "/domain/devices". */
void vb_domain_set_error(GError **error, gint code, xmlNode *devices, const char *format, ...)
    G_GNUC_PRINTF(4, 5);

/* vb-domain-alias.c */
gint64 vb_disk_name_index(const char *name);
gboolean vb_domain_assign_names(VbDomainDef *def, xmlNode *devices, GError **error);

/* vb-domain-disk.c */
gboolean vb_domain_parse_disks(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_disks(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);

/* vb-domain-controller.c */
gboolean vb_domain_parse_controllers(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_controllers(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);

/* vb-domain-interface.c */
gboolean vb_domain_parse_interfaces(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_interfaces(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);

/* vb-domain-graphics.c */
gboolean vb_domain_parse_graphics(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_graphics(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_domain_parse_videos(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_videos(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);

/* vb-domain-chardev.c */
gboolean vb_domain_parse_chardevs(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_chardevs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_domain_parse_redirdevs(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_redirdevs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_domain_parse_hubs(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_hubs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);

/* vb-domain-sound.c */
gboolean vb_domain_parse_sounds(VbDomainDef *def, xmlNode *devices, GError **error);
void vb_domain_format_sounds(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);

/* vb-domain-qemu-ns.c */
gboolean vb_domain_parse_qemu_namespace(VbDomainDef *def, xmlNode *root, GError **error);
gboolean vb_domain_has_qemu_namespace(const VbDomainDef *def);
void vb_domain_format_qemu_namespace(VbXmlWriter *w, const VbDomainDef *def);

/* vb-domain-seclabel.c */
gboolean vb_domain_parse_seclabels(VbDomainDef *def, xmlNode *root, GError **error);
void vb_domain_format_seclabels(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags);
gboolean vb_device_seclabels_parse(GPtrArray *seclabels, xmlNode *parent, GError **error);
void vb_device_seclabels_format(VbXmlWriter *w, const GPtrArray *seclabels);

G_END_DECLS
