/* vb-qmp-dispatch.c: what QEMU sends on the monitor: the greeting and its negotiation,
 * replies matched to the command in flight (or handed back as text for the passthrough), and
 * events, in the order they arrived.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-qmp-private.h"

static char *
describe_qmp_error(JsonObject *error)
{
  const char *class = NULL, *desc = NULL;

  if (error != NULL) {
    if (json_object_has_member(error, "class"))
      class = json_object_get_string_member_with_default(error, "class", NULL);
    if (json_object_has_member(error, "desc"))
      desc = json_object_get_string_member_with_default(error, "desc", NULL);
  }
  return g_strdup_printf("%s: %s", class != NULL ? class : "(no class)",
                         desc != NULL ? desc : "(no description)");
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
      g_autofree char *why = describe_qmp_error(json_object_get_object_member(message, "error"));

      vb_qmp_command_free(command);
      vb_qmp_close_with(
          self,
          g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR, "QEMU refused 'qmp_capabilities': %s", why),
          TRUE);
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
      JsonNode *error_node = json_object_get_member(message, "error");
      g_autofree char *why = describe_qmp_error(
          JSON_NODE_HOLDS_OBJECT(error_node) ? json_node_get_object(error_node) : NULL);

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

static void
handle_greeting(VbQmp *self, JsonObject *message)
{
  JsonNode *qmp = json_object_get_member(message, "QMP");
  JsonObject *greeting, *version, *qemu;
  g_autoptr(GStrvBuilder) capabilities = g_strv_builder_new();
  VbQmpCommand *negotiate;

  if (qmp == NULL || !JSON_NODE_HOLDS_OBJECT(qmp)) {
    vb_qmp_close_with(self,
                      g_error_new_literal(VB_ERROR, VB_ERROR_MONITOR_ERROR,
                                          "the monitor did not start with the QMP greeting"),
                      TRUE);
    return;
  }
  greeting = json_node_get_object(qmp);
  version = json_object_has_member(greeting, "version")
                ? json_object_get_object_member(greeting, "version")
                : NULL;
  qemu = version != NULL && json_object_has_member(version, "qemu")
             ? json_object_get_object_member(version, "qemu")
             : NULL;
  if (qemu != NULL) {
    gint64 major = json_object_get_int_member_with_default(qemu, "major", 0);
    gint64 minor = json_object_get_int_member_with_default(qemu, "minor", 0);
    gint64 micro = json_object_get_int_member_with_default(qemu, "micro", 0);

    if (major >= 0 && major < 4000 && minor >= 0 && minor < 1000 && micro >= 0 && micro < 1000)
      self->version = VB_QEMU_VERSION((guint)major, (guint)minor, (guint)micro);
  }
  if (version != NULL && json_object_has_member(version, "package"))
    self->package = g_strdup(json_object_get_string_member_with_default(version, "package", ""));
  if (json_object_has_member(greeting, "capabilities")) {
    JsonNode *list = json_object_get_member(greeting, "capabilities");

    if (JSON_NODE_HOLDS_ARRAY(list)) {
      JsonArray *array = json_node_get_array(list);

      for (guint i = 0; i < json_array_get_length(array); i++) {
        JsonNode *item = json_array_get_element(array, i);

        if (JSON_NODE_HOLDS_VALUE(item) && json_node_get_value_type(item) == G_TYPE_STRING)
          g_strv_builder_add(capabilities, json_node_get_string(item));
      }
    }
  }
  self->capabilities = g_strv_builder_end(capabilities);

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

static void
handle_event(VbQmp *self, JsonObject *message)
{
  JsonNode *name = json_object_get_member(message, "event");
  JsonNode *data = json_object_get_member(message, "data");
  JsonNode *stamp = json_object_get_member(message, "timestamp");
  g_autoptr(JsonObject) empty = json_object_new();
  gint64 timestamp = 0;

  if (!JSON_NODE_HOLDS_VALUE(name) || json_node_get_value_type(name) != G_TYPE_STRING) {
    g_warning("Ignoring a monitor event without a name");
    return;
  }
  if (stamp != NULL && JSON_NODE_HOLDS_OBJECT(stamp)) {
    JsonObject *object = json_node_get_object(stamp);
    gint64 seconds = json_object_get_int_member_with_default(object, "seconds", 0);
    gint64 micro = json_object_get_int_member_with_default(object, "microseconds", 0);

    if (seconds >= 0 && seconds < G_MAXINT64 / G_USEC_PER_SEC - 1 && micro >= 0 &&
        micro < G_USEC_PER_SEC)
      timestamp = seconds * G_USEC_PER_SEC + micro;
  }
  vb_qmp_emit_event(
      self, json_node_get_string(name),
      data != NULL && JSON_NODE_HOLDS_OBJECT(data) ? json_node_get_object(data) : empty, timestamp);
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
    g_warning("Ignoring a monitor message that is neither a reply nor an event");
  return self->state != VB_QMP_STATE_CLOSED;
}
