/* vb-security-private.h: the parts of the security layer, for its own files and tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-security.h"

G_BEGIN_DECLS

/* vb-security-dac.c */
gboolean vb_dac_own(const char *path, uid_t uid, gid_t gid, gboolean remember, GError **error);
void vb_dac_give_back(const char *path, gboolean remember);
gboolean vb_dac_check_reachable(const char *path, const VbSecurityChild *who, GError **error);

/* vb-security.c */
GPtrArray *vb_security_files_of(const VbQemuConf *conf, const VbDomainDef *def);

G_END_DECLS
