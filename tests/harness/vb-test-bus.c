/* vb-test-bus.c: the D-Bus tests' harness (vb-test-bus.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vb-test-bus.h"
#include "vb-test-tree.h"
#include "vb-test-wait.h"

#define BUS_NAME "org.virtbus.Virtbus1"
#define ROOT_PATH "/org/virtbus/Virtbus1"

/* A test an assertion aborts: virtbusd and dbus-daemon die with it (PDEATHSIG), but the QEMU
 * processes virtbusd started run in sessions of their own. The handler reads their pids from
 * the status files of the root (only async-signal-safe calls: open, read, kill) and kills
 * them. Signal handlers reach static storage only. */
static char abort_run_dir[4096];

static void
kill_from_status_files(void)
{
  char path[sizeof abort_run_dir + 300];
  char text[65536];
  DIR *dir = opendir(abort_run_dir);
  struct dirent *entry;

  /* opendir/readdir are not on the async-signal-safe list, but the process is going down and
   * nothing else runs: this is a best effort so that no QEMU outlives a failed test */
  while (dir != NULL && (entry = readdir(dir)) != NULL) {
    const char *pid_at;
    ssize_t n;
    int fd;

    if (strstr(entry->d_name, ".xml") == NULL)
      continue;
    snprintf(path, sizeof path, "%s/%s", abort_run_dir, entry->d_name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      continue;
    n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
      continue;
    text[n] = '\0';
    pid_at = strstr(text, " pid='");
    if (pid_at != NULL && atoi(pid_at + 6) > 1)
      kill((pid_t)atoi(pid_at + 6), SIGKILL);
  }
  if (dir != NULL)
    closedir(dir);
}

static void
on_fatal_signal(int signal_number)
{
  kill_from_status_files();
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

void
vb_test_guard_root(const char *root)
{
  g_snprintf(abort_run_dir, sizeof abort_run_dir, "%s/run/qemu", root);
  signal(SIGABRT, on_fatal_signal);
  signal(SIGTRAP, on_fatal_signal);
}

/* A test that dies takes its daemons with it (TESTING.md). */
static void
die_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
on_line(GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **line = user_data;

  *line = g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, NULL);
  if (*line == NULL)
    *line = g_strdup("");
}

static void
start_bus(VbTestBus *self, const char *config)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *listen = g_strdup_printf("unix:path=%s/bus", self->dir);
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  char *line = NULL;

  g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
  if (config != NULL)
    self->bus = g_subprocess_launcher_spawn(launcher, &error, "dbus-daemon", "--config-file",
                                            config, "--nofork", "--nopidfile", "--nosyslog",
                                            "--print-address=1", "--address", listen, NULL);
  else
    self->bus = g_subprocess_launcher_spawn(launcher, &error, "dbus-daemon", "--session",
                                            "--nofork", "--nopidfile", "--nosyslog",
                                            "--print-address=1", "--address", listen, NULL);
  g_assert_no_error(error);
  output = g_data_input_stream_new(g_subprocess_get_stdout_pipe(self->bus));
  g_data_input_stream_read_line_async(output, G_PRIORITY_DEFAULT, NULL, on_line, &line);
  VB_TEST_WAIT_UNTIL(NULL, line != NULL, "dbus-daemon to print its address");
  g_assert_cmpstr(line, !=, "");
  self->address = line;
}

static void
on_name_appeared(GDBusConnection *connection,
                 const char *name,
                 const char *owner,
                 gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
}

static void
print_log(VbTestBus *self)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents(self->log, &text, NULL, NULL))
    g_printerr("--- virtbusd's log ---\n%s--- end of virtbusd's log ---\n", text);
}

typedef struct {
  gboolean exited;
  gboolean answered; /* the wait's callback ran (exit, or cancelled) */
} ExitWatch;

static void
on_daemon_exited(GObject *source, GAsyncResult *result, gpointer user_data)
{
  ExitWatch *watch = user_data;

  watch->exited = g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL);
  watch->answered = TRUE;
}

static void
start_daemon(VbTestBus *self)
{
  const char *binary = g_getenv("VIRTBUS_TEST_VIRTBUSD");
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  gboolean appeared = FALSE;
  ExitWatch exit = {FALSE, FALSE};
  g_autoptr(GCancellable) waiting = g_cancellable_new();
  guint watch;

  g_subprocess_launcher_set_stderr_file_path(launcher, self->log);
  /* polkit is asked on the system bus: this one is it */
  if (self->polkit)
    g_subprocess_launcher_setenv(launcher, "DBUS_SYSTEM_BUS_ADDRESS", self->address, TRUE);
  g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
  self->daemon = g_subprocess_launcher_spawn(launcher, &error, binary, "--embed-root", self->root,
                                             "--address", self->address, "--verbose",
                                             self->polkit ? "--polkit" : NULL, NULL);
  g_assert_no_error(error);
  g_subprocess_wait_async(self->daemon, waiting, on_daemon_exited, &exit);
  watch = g_bus_watch_name_on_connection(self->connection, BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                         on_name_appeared, NULL, &appeared, NULL);
  VB_TEST_WAIT_UNTIL(NULL, appeared || exit.answered, "virtbusd to own its name");
  g_bus_unwatch_name(watch);
  g_cancellable_cancel(waiting);
  /* the cancelled wait answers in a later iteration: before @exit leaves this frame */
  VB_TEST_WAIT_UNTIL(NULL, exit.answered, "the wait for virtbusd's exit to end");
  if (!appeared)
    print_log(self);
  g_assert_true(appeared);
}

static void
on_domain_event(VbDBusConnect *connect,
                const char *path,
                const char *event,
                const char *detail,
                gpointer user_data)
{
  VbTestBus *self = user_data;

  g_ptr_array_add(self->events, g_strdup_printf("%s %s %s", path, event, detail));
}

/* The scratch directory and the bus (@config: a dbus-daemon configuration, or NULL for a
 * session bus), connected; no virtbusd yet. */
VbTestBus *
vb_test_bus_new_bus(const char *config)
{
  const char *binary = g_getenv("VIRTBUS_TEST_VIRTBUSD");
  g_autofree char *dbus = g_find_program_in_path("dbus-daemon");
  g_autoptr(GError) error = NULL;
  VbTestBus *self;

  if (binary == NULL || dbus == NULL) {
    g_test_skip("virtbusd or dbus-daemon is missing (meson test sets VIRTBUS_TEST_VIRTBUSD)");
    return NULL;
  }
  self = g_new0(VbTestBus, 1);
  self->dir = g_dir_make_tmp("vb-bus-XXXXXX", &error);
  g_assert_no_error(error);
  g_chmod(self->dir, 0755);
  self->root = g_build_filename(self->dir, "root", NULL);
  vb_test_guard_root(self->root);
  self->log = g_build_filename(self->dir, "virtbusd.log", NULL);
  self->events = g_ptr_array_new_with_free_func(g_free);
  start_bus(self, config);
  self->connection =
      g_dbus_connection_new_for_address_sync(self->address,
                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                             NULL, NULL, &error);
  g_assert_no_error(error);
  return self;
}

/* virtbusd on the bus (--polkit when @polkit), and the proxy of its Connect object. */
void
vb_test_bus_start(VbTestBus *self, gboolean polkit)
{
  g_autoptr(GError) error = NULL;

  self->polkit = polkit;
  start_daemon(self);
  self->connect = vb_dbus_connect_proxy_new_sync(self->connection, G_DBUS_PROXY_FLAGS_NONE,
                                                 BUS_NAME, ROOT_PATH, NULL, &error);
  g_assert_no_error(error);
  self->event_handler =
      g_signal_connect(self->connect, "domain-event", G_CALLBACK(on_domain_event), self);
}

VbTestBus *
vb_test_bus_new(void)
{
  VbTestBus *self = vb_test_bus_new_bus(NULL);

  if (self != NULL)
    vb_test_bus_start(self, FALSE);
  return self;
}

static void
stop_daemon(VbTestBus *self, int signal)
{
  g_autoptr(GError) error = NULL;

  if (self->daemon == NULL)
    return;
  g_subprocess_send_signal(self->daemon, signal);
  g_subprocess_wait(self->daemon, NULL, &error);
  g_assert_no_error(error);
  /* a clean stop is a clean exit: no leak report, no crash on the way out */
  if (signal == SIGTERM && !g_subprocess_get_successful(self->daemon)) {
    print_log(self);
    g_error("virtbusd did not exit cleanly on SIGTERM (wait status %d)",
            g_subprocess_get_status(self->daemon));
  }
  g_clear_object(&self->daemon);
}

void
vb_test_bus_restart(VbTestBus *self, gboolean kill)
{
  stop_daemon(self, kill ? SIGKILL : SIGTERM);
  start_daemon(self);
}

void
vb_test_bus_free(VbTestBus *self)
{
  g_auto(GStrv) domains = NULL;

  if (self == NULL)
    return;
  if (g_test_failed())
    print_log(self);
  /* what a test left running is destroyed, as a user would, so no QEMU outlives the test */
  if (self->daemon != NULL && self->connect != NULL &&
      vb_dbus_connect_call_list_domains_sync(self->connect, g_variant_new("a{sv}", NULL), &domains,
                                             NULL, NULL)) {
    for (guint i = 0; domains[i] != NULL; i++) {
      g_autoptr(VbDBusDomain) domain = vb_test_bus_domain(self, domains[i]);

      if (vb_dbus_domain_get_active(domain))
        vb_dbus_domain_call_destroy_sync(domain, g_variant_new("a{sv}", NULL), NULL, NULL);
    }
  }
  if (self->connect != NULL)
    g_clear_signal_handler(&self->event_handler, self->connect);
  g_clear_object(&self->connect);
  stop_daemon(self, SIGTERM);
  g_clear_object(&self->connection);
  g_subprocess_send_signal(self->bus, SIGTERM);
  g_subprocess_wait(self->bus, NULL, NULL);
  g_object_unref(self->bus);
  vb_test_remove_tree(self->dir);
  g_ptr_array_unref(self->events);
  g_free(self->address);
  g_free(self->log);
  g_free(self->root);
  g_free(self->dir);
  g_free(self);
}

VbDBusDomain *
vb_test_bus_domain(VbTestBus *self, const char *path)
{
  g_autoptr(GError) error = NULL;
  VbDBusDomain *domain = vb_dbus_domain_proxy_new_sync(self->connection, G_DBUS_PROXY_FLAGS_NONE,
                                                       BUS_NAME, path, NULL, &error);

  g_assert_no_error(error);
  return domain;
}

char *
vb_test_bus_define(VbTestBus *self, const char *xml)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;

  vb_dbus_connect_call_define_xml_sync(self->connect, xml, g_variant_new("a{sv}", NULL), &path,
                                       NULL, &error);
  g_assert_no_error(error);
  return path;
}

guint
vb_test_bus_count_events(VbTestBus *self, const char *path, const char *event, const char *detail)
{
  g_autofree char *line = g_strdup_printf("%s %s %s", path, event, detail);
  guint count = 0;

  for (guint i = 0; i < self->events->len; i++)
    count += g_str_equal(self->events->pdata[i], line);
  return count;
}

void
vb_test_bus_wait_state(VbTestBus *self, VbDBusDomain *domain, const char *state)
{
  g_autofree char *what = g_strdup_printf("the State property to be '%s'", state);

  VB_TEST_WAIT_UNTIL(NULL, g_strcmp0(vb_dbus_domain_get_state(domain), state) == 0, what);
}
