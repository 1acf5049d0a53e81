/* vb-test-driver.c: the lifecycle tests' harness (vb-test-driver.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "vb-test-driver.h"
#include "vb-test-tree.h"
#include "vb-test-wait.h"

/* The QEMU processes a test started run in sessions of their own and outlive the test if an
 * assertion aborts it: a failing test kills them on its way out. A signal handler can only
 * reach static storage. */
#define MAX_PIDS 256
static volatile sig_atomic_t started_pids[MAX_PIDS];
static volatile sig_atomic_t n_started_pids;

static void
on_fatal_signal(int signal_number)
{
  for (sig_atomic_t i = 0; i < n_started_pids; i++)
    kill((pid_t)started_pids[i], SIGKILL);
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

static void
remember_pid(VbTestDriver *self, GPid pid)
{
  if (!g_hash_table_add(self->pids, GINT_TO_POINTER(pid)))
    return;
  if (n_started_pids < MAX_PIDS) {
    started_pids[n_started_pids] = pid;
    n_started_pids = n_started_pids + 1;
  }
  signal(SIGABRT, on_fatal_signal);
  signal(SIGTRAP, on_fatal_signal);
}

typedef struct {
  VbTestDriver *driver;
  char *name;
  GInputStream *input;
  GSocketConnection *connection;
  char buffer[4096];
} ConsoleReader;

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref(result);
}

static void
on_event(VbDriver *driver, VbDomainObj *domain, gint event, const char *detail, gpointer user_data)
{
  VbTestDriver *self = user_data;

  g_ptr_array_add(self->events, g_strdup_printf("%s %s %s", vb_domain_obj_get_name(domain),
                                                vb_domain_event_names[event], detail));
  if (event == VB_DOMAIN_EVENT_STARTED && vb_domain_obj_get_pid(domain) > 0)
    remember_pid(self, vb_domain_obj_get_pid(domain));
}

static void
connect_driver(VbTestDriver *self)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  vb_driver_open_async(self->paths, self->conf, NULL, on_result, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the driver to open");
  self->driver = vb_driver_open_finish(result, &error);
  g_assert_no_error(error);
  g_signal_connect(self->driver, "domain-event", G_CALLBACK(on_event), self);
  /* reconnected domains: their QEMU is one of ours to check at the end */
  {
    g_autoptr(GPtrArray) domains = vb_driver_list_domains(self->driver);

    for (guint i = 0; i < domains->len; i++) {
      if (vb_domain_obj_get_pid(domains->pdata[i]) > 0)
        remember_pid(self, vb_domain_obj_get_pid(domains->pdata[i]));
    }
  }
}

static void
string_free(gpointer text)
{
  g_string_free(text, TRUE);
}

VbTestDriver *
vb_test_driver_new(void)
{
  return vb_test_driver_new_with_conf(VB_INSTANCE_EMBED, NULL);
}

VbTestDriver *
vb_test_driver_new_with_conf(VbInstanceKind instance, const char *text)
{
  const char *guest = g_getenv("VIRTBUS_TEST_GUEST");
  g_autofree char *kernel = guest != NULL ? g_build_filename(guest, "vmlinuz", NULL) : NULL;
  g_autoptr(GError) error = NULL;
  VbTestDriver *self;

  if (kernel == NULL || !g_file_test(kernel, G_FILE_TEST_EXISTS)) {
    g_test_skip("the test guest is not built (meson test builds it: tests/guest)");
    return NULL;
  }
  self = g_new0(VbTestDriver, 1);
  /* in /tmp: a socket path under a deep build dir could pass the 107-byte limit */
  self->root = g_dir_make_tmp("vb-driver-XXXXXX", &error);
  g_assert_no_error(error);
  g_chmod(self->root, 0755);
  self->paths = vb_paths_new_embed(self->root, &error);
  g_assert_no_error(error);
  if (text != NULL) {
    self->conf =
        vb_qemu_conf_load_from_data("test-qemu.conf", text, strlen(text), instance, &error);
    g_assert_no_error(error);
  } else {
    self->conf = vb_qemu_conf_new_default(instance);
  }
  self->events = g_ptr_array_new_with_free_func(g_free);
  self->pids = g_hash_table_new(NULL, NULL);
  self->consoles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, string_free);
  self->listeners = g_ptr_array_new_with_free_func(g_object_unref);
  self->readers = g_ptr_array_new();
  self->reading = g_cancellable_new();
  connect_driver(self);
  return self;
}

void
vb_test_driver_drop(VbTestDriver *self)
{
  g_clear_object(&self->driver);
}

void
vb_test_driver_reopen(VbTestDriver *self)
{
  g_assert_null(self->driver);
  connect_driver(self);
}

static gboolean
process_alive(GPid pid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree char *text = NULL;
  const char *state;

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  state = strrchr(text, ')');
  /* a zombie has exited: its parent (us, a subreaper, or init) reaps it */
  return state != NULL && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

static gboolean
run_dir_empty(VbTestDriver *self)
{
  g_autoptr(GDir) dir = g_dir_open(vb_paths_get(self->paths, VB_PATH_RUN_DIR), 0, NULL);
  const char *name;

  /* driver.pid (the instance's lock) and autostarted stay: only what domains left counts */
  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
    if (!g_str_equal(name, "driver.pid") && !g_str_equal(name, "autostarted"))
      return FALSE;
  return TRUE;
}

void
vb_test_driver_free(VbTestDriver *self)
{
  GHashTableIter iter;
  gpointer key;
  guint leftovers = 0;

  if (self == NULL)
    return;
  if (self->driver == NULL)
    connect_driver(self);
  /* what a test left running is stopped the way a user would: by a destroy */
  {
    g_autoptr(GPtrArray) domains = vb_driver_list_domains(self->driver);

    for (guint i = 0; i < domains->len; i++) {
      if (vb_domain_obj_is_active(domains->pdata[i]))
        vb_test_run(self, VB_TEST_DESTROY, domains->pdata[i], NULL);
    }
  }
  g_clear_object(&self->driver);
  g_hash_table_iter_init(&iter, self->pids);
  while (g_hash_table_iter_next(&iter, &key, NULL)) {
    GPid pid = GPOINTER_TO_INT(key);

    if (process_alive(pid)) {
      leftovers++;
      kill(pid, SIGKILL);
    }
  }
  /* the status files and sockets are removed by workers: let them finish */
  VB_TEST_WAIT_UNTIL(NULL, run_dir_empty(self), "the run directory to be empty");
  g_ptr_array_unref(self->listeners);
  /* a console still open (a QEMU killed above) finishes its read in a later iteration */
  for (guint i = 0; i < self->readers->len; i++)
    ((ConsoleReader *)self->readers->pdata[i])->driver = NULL;
  g_cancellable_cancel(self->reading);
  g_object_unref(self->reading);
  g_ptr_array_unref(self->readers);
  g_hash_table_unref(self->consoles);
  g_hash_table_unref(self->pids);
  g_ptr_array_unref(self->events);
  vb_qemu_conf_unref(self->conf);
  vb_paths_unref(self->paths);
  vb_test_remove_tree(self->root);
  g_free(self->root);
  g_free(self);
  g_assert_cmpuint(leftovers, ==, 0);
}

/* -- the guest's console --------------------------------------------------------------------- */

static void read_more(ConsoleReader *reader);

static void
on_console_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
  ConsoleReader *reader = user_data;
  gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, NULL);

  if (n <= 0 || reader->driver == NULL) {
    if (reader->driver != NULL)
      g_ptr_array_remove(reader->driver->readers, reader);
    g_object_unref(reader->connection);
    g_free(reader->name);
    g_free(reader);
    return;
  }
  {
    GString *text = g_hash_table_lookup(reader->driver->consoles, reader->name);

    if (text != NULL)
      g_string_append_len(text, reader->buffer, n);
  }
  read_more(reader);
}

static void
read_more(ConsoleReader *reader)
{
  g_input_stream_read_async(reader->input, reader->buffer, sizeof reader->buffer,
                            G_PRIORITY_DEFAULT, NULL, on_console_read, reader);
}

static gboolean
on_console_connected(GSocketService *service,
                     GSocketConnection *connection,
                     GObject *source,
                     gpointer user_data)
{
  VbTestDriver *self = user_data;
  ConsoleReader *reader = g_new0(ConsoleReader, 1);

  reader->driver = self;
  reader->name = g_strdup(g_object_get_data(G_OBJECT(service), "vb-name"));
  reader->connection = g_object_ref(connection);
  reader->input = g_io_stream_get_input_stream(G_IO_STREAM(connection));
  g_ptr_array_add(self->readers, reader);
  read_more(reader);
  return TRUE;
}

/* A socket the guest's serial port connects to, and what arrives on it kept under @name. */
static char *
listen_console(VbTestDriver *self, const char *name)
{
  g_autofree char *file = g_strdup_printf("console-%s.sock", name);
  char *path = g_build_filename(self->root, file, NULL);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new(path);
  g_autoptr(GError) error = NULL;
  GSocketService *service = g_socket_service_new();

  g_unlink(path);
  g_socket_listener_add_address(G_SOCKET_LISTENER(service), address, G_SOCKET_TYPE_STREAM,
                                G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error(error);
  g_object_set_data_full(G_OBJECT(service), "vb-name", g_strdup(name), g_free);
  g_signal_connect(service, "incoming", G_CALLBACK(on_console_connected), self);
  g_ptr_array_add(self->listeners, service);
  if (!g_hash_table_contains(self->consoles, name))
    g_hash_table_insert(self->consoles, g_strdup(name), g_string_new(NULL));
  return path;
}

char *
vb_test_guest_xml(
    VbTestDriver *self, const char *name, const char *knobs, const char *extra, const char *devices)
{
  const char *guest = g_getenv("VIRTBUS_TEST_GUEST");
  g_autofree char *kernel = g_build_filename(guest, "vmlinuz", NULL);
  g_autofree char *initrd = g_build_filename(guest, "initramfs.img", NULL);
  g_autofree char *console = listen_console(self, name);

  return g_strdup_printf(
      "<domain type='qemu'>\n"
      "  <name>%s</name>\n"
      "  <memory unit='MiB'>128</memory>\n"
      "  <vcpu>1</vcpu>\n"
      "  <os>\n"
      "    <type arch='x86_64' machine='q35'>hvm</type>\n"
      "    <kernel>%s</kernel>\n"
      "    <initrd>%s</initrd>\n"
      "    <cmdline>console=ttyS0 quiet panic=-1 %s</cmdline>\n"
      "  </os>\n"
      "  <features><acpi/></features>\n"
      "  <cpu mode='maximum'/>\n"
      "  %s\n"
      "  <devices>\n"
      "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
      "    <serial type='unix'><source mode='connect' path='%s'/><target port='0'/></serial>\n"
      "    <memballoon model='none'/>\n"
      "    %s\n"
      "  </devices>\n"
      "</domain>\n",
      name, kernel, initrd, knobs != NULL ? knobs : "", extra != NULL ? extra : "", console,
      devices != NULL ? devices : "");
}

char *
vb_test_bare_xml(const char *name)
{
  return g_strdup_printf("<domain type='qemu'>\n"
                         "  <name>%s</name>\n"
                         "  <memory unit='MiB'>64</memory>\n"
                         "  <vcpu>1</vcpu>\n"
                         "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
                         "  <devices>\n"
                         "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                         "    <memballoon model='none'/>\n"
                         "  </devices>\n"
                         "</domain>\n",
                         name);
}

/* -- operations ------------------------------------------------------------------------------ */

VbDomainObj *
vb_test_define_full(VbTestDriver *self, const char *xml, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  VbDomainObj *domain;

  vb_driver_define_xml_async(self->driver, xml, NULL, on_result, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "a define");
  domain = vb_driver_define_xml_finish(self->driver, result, error);
  /* the table holds it: the test borrows it */
  if (domain != NULL)
    g_object_unref(domain);
  return domain;
}

VbDomainObj *
vb_test_define(VbTestDriver *self, const char *xml)
{
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain = vb_test_define_full(self, xml, &error);

  g_assert_no_error(error);
  return domain;
}

VbDomainObj *
vb_test_create(VbTestDriver *self, const char *xml, VbStartFlags flags, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  VbDomainObj *domain;

  vb_driver_create_xml_async(self->driver, xml, flags, NULL, on_result, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "a create");
  domain = vb_driver_create_xml_finish(self->driver, result, error);
  if (domain != NULL)
    g_object_unref(domain);
  return domain;
}

void
vb_test_begin(VbTestDriver *self, VbTestOp op, VbDomainObj *domain, GAsyncResult **result)
{
  VbDriver *d = self->driver;

  *result = NULL;
  switch (op) {
  case VB_TEST_START:
    vb_driver_start_async(d, domain, VB_START_NONE, NULL, on_result, result);
    break;
  case VB_TEST_START_PAUSED:
    vb_driver_start_async(d, domain, VB_START_PAUSED, NULL, on_result, result);
    break;
  case VB_TEST_SHUTDOWN:
    vb_driver_shutdown_async(d, domain, NULL, on_result, result);
    break;
  case VB_TEST_REBOOT:
    vb_driver_reboot_async(d, domain, NULL, on_result, result);
    break;
  case VB_TEST_RESET:
    vb_driver_reset_async(d, domain, NULL, on_result, result);
    break;
  case VB_TEST_SUSPEND:
    vb_driver_suspend_async(d, domain, NULL, on_result, result);
    break;
  case VB_TEST_RESUME:
    vb_driver_resume_async(d, domain, NULL, on_result, result);
    break;
  case VB_TEST_DESTROY:
    vb_driver_destroy_async(d, domain, VB_DESTROY_NONE, NULL, on_result, result);
    break;
  case VB_TEST_DESTROY_GRACEFUL:
    vb_driver_destroy_async(d, domain, VB_DESTROY_GRACEFUL, NULL, on_result, result);
    break;
  case VB_TEST_UNDEFINE:
    vb_driver_undefine_async(d, domain, NULL, on_result, result);
    break;
  case VB_TEST_AUTOSTART:
  case VB_TEST_NO_AUTOSTART:
  default:
    vb_driver_set_autostart_async(d, domain, op == VB_TEST_AUTOSTART, NULL, on_result, result);
    break;
  }
}

gboolean
vb_test_end(VbTestDriver *self, GAsyncResult **result, GError **error)
{
  gboolean ok;

  VB_TEST_WAIT_UNTIL(NULL, *result != NULL, "an operation on a domain");
  ok = vb_driver_operation_finish(self->driver, *result, error);
  g_clear_object(result);
  return ok;
}

gboolean
vb_test_run(VbTestDriver *self, VbTestOp op, VbDomainObj *domain, GError **error)
{
  GAsyncResult *result = NULL;

  vb_test_begin(self, op, domain, &result);
  return vb_test_end(self, &result, error);
}

void
vb_test_ok(VbTestDriver *self, VbTestOp op, VbDomainObj *domain)
{
  g_autoptr(GError) error = NULL;

  vb_test_run(self, op, domain, &error);
  g_assert_no_error(error);
}

char *
vb_test_path(VbTestDriver *self, VbPathKind kind, const char *name)
{
  return g_build_filename(vb_paths_get(self->paths, kind), name, NULL);
}

gboolean
vb_test_file_contains(const char *path, const char *needle)
{
  g_autofree char *text = NULL;

  return g_file_get_contents(path, &text, NULL, NULL) && strstr(text, needle) != NULL;
}

void
vb_test_wait_state(VbTestDriver *self, VbDomainObj *domain, VbDomainState state, const char *reason)
{
  g_autofree char *what =
      g_strdup_printf("domain '%s' to be %s (%s)", vb_domain_obj_get_name(domain),
                      vb_domain_state_names[state], reason);

  VB_TEST_WAIT_UNTIL(NULL,
                     vb_domain_obj_get_state(domain) == state &&
                         g_strcmp0(vb_domain_obj_get_state_reason(domain), reason) == 0,
                     what);
}

guint
vb_test_console_count(VbTestDriver *self, const char *name, const char *marker)
{
  GString *text = g_hash_table_lookup(self->consoles, name);
  guint count = 0;

  for (const char *at = text != NULL ? strstr(text->str, marker) : NULL; at != NULL;
       at = strstr(at + 1, marker))
    count++;
  return count;
}

void
vb_test_wait_console(VbTestDriver *self, const char *name, const char *marker, guint count)
{
  g_autofree char *what = g_strdup_printf("'%s' %u time(s) on %s's console", marker, count, name);

  VB_TEST_WAIT_UNTIL(NULL, vb_test_console_count(self, name, marker) >= count, what);
}

guint
vb_test_count_events(VbTestDriver *self, const char *name, const char *event, const char *detail)
{
  g_autofree char *line = g_strdup_printf("%s %s %s", name, event, detail);
  guint count = 0;

  for (guint i = 0; i < self->events->len; i++)
    count += g_str_equal(self->events->pdata[i], line);
  return count;
}

void
vb_test_clear_events(VbTestDriver *self)
{
  g_ptr_array_set_size(self->events, 0);
}
