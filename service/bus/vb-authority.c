/* vb-authority.c: the table of polkit actions and the checks (vb-authority.h).
 *
 * The polkit check is cancelled when the caller leaves the bus (libpolkit then tells polkitd),
 * and interaction is allowed only when the caller's message says it may be
 * (G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <polkit/polkit.h>
#include <unistd.h>

#include "vb-authority.h"
#include "vb-error.h"

#define CONNECT "org.virtbus.Virtbus1.Connect"
#define DOMAIN "org.virtbus.Virtbus1.Domain"
#define MONITOR "org.virtbus.Virtbus1.Monitor"

/* The one table (DESIGN.md §3): every method of the three interfaces. */
static const struct {
  const char *interface_name;
  const char *method;
  const char *action;
} actions[] = {
    {CONNECT, "ListDomains", "org.virtbus.connect-read"},
    {CONNECT, "LookupByName", "org.virtbus.connect-read"},
    {CONNECT, "LookupByUUID", "org.virtbus.connect-read"},
    {CONNECT, "LookupByID", "org.virtbus.connect-read"},
    {CONNECT, "GetCapabilities", "org.virtbus.connect-read"},
    {CONNECT, "DomainXMLToNative", "org.virtbus.connect-read"},
    {CONNECT, "DomainXMLFromNative", "org.virtbus.connect-read"},
    {CONNECT, "DefineXML", "org.virtbus.domain-define"},
    {CONNECT, "CreateXML", "org.virtbus.domain-define"},
    {DOMAIN, "GetXMLDesc", "org.virtbus.domain-read"},
    {DOMAIN, "GetStats", "org.virtbus.domain-read"},
    {DOMAIN, "Start", "org.virtbus.domain-control"},
    {DOMAIN, "Shutdown", "org.virtbus.domain-control"},
    {DOMAIN, "Reboot", "org.virtbus.domain-control"},
    {DOMAIN, "Reset", "org.virtbus.domain-control"},
    {DOMAIN, "Destroy", "org.virtbus.domain-control"},
    {DOMAIN, "Suspend", "org.virtbus.domain-control"},
    {DOMAIN, "Resume", "org.virtbus.domain-control"},
    {DOMAIN, "Undefine", "org.virtbus.domain-define"},
    {DOMAIN, "SetAutostart", "org.virtbus.domain-define"},
    {DOMAIN, "OpenConsole", "org.virtbus.domain-console"},
    {DOMAIN, "OpenGraphics", "org.virtbus.domain-console"},
    {DOMAIN, "Screenshot", "org.virtbus.domain-console"},
    {MONITOR, "Command", "org.virtbus.domain-monitor"},
    {MONITOR, "HumanCommand", "org.virtbus.domain-monitor"},
    {MONITOR, "Watch", "org.virtbus.domain-monitor"},
    {MONITOR, "Unwatch", "org.virtbus.domain-monitor"},
};

const char *
vb_authority_action_for(const char *interface_name, const char *method, gboolean secure)
{
  for (guint i = 0; i < G_N_ELEMENTS(actions); i++) {
    if (g_strcmp0(actions[i].interface_name, interface_name) == 0 &&
        g_strcmp0(actions[i].method, method) == 0) {
      if (secure && g_str_equal(method, "GetXMLDesc"))
        return "org.virtbus.domain-read-secure";
      return actions[i].action;
    }
  }
  return NULL;
}

/* Callers' uids, by unique name: a bus never gives a unique name twice, so an entry never goes
 * stale; the cache is emptied when it reaches this size. */
#define UID_CACHE_MAX 4096

struct _VbAuthority {
  GObject parent_instance;
  VbAuthorityMode mode;
  GDBusConnection *connection;
  PolkitAuthority *polkit; /* (nullable): got on the first check */
  GHashTable *uids;        /* unique name → uid + 1 (same-uid mode) */
};

G_DEFINE_FINAL_TYPE(VbAuthority, vb_authority, G_TYPE_OBJECT)

static void
vb_authority_finalize(GObject *object)
{
  VbAuthority *self = VB_AUTHORITY(object);

  g_clear_object(&self->polkit);
  g_clear_object(&self->connection);
  g_hash_table_unref(self->uids);
  G_OBJECT_CLASS(vb_authority_parent_class)->finalize(object);
}

static void
vb_authority_class_init(VbAuthorityClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = vb_authority_finalize;
}

static void
vb_authority_init(VbAuthority *self)
{
  self->uids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static gboolean
check_uid(GTask *task, guint32 uid)
{
  if (uid != (guint32)geteuid()) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_ACCESS_DENIED,
                            "this instance serves uid %u only, not uid %u", (guint)geteuid(),
                            (guint)uid);
    return FALSE;
  }
  g_task_return_boolean(task, TRUE);
  return TRUE;
}

VbAuthority *
vb_authority_new(VbAuthorityMode mode, GDBusConnection *connection)
{
  VbAuthority *self = g_object_new(VB_TYPE_AUTHORITY, NULL);

  self->mode = mode;
  self->connection = g_object_ref(connection);
  return self;
}

/* What one check needs until it is answered. */
typedef struct {
  char *sender;
  char *action;
  PolkitDetails *details;
  PolkitCheckAuthorizationFlags flags;
  GCancellable *cancellable; /* cancelled when the sender leaves the bus */
  guint watch_id;
} Check;

static void
check_free(Check *check)
{
  if (check->watch_id != 0)
    g_bus_unwatch_name(check->watch_id);
  g_free(check->sender);
  g_free(check->action);
  g_clear_object(&check->details);
  g_clear_object(&check->cancellable);
  g_free(check);
}

static void
on_sender_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  g_cancellable_cancel(G_CANCELLABLE(user_data));
}

static void
on_polkit_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *check = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) answer =
      polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(source), result, &error);

  if (answer == NULL) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_ACCESS_DENIED,
                            "%s: polkit could not decide (%s)", check->action, error->message);
  } else if (polkit_authorization_result_get_is_authorized(answer)) {
    g_task_return_boolean(task, TRUE);
  } else if (polkit_authorization_result_get_dismissed(answer)) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_AUTHORIZATION_DISMISSED,
                            "%s: the authentication dialog was dismissed", check->action);
  } else if (polkit_authorization_result_get_is_challenge(answer) &&
             (check->flags & POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION)) {
    /* interaction was allowed and still nobody could ask: polkitd found no authentication
     * agent for the caller. Asking again would not help, so this is a denial. */
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_ACCESS_DENIED,
                            "%s needs authentication, and no polkit authentication agent is "
                            "there to ask %s",
                            check->action, check->sender);
  } else if (polkit_authorization_result_get_is_challenge(answer)) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                            "%s needs authentication; call again allowing interactive "
                            "authorization",
                            check->action);
  } else {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_ACCESS_DENIED, "%s is not allowed for %s",
                            check->action, check->sender);
  }
}

static void
ask_polkit(VbAuthority *self, GTask *task)
{
  Check *check = g_task_get_task_data(task);
  g_autoptr(PolkitSubject) subject = polkit_system_bus_name_new(check->sender);

  polkit_authority_check_authorization(self->polkit, subject, check->action, check->details,
                                       check->flags, check->cancellable, on_polkit_checked,
                                       g_object_ref(task));
}

static void
on_polkit_authority(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  VbAuthority *self = g_task_get_source_object(task);
  Check *check = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  PolkitAuthority *polkit = polkit_authority_get_finish(result, &error);

  if (polkit == NULL) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_ACCESS_DENIED,
                            "%s: polkit is not reachable (%s)", check->action, error->message);
    return;
  }
  if (self->polkit == NULL)
    self->polkit = polkit;
  else
    g_object_unref(polkit);
  ask_polkit(self, task);
}

static void
on_unix_user(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *check = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply =
      g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  guint32 uid = 0;

  if (reply == NULL) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_ACCESS_DENIED,
                            "the bus does not say who %s is (%s)", check->sender, error->message);
    return;
  }
  g_variant_get(reply, "(u)", &uid);
  {
    VbAuthority *self = g_task_get_source_object(task);

    if (g_hash_table_size(self->uids) >= UID_CACHE_MAX)
      g_hash_table_remove_all(self->uids);
    g_hash_table_insert(self->uids, g_strdup(check->sender), GUINT_TO_POINTER(uid + 1));
  }
  check_uid(task, uid);
}

void
vb_authority_check_async(VbAuthority *self,
                         GDBusMethodInvocation *invocation,
                         const char *action,
                         const char *domain_name,
                         const char *domain_uuid,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  GDBusMessage *message = g_dbus_method_invocation_get_message(invocation);
  Check *check = g_new0(Check, 1);

  g_task_set_source_tag(task, vb_authority_check_async);
  check->sender = g_strdup(g_dbus_method_invocation_get_sender(invocation));
  check->action = g_strdup(action);
  g_task_set_task_data(task, check, (GDestroyNotify)check_free);
  if (action == NULL) {
    /* deny by default: a method the table does not list */
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_ACCESS_DENIED,
                            "%s.%s has no authorisation rule",
                            g_dbus_method_invocation_get_interface_name(invocation),
                            g_dbus_method_invocation_get_method_name(invocation));
    return;
  }
  if (self->mode == VB_AUTHORITY_IN_PROCESS) {
    g_task_return_boolean(task, TRUE);
    return;
  }
  if (check->sender == NULL) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_ACCESS_DENIED, "%s: the caller is unknown",
                            action);
    return;
  }
  if (self->mode == VB_AUTHORITY_SAME_UID) {
    gpointer known = g_hash_table_lookup(self->uids, check->sender);

    if (known != NULL) {
      check_uid(task, GPOINTER_TO_UINT(known) - 1);
      return;
    }
    g_dbus_connection_call(
        self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "GetConnectionUnixUser", g_variant_new("(s)", check->sender), G_VARIANT_TYPE("(u)"),
        G_DBUS_CALL_FLAGS_NONE, -1, cancellable, on_unix_user, g_object_ref(task));
    return;
  }
  check->details = polkit_details_new();
  polkit_details_insert(check->details, "verb",
                        g_dbus_method_invocation_get_method_name(invocation));
  if (domain_name != NULL)
    polkit_details_insert(check->details, "domain.name", domain_name);
  if (domain_uuid != NULL)
    polkit_details_insert(check->details, "domain.uuid", domain_uuid);
  if (g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    check->flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;
  check->cancellable = g_cancellable_new();
  if (cancellable != NULL)
    g_signal_connect_object(cancellable, "cancelled", G_CALLBACK(g_cancellable_cancel),
                            check->cancellable, G_CONNECT_SWAPPED);
  check->watch_id = g_bus_watch_name_on_connection(
      self->connection, check->sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, on_sender_vanished,
      g_object_ref(check->cancellable), g_object_unref);
  if (self->polkit == NULL)
    polkit_authority_get_async(check->cancellable, on_polkit_authority, g_object_ref(task));
  else
    ask_polkit(self, task);
}

gboolean
vb_authority_check_finish(VbAuthority *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}
