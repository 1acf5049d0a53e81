/* bench-lifecycle.c: start and destroy of a minimal domain (64 MiB, 1 vCPU, no devices) through
 * the driver, against the floor measured in the same run (DESIGN.md §7):
 *
 *   floor        spawn QEMU by hand, paused (-S), its monitor on a listening socket we pass as
 *                fd 3; read the greeting, qmp_capabilities, cont
 *   start        vb_driver_start_async() → the domain runs
 *   destroy      vb_driver_destroy_async() → QEMU reaped
 *   floor x10    ten floor spawns at once, until all ten run
 *   start x10    ten domains started at once, until all ten run
 *
 * and the monitor commands a start sends. TCG unless --kvm (and /dev/kvm works).
 *
 * Usage: bench-lifecycle [ROUNDS] [--kvm]. Prints medians in milliseconds and the ratios.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vb-bench.h"
#include "vb-driver.h"
#include "vb-qmp.h"

#define QEMU "/usr/bin/qemu-system-x86_64"
#define TIMEOUT_US (60 * G_USEC_PER_SEC)

static gboolean use_kvm;

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref(result);
}

/* Runs the main context until every one of @results is set. */
static void
wait_all(GAsyncResult **results, guint n, const char *what)
{
  gint64 deadline = g_get_monotonic_time() + TIMEOUT_US;

  for (;;) {
    guint done = 0;

    for (guint i = 0; i < n; i++)
      done += results[i] != NULL;
    if (done == n)
      return;
    if (g_get_monotonic_time() > deadline)
      g_error("timed out waiting for %s", what);
    g_main_context_iteration(NULL, TRUE);
  }
}

/* -- the floor ------------------------------------------------------------------------------ */

typedef struct {
  GSubprocess *qemu;
  VbQmp *qmp;
  char *socket;
  GAsyncResult *result;
  guint step;
} Floor;

static void floor_next(Floor *floor);

static void
on_floor_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Floor *floor = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;

  if (floor->step == 1) {
    if (!vb_qmp_handshake_finish(floor->qmp, result, &error))
      g_error("floor: %s", error->message);
  } else if ((reply = vb_qmp_execute_finish(floor->qmp, result, &error)) == NULL) {
    g_error("floor: %s", error->message);
  }
  floor_next(floor);
}

static void
floor_next(Floor *floor)
{
  switch (floor->step++) {
  case 0:
    vb_qmp_handshake_async(floor->qmp, NULL, on_floor_reply, floor);
    break;
  case 1:
    vb_qmp_execute_async(floor->qmp, "cont", NULL, NULL, 0, 0, NULL, on_floor_reply, floor);
    break;
  default:
    floor->result = (GAsyncResult *)g_object_ref(floor->qmp);
    break;
  }
}

static int
listen_at(const char *path)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_strlcpy(addr.sun_path, path, sizeof addr.sun_path);
  g_unlink(path);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 1) != 0)
    g_error("cannot listen on %s: %s", path, g_strerror(errno));
  return fd;
}

static void
floor_spawn(Floor *floor, const char *dir, guint index)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf("floor-%u.sock", index);

  floor->socket = g_build_filename(dir, name, NULL);
  g_subprocess_launcher_take_fd(launcher, listen_at(floor->socket), 3);
  floor->qemu = g_subprocess_launcher_spawn(
      launcher, &error, QEMU, "-S", "-no-user-config", "-nodefaults", "-display", "none",
      "-machine", use_kvm ? "q35,accel=kvm" : "q35,accel=tcg", "-m", "64", "-smp", "1", "-chardev",
      "socket,id=mon,fd=3,server=on,wait=off", "-mon", "chardev=mon,mode=control", NULL);
  if (floor->qemu == NULL)
    g_error("floor: %s", error->message);
  floor->qmp = vb_qmp_new_for_path(floor->socket, NULL, &error);
  if (floor->qmp == NULL)
    g_error("floor: %s", error->message);
  floor_next(floor);
}

static void
floor_stop(Floor *floor)
{
  vb_qmp_close(floor->qmp);
  g_object_unref(floor->qmp);
  g_subprocess_force_exit(floor->qemu);
  g_subprocess_wait(floor->qemu, NULL, NULL);
  g_object_unref(floor->qemu);
  g_clear_object(&floor->result);
  g_unlink(floor->socket);
  g_free(floor->socket);
}

/* µs until @n QEMU run, spawned at once by hand */
static gint64
measure_floor(const char *dir, guint n)
{
  g_autofree Floor *floors = g_new0(Floor, n);
  gint64 start = g_get_monotonic_time(), took;

  for (guint i = 0; i < n; i++)
    floor_spawn(&floors[i], dir, i);
  for (;;) {
    guint done = 0;

    for (guint i = 0; i < n; i++)
      done += floors[i].result != NULL;
    if (done == n)
      break;
    g_main_context_iteration(NULL, TRUE);
  }
  took = g_get_monotonic_time() - start;
  for (guint i = 0; i < n; i++)
    floor_stop(&floors[i]);
  return took;
}

/* -- the driver ----------------------------------------------------------------------------- */

static VbDomainObj *
define(VbDriver *driver, guint index)
{
  g_autofree char *xml =
      g_strdup_printf("<domain type='%s'><name>bench-%u</name><memory unit='MiB'>64</memory>"
                      "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
                      "<devices><emulator>" QEMU "</emulator><memballoon model='none'/>"
                      "</devices></domain>",
                      use_kvm ? "kvm" : "qemu", index);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;

  vb_driver_define_xml_async(driver, xml, NULL, on_result, &result);
  wait_all(&result, 1, "a define");
  domain = vb_driver_define_xml_finish(driver, result, &error);
  if (domain == NULL)
    g_error("define: %s", error->message);
  g_object_unref(domain);
  return domain;
}

static gint64
measure_starts(VbDriver *driver, VbDomainObj **domains, guint n)
{
  g_autofree GAsyncResult **results = g_new0(GAsyncResult *, n);
  gint64 start = g_get_monotonic_time(), took;

  for (guint i = 0; i < n; i++)
    vb_driver_start_async(driver, domains[i], VB_START_NONE, NULL, on_result, &results[i]);
  wait_all(results, n, "the starts");
  took = g_get_monotonic_time() - start;
  for (guint i = 0; i < n; i++) {
    g_autoptr(GError) error = NULL;

    if (!vb_driver_operation_finish(driver, results[i], &error))
      g_error("start: %s", error->message);
    g_object_unref(results[i]);
  }
  return took;
}

static gint64
measure_destroy(VbDriver *driver, VbDomainObj *domain)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time(), took;

  vb_driver_destroy_async(driver, domain, VB_DESTROY_NONE, NULL, on_result, &result);
  wait_all(&result, 1, "a destroy");
  took = g_get_monotonic_time() - start;
  if (!vb_driver_operation_finish(driver, result, &error))
    g_error("destroy: %s", error->message);
  return took;
}

static guint
monitor_commands(const char *root)
{
  g_autofree char *log = g_build_filename(root, "log", "qemu", "bench-0.log", NULL);
  g_autofree char *text = NULL;
  const char *last;
  guint setup = 0;

  if (!g_file_get_contents(log, &text, NULL, NULL) ||
      (last = g_strrstr(text, "virtbus: starting domain")) == NULL)
    return 0;
  for (const char *at = strstr(last, "monitor setup:"); at != NULL;
       at = strstr(at + 1, "monitor setup:"))
    setup++;
  /* qmp_capabilities, the setup commands, cont */
  return setup + 2;
}

static void
print_row(const char *what, double us, double floor_us)
{
  if (floor_us > 0)
    g_print("%-24s %9.1f ms   %.2f x floor\n", what, us / 1000.0, us / floor_us);
  else
    g_print("%-24s %9.1f ms\n", what, us / 1000.0);
}

int
main(int argc, char **argv)
{
  guint rounds = 10;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autoptr(VbPaths) paths = NULL;
  g_autoptr(VbQemuConf) conf = NULL;
  g_autoptr(VbDriver) driver = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) floor = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) destroys = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) floor10 = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) starts10 = g_array_new(FALSE, FALSE, sizeof(gint64));
  VbDomainObj *domains[10];
  double floor_us, floor10_us;

  for (int i = 1; i < argc; i++) {
    if (g_str_equal(argv[i], "--kvm"))
      use_kvm = TRUE;
    else
      rounds = (guint)MAX(1, atoi(argv[i]));
  }
  root = g_dir_make_tmp("vb-bench-XXXXXX", &error);
  if (root == NULL || (paths = vb_paths_new_embed(root, &error)) == NULL)
    g_error("%s", error->message);
  conf = vb_qemu_conf_new_default(VB_INSTANCE_EMBED);
  vb_driver_open_async(paths, conf, NULL, on_result, &result);
  wait_all(&result, 1, "the driver to open");
  driver = vb_driver_open_finish(result, &error);
  if (driver == NULL)
    g_error("%s", error->message);
  for (guint i = 0; i < 10; i++)
    domains[i] = define(driver, i);
  /* the first start probes the emulator's capabilities: not what is measured */
  measure_starts(driver, domains, 1);
  measure_destroy(driver, domains[0]);

  for (guint r = 0; r < rounds; r++) {
    gint64 us;

    us = measure_floor(root, 1);
    g_array_append_val(floor, us);
    us = measure_starts(driver, domains, 1);
    g_array_append_val(starts, us);
    us = measure_destroy(driver, domains[0]);
    g_array_append_val(destroys, us);
    us = measure_floor(root, 10);
    g_array_append_val(floor10, us);
    us = measure_starts(driver, domains, 10);
    g_array_append_val(starts10, us);
    for (guint i = 0; i < 10; i++)
      measure_destroy(driver, domains[i]);
  }
  floor_us = vb_bench_median_us(floor);
  floor10_us = vb_bench_median_us(floor10);
  g_print("accelerator: %s, %u rounds, medians\n", use_kvm ? "KVM" : "TCG", rounds);
  print_row("floor (by hand)", floor_us, 0);
  print_row("start", vb_bench_median_us(starts), floor_us);
  print_row("destroy", vb_bench_median_us(destroys), 0);
  print_row("floor x10 (by hand)", floor10_us, 0);
  print_row("start x10", vb_bench_median_us(starts10), floor10_us);
  g_print("monitor commands per start: %u\n", monitor_commands(root));
  g_clear_object(&driver);
  {
    g_autofree char *command = g_strdup_printf("rm -rf '%s'", root);

    if (system(command) != 0)
      g_printerr("could not remove %s\n", root);
  }
  return 0;
}
