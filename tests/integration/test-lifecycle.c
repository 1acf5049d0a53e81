/* test-lifecycle.c: the driver's domain lifecycle against real QEMU running the tiny test guest
 * (TCG), in an embedded root of its own: define, start, the stop paths, the on_* actions,
 * crashes, start failures, daemon-restart survival and concurrency.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-capabilities.h"
#include "vb-driver.h"
#include "vb-error.h"
#include "vb-test-driver.h"
#include "vb-test-wait.h"

#define READY "VIRTBUS-GUEST-READY"

/* define → start → marker → shutdown → the guest powers off → shut off (shutdown), one event */
static void
test_define_start_shutdown(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autofree char *config = NULL;
  g_autofree char *log = NULL;
  g_autofree char *status = NULL;
  g_autofree char *live = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_guest_xml(t, "basic", NULL, NULL, NULL);
  domain = vb_test_define(t, xml);
  g_assert_cmpuint(vb_test_count_events(t, "basic", "defined", "added"), ==, 1);
  g_assert_true(vb_domain_obj_is_persistent(domain));
  config = vb_test_path(t, VB_PATH_CONFIG_DIR,
                        "basic"
                        ".xml");
  g_assert_true(g_file_test(config, G_FILE_TEST_EXISTS));
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
  g_assert_cmpint(vb_domain_obj_get_id(domain), ==, -1);

  vb_test_ok(t, VB_TEST_START, domain);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_RUNNING);
  g_assert_cmpstr(vb_domain_obj_get_state_reason(domain), ==, "booted");
  g_assert_cmpint(vb_domain_obj_get_id(domain), >, 0);
  g_assert_true(vb_driver_lookup_by_id(t->driver, vb_domain_obj_get_id(domain)) == domain);
  g_assert_cmpuint(vb_test_count_events(t, "basic", "started", "booted"), ==, 1);
  live = vb_domain_obj_get_xml(domain, VB_DOMAIN_XML_LIVE, &error);
  g_assert_no_error(error);
  g_assert_nonnull(strstr(live, "<domain type='qemu' id='"));
  /* starting twice is refused, and names the domain */
  g_assert_false(vb_test_run(t, VB_TEST_START, domain, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_STATE);
  g_assert_nonnull(strstr(error->message, "'basic'"));
  g_clear_error(&error);

  vb_test_wait_console(t, "basic", READY, 1);
  /* the status file is written after the state change, by a worker */
  status = vb_test_path(t, VB_PATH_RUN_DIR,
                        "basic"
                        ".xml");
  VB_TEST_WAIT_UNTIL(NULL, g_file_test(status, G_FILE_TEST_EXISTS), "the status file");
  g_assert_true(g_file_get_contents(status, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "<domstatus state='running' reason='booted'"));
  g_clear_pointer(&text, g_free);

  vb_test_ok(t, VB_TEST_SHUTDOWN, domain);
  vb_test_wait_state(t, domain, VB_DOMAIN_SHUTOFF, "shutdown");
  g_assert_cmpuint(vb_test_console_count(t, "basic", "VIRTBUS-GUEST-POWERBUTTON"), ==, 1);
  g_assert_cmpuint(vb_test_count_events(t, "basic", "stopped", "shutdown"), ==, 1);
  g_assert_cmpuint(vb_test_count_events(t, "basic", "shutdown", "guest"), ==, 1);
  g_assert_cmpint(vb_domain_obj_get_id(domain), ==, -1);
  VB_TEST_WAIT_UNTIL(NULL, !g_file_test(status, G_FILE_TEST_EXISTS), "the status file to go");

  /* the log: a header with the command line, then what QEMU wrote */
  log = g_build_filename(vb_paths_get(t->paths, VB_PATH_LOG_DIR), "basic.log", NULL);
  g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "virtbus: starting domain 'basic'"));
  g_assert_nonnull(strstr(text, "virtbus: command line: "));
  g_assert_nonnull(strstr(text, "-S"));
  /* the stop's line is appended by the worker that removes the domain's runtime files */
  VB_TEST_WAIT_UNTIL(NULL, vb_test_file_contains(log, "shut off (shutdown)"),
                     "the stop in the log");
}

/* start paused → resume; suspend and resume follow QEMU's events */
static void
test_paused_suspend_resume(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_guest_xml(t, "pause", NULL, NULL, NULL);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_PAUSED);
  g_assert_cmpstr(vb_domain_obj_get_state_reason(domain), ==, "user");
  g_assert_cmpuint(vb_test_count_events(t, "pause", "started", "paused"), ==, 1);
  g_assert_cmpuint(vb_test_console_count(t, "pause", READY), ==, 0);
  vb_test_ok(t, VB_TEST_RESUME, domain);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_RUNNING);
  g_assert_cmpstr(vb_domain_obj_get_state_reason(domain), ==, "unpaused");
  vb_test_wait_console(t, "pause", READY, 1);

  vb_test_ok(t, VB_TEST_SUSPEND, domain);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_PAUSED);
  g_assert_cmpuint(vb_test_count_events(t, "pause", "suspended", "paused"), ==, 1);
  g_assert_false(vb_test_run(t, VB_TEST_SUSPEND, domain, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_STATE);
  g_clear_error(&error);
  vb_test_ok(t, VB_TEST_RESUME, domain);
  g_assert_cmpuint(vb_test_count_events(t, "pause", "resumed", "unpaused"), ==, 2);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
  g_assert_cmpstr(vb_domain_obj_get_state_reason(domain), ==, "destroyed");
  g_assert_cmpuint(vb_test_count_events(t, "pause", "stopped", "destroyed"), ==, 1);
}

/* reset and reboot: the guest comes back in the same QEMU */
static void
test_reset_reboot(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  VbDomainObj *domain;
  GPid pid;

  if (t == NULL)
    return;
  xml = vb_test_guest_xml(t, "reboot", NULL, NULL, NULL);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START, domain);
  pid = vb_domain_obj_get_pid(domain);
  vb_test_wait_console(t, "reboot", READY, 1);
  vb_test_ok(t, VB_TEST_RESET, domain);
  vb_test_wait_console(t, "reboot", READY, 2);
  vb_test_ok(t, VB_TEST_REBOOT, domain);
  /* a clean shutdown by the guest, then it boots again */
  vb_test_wait_console(t, "reboot", "VIRTBUS-GUEST-POWERBUTTON", 1);
  vb_test_wait_console(t, "reboot", READY, 3);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_RUNNING);
  g_assert_cmpint(vb_domain_obj_get_pid(domain), ==, pid);
  g_assert_cmpuint(vb_test_count_events(t, "reboot", "stopped", "shutdown"), ==, 0);
  g_assert_cmpuint(vb_test_count_events(t, "reboot", "suspended", "paused"), ==, 0);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

/* a guest that ignores the power button: Shutdown returns, the guest runs on, Destroy works;
 * a graceful destroy (SIGTERM only) works as QEMU exits on it */
static void
test_destroy(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_guest_xml(t, "stubborn", "virtbus.ignore_power=1", NULL, NULL);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START, domain);
  vb_test_wait_console(t, "stubborn", READY, 1);
  vb_test_ok(t, VB_TEST_SHUTDOWN, domain);
  vb_test_wait_console(t, "stubborn", "VIRTBUS-GUEST-POWERBUTTON-IGNORED", 1);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_RUNNING);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
  g_assert_cmpstr(vb_domain_obj_get_state_reason(domain), ==, "destroyed");

  vb_test_ok(t, VB_TEST_START, domain);
  vb_test_ok(t, VB_TEST_DESTROY_GRACEFUL, domain);
  g_assert_cmpstr(vb_domain_obj_get_state_reason(domain), ==, "destroyed");
  g_assert_cmpuint(vb_test_count_events(t, "stubborn", "stopped", "destroyed"), ==, 2);
}

/* the on_* actions, driven by the guest's knobs */
static void
test_lifecycle_actions(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *restart = NULL;
  g_autofree char *no_reboot = NULL;
  g_autofree char *crash = NULL;
  g_autofree char *preserve = NULL;
  VbDomainObj *a, *b, *c, *d;

  if (t == NULL)
    return;
  restart = vb_test_guest_xml(t, "poweroff-restart", "virtbus.poweroff=1",
                              "<on_poweroff>restart</on_poweroff>", NULL);
  no_reboot = vb_test_guest_xml(t, "reboot-destroy", "virtbus.reboot=1",
                                "<on_reboot>destroy</on_reboot>", NULL);
  crash = vb_test_guest_xml(t, "crash-destroy", "virtbus.panic=1", "<on_crash>destroy</on_crash>",
                            "<panic model='pvpanic'/>");
  preserve = vb_test_guest_xml(t, "crash-preserve", "virtbus.panic=1",
                               "<on_crash>preserve</on_crash>", "<panic model='pvpanic'/>");
  a = vb_test_define(t, restart);
  b = vb_test_define(t, no_reboot);
  c = vb_test_define(t, crash);
  d = vb_test_define(t, preserve);
  vb_test_ok(t, VB_TEST_START, a);
  vb_test_ok(t, VB_TEST_START, b);
  vb_test_ok(t, VB_TEST_START, c);
  vb_test_ok(t, VB_TEST_START, d);

  /* on_poweroff=restart: the guest powers off by itself and boots again */
  vb_test_wait_console(t, "poweroff-restart", READY, 2);
  g_assert_cmpint(vb_domain_obj_get_state(a), ==, VB_DOMAIN_RUNNING);
  g_assert_cmpuint(vb_test_count_events(t, "poweroff-restart", "shutdown", "guest"), >=, 1);
  /* on_reboot=destroy: the guest's reboot shuts it off */
  vb_test_wait_state(t, b, VB_DOMAIN_SHUTOFF, "shutdown");
  g_assert_cmpuint(vb_test_count_events(t, "reboot-destroy", "stopped", "shutdown"), ==, 1);
  /* on_crash=destroy: a panic, then shut off (crashed) */
  vb_test_wait_state(t, c, VB_DOMAIN_SHUTOFF, "crashed");
  g_assert_cmpuint(vb_test_count_events(t, "crash-destroy", "crashed", "panicked"), ==, 1);
  g_assert_cmpuint(vb_test_count_events(t, "crash-destroy", "stopped", "crashed"), ==, 1);
  /* on_crash=preserve: the QEMU stays, crashed */
  vb_test_wait_state(t, d, VB_DOMAIN_CRASHED, "panicked");
  g_assert_cmpint(vb_domain_obj_get_pid(d), >, 0);
  vb_test_ok(t, VB_TEST_DESTROY, a);
  vb_test_ok(t, VB_TEST_DESTROY, d);
}

/* QEMU killed under the driver: shut off (crashed), one event, nothing left */
static void
test_killed(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_bare_xml("killed");
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START, domain);
  g_assert_cmpint(kill(vb_domain_obj_get_pid(domain), SIGKILL), ==, 0);
  vb_test_wait_state(t, domain, VB_DOMAIN_SHUTOFF, "crashed");
  g_assert_cmpuint(vb_test_count_events(t, "killed", "crashed", "qemu-exited"), ==, 1);
  g_assert_cmpint(vb_domain_obj_get_pid(domain), ==, 0);
}

/* a start that fails (a missing image): QEMU's message in the error, nothing left behind */
static void
test_start_failure(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_guest_xml(t, "broken", NULL, NULL,
                          "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                          "<source file='/nonexistent/missing.img'/>"
                          "<target dev='vda' bus='virtio'/></disk>");
  domain = vb_test_define(t, xml);
  g_assert_false(vb_test_run(t, VB_TEST_START, domain, &error));
  g_assert_nonnull(error);
  g_test_message("start error: %s", error->message);
  g_assert_nonnull(strstr(error->message, "cannot start domain 'broken'"));
  g_assert_nonnull(strstr(error->message, "/nonexistent/missing.img"));
  g_assert_nonnull(strstr(error->message, "No such file or directory"));
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
  g_assert_cmpstr(vb_domain_obj_get_state_reason(domain), ==, "failed");
  g_assert_cmpint(vb_domain_obj_get_pid(domain), ==, 0);
  g_assert_cmpuint(vb_test_count_events(t, "broken", "started", "booted"), ==, 0);
  status = vb_test_path(t, VB_PATH_RUN_DIR,
                        "broken"
                        ".xml");
  g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));
}

/* a 'kvm' domain on a host whose /dev/kvm is unusable: NotSupported naming /dev/kvm, at define
 * (as libvirt refuses it) and at create, not a QEMU error */
static void
test_kvm_unavailable(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autofree char *kvm = NULL;
  g_autoptr(GError) error = NULL;

  if (t == NULL)
    return;
  if (vb_host_kvm_usable(geteuid(), getegid())) {
    g_test_skip("/dev/kvm is usable here");
    return;
  }
  xml = vb_test_bare_xml("kvm");
  {
    g_auto(GStrv) parts = g_strsplit(xml, "type='qemu'", 2);

    kvm = g_strjoin("type='kvm'", parts[0], parts[1], NULL);
  }
  g_assert_null(vb_test_define_full(t, kvm, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_nonnull(strstr(error->message, "/dev/kvm"));
  g_clear_error(&error);
  g_assert_null(vb_test_create(t, kvm, VB_START_NONE, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_nonnull(strstr(error->message, "/dev/kvm"));
  g_assert_null(vb_driver_lookup_by_name(t->driver, "kvm"));
}

/* the driver goes (as a daemon that exits or is killed) and comes back: every QEMU is found
 * again and can be controlled; one killed meanwhile is reported crashed */
static void
test_restart_survival(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  const char *names[] = {"survivor-a", "survivor-b", "survivor-c"};
  VbDomainObj *domains[3];
  GPid pids[3];
  g_autofree char *transient_xml = NULL;
  GPid transient_pid;
  g_autoptr(GError) error = NULL;

  if (t == NULL)
    return;
  for (guint i = 0; i < 3; i++) {
    g_autofree char *xml = vb_test_guest_xml(t, names[i], NULL, NULL, NULL);

    domains[i] = vb_test_define(t, xml);
    vb_test_ok(t, VB_TEST_START, domains[i]);
    pids[i] = vb_domain_obj_get_pid(domains[i]);
  }
  transient_xml = vb_test_bare_xml("survivor-transient");
  transient_pid = vb_domain_obj_get_pid(vb_test_create(t, transient_xml, VB_START_PAUSED, &error));
  g_assert_no_error(error);
  for (guint i = 0; i < 3; i++)
    vb_test_wait_console(t, names[i], READY, 1);
  /* the status files are written by workers: the driver is dropped once they are there */
  for (guint i = 0; i < 3; i++) {
    g_autofree char *file = g_strconcat(names[i], ".xml", NULL);
    g_autofree char *status = vb_test_path(t, VB_PATH_RUN_DIR, file);

    VB_TEST_WAIT_UNTIL(NULL, g_file_test(status, G_FILE_TEST_EXISTS), "a status file");
  }
  vb_test_driver_drop(t);
  /* killed while no driver runs */
  g_assert_cmpint(kill(pids[2], SIGKILL), ==, 0);
  VB_TEST_WAIT_UNTIL(NULL, kill(pids[2], 0) != 0, "the killed QEMU to be reaped");
  vb_test_clear_events(t);
  vb_test_driver_reopen(t);

  for (guint i = 0; i < 3; i++)
    domains[i] = vb_driver_lookup_by_name(t->driver, names[i]);
  g_assert_cmpint(vb_domain_obj_get_state(domains[0]), ==, VB_DOMAIN_RUNNING);
  g_assert_cmpint(vb_domain_obj_get_pid(domains[0]), ==, pids[0]);
  g_assert_cmpint(vb_domain_obj_get_state(domains[1]), ==, VB_DOMAIN_RUNNING);
  g_assert_cmpint(vb_domain_obj_get_state(domains[2]), ==, VB_DOMAIN_SHUTOFF);
  g_assert_cmpstr(vb_domain_obj_get_state_reason(domains[2]), ==, "crashed");
  /* (found while opening, before anyone could listen: the state says it, and the log) */
  {
    g_autofree char *log =
        g_build_filename(vb_paths_get(t->paths, VB_PATH_LOG_DIR), "survivor-c.log", NULL);

    VB_TEST_WAIT_UNTIL(NULL, vb_test_file_contains(log, "is gone: shut off (crashed)"),
                       "the crash in the domain log");
  }
  {
    VbDomainObj *transient = vb_driver_lookup_by_name(t->driver, "survivor-transient");

    g_assert_nonnull(transient);
    g_assert_false(vb_domain_obj_is_persistent(transient));
    g_assert_cmpint(vb_domain_obj_get_state(transient), ==, VB_DOMAIN_PAUSED);
    g_assert_cmpint(vb_domain_obj_get_pid(transient), ==, transient_pid);
    vb_test_ok(t, VB_TEST_RESUME, transient);
    vb_test_ok(t, VB_TEST_DESTROY, transient);
    g_assert_null(vb_driver_lookup_by_name(t->driver, "survivor-transient"));
  }
  /* controllable, and events flow */
  vb_test_ok(t, VB_TEST_SUSPEND, domains[0]);
  g_assert_cmpint(vb_domain_obj_get_state(domains[0]), ==, VB_DOMAIN_PAUSED);
  vb_test_ok(t, VB_TEST_RESUME, domains[0]);
  g_assert_cmpuint(vb_test_count_events(t, names[0], "resumed", "unpaused"), ==, 1);
  vb_test_ok(t, VB_TEST_SHUTDOWN, domains[1]);
  vb_test_wait_state(t, domains[1], VB_DOMAIN_SHUTOFF, "shutdown");
  vb_test_ok(t, VB_TEST_DESTROY, domains[0]);
  g_assert_cmpuint(vb_test_count_events(t, names[0], "stopped", "destroyed"), ==, 1);
}

/* ten domains started at once all run; a start and a destroy on one domain run in turn */
static void
test_concurrency(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  VbDomainObj *domains[10];
  GAsyncResult *results[10];
  GAsyncResult *start = NULL, *destroy = NULL;
  g_autoptr(GError) error = NULL;
  gboolean started;

  if (t == NULL)
    return;
  for (guint i = 0; i < 10; i++) {
    g_autofree char *name = g_strdup_printf("many-%u", i);
    g_autofree char *xml = vb_test_bare_xml(name);

    domains[i] = vb_test_define(t, xml);
  }
  for (guint i = 0; i < 10; i++)
    vb_test_begin(t, VB_TEST_START, domains[i], &results[i]);
  for (guint i = 0; i < 10; i++) {
    vb_test_end(t, &results[i], &error);
    g_assert_no_error(error);
    g_assert_cmpint(vb_domain_obj_get_state(domains[i]), ==, VB_DOMAIN_RUNNING);
  }
  for (guint i = 0; i < 10; i++)
    vb_test_begin(t, VB_TEST_DESTROY, domains[i], &results[i]);
  for (guint i = 0; i < 10; i++) {
    vb_test_end(t, &results[i], &error);
    g_assert_no_error(error);
  }

  /* queued together: the start runs first; the destroy cancels what it still waits for, and
   * the domain ends shut off either way, with nothing left */
  vb_test_begin(t, VB_TEST_START, domains[0], &start);
  vb_test_begin(t, VB_TEST_DESTROY, domains[0], &destroy);
  started = vb_test_end(t, &start, &error);
  g_assert_true(started || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_error(&error);
  vb_test_end(t, &destroy, &error);
  g_assert_no_error(error);
  g_assert_cmpint(vb_domain_obj_get_state(domains[0]), ==, VB_DOMAIN_SHUTOFF);
}

static gboolean
run_ip(const char *args)
{
  g_autofree char *command = g_strconcat("ip ", args, NULL);
  g_auto(GStrv) argv = g_strsplit(command, " ", -1);
  int status = 0;

  return g_spawn_sync(NULL, argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status(status, NULL);
}

static gboolean
interface_exists(const char *name)
{
  g_autofree char *path = g_build_filename("/sys/class/net", name, NULL);

  return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* TAP devices: opened by the driver for <interface type='ethernet'> and gone with QEMU; for a
 * bridge on an unprivileged instance, asked of qemu-bridge-helper, whose refusal (the bridge
 * not allowed in /etc/qemu/bridge.conf) is the start's error */
static void
test_network(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *bridge = g_strdup_printf("vbbr%u", (guint)getpid() % 100000);
  g_autofree char *tap = g_strdup_printf("vbtap%u", (guint)getpid() % 100000);
  g_autofree char *add = g_strdup_printf("link add %s type bridge", bridge);
  g_autofree char *del = g_strdup_printf("link del %s", bridge);
  g_autofree char *ethernet = NULL;
  g_autofree char *bridged = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;

  if (geteuid() != 0 || !g_file_test("/dev/net/tun", G_FILE_TEST_EXISTS) || !run_ip(add)) {
    g_test_skip("needs root, /dev/net/tun and a bridge of our own (ip link add)");
    return;
  }
  if ((t = vb_test_driver_new()) == NULL) {
    run_ip(del);
    return;
  }
  ethernet = g_strdup_printf("<domain type='qemu'><name>wired</name><memory unit='MiB'>64</memory>"
                             "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
                             "<interface type='ethernet'><target dev='%s'/><model "
                             "type='virtio'/></interface>"
                             "<memballoon model='none'/></devices></domain>",
                             tap);
  domain = vb_test_define(t, ethernet);
  vb_test_ok(t, VB_TEST_START, domain);
  g_assert_true(interface_exists(tap));
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  VB_TEST_WAIT_UNTIL(NULL, !interface_exists(tap), "the TAP device to go with QEMU");

  bridged = g_strdup_printf(
      "<domain type='qemu'><name>bridged</name><memory unit='MiB'>64</memory>"
      "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
      "<interface type='bridge'><source bridge='%s'/><model type='virtio'/></interface>"
      "<memballoon model='none'/></devices></domain>",
      bridge);
  domain = vb_test_define(t, bridged);
  if (vb_test_run(t, VB_TEST_START, domain, &error)) {
    /* this host's bridge.conf allows it: the helper's TAP is on the bridge */
    g_autofree char *ports = g_strdup_printf("/sys/class/net/%s/brif", bridge);
    g_autoptr(GDir) dir = g_dir_open(ports, 0, NULL);

    g_assert_nonnull(dir);
    g_assert_nonnull(g_dir_read_name(dir));
    vb_test_ok(t, VB_TEST_DESTROY, domain);
  } else {
    g_test_message("bridge helper: %s", error->message);
    g_assert_error(error, VB_ERROR, VB_ERROR_ACCESS_DENIED);
    g_assert_nonnull(strstr(error->message, "bridge.conf"));
    g_assert_nonnull(strstr(error->message, bridge));
    g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(vb_domain_obj_get_pid(domain), ==, 0);
  }
  g_assert_true(run_ip(del));
}

/* a destroy does not wait behind a start stuck waiting for a QEMU that never greets: it
 * cancels that wait, the start fails, and the destroy succeeds at once */
static void
test_destroy_preempts(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *emulator = NULL;
  g_autofree char *xml = NULL;
  GAsyncResult *start = NULL, *destroy = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;
  GPid pid;

  if (t == NULL)
    return;
  emulator = g_test_build_filename(G_TEST_DIST, "data", "qemu-never-greets", NULL);
  xml = g_strdup_printf("<domain type='qemu'><name>mute</name><memory unit='MiB'>64</memory>"
                        "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                        "<devices><emulator>%s</emulator><memballoon model='none'/></devices>"
                        "</domain>",
                        emulator);
  domain = vb_test_define(t, xml);
  vb_test_begin(t, VB_TEST_START, domain, &start);
  VB_TEST_WAIT_UNTIL(NULL, vb_domain_obj_get_pid(domain) > 0, "the mute QEMU to be spawned");
  pid = vb_domain_obj_get_pid(domain);
  vb_test_begin(t, VB_TEST_DESTROY, domain, &destroy);
  g_assert_false(vb_test_end(t, &start, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull(strstr(error->message, "cannot start domain 'mute'"));
  g_clear_error(&error);
  vb_test_end(t, &destroy, &error);
  g_assert_no_error(error);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
  g_assert_cmpint(kill(pid, 0), !=, 0);
}

/* transient domains; undefine of a running domain makes it transient */
static gint64
live_port(VbDomainObj *domain)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = vb_domain_obj_get_xml(domain, VB_DOMAIN_XML_LIVE, &error);
  const char *at;

  g_assert_no_error(error);
  at = strstr(xml, "<graphics type='vnc' port='");
  g_assert_nonnull(at);
  return g_ascii_strtoll(at + strlen("<graphics type='vnc' port='"), NULL, 10);
}

/* Displays with autoport get a port each from qemu.conf's range: not one another domain has,
 * not one the host has bound already; the live XML shows it, also after a driver restart. */
static void
test_display_ports(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  struct sockaddr_in address = {.sin_family = AF_INET};
  socklen_t length = sizeof address;
  int blocker = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gint64 taken, ports[2];
  g_autoptr(GError) error = NULL;

  if (t == NULL) {
    close(blocker);
    return;
  }
  /* the first free port of the range, held by "another program": this test */
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (taken = 5900; taken < 6000; taken++) {
    address.sin_port = htons((guint16)taken);
    if (bind(blocker, (struct sockaddr *)&address, length) == 0)
      break;
  }
  g_assert_cmpint(listen(blocker, 1), ==, 0);
  for (guint i = 0; i < 2; i++) {
    g_autofree char *name = g_strdup_printf("shown-%u", i);
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><os><type "
        "arch='x86_64' machine='q35'>hvm</type></os><devices><graphics type='vnc' "
        "autoport='yes'/><video><model type='vga'/></video><memballoon model='none'/>"
        "</devices></domain>",
        name);
    VbDomainObj *domain = vb_test_create(t, xml, VB_START_NONE, &error);

    g_assert_no_error(error);
    ports[i] = live_port(domain);
    g_assert_cmpint(ports[i], >=, 5900);
    g_assert_cmpint(ports[i], !=, taken);
  }
  g_assert_cmpint(ports[0], !=, ports[1]);
  /* a new driver knows them from the status files */
  vb_test_driver_drop(t);
  vb_test_driver_reopen(t);
  for (guint i = 0; i < 2; i++) {
    g_autofree char *name = g_strdup_printf("shown-%u", i);
    VbDomainObj *domain = vb_driver_lookup_by_name(t->driver, name);

    g_assert_nonnull(domain);
    g_assert_cmpint(live_port(domain), ==, ports[i]);
    vb_test_ok(t, VB_TEST_DESTROY, domain);
  }
  close(blocker);
}

static void
test_transient(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autofree char *config = NULL;
  g_autofree char *other = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_bare_xml("fleeting");
  domain = vb_test_create(t, xml, VB_START_NONE, &error);
  g_assert_no_error(error);
  g_assert_false(vb_domain_obj_is_persistent(domain));
  g_assert_cmpuint(vb_test_count_events(t, "fleeting", "started", "booted"), ==, 1);
  g_assert_cmpuint(vb_test_count_events(t, "fleeting", "defined", "added"), ==, 0);
  /* a define of the same domain while it runs makes it persistent, for the next start */
  {
    g_autofree char *same = vb_domain_obj_get_xml(domain, VB_DOMAIN_XML_INACTIVE, &error);

    g_assert_no_error(error);
    domain = vb_test_define(t, same);
  }
  g_assert_true(vb_domain_obj_is_persistent(domain));
  g_assert_true(vb_domain_obj_is_active(domain));
  vb_test_ok(t, VB_TEST_UNDEFINE, domain);
  g_assert_false(vb_domain_obj_is_persistent(domain));
  g_assert_true(vb_domain_obj_is_active(domain));
  config = vb_test_path(t, VB_PATH_CONFIG_DIR,
                        "fleeting"
                        ".xml");
  g_assert_false(g_file_test(config, G_FILE_TEST_EXISTS));
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_assert_null(vb_driver_lookup_by_name(t->driver, "fleeting"));

  /* a clash: the same name with another UUID, and the same UUID with another name */
  other = g_strdup_printf("<domain type='qemu'><name>clash</name>"
                          "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                          "<memory>65536</memory><os><type arch='x86_64' machine='q35'>hvm</type>"
                          "</os></domain>");
  vb_test_define(t, other);
  {
    g_autofree char *same_name = g_strdup_printf(
        "<domain type='qemu'><name>clash</name><uuid>11111111-2222-3333-4444-666666666666</uuid>"
        "<memory>65536</memory><os><type arch='x86_64' machine='q35'>hvm</type></os></domain>");
    g_autofree char *same_uuid = g_strdup_printf(
        "<domain type='qemu'><name>clash2</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
        "<memory>65536</memory><os><type arch='x86_64' machine='q35'>hvm</type></os></domain>");

    g_assert_null(vb_test_define_full(t, same_name, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_DOMAIN_EXISTS);
    g_assert_nonnull(strstr(error->message, "'clash'"));
    g_clear_error(&error);
    g_assert_null(vb_test_define_full(t, same_uuid, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_DOMAIN_EXISTS);
    g_clear_error(&error);
    g_assert_null(vb_driver_lookup_by_name(t->driver, "clash2"));
    /* a create of a defined name is refused too */
    g_assert_null(vb_test_create(t, other, VB_START_NONE, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_DOMAIN_EXISTS);
    g_clear_error(&error);
  }
  /* by UUID in another spelling */
  g_assert_nonnull(vb_driver_lookup_by_uuid(t->driver, "11111111222233334444555555555555"));
}

static void
on_stats(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref(result);
}

/* stats of a running domain */
static void
test_stats(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) stats = NULL;
  VbDomainObj *domain;
  guint64 cpu = 0, reads = 0;
  guint vcpus = 0, count = 0;
  g_autofree char *image = NULL;

  if (t == NULL)
    return;
  image = g_build_filename(t->root, "data.img", NULL);
  {
    g_autoptr(GError) local = NULL;

    g_assert_true(g_file_set_contents(image, "", 0, &local));
    g_assert_cmpint(truncate(image, 1024 * 1024), ==, 0);
  }
  {
    g_autofree char *disk = g_strdup_printf(
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
        "<target dev='vda' bus='virtio'/></disk>",
        image);

    xml = vb_test_guest_xml(t, "stats", NULL, NULL, disk);
  }
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START, domain);
  vb_test_wait_console(t, "stats", READY, 1);
  vb_driver_get_stats_async(t->driver, domain, NULL, on_stats, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the stats");
  stats = vb_driver_get_stats_finish(t->driver, result, &error);
  g_assert_no_error(error);
  g_assert_true(g_variant_lookup(stats, "cpu.time", "t", &cpu));
  g_assert_cmpuint(cpu, >, 0);
  g_assert_true(g_variant_lookup(stats, "vcpu.current", "u", &vcpus));
  g_assert_cmpuint(vcpus, ==, 1);
  g_assert_true(g_variant_lookup(stats, "block.count", "u", &count));
  g_assert_cmpuint(count, ==, 1);
  /* the disk's counters, under its target name (the guest has no virtio-blk driver, so
   * they may be zero) */
  g_assert_true(g_variant_lookup(stats, "block.vda.rd.bytes", "t", &reads));
  g_assert_true(g_variant_lookup(stats, "block.vda.wr.reqs", "t", &reads));
  g_assert_false(g_variant_lookup(stats, "balloon.current", "t", &reads));
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

/* The driver process of the test below: opens a driver on @root, starts two domains, says
 * so on stdout and waits to be killed. */
static int
hold_driver(const char *root)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = vb_paths_new_embed(root, &error);
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_new_default(VB_INSTANCE_EMBED);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VbDriver) driver = NULL;

  g_assert_no_error(error);
  vb_driver_open_async(paths, conf, NULL, on_stats, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the driver to open");
  driver = vb_driver_open_finish(result, &error);
  g_assert_no_error(error);
  for (guint i = 0; i < 2; i++) {
    g_autofree char *name = g_strdup_printf("held-%u", i);
    g_autofree char *xml = vb_test_bare_xml(name);
    g_autoptr(VbDomainObj) domain = NULL;

    g_clear_object(&result);
    vb_driver_create_xml_async(driver, xml, VB_START_NONE, NULL, on_stats, &result);
    VB_TEST_WAIT_UNTIL(NULL, result != NULL, "a create");
    domain = vb_driver_create_xml_finish(driver, result, &error);
    g_assert_no_error(error);
    {
      g_autofree char *status = g_strdup_printf("%s/run/qemu/%s.xml", root, name);

      VB_TEST_WAIT_UNTIL(NULL, g_file_test(status, G_FILE_TEST_EXISTS), "the status file");
    }
  }
  printf("HOLDING\n");
  fflush(stdout);
  while (TRUE)
    g_main_context_iteration(NULL, TRUE);
  return 0;
}

static void
on_line(GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **line = user_data;

  *line = g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, NULL);
  if (*line == NULL)
    *line = g_strdup("");
}

/* The process holding the driver is killed outright (SIGKILL): its QEMU processes run on,
 * and a driver opened afterwards takes them over and reaps them. */
static void
test_driver_killed(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *self = NULL;

  if (t == NULL)
    return;
  vb_test_driver_drop(t);
  self = g_file_read_link("/proc/self/exe", &error);
  g_assert_no_error(error);
  holder = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self, "--hold-driver", t->root,
                            NULL);
  g_assert_no_error(error);
  output = g_data_input_stream_new(g_subprocess_get_stdout_pipe(holder));
  g_data_input_stream_read_line_async(output, G_PRIORITY_DEFAULT, NULL, on_line, &line);
  VB_TEST_WAIT_UNTIL(NULL, line != NULL, "the driver process to start its domains");
  g_assert_cmpstr(line, ==, "HOLDING");
  g_subprocess_force_exit(holder);
  g_subprocess_wait(holder, NULL, &error);
  g_assert_no_error(error);

  vb_test_driver_reopen(t);
  for (guint i = 0; i < 2; i++) {
    g_autofree char *name = g_strdup_printf("held-%u", i);
    VbDomainObj *domain = vb_driver_lookup_by_name(t->driver, name);
    GPid pid;

    g_assert_nonnull(domain);
    g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_RUNNING);
    pid = vb_domain_obj_get_pid(domain);
    g_assert_cmpint(pid, >, 0);
    vb_test_ok(t, VB_TEST_SUSPEND, domain);
    vb_test_ok(t, VB_TEST_DESTROY, domain);
    /* reaped here: the test process is the subreaper that inherited it */
    g_assert_cmpint(kill(pid, 0), !=, 0);
    g_assert_null(vb_driver_lookup_by_name(t->driver, name));
  }
}

int
main(int argc, char **argv)
{
  if (argc == 3 && g_str_equal(argv[1], "--hold-driver"))
    return hold_driver(argv[2]);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/lifecycle/define-start-shutdown", test_define_start_shutdown);
  g_test_add_func("/lifecycle/paused-suspend-resume", test_paused_suspend_resume);
  g_test_add_func("/lifecycle/reset-reboot", test_reset_reboot);
  g_test_add_func("/lifecycle/destroy", test_destroy);
  g_test_add_func("/lifecycle/on-actions", test_lifecycle_actions);
  g_test_add_func("/lifecycle/killed", test_killed);
  g_test_add_func("/lifecycle/start-failure", test_start_failure);
  g_test_add_func("/lifecycle/kvm-unavailable", test_kvm_unavailable);
  g_test_add_func("/lifecycle/restart-survival", test_restart_survival);
  g_test_add_func("/lifecycle/driver-killed", test_driver_killed);
  g_test_add_func("/lifecycle/concurrency", test_concurrency);
  g_test_add_func("/lifecycle/destroy-preempts", test_destroy_preempts);
  g_test_add_func("/lifecycle/network", test_network);
  g_test_add_func("/lifecycle/transient", test_transient);
  g_test_add_func("/lifecycle/display-ports", test_display_ports);
  g_test_add_func("/lifecycle/stats", test_stats);
  return g_test_run();
}
