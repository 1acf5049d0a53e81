/* vb-qemu-probe.h: running a QEMU binary once to learn its capabilities.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vb-qemu-caps.h"
#include "vb-qmp.h"

G_BEGIN_DECLS

/* Per monitor command, and for the whole probe before QEMU is killed. */
#define VB_QEMU_PROBE_TIMEOUT_MS 30000

void vb_qemu_probe_async(const char *binary,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);
VbQemuCaps *vb_qemu_probe_finish(GAsyncResult *result, GError **error);

void vb_qemu_probe_monitor_async(VbQmp *qmp,
                                 const char *binary,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
VbQemuCaps *vb_qemu_probe_monitor_finish(VbQmp *qmp, GAsyncResult *result, GError **error);

G_END_DECLS
