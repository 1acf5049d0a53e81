/* vb-connect.h: the org.virtbus.Virtbus1.Connect object at /org/virtbus/Virtbus1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-daemon.h"
#include "vb-dbus-generated.h"

G_BEGIN_DECLS

#define VB_TYPE_CONNECT (vb_connect_get_type())
G_DECLARE_FINAL_TYPE(VbConnect, vb_connect, VB, CONNECT, VbDBusConnectSkeleton)

VbConnect *vb_connect_new(VbDaemon *daemon, const char *uri);

G_END_DECLS
