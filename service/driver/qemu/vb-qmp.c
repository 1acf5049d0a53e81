/* vb-qmp.c: a client of one QEMU monitor (QMP).
 *
 * Threading: a VbQmp lives on one GMainContext, given at creation (the caller's thread-default
 * context when NULL). Its socket sources, timeouts and cancellation sources are attached there,
 * and every call must come from the thread that runs that context. There are no locks: the
 * daemon runs all monitors on its main context (DESIGN.md §2), where the per-domain job queue
 * already serialises the callers. Events and replies are delivered in the order QEMU wrote them
 * when the caller's thread-default context is the monitor's context.
 *
 * Flow: the greeting is read and qmp_capabilities sent on their own as soon as the socket is
 * read; commands queue until then. One command is on the wire at a time (QEMU answers in order
 * without out-of-band, which we do not negotiate), so a reply names its command twice: by
 * position and by id. A command answered early, by its timeout or its cancellable, stays in
 * flight until QEMU answers it, so the next reply is never mistaken for its own. This file
 * holds the connection and the queue; vb-qmp-dispatch.c reads what QEMU sends.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gunixfdmessage.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-qmp-private.h"

G_DEFINE_TYPE(VbQmp, vb_qmp, G_TYPE_OBJECT)

enum {
  SIGNAL_EVENT,
  SIGNAL_CLOSED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

void
vb_qmp_emit_event(VbQmp *self, const char *name, JsonObject *data, gint64 timestamp)
{
  g_signal_emit(self, signals[SIGNAL_EVENT], 0, name, data, timestamp);
}

static gboolean on_writable(GSocket *socket, GIOCondition condition, gpointer data);

void
vb_qmp_command_free(VbQmpCommand *command)
{
  g_assert(command->task == NULL);
  g_free(command->name);
  g_free(command->id);
  g_free(command->line);
  g_clear_object(&command->fds);
  g_clear_pointer(&command->user_id, json_node_unref);
  if (command->timeout != NULL) {
    g_source_destroy(command->timeout);
    g_source_unref(command->timeout);
  }
  if (command->cancelled != NULL) {
    g_source_destroy(command->cancelled);
    g_source_unref(command->cancelled);
  }
  g_free(command);
}

void
vb_qmp_drop_source(GSource **source)
{
  if (*source != NULL) {
    g_source_destroy(*source);
    g_clear_pointer(source, g_source_unref);
  }
}

/* Answers a command's caller with @error and detaches the caller from it. The command itself
 * may stay in flight. */
static void
command_fail(VbQmpCommand *command, GError *error)
{
  vb_qmp_drop_source(&command->timeout);
  vb_qmp_drop_source(&command->cancelled);
  if (command->task != NULL) {
    GTask *task = g_steal_pointer(&command->task);

    g_task_return_error(task, error);
    g_object_unref(task);
  } else {
    g_error_free(error);
  }
}

/* Ends a command early (timeout or cancellation): a queued one leaves the queue, one on the wire
 * stays until QEMU answers. */
static void
command_end_early(VbQmp *self, VbQmpCommand *command, GError *error)
{
  command_fail(command, error);
  if (command != self->in_flight) {
    g_queue_remove(&self->queue, command);
    vb_qmp_command_free(command);
  }
}

static gboolean
on_command_timeout(gpointer data)
{
  VbQmpCommand *command = data;
  VbQmp *self = g_task_get_source_object(command->task);

  command_end_early(
      self, command,
      g_error_new(VB_ERROR, VB_ERROR_TIMEOUT, "QEMU did not answer '%s' in time", command->name));
  return G_SOURCE_REMOVE;
}

static gboolean
on_command_cancelled(GCancellable *cancellable, gpointer data)
{
  VbQmpCommand *command = data;
  VbQmp *self = g_task_get_source_object(command->task);
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled(cancellable, &error);
  command_end_early(self, command, error);
  return G_SOURCE_REMOVE;
}

/* Writes as much of the command in flight as the socket takes. */
static void
flush_output(VbQmp *self)
{
  VbQmpCommand *command = self->in_flight;

  while (command != NULL && self->in_flight_sent < command->length) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketControlMessage) fd_message = NULL;
    GOutputVector vector = {command->line + self->in_flight_sent,
                            command->length - self->in_flight_sent};
    gssize written;

    if (self->in_flight_sent == 0 && command->fds != NULL)
      fd_message = g_unix_fd_message_new_with_fd_list(command->fds);
    written = g_socket_send_message(self->socket, NULL, &vector, 1,
                                    fd_message != NULL ? &fd_message : NULL,
                                    fd_message != NULL ? 1 : 0, G_SOCKET_MSG_NONE, NULL, &error);
    if (written < 0) {
      if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        if (self->write_source == NULL) {
          self->write_source = g_socket_create_source(self->socket, G_IO_OUT, NULL);
          g_source_set_callback(self->write_source, G_SOURCE_FUNC(on_writable), self, NULL);
          g_source_attach(self->write_source, self->context);
        }
        return;
      }
      vb_qmp_close_with(self,
                        g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR,
                                    "cannot write to the monitor: %s", error->message),
                        TRUE);
      return;
    }
    self->in_flight_sent += (gsize)written;
  }
  vb_qmp_drop_source(&self->write_source);
}

static gboolean
on_writable(GSocket *socket, GIOCondition condition, gpointer data)
{
  VbQmp *self = data;

  flush_output(self);
  return G_SOURCE_CONTINUE; /* flush_output destroys the source once done */
}

void
vb_qmp_send_next(VbQmp *self)
{
  VbQmpCommand *head;

  if (self->in_flight != NULL || self->state == VB_QMP_STATE_CLOSED)
    return;
  head = g_queue_peek_head(&self->queue);
  if (head == NULL || (self->state != VB_QMP_STATE_READY && !head->negotiate))
    return;
  self->in_flight = g_queue_pop_head(&self->queue);
  self->in_flight_sent = 0;
  flush_output(self);
}

static gboolean
on_readable(GSocket *socket, GIOCondition condition, gpointer data)
{
  g_autoptr(VbQmp) self = g_object_ref(data); /* a handler may drop the last reference */
  g_autoptr(GError) error = NULL;
  char buffer[65536];
  gssize received;

  received = g_socket_receive(self->socket, buffer, sizeof buffer, NULL, &error);
  if (received < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (received == 0 || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)) {
    vb_qmp_close_with(self,
                      g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR,
                                  "the monitor connection closed (%s)",
                                  received == 0 ? "end of file" : "reset by QEMU"),
                      TRUE);
    return G_SOURCE_REMOVE;
  }
  if (received < 0) {
    vb_qmp_close_with(self,
                      g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR,
                                  "cannot read from the monitor: %s", error->message),
                      TRUE);
    return G_SOURCE_REMOVE;
  }
  if (!vb_qmp_stream_feed(self->stream, buffer, (gsize)received, vb_qmp_on_message, self, &error)) {
    vb_qmp_close_with(self, g_steal_pointer(&error), TRUE);
    return G_SOURCE_REMOVE;
  }
  return self->state == VB_QMP_STATE_CLOSED ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Ends the connection: every caller still waiting gets @reason, and "closed" is emitted once when
 * @notify. Takes @reason. */
void
vb_qmp_close_with(VbQmp *self, GError *reason, gboolean notify)
{
  VbQmpCommand *command;

  if (self->state == VB_QMP_STATE_CLOSED) {
    g_error_free(reason);
    return;
  }
  g_object_ref(self); /* a caller's callback or a "closed" handler may drop the last reference */
  self->state = VB_QMP_STATE_CLOSED;
  self->closed_reason = reason;
  vb_qmp_drop_source(&self->read_source);
  vb_qmp_drop_source(&self->write_source);
  g_socket_close(self->socket, NULL);

  vb_qmp_complete_handshakes(self, reason);
  if (self->in_flight != NULL) {
    command = g_steal_pointer(&self->in_flight);
    command_fail(command, g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR, "'%s' got no reply: %s",
                                      command->name, reason->message));
    vb_qmp_command_free(command);
  }
  while ((command = g_queue_pop_head(&self->queue)) != NULL) {
    command_fail(command, g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR, "'%s' was not sent: %s",
                                      command->name, reason->message));
    vb_qmp_command_free(command);
  }
  if (notify)
    g_signal_emit(self, signals[SIGNAL_CLOSED], 0, reason);
  g_object_unref(self);
}

static void
vb_qmp_dispose(GObject *object)
{
  VbQmp *self = VB_QMP(object);

  if (self->state != VB_QMP_STATE_CLOSED)
    vb_qmp_close_with(
        self, g_error_new_literal(VB_ERROR, VB_ERROR_MONITOR_ERROR, "monitor disposed"), FALSE);
  G_OBJECT_CLASS(vb_qmp_parent_class)->dispose(object);
}

static void
vb_qmp_finalize(GObject *object)
{
  VbQmp *self = VB_QMP(object);

  g_clear_object(&self->socket);
  g_main_context_unref(self->context);
  vb_qmp_stream_free(self->stream);
  g_free(self->package);
  g_strfreev(self->capabilities);
  g_ptr_array_unref(self->handshakes);
  g_clear_error(&self->closed_reason);
  G_OBJECT_CLASS(vb_qmp_parent_class)->finalize(object);
}

static void
vb_qmp_class_init(VbQmpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);

  object_class->dispose = vb_qmp_dispose;
  object_class->finalize = vb_qmp_finalize;

  /**
   * VbQmp::event:
   * @name: the event's name, e.g. "STOP"
   * @data: its "data" member, an empty object when it has none
   * @timestamp: when QEMU emitted it, in microseconds since the epoch (0 when absent)
   */
  signals[SIGNAL_EVENT] =
      g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 3, G_TYPE_STRING, JSON_TYPE_OBJECT, G_TYPE_INT64);
  /**
   * VbQmp::closed:
   * @reason: why: end of file, a read or protocol error, or vb_qmp_close()
   *
   * Emitted once, after every command still waiting has been answered with an error.
   */
  signals[SIGNAL_CLOSED] = g_signal_new("closed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
vb_qmp_init(VbQmp *self)
{
  g_queue_init(&self->queue);
  self->handshakes = g_ptr_array_new_with_free_func(g_object_unref);
  self->stream = vb_qmp_stream_new(VB_QMP_MESSAGE_MAX);
}

/**
 * vb_qmp_new:
 * @socket: a connected stream socket to a QEMU monitor; made non-blocking
 * @context: (nullable): where the monitor runs; the thread-default context when %NULL
 *
 * Starts reading at once: the greeting and negotiation need no call. Use
 * vb_qmp_handshake_async() to learn when commands can flow (they may be queued before).
 */
VbQmp *
vb_qmp_new(GSocket *socket, GMainContext *context)
{
  VbQmp *self = g_object_new(VB_TYPE_QMP, NULL);

  g_return_val_if_fail(G_IS_SOCKET(socket), NULL);
  self->socket = g_object_ref(socket);
  self->context =
      context != NULL ? g_main_context_ref(context) : g_main_context_ref_thread_default();
  g_socket_set_blocking(self->socket, FALSE);
  self->read_source = g_socket_create_source(self->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback(self->read_source, G_SOURCE_FUNC(on_readable), self, NULL);
  g_source_attach(self->read_source, self->context);
  return self;
}

/**
 * vb_qmp_new_for_fd:
 * @fd: a connected stream socket; owned by the result, closed on error too
 */
VbQmp *
vb_qmp_new_for_fd(int fd, GMainContext *context, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocket) socket = g_socket_new_from_fd(fd, &local_error);

  if (socket == NULL) {
    close(fd);
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, "Cannot use fd %d for the monitor: %s", fd,
                local_error->message);
    return NULL;
  }
  return vb_qmp_new(socket, context);
}

/**
 * vb_qmp_new_for_path:
 * @path: a monitor's listening UNIX socket
 *
 * Connecting a UNIX socket completes at once or fails at once, so this does not wait.
 */
VbQmp *
vb_qmp_new_for_path(const char *path, GMainContext *context, GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new(path);
  g_autoptr(GError) local_error = NULL;

  socket = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                        &local_error);
  if (socket != NULL) {
    g_socket_set_blocking(socket, FALSE);
    if (!g_socket_connect(socket, address, NULL, &local_error))
      g_clear_object(&socket);
  }
  if (socket == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR, "Cannot connect to the monitor at %s: %s",
                path, local_error->message);
    return NULL;
  }
  return vb_qmp_new(socket, context);
}

/* vb_qmp_drop_source() as a GDestroyNotify. */
static void
destroy_source(gpointer data)
{
  GSource *source = data;

  vb_qmp_drop_source(&source);
}

/* A handshake given up by its caller: the connection goes on negotiating for the others. */
static gboolean
on_handshake_cancelled(GCancellable *cancellable, gpointer data)
{
  GTask *task = data;
  VbQmp *self = g_task_get_source_object(task);
  guint index;

  if (g_ptr_array_find(self->handshakes, task, &index)) {
    g_ptr_array_steal_index(self->handshakes, index);
    g_task_return_error_if_cancelled(task);
    g_object_unref(task);
  }
  return G_SOURCE_REMOVE;
}

/**
 * vb_qmp_handshake_async:
 *
 * Completes once the greeting was read and qmp_capabilities accepted (at once if that is done),
 * or with the error that closed the connection.
 */
void
vb_qmp_handshake_async(VbQmp *self,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

  g_task_set_source_tag(task, vb_qmp_handshake_async);
  if (self->state == VB_QMP_STATE_READY) {
    g_task_return_boolean(task, TRUE);
  } else if (self->state == VB_QMP_STATE_CLOSED) {
    g_task_return_error(task, g_error_copy(self->closed_reason));
  } else {
    if (cancellable != NULL) {
      GSource *source = g_cancellable_source_new(cancellable);

      /* The source goes with the task; the task does not hold itself alive through it. */
      g_source_set_callback(source, G_SOURCE_FUNC(on_handshake_cancelled), task, NULL);
      g_source_attach(source, self->context);
      g_object_set_data_full(G_OBJECT(task), "vb-cancel-source", source, destroy_source);
    }
    g_ptr_array_add(self->handshakes, g_steal_pointer(&task));
  }
}

gboolean
vb_qmp_handshake_finish(VbQmp *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean
vb_qmp_is_ready(VbQmp *self)
{
  return self->state == VB_QMP_STATE_READY;
}

gboolean
vb_qmp_is_closed(VbQmp *self)
{
  return self->state == VB_QMP_STATE_CLOSED;
}

/* From the greeting, 0 when it had none: see VB_QEMU_VERSION(). */
guint
vb_qmp_get_version(VbQmp *self)
{
  return self->version;
}

const char *
vb_qmp_get_package(VbQmp *self)
{
  return self->package;
}

gboolean
vb_qmp_has_capability(VbQmp *self, const char *capability)
{
  return self->capabilities != NULL &&
         g_strv_contains((const char *const *)self->capabilities, capability);
}

static void
enqueue(
    VbQmp *self, GTask *task, VbQmpCommand *command, guint timeout_ms, GCancellable *cancellable)
{
  command->task = task;
  if (self->state == VB_QMP_STATE_CLOSED) {
    command_fail(command, g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR, "'%s' was not sent: %s",
                                      command->name, self->closed_reason->message));
    vb_qmp_command_free(command);
    return;
  }
  if (timeout_ms != VB_QMP_NO_TIMEOUT) {
    command->timeout = g_timeout_source_new(timeout_ms);
    g_source_set_callback(command->timeout, on_command_timeout, command, NULL);
    g_source_attach(command->timeout, self->context);
  }
  if (cancellable != NULL) {
    command->cancelled = g_cancellable_source_new(cancellable);
    g_source_set_callback(command->cancelled, G_SOURCE_FUNC(on_command_cancelled), command, NULL);
    g_source_attach(command->cancelled, self->context);
  }
  g_queue_push_tail(&self->queue, command);
  vb_qmp_send_next(self);
}

static VbQmpCommand *
command_new(VbQmp *self, const char *name, JsonObject *object)
{
  VbQmpCommand *command = g_new0(VbQmpCommand, 1);
  g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  command->name = g_strdup(name);
  command->id = g_strdup_printf("vb-%" G_GUINT64_FORMAT, ++self->next_id);
  json_object_set_string_member(object, "id", command->id);
  json_node_set_object(node, object);
  text = json_to_string(node, FALSE);
  command->line = g_strconcat(text, "\r\n", NULL);
  command->length = strlen(command->line);
  return command;
}

/**
 * vb_qmp_execute_async:
 * @command: e.g. "query-status"
 * @arguments: (nullable): its "arguments"
 * @fds: (array length=n_fds) (nullable): descriptors sent with the command (SCM_RIGHTS), as
 *   getfd and add-fd expect; duplicated, the caller keeps its own
 * @timeout_ms: give up with %VB_ERROR_TIMEOUT after this long, or %VB_QMP_NO_TIMEOUT
 *
 * Queues @command. The result is its "return" member; a QMP error becomes
 * %VB_ERROR_MONITOR_ERROR naming the command, the error class and QEMU's description.
 */
void
vb_qmp_execute_async(VbQmp *self,
                     const char *command,
                     JsonObject *arguments,
                     const int *fds,
                     guint n_fds,
                     guint timeout_ms,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data)
{
  GTask *task = g_task_new(self, NULL, callback, user_data);
  g_autoptr(JsonObject) object = json_object_new();
  VbQmpCommand *pending;

  g_task_set_source_tag(task, vb_qmp_execute_async);
  json_object_set_string_member(object, "execute", command);
  if (arguments != NULL)
    json_object_set_object_member(object, "arguments", json_object_ref(arguments));
  pending = command_new(self, command, object);
  if (n_fds > 0) {
    g_autoptr(GError) error = NULL;

    pending->fds = g_unix_fd_list_new();
    for (guint i = 0; i < n_fds; i++) {
      if (g_unix_fd_list_append(pending->fds, fds[i], &error) < 0) {
        g_task_return_new_error(task, VB_ERROR, VB_ERROR_INVALID_ARGS,
                                "Cannot pass fd %d with '%s': %s", fds[i], command, error->message);
        g_object_unref(task);
        vb_qmp_command_free(pending);
        return;
      }
    }
  }
  enqueue(self, task, pending, timeout_ms, cancellable);
}

/**
 * vb_qmp_execute_finish:
 *
 * Returns: (transfer full): the reply's "return" member
 */
JsonNode *
vb_qmp_execute_finish(VbQmp *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/**
 * vb_qmp_execute_raw_async:
 * @json: one QMP command as text, e.g. {"execute": "query-status"}
 *
 * The Monitor passthrough. The reply comes back as text, QMP errors included (they are QEMU's
 * answer, not a failure of the call), with the caller's own "id" when the command had one.
 * Text that is not a JSON object with a string "execute" is %VB_ERROR_INVALID_ARGS.
 */
void
vb_qmp_execute_raw_async(VbQmp *self,
                         const char *json,
                         guint timeout_ms,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, NULL, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = vb_qmp_parse_object(json, strlen(json), &error);
  JsonObject *object;
  JsonNode *execute;
  VbQmpCommand *pending;

  g_task_set_source_tag(task, vb_qmp_execute_raw_async);
  if (root == NULL) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  object = json_node_get_object(root);
  execute = json_object_get_member(object, "execute");
  if (execute == NULL || !JSON_NODE_HOLDS_VALUE(execute) ||
      json_node_get_value_type(execute) != G_TYPE_STRING) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_INVALID_ARGS,
                            "the command has no string member \"execute\"");
    return;
  }
  {
    g_autofree char *name = g_strdup(json_node_get_string(execute));
    JsonNode *user_id = json_object_get_member(object, "id");

    user_id = user_id != NULL ? json_node_copy(user_id) : NULL;
    pending = command_new(self, name, object);
    pending->raw = TRUE;
    pending->user_id = user_id;
  }
  enqueue(self, g_steal_pointer(&task), pending, timeout_ms, cancellable);
}

/**
 * vb_qmp_execute_raw_finish:
 *
 * Returns: (transfer full): the reply as one line of JSON
 */
char *
vb_qmp_execute_raw_finish(VbQmp *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/**
 * vb_qmp_close:
 *
 * Closes the connection: waiting commands fail and "closed" is emitted, as on end of file.
 */
void
vb_qmp_close(VbQmp *self)
{
  vb_qmp_close_with(
      self, g_error_new_literal(VB_ERROR, VB_ERROR_MONITOR_ERROR, "monitor closed by virtbus"),
      TRUE);
}
