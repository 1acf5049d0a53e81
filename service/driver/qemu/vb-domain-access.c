/* vb-domain-access.c: what a client reaches of a running domain beyond its lifecycle: QEMU's
 * monitor (the passthrough, which taints the domain), its serial console, its VNC display and
 * a screenshot. Queries: none of them waits behind a job.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-json.h"
#include "vb-qmp-stream.h"

#define CUSTOM_MONITOR "custom-monitor"
/* A screenshot larger than this is not a screen (a 4K frame as PNG is a few MiB). */
#define SCREENSHOT_MAX (64 * 1024 * 1024)

static VbQmp *
monitor_of(VbDomainObj *domain, GError **error)
{
  if (domain->process == NULL || domain->state == VB_DOMAIN_SHUTOFF) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_STATE, "domain '%s' is not running",
                domain->name);
    return NULL;
  }
  if (domain->process->qmp == NULL || !vb_qmp_is_ready(domain->process->qmp)) {
    g_set_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR,
                "domain '%s': QEMU's monitor is not connected", domain->name);
    return NULL;
  }
  return domain->process->qmp;
}

/* Once per run: the domain is tainted, and its log says by what. */
static void
taint_custom_monitor(VbDomainObj *domain, const char *what)
{
  g_autofree char *line = NULL;

  for (guint i = 0; i < domain->taints->len; i++) {
    if (g_str_equal(domain->taints->pdata[i], CUSTOM_MONITOR))
      return;
  }
  g_ptr_array_add(domain->taints, g_strdup(CUSTOM_MONITOR));
  line = vb_domain_log_line("tainted: %s (%s)", CUSTOM_MONITOR, what);
  vb_domain_log_append_in_worker(domain->process->log_path, line);
  vb_domain_obj_save_status(domain);
  vb_domain_obj_changed(domain);
}

/* -- the monitor passthrough ---------------------------------------------------------------- */

static void
on_raw(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *reply = vb_qmp_execute_raw_finish(VB_QMP(source), result, &error);

  if (reply == NULL)
    g_task_return_error(task, error);
  else
    g_task_return_pointer(task, reply, g_free);
}

static void
on_human(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) reply = NULL;
  GError *error = NULL;

  reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);
  if (reply == NULL) {
    g_task_return_error(task, error);
    return;
  }
  if (!JSON_NODE_HOLDS_VALUE(reply) || json_node_get_value_type(reply) != G_TYPE_STRING) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_MONITOR_ERROR,
                            "QEMU answered 'human-monitor-command' with no text");
    return;
  }
  g_task_return_pointer(task, g_strdup(json_node_get_string(reply)), g_free);
}

/**
 * vb_driver_monitor_command_async:
 * @command: a QMP command as JSON text, or (@human) a human monitor command line
 *
 * Sends @command to the running domain's monitor and finishes with QEMU's answer: the whole
 * QMP reply as text ({"return": …} or {"error": …}), or what the human command printed. The
 * domain is tainted "custom-monitor".
 */
void
vb_driver_monitor_command_async(VbDriver *self,
                                VbDomainObj *domain,
                                const char *command,
                                gboolean human,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  GError *error = NULL;
  VbQmp *qmp = monitor_of(domain, &error);

  g_task_set_source_tag(task, vb_driver_monitor_command_async);
  if (qmp == NULL) {
    g_task_return_error(task, error);
    return;
  }
  if (human) {
    g_autoptr(JsonObject) arguments = json_object_new();

    json_object_set_string_member(arguments, "command-line", command);
    taint_custom_monitor(domain, "a human monitor command");
    vb_qmp_execute_async(qmp, "human-monitor-command", arguments, NULL, 0,
                         VB_MONITOR_COMMAND_TIMEOUT_MS, cancellable, on_human, g_object_ref(task));
    return;
  }
  {
    /* checked here, so that a command that is no command taints nothing */
    g_autoptr(JsonNode) parsed = vb_qmp_parse_object(command, strlen(command), &error);

    if (parsed == NULL) {
      g_task_return_error(task, error);
      return;
    }
  }
  taint_custom_monitor(domain, "a QMP command");
  vb_qmp_execute_raw_async(qmp, command, VB_MONITOR_COMMAND_TIMEOUT_MS, cancellable, on_raw,
                           g_object_ref(task));
}

char *
vb_driver_monitor_command_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* -- the serial console --------------------------------------------------------------------- */

static void
on_chardevs(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *wanted = g_task_get_task_data(task);
  static const VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "QEMU's reply to 'query-chardev'"};
  g_autoptr(JsonNode) reply = NULL;
  GError *error = NULL;
  JsonArray *chardevs;

  reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);
  if (reply == NULL) {
    g_task_return_error(task, error);
    return;
  }
  if (!JSON_NODE_HOLDS_ARRAY(reply)) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_MONITOR_ERROR, "%s is not an array",
                            scope.where);
    return;
  }
  chardevs = json_node_get_array(reply);
  for (guint i = 0; i < json_array_get_length(chardevs); i++) {
    JsonNode *node = json_array_get_element(chardevs, i);
    JsonObject *chardev = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    const char *label = NULL, *filename = NULL;
    int fd;

    if (chardev == NULL || !vb_json_get_string(&scope, chardev, "label", TRUE, &label, NULL) ||
        !vb_json_get_string(&scope, chardev, "filename", TRUE, &filename, NULL) ||
        !g_str_equal(label, wanted))
      continue;
    if (!g_str_has_prefix(filename, "pty:")) {
      g_task_return_new_error(task, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                              "the console '%s' is not a pty (%s): only a <serial type='pty'> can "
                              "be opened",
                              wanted + strlen("char"), filename);
      return;
    }
    fd = open(filename + strlen("pty:"), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      int saved = errno;

      g_task_return_new_error(task, VB_ERROR, VB_ERROR_FAILED, "cannot open %s: %s",
                              filename + strlen("pty:"), g_strerror(saved));
      return;
    }
    g_task_return_int(task, fd);
    return;
  }
  g_task_return_new_error(task, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "the domain has no console '%s'",
                          wanted + strlen("char"));
}

/**
 * vb_driver_open_console_async:
 * @device: a serial port's alias ("serial0"), or "" for the first
 *
 * Finishes with a descriptor on the pty QEMU made for that serial port (the caller owns it).
 */
void
vb_driver_open_console_async(VbDriver *self,
                             VbDomainObj *domain,
                             const char *device,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  GError *error = NULL;
  VbQmp *qmp = monitor_of(domain, &error);

  g_task_set_source_tag(task, vb_driver_open_console_async);
  if (qmp == NULL) {
    g_task_return_error(task, error);
    return;
  }
  /* QEMU's chardev of a serial port is "char" + its alias */
  g_task_set_task_data(task, g_strconcat("char", device[0] != '\0' ? device : "serial0", NULL),
                       g_free);
  vb_qmp_execute_async(qmp, "query-chardev", NULL, NULL, 0, VB_MONITOR_COMMAND_TIMEOUT_MS,
                       cancellable, on_chardevs, g_object_ref(task));
}

int
vb_driver_open_console_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), -1);
  return (int)g_task_propagate_int(G_TASK(result), error);
}

/* -- the display ---------------------------------------------------------------------------- */

typedef struct {
  int ours;   /* the end handed to the caller */
  int theirs; /* the end QEMU's VNC server gets */
} Graphics;

static void
graphics_free(Graphics *graphics)
{
  if (graphics->ours >= 0)
    close(graphics->ours);
  if (graphics->theirs >= 0)
    close(graphics->theirs);
  g_free(graphics);
}

static void
on_client_added(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Graphics *graphics = g_task_get_task_data(task);
  g_autoptr(JsonNode) reply = NULL;
  GError *error = NULL;
  int fd;

  reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);
  if (reply == NULL) {
    g_task_return_error(task, error);
    return;
  }
  fd = graphics->ours;
  graphics->ours = -1;
  g_task_return_int(task, fd);
}

static void
on_fd_given(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonObject) arguments = json_object_new();
  GError *error = NULL;

  reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);
  if (reply == NULL) {
    g_task_return_error(task, error);
    return;
  }
  json_object_set_string_member(arguments, "protocol", "vnc");
  json_object_set_string_member(arguments, "fdname", "virtbus-graphics");
  json_object_set_boolean_member(arguments, "skipauth", FALSE);
  vb_qmp_execute_async(VB_QMP(source), "add_client", arguments, NULL, 0,
                       VB_MONITOR_COMMAND_TIMEOUT_MS, g_task_get_cancellable(task), on_client_added,
                       g_object_ref(task));
}

/**
 * vb_driver_open_graphics_async:
 *
 * Finishes with a socket connected to the domain's VNC server (one end of a socketpair whose
 * other end QEMU takes as a client, with add_client).
 */
void
vb_driver_open_graphics_async(VbDriver *self,
                              VbDomainObj *domain,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  g_autoptr(JsonObject) arguments = json_object_new();
  Graphics *graphics = g_new0(Graphics, 1);
  GError *error = NULL;
  VbQmp *qmp = monitor_of(domain, &error);
  gboolean vnc = FALSE;
  int pair[2];

  g_task_set_source_tag(task, vb_driver_open_graphics_async);
  graphics->ours = graphics->theirs = -1;
  g_task_set_task_data(task, graphics, (GDestroyNotify)graphics_free);
  if (qmp == NULL) {
    g_task_return_error(task, error);
    return;
  }
  for (guint i = 0; i < domain->live->graphics->len; i++)
    vnc |= ((VbGraphicsDef *)domain->live->graphics->pdata[i])->type == VB_GRAPHICS_VNC;
  if (!vnc) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                            "domain '%s' has no <graphics type='vnc'>", domain->name);
    return;
  }
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    int saved = errno;

    g_task_return_new_error(task, VB_ERROR, VB_ERROR_FAILED, "socketpair: %s", g_strerror(saved));
    return;
  }
  graphics->ours = pair[0];
  graphics->theirs = pair[1];
  json_object_set_string_member(arguments, "fdname", "virtbus-graphics");
  vb_qmp_execute_async(qmp, "getfd", arguments, &graphics->theirs, 1, VB_MONITOR_COMMAND_TIMEOUT_MS,
                       cancellable, on_fd_given, g_object_ref(task));
}

int
vb_driver_open_graphics_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), -1);
  return (int)g_task_propagate_int(G_TASK(result), error);
}

/* -- a screenshot --------------------------------------------------------------------------- */

static void
read_screenshot_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  const char *path = data;
  g_autofree char *contents = NULL;
  gsize length = 0;
  GError *error = NULL;
  GStatBuf st;

  if (g_stat(path, &st) == 0 && st.st_size > SCREENSHOT_MAX) {
    g_unlink(path);
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_MONITOR_ERROR,
                            "QEMU's screenshot is %" G_GINT64_FORMAT " bytes, more than %d",
                            (gint64)st.st_size, SCREENSHOT_MAX);
    return;
  }
  if (!g_file_get_contents(path, &contents, &length, &error)) {
    g_task_return_error(task, error);
    return;
  }
  g_unlink(path);
  g_task_return_pointer(task, g_bytes_new_take(g_steal_pointer(&contents), length),
                        (GDestroyNotify)g_bytes_unref);
}

static void
on_screendump(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) reply = NULL;
  GError *error = NULL;

  reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);
  if (reply == NULL) {
    g_task_return_error(task, error);
    return;
  }
  g_task_run_in_thread(task, read_screenshot_thread);
}

/**
 * vb_driver_screenshot_async:
 *
 * Finishes with the current screen as PNG bytes (QEMU's screendump to a file in the domain's
 * runtime directory, read back and removed).
 */
void
vb_driver_screenshot_async(VbDriver *self,
                           VbDomainObj *domain,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  g_autoptr(JsonObject) arguments = json_object_new();
  GError *error = NULL;
  VbQmp *qmp = monitor_of(domain, &error);
  char *path;

  g_task_set_source_tag(task, vb_driver_screenshot_async);
  if (qmp == NULL) {
    g_task_return_error(task, error);
    return;
  }
  if (domain->live->videos->len == 0 && domain->live->graphics->len == 0) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                            "domain '%s' has no display to take a screenshot of", domain->name);
    return;
  }
  path = g_build_filename(domain->process->run_dir, "screenshot.png", NULL);
  g_task_set_task_data(task, path, g_free);
  json_object_set_string_member(arguments, "filename", path);
  json_object_set_string_member(arguments, "format", "png");
  vb_qmp_execute_async(qmp, "screendump", arguments, NULL, 0, VB_MONITOR_COMMAND_TIMEOUT_MS,
                       cancellable, on_screendump, g_object_ref(task));
}

GBytes *
vb_driver_screenshot_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}
