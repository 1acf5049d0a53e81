/* vb-test-polkit-agent.c: a polkit authentication agent for the polkit tests, registered for its
 * own process only, that dismisses every authentication it is asked for, as a user pressing
 * Cancel does. Having registered, it calls one method on virtbusd allowing interactive
 * authorisation, so that polkitd turns to it; it prints "ok", or the D-Bus error name and
 * message of the reply, and then "asked: ACTION" for each authentication it dismissed.
 *
 *   vb-test-polkit-agent BUS-ADDRESS OBJECT-PATH INTERFACE.METHOD
 *
 * The method is called with one empty a{sv} (Start, Destroy, …). polkitd and the agent library
 * reach the bus through DBUS_SYSTEM_BUS_ADDRESS, which the test sets to its private bus.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#define POLKIT_AGENT_I_KNOW_API_IS_SUBJECT_TO_CHANGE
#include <polkitagent/polkitagent.h>

#define VB_TYPE_DISMISSING_AGENT (vb_dismissing_agent_get_type())
G_DECLARE_FINAL_TYPE(
    VbDismissingAgent, vb_dismissing_agent, VB, DISMISSING_AGENT, PolkitAgentListener)

struct _VbDismissingAgent {
  PolkitAgentListener parent_instance;
  GPtrArray *asked; /* (element-type utf8): the action ids */
};

G_DEFINE_FINAL_TYPE(VbDismissingAgent, vb_dismissing_agent, POLKIT_AGENT_TYPE_LISTENER)

static void
initiate_authentication(PolkitAgentListener *listener,
                        const char *action_id,
                        const char *message,
                        const char *icon_name,
                        PolkitDetails *details,
                        const char *cookie,
                        GList *identities,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  VbDismissingAgent *self = VB_DISMISSING_AGENT(listener);
  g_autoptr(GTask) task = g_task_new(listener, cancellable, callback, user_data);

  g_ptr_array_add(self->asked, g_strdup(action_id));
  /* polkitd reads this name as "the user dismissed the dialog" */
  g_task_return_new_error(task, POLKIT_ERROR, POLKIT_ERROR_CANCELLED,
                          "dismissed by the test agent");
}

static gboolean
initiate_authentication_finish(PolkitAgentListener *listener, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

static void
vb_dismissing_agent_finalize(GObject *object)
{
  g_ptr_array_unref(VB_DISMISSING_AGENT(object)->asked);
  G_OBJECT_CLASS(vb_dismissing_agent_parent_class)->finalize(object);
}

static void
vb_dismissing_agent_class_init(VbDismissingAgentClass *klass)
{
  PolkitAgentListenerClass *listener_class = POLKIT_AGENT_LISTENER_CLASS(klass);

  G_OBJECT_CLASS(klass)->finalize = vb_dismissing_agent_finalize;
  listener_class->initiate_authentication = initiate_authentication;
  listener_class->initiate_authentication_finish = initiate_authentication_finish;
}

static void
vb_dismissing_agent_init(VbDismissingAgent *self)
{
  self->asked = g_ptr_array_new_with_free_func(g_free);
}

typedef struct {
  GMainLoop *loop;
  GVariant *reply;
  GError *error;
} Call;

static void
on_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &call->error);
  g_main_loop_quit(call->loop);
}

int
main(int argc, char **argv)
{
  g_autoptr(VbDismissingAgent) agent = NULL;
  g_autoptr(PolkitSubject) self_process = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) method = NULL;
  Call call = {0};
  gpointer registration;

  if (argc != 4 || (method = g_strsplit(argv[3], ".", -1)) == NULL || g_strv_length(method) < 2) {
    g_printerr("usage: vb-test-polkit-agent BUS-ADDRESS OBJECT-PATH INTERFACE.METHOD\n");
    return 2;
  }
  agent = g_object_new(VB_TYPE_DISMISSING_AGENT, NULL);
  self_process = polkit_unix_process_new_for_owner(getpid(), 0, getuid());
  registration =
      polkit_agent_listener_register(POLKIT_AGENT_LISTENER(agent), POLKIT_AGENT_REGISTER_FLAGS_NONE,
                                     self_process, "/org/virtbus/TestAgent", NULL, &error);
  if (registration == NULL) {
    g_printerr("vb-test-polkit-agent: cannot register: %s\n", error->message);
    return 2;
  }

  connection =
      g_dbus_connection_new_for_address_sync(argv[1],
                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                             NULL, NULL, &error);
  if (connection == NULL) {
    g_printerr("vb-test-polkit-agent: %s\n", error->message);
    return 2;
  }
  {
    g_autofree char *interface =
        g_strndup(argv[3], strlen(argv[3]) - strlen(method[g_strv_length(method) - 1]) - 1);

    call.loop = g_main_loop_new(NULL, FALSE);
    g_dbus_connection_call(
        connection, "org.virtbus.Virtbus1", argv[2], interface, method[g_strv_length(method) - 1],
        g_variant_new("(@a{sv})", g_variant_new("a{sv}", NULL)), NULL,
        G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, 60000, NULL, on_reply, &call);
    g_main_loop_run(call.loop);
    g_main_loop_unref(call.loop);
  }
  if (call.reply != NULL) {
    g_print("ok\n");
    g_variant_unref(call.reply);
  } else {
    g_autofree char *name = g_dbus_error_get_remote_error(call.error);

    g_dbus_error_strip_remote_error(call.error);
    g_print("%s: %s\n", name != NULL ? name : "(local)", call.error->message);
  }
  for (guint i = 0; i < agent->asked->len; i++)
    g_print("asked: %s\n", (char *)agent->asked->pdata[i]);
  polkit_agent_listener_unregister(registration);
  g_clear_error(&call.error);
  return 0;
}
