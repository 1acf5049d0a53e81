/* test-qmp-qemu.c: the QMP client against the real qemu-system-x86_64 (TCG, no guest).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-qmp.h"
#include "vb-test-wait.h"

#define QEMU "/usr/bin/qemu-system-x86_64"

typedef struct {
  GSubprocess *qemu; /* (owned) */
  VbQmp *qmp;        /* (owned) */
  GPtrArray *events; /* (element-type utf8) */
  gboolean closed;
  GAsyncResult *result; /* (nullable) (owned): of the last call */
} Fixture;

static void
die_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void
on_event(VbQmp *qmp, const char *name, JsonObject *data, gint64 timestamp, gpointer user_data)
{
  Fixture *fx = user_data;

  /* QEMU stamps every event: the time must be now-ish, not zero. */
  g_assert_cmpint(timestamp, >, g_get_real_time() - 60 * G_USEC_PER_SEC);
  if (g_str_equal(name, "SHUTDOWN"))
    g_ptr_array_add(fx->events,
                    g_strdup_printf("SHUTDOWN:%s", json_object_get_string_member(data, "reason")));
  else
    g_ptr_array_add(fx->events, g_strdup(name));
}

static void
on_closed(VbQmp *qmp, GError *reason, gpointer user_data)
{
  Fixture *fx = user_data;

  g_assert_error(reason, VB_ERROR, VB_ERROR_MONITOR_ERROR);
  fx->closed = TRUE;
}

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fx = user_data;

  fx->result = g_object_ref(result);
}

static GAsyncResult *
wait_result(Fixture *fx)
{
  VB_TEST_WAIT_UNTIL(NULL, fx->result != NULL, "the QMP command's reply");
  return g_steal_pointer(&fx->result);
}

static JsonNode *
execute(Fixture *fx, const char *command, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vb_qmp_execute_async(fx->qmp, command, NULL, NULL, 0, 10000, NULL, on_result, fx);
  result = wait_result(fx);
  return vb_qmp_execute_finish(fx->qmp, result, error);
}

static void
fixture_set_up(Fixture *fx, gconstpointer data)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  int fds[2];

  fx->events = g_ptr_array_new_with_free_func(g_free);
  g_assert_no_errno(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  /* QEMU's end of a socketpair as a connected monitor: no socket path, no connect race. */
  g_subprocess_launcher_take_fd(launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
  fx->qemu = g_subprocess_launcher_spawn(launcher, &error, QEMU, "-S", "-no-user-config",
                                         "-nodefaults", "-nographic", "-machine", "none,accel=tcg",
                                         "-chardev", "socket,id=monitor,fd=3", "-mon",
                                         "chardev=monitor,mode=control", NULL);
  g_assert_no_error(error);
  socket = g_socket_new_from_fd(fds[0], &error);
  g_assert_no_error(error);
  fx->qmp = vb_qmp_new(socket, NULL);
  g_signal_connect(fx->qmp, "event", G_CALLBACK(on_event), fx);
  g_signal_connect(fx->qmp, "closed", G_CALLBACK(on_closed), fx);
}

static void
on_exited(GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL);
  *done = TRUE;
}

/* Reaps QEMU whatever happened: a failed test must not leave it running. */
static void
fixture_tear_down(Fixture *fx, gconstpointer data)
{
  gboolean exited = FALSE;

  g_clear_object(&fx->qmp);
  g_subprocess_force_exit(fx->qemu);
  g_subprocess_wait_async(fx->qemu, NULL, on_exited, &exited);
  VB_TEST_WAIT_UNTIL(NULL, exited, "QEMU to exit");
  g_clear_object(&fx->qemu);
  g_ptr_array_unref(fx->events);
}

static void
test_lifecycle(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) reply = NULL;
  gboolean exited = FALSE;

  vb_qmp_handshake_async(fx->qmp, NULL, on_result, fx);
  result = wait_result(fx);
  g_assert_true(vb_qmp_handshake_finish(fx->qmp, result, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(vb_qmp_get_version(fx->qmp), >=, VB_QEMU_VERSION(3, 1, 0));

  status = execute(fx, "query-status", &error);
  g_assert_no_error(error);
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(status), "status"), ==,
                  "prelaunch");

  reply = execute(fx, "cont", &error);
  g_assert_no_error(error);
  g_clear_pointer(&reply, json_node_unref);
  reply = execute(fx, "stop", &error);
  g_assert_no_error(error);
  g_clear_pointer(&reply, json_node_unref);
  g_clear_pointer(&status, json_node_unref);
  status = execute(fx, "query-status", &error);
  g_assert_no_error(error);
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(status), "status"), ==,
                  "paused");

  /* A command QEMU does not know is its error, with its class. */
  g_assert_null(execute(fx, "no-such-command", &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR);
  g_assert_cmpstr(
      error->message, ==,
      "QEMU refused 'no-such-command': CommandNotFound: The command no-such-command has "
      "not been found");
  g_clear_error(&error);

  /* quit: QEMU may close the socket before or after its reply; either way SHUTDOWN comes first
   * and the connection ends with one "closed". */
  reply = execute(fx, "quit", &error);
  if (reply == NULL)
    g_assert_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR);
  g_clear_error(&error);
  VB_TEST_WAIT_UNTIL(NULL, fx->closed, "the monitor to close");
  g_subprocess_wait_async(fx->qemu, NULL, on_exited, &exited);
  VB_TEST_WAIT_UNTIL(NULL, exited, "QEMU to exit");
  g_assert_true(g_subprocess_get_if_exited(fx->qemu));
  g_assert_cmpint(g_subprocess_get_exit_status(fx->qemu), ==, 0);

  g_assert_cmpuint(fx->events->len, ==, 3);
  g_assert_cmpstr(fx->events->pdata[0], ==, "RESUME");
  g_assert_cmpstr(fx->events->pdata[1], ==, "STOP");
  g_assert_cmpstr(fx->events->pdata[2], ==, "SHUTDOWN:host-qmp-quit");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  if (!g_file_test(QEMU, G_FILE_TEST_IS_EXECUTABLE)) {
    /* tools/setup installs it; without it this is a broken set-up, not a skip. */
    g_printerr("%s is missing: run tools/setup\n", QEMU);
    return 1;
  }
  g_test_add("/virtbus/qmp-qemu/lifecycle", Fixture, NULL, fixture_set_up, test_lifecycle,
             fixture_tear_down);
  return g_test_run();
}
