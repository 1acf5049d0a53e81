/* vb-qemu-native.h: domxml-from-native, reading a QEMU command line ("qemu-argv") back into a
 * domain definition. The other direction is vb_qemu_command_to_native().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-domain-def.h"

G_BEGIN_DECLS

/* A command line longer than any QEMU takes (Linux caps one argument at 128 KiB). */
#define VB_QEMU_NATIVE_MAX (1024 * 1024)

char *vb_qemu_native_to_xml(const char *text, GError **error);
VbDomainDef *vb_qemu_native_parse(const char *text, GError **error);

G_END_DECLS
