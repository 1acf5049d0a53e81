/* vb-client.h: the client's connection to one instance. qemu:///system and qemu:///session
 * are virtbusd on the system or session bus; qemu:///embed?root=DIR is the driver core opened
 * in this process, with the bus layer served on a private peer-to-peer connection inside the
 * process, so that every verb speaks the same D-Bus API (the same checks, errors and options)
 * whichever instance it talks to.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "vb-dbus-generated.h"

G_BEGIN_DECLS

typedef struct _VbClient VbClient;

struct _VbClient {
  char *uri; /* the canonical URI */
  GDBusConnection *connection;
  const char *name; /* (nullable): the bus name; NULL on the embedded instance */
  VbDBusConnect *connect;
  gboolean interactive; /* let polkit prompt (ALLOW_INTERACTIVE_AUTHORIZATION) */
  gpointer embedded;    /* (nullable): the in-process instance */
};

/* @uri: NULL for VIRTBUS_DEFAULT_URI, else system for root and session for others. */
VbClient *vb_client_open(const char *uri, gboolean interactive, GError **error);
void vb_client_free(VbClient *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbClient, vb_client_free)

/* DOM as virsh takes it: a name, a UUID or an id; returns the object path. */
char *vb_client_lookup(VbClient *self, const char *dom, GError **error);
VbDBusDomain *vb_client_domain(VbClient *self, const char *path, GError **error);
VbDBusMonitor *vb_client_monitor(VbClient *self, const char *path, GError **error);

/* Calls @method on @proxy (a generated proxy) with @parameters (floating, a tuple), allowing
 * interactive authorisation when the client does; the reply tuple, or NULL with the error as
 * the user sees it. @out_fds (nullable): descriptors the reply carries. */
GVariant *vb_client_call(VbClient *self,
                         gpointer proxy,
                         const char *method,
                         GVariant *parameters,
                         GUnixFDList **out_fds,
                         GError **error);

/* Errors as the user sees them: the D-Bus error's message, remote prefix gone. */
GError *vb_client_error(GError *error);

G_END_DECLS
