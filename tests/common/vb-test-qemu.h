/* vb-test-qemu.h: start real QEMU paused with a command virtbus built, and check that what
 * it runs is what the domain asked for.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-qemu-command.h"
#include "vb-qmp.h"

G_BEGIN_DECLS

#define VB_TEST_QEMU "/usr/bin/qemu-system-x86_64"

typedef struct {
  GSubprocess *process; /* (owned) */
  VbQmp *qmp;           /* (owned) */
  char *log;            /* (owned): QEMU's stdout and stderr */
} VbTestQemu;

VbQemuCaps *vb_test_qemu_probe(GError **error);
gboolean vb_test_adapt_def(VbDomainDef *def, const char *dir, GError **error);
GPtrArray *vb_test_load_firmware_fixtures(void);
gboolean vb_test_check_def(VbDomainDef *def, VbQemuCaps *caps, GError **error);
VbQemuCommand *
vb_test_build_command(VbDomainDef *def, VbQemuCaps *caps, const char *root, GError **error);

VbTestQemu *vb_test_qemu_start(const VbQemuCommand *cmd, GError **error);
JsonNode *
vb_test_qemu_execute(VbTestQemu *self, const char *command, JsonObject *args, GError **error);
gboolean vb_test_qemu_check(VbTestQemu *self, const VbDomainDef *def, GError **error);
void vb_test_qemu_stop(VbTestQemu *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbTestQemu, vb_test_qemu_stop)

G_END_DECLS
