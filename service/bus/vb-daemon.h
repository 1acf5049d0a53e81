/* vb-daemon.h: the D-Bus service of one driver: the object manager at /org/virtbus/Virtbus1,
 * the Connect object, one Domain object per domain of the driver, the authority.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vb-authority.h"
#include "vb-bus-options.h"
#include "vb-driver.h"

G_BEGIN_DECLS

#define VB_BUS_ROOT_PATH "/org/virtbus/Virtbus1"
#define VB_BUS_NAME "org.virtbus.Virtbus1"

#define VB_TYPE_DAEMON (vb_daemon_get_type())
G_DECLARE_FINAL_TYPE(VbDaemon, vb_daemon, VB, DAEMON, GObject)

/* Exports the driver's objects on @connection (the name is owned by the caller). */
VbDaemon *
vb_daemon_new(VbDriver *driver, GDBusConnection *connection, VbAuthorityMode mode, const char *uri);

VbDriver *vb_daemon_get_driver(VbDaemon *self);
GVariant *vb_daemon_get_all_paths(VbDaemon *self);
VbAuthority *vb_daemon_get_authority(VbDaemon *self);
GDBusConnection *vb_daemon_get_connection(VbDaemon *self);
/* (transfer full): the object path of @domain */
char *vb_daemon_domain_path(VbDomainObj *domain);
/* Destroys @domain when @owner (a unique bus name) leaves the bus. */
void vb_daemon_bind_autodestroy(VbDaemon *self, VbDomainObj *domain, const char *owner);

gboolean vb_daemon_authorize(VbDaemon *self,
                             GDBusMethodInvocation *invocation,
                             GVariant *options,
                             const VbOptionSpec *known,
                             VbDomainObj *domain,
                             GAsyncReadyCallback callback,
                             gpointer user_data,
                             GError **error);

/* Completes @invocation with @error, converted to a D-Bus error and logged at debug level. */
void vb_bus_return_error(GDBusMethodInvocation *invocation, GError *error);

G_END_DECLS
