/* vb-monitor.h: the org.virtbus.Virtbus1.Monitor interface of a running domain: QEMU's monitor
 * for what virtbus does not offer, and its events to the connections that watch them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-daemon.h"
#include "vb-dbus-generated.h"

G_BEGIN_DECLS

#define VB_TYPE_MONITOR (vb_monitor_get_type())
G_DECLARE_FINAL_TYPE(VbMonitor, vb_monitor, VB, MONITOR, VbDBusMonitorSkeleton)

VbMonitor *vb_monitor_new(VbDaemon *daemon, VbDomainObj *obj);

G_END_DECLS
