/* vb-qmp-dispatch.c: what QEMU sends on the monitor: the greeting and its negotiation,
 * replies matched to the command in flight (or handed back as text for the passthrough), and
 * events, in the order they arrived.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-json.h"
#include "vb-qmp-private.h"

/* What QEMU sends is checked member by member: a message of the wrong shape is a broken (or
 * hostile) QEMU, and the monitor closes with a MonitorError that says what was wrong. */

static void
protocol_error(VbQmp *self, GError *error)
{
  vb_qmp_close_with(self, error, TRUE);
}

/* QEMU's {"class": …, "desc": …}, as "CLASS: DESC". */
static char *
describe_qmp_error(JsonObject *message, const char *command, GError **error)
{
  g_autofree char *where = g_strdup_printf("QEMU's error reply to '%s'", command);
  VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, where};
  JsonObject *body = NULL;
  const char *class = NULL, *desc = NULL;

  if (!vb_json_get_object(&scope, message, "error", TRUE, &body, error) ||
      !vb_json_get_string(&scope, body, "class", TRUE, &class, error) ||
      !vb_json_get_string(&scope, body, "desc", TRUE, &desc, error))
    return NULL;
  return g_strdup_printf("%s: %s", class, desc);
}

void
vb_qmp_complete_handshakes(VbQmp *self, const GError *error)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer(&self->handshakes);

  self->handshakes = g_ptr_array_new_with_free_func(g_object_unref);
  for (guint i = 0; i < waiting->len; i++) {
    GTask *task = waiting->pdata[i];

    if (error != NULL)
      g_task_return_error(task, g_error_copy(error));
    else
      g_task_return_boolean(task, TRUE);
  }
}

static gboolean
ids_match(JsonNode *reply_id, const char *our_id)
{
  /* QEMU answers a line it could not parse without an id: that is the command in flight. */
  if (reply_id == NULL)
    return TRUE;
  return JSON_NODE_HOLDS_VALUE(reply_id) && json_node_get_value_type(reply_id) == G_TYPE_STRING &&
         g_strcmp0(json_node_get_string(reply_id), our_id) == 0;
}

/* The passthrough's reply: QEMU's, with the caller's id in place of ours (none if it gave none). */
static char *
raw_reply(JsonObject *message, JsonNode *user_id)
{
  g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
  JsonObject *reply = json_object_new();
  g_autoptr(GList) names = json_object_get_members(message);

  for (GList *l = names; l != NULL; l = l->next) {
    if (strcmp(l->data, "id") != 0)
      json_object_set_member(reply, l->data,
                             json_node_copy(json_object_get_member(message, l->data)));
  }
  if (user_id != NULL)
    json_object_set_member(reply, "id", json_node_copy(user_id));
  json_node_take_object(node, reply);
  return json_to_string(node, FALSE);
}

static void
handle_reply(VbQmp *self, JsonObject *message)
{
  VbQmpCommand *command = self->in_flight;
  JsonNode *reply_id = json_object_get_member(message, "id");

  if (command == NULL || self->in_flight_sent < command->length ||
      !ids_match(reply_id, command->id)) {
    g_autofree char *text = reply_id != NULL ? json_to_string(reply_id, FALSE) : g_strdup("none");

    g_warning("Ignoring a monitor reply that answers no command in flight (id %s)", text);
    return;
  }
  self->in_flight = NULL;

  if (command->negotiate) {
    if (json_object_has_member(message, "error")) {
      GError *error = NULL;
      g_autofree char *why = describe_qmp_error(message, command->name, &error);

      vb_qmp_command_free(command);
      protocol_error(self, why == NULL ? error
                                       : g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR,
                                                     "QEMU refused 'qmp_capabilities': %s", why));
      return;
    }
    vb_qmp_command_free(command);
    self->state = VB_QMP_STATE_READY;
    vb_qmp_complete_handshakes(self, NULL);
  } else if (command->task == NULL) {
    vb_qmp_command_free(command); /* answered early: nobody waits for it any more */
  } else {
    g_autoptr(GTask) task = g_steal_pointer(&command->task);

    vb_qmp_drop_source(&command->timeout);
    vb_qmp_drop_source(&command->cancelled);
    if (command->raw) {
      g_task_return_pointer(task, raw_reply(message, command->user_id), g_free);
    } else if (json_object_has_member(message, "error")) {
      GError *error = NULL;
      g_autofree char *why = describe_qmp_error(message, command->name, &error);

      if (why == NULL) {
        /* The caller hears why; the monitor it can no longer trust closes after it. */
        g_task_return_error(task, g_error_copy(error));
        vb_qmp_command_free(command);
        protocol_error(self, error);
        return;
      }
      g_task_return_new_error(task, VB_ERROR, VB_ERROR_MONITOR_ERROR, "QEMU refused '%s': %s",
                              command->name, why);
    } else {
      g_task_return_pointer(task, json_node_copy(json_object_get_member(message, "return")),
                            (GDestroyNotify)json_node_unref);
    }
    vb_qmp_command_free(command);
  }
  vb_qmp_send_next(self);
}

/* {"QMP": {"version": {"qemu": {"major": …, "minor": …, "micro": …}, "package": …},
 *          "capabilities": […]}} */
static gboolean
read_greeting(VbQmp *self, JsonObject *message, GError **error)
{
  VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "the QMP greeting"};
  JsonObject *greeting = NULL, *version = NULL, *qemu = NULL;
  const char *package = NULL;
  gint64 major = 0, minor = 0, micro = 0;
  g_auto(GStrv) capabilities = NULL;

  if (!json_object_has_member(message, "QMP")) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_MONITOR_ERROR,
                        "the monitor did not start with the QMP greeting");
    return FALSE;
  }
  if (!vb_json_get_object(&scope, message, "QMP", TRUE, &greeting, error) ||
      !vb_json_get_object(&scope, greeting, "version", TRUE, &version, error) ||
      !vb_json_get_object(&scope, version, "qemu", TRUE, &qemu, error) ||
      !vb_json_get_int(&scope, qemu, "major", TRUE, 0, 3999, &major, error) ||
      !vb_json_get_int(&scope, qemu, "minor", TRUE, 0, 999, &minor, error) ||
      !vb_json_get_int(&scope, qemu, "micro", TRUE, 0, 999, &micro, error) ||
      !vb_json_get_string(&scope, version, "package", FALSE, &package, error) ||
      !vb_json_get_strv(&scope, greeting, "capabilities", TRUE, &capabilities, error))
    return FALSE;
  self->version = VB_QEMU_VERSION((guint)major, (guint)minor, (guint)micro);
  self->package = g_strdup(package);
  self->capabilities = g_steal_pointer(&capabilities);
  return TRUE;
}

static void
handle_greeting(VbQmp *self, JsonObject *message)
{
  GError *error = NULL;
  VbQmpCommand *negotiate;

  if (!read_greeting(self, message, &error)) {
    protocol_error(self, error);
    return;
  }

  /* No capability is asked for: out-of-band would let replies overtake each other. */
  negotiate = g_new0(VbQmpCommand, 1);
  negotiate->negotiate = TRUE;
  negotiate->name = g_strdup("qmp_capabilities");
  negotiate->id = g_strdup_printf("vb-%" G_GUINT64_FORMAT, ++self->next_id);
  negotiate->line =
      g_strdup_printf("{\"execute\": \"qmp_capabilities\", \"id\": \"%s\"}\r\n", negotiate->id);
  negotiate->length = strlen(negotiate->line);
  g_queue_push_head(&self->queue, negotiate);
  self->state = VB_QMP_STATE_NEGOTIATING;
  vb_qmp_send_next(self);
}

/* {"event": NAME, "data": {…}, "timestamp": {"seconds": S, "microseconds": U}} */
static void
handle_event(VbQmp *self, JsonObject *message)
{
  const char *name = vb_json_node_string(json_object_get_member(message, "event"));
  g_autofree char *where = g_strdup_printf("monitor event '%s'", name != NULL ? name : "(no name)");
  VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, where};
  g_autoptr(JsonObject) empty = json_object_new();
  JsonObject *data = empty, *stamp = NULL;
  gint64 seconds = 0, micro = 0;
  GError *error = NULL;

  if (!vb_json_get_string(&scope, message, "event", TRUE, &name, &error) ||
      !vb_json_get_object(&scope, message, "data", FALSE, &data, &error) ||
      !vb_json_get_object(&scope, message, "timestamp", TRUE, &stamp, &error) ||
      !vb_json_get_int(&scope, stamp, "seconds", TRUE, 0, G_MAXINT64 / G_USEC_PER_SEC - 1, &seconds,
                       &error) ||
      !vb_json_get_int(&scope, stamp, "microseconds", TRUE, 0, G_USEC_PER_SEC - 1, &micro,
                       &error)) {
    protocol_error(self, error);
    return;
  }
  vb_qmp_emit_event(self, name, data, seconds * G_USEC_PER_SEC + micro);
}

gboolean
vb_qmp_on_message(JsonObject *message, gpointer data)
{
  VbQmp *self = data;

  if (self->state == VB_QMP_STATE_GREETING)
    handle_greeting(self, message);
  else if (json_object_has_member(message, "event"))
    handle_event(self, message);
  else if (json_object_has_member(message, "return") || json_object_has_member(message, "error"))
    handle_reply(self, message);
  else
    protocol_error(self,
                   g_error_new_literal(VB_ERROR, VB_ERROR_MONITOR_ERROR,
                                       "QEMU sent a monitor message that is neither a reply nor "
                                       "an event"));
  return self->state != VB_QMP_STATE_CLOSED;
}
