/* vb-authority.h: who may call what (DESIGN.md §3, STYLE.md §6). One table maps each method to
 * its polkit action; a method without an entry is refused. The system instance asks polkit for
 * the calling process; the session and embedded instances accept only their own user.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VB_TYPE_AUTHORITY (vb_authority_get_type())
G_DECLARE_FINAL_TYPE(VbAuthority, vb_authority, VB, AUTHORITY, GObject)

typedef enum {
  VB_AUTHORITY_POLKIT,   /* system: polkit decides, per call */
  VB_AUTHORITY_SAME_UID, /* session, embed: the caller's uid must be ours */
  /* the client's own embedded instance: the only peer of a private connection inside the
   * process is the process itself (no bus, no sender name) */
  VB_AUTHORITY_IN_PROCESS,
} VbAuthorityMode;

VbAuthority *vb_authority_new(VbAuthorityMode mode, GDBusConnection *connection);

/* (nullable): the polkit action of @interface_name.@method, or NULL when the table has none
 * (the call is then refused). @secure: GetXMLDesc's "secure" option. */
const char *
vb_authority_action_for(const char *interface_name, const char *method, gboolean secure);

/* Checks that the sender of @invocation may do @action; @domain_name and @domain_uuid (when the
 * call is about a domain) go to polkit as details, with the method as "verb". Finishes with
 * AccessDenied, InteractiveAuthorizationRequired or AuthorizationDismissed (VB_ERROR) when not. */
void vb_authority_check_async(VbAuthority *self,
                              GDBusMethodInvocation *invocation,
                              const char *action,
                              const char *domain_name,
                              const char *domain_uuid,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean vb_authority_check_finish(VbAuthority *self, GAsyncResult *result, GError **error);

G_END_DECLS
