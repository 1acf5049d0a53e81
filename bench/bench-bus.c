/* bench-bus.c: virtbusd over D-Bus, with synchronous calls on one connection, against a bare
 * org.freedesktop.DBus.Peer.Ping to the service measured in the same run (DESIGN.md §7).
 *
 *   bench-bus [--virtbusd PATH] [ROUNDS]   starts a private bus and virtbusd on a scratch
 *                                           embedded root; measures everything below
 *   bench-bus --address ADDR [ROUNDS]      drives the service already on ADDR (calls only)
 *
 * Figures: Ping; ListDomains with 0, 50, 200 and 1000 defined; GetXMLDesc; a property Get;
 * DefineXML (durable: the config is fsync'd); Start (call → running) and Destroy (call →
 * reaped) of a minimal domain; virtbusd's RSS idle, with 1000 defined and with 10 running;
 * launch → first answer with 0 and 1000 defined. Each as median and p90 with n.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define NAME "org.virtbus.Virtbus1"
#define ROOT "/org/virtbus/Virtbus1"
#define CONNECT "org.virtbus.Virtbus1.Connect"
#define DOMAIN "org.virtbus.Virtbus1.Domain"

typedef struct {
  GDBusConnection *bus;
  GSubprocess *dbus_daemon; /* (nullable): when the bench started its own */
  GSubprocess *virtbusd;    /* (nullable) */
  char *address;
  char *dir;
  const char *virtbusd_path;
  double ping_us;
} Bench;

static gint
compare_doubles(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static void
report(Bench *b, const char *what, GArray *samples)
{
  double median, p90;

  g_array_sort(samples, compare_doubles);
  median = g_array_index(samples, double, samples->len / 2);
  p90 = g_array_index(samples, double, MIN(samples->len - 1, samples->len * 9 / 10));
  if (b->ping_us > 0)
    g_print("%-32s median %9.3f ms  p90 %9.3f ms  n=%-4u %6.2f x Ping\n", what, median / 1000,
            p90 / 1000, samples->len, median / b->ping_us);
  else
    g_print("%-32s median %9.3f ms  p90 %9.3f ms  n=%u\n", what, median / 1000, p90 / 1000,
            samples->len);
}

static GVariant *
call(Bench *b, const char *path, const char *iface, const char *method, GVariant *args)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync(b->bus, NAME, path, iface, method, args, NULL,
                                                G_DBUS_CALL_FLAGS_NONE, 120000, NULL, &error);

  if (reply == NULL)
    g_error("%s.%s: %s", iface, method, error->message);
  return reply;
}

/* @n timed calls; returns the samples in µs */
static GArray *
time_calls(Bench *b,
           guint n,
           const char *path,
           const char *iface,
           const char *method,
           const char *args_text)
{
  GArray *samples = g_array_new(FALSE, FALSE, sizeof(double));

  for (guint i = 0; i < n; i++) {
    GVariant *args = args_text != NULL ? g_variant_new_parsed(args_text) : NULL;
    gint64 start = g_get_monotonic_time();
    GVariant *reply = call(b, path, iface, method, args);
    double us = (double)(g_get_monotonic_time() - start);

    g_variant_unref(reply);
    g_array_append_val(samples, us);
  }
  return samples;
}

static void
on_line(GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(char **)user_data =
      g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, NULL);
}

static void
kill_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_bus(Bench *b)
{
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *listen = g_strdup_printf("unix:path=%s/bus", b->dir);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  char *line = NULL;

  g_subprocess_launcher_set_child_setup(launcher, kill_with_parent, NULL, NULL);
  b->dbus_daemon =
      g_subprocess_launcher_spawn(launcher, &error, "dbus-daemon", "--session", "--nofork",
                                  "--print-address=1", "--address", listen, NULL);
  if (b->dbus_daemon == NULL)
    g_error("dbus-daemon: %s", error->message);
  out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(b->dbus_daemon));
  g_data_input_stream_read_line_async(out, G_PRIORITY_DEFAULT, NULL, on_line, &line);
  while (line == NULL)
    g_main_context_iteration(NULL, TRUE);
  b->address = line;
}

static void
connect_bus(Bench *b)
{
  g_autoptr(GError) error = NULL;

  b->bus =
      g_dbus_connection_new_for_address_sync(b->address,
                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                             NULL, NULL, &error);
  if (b->bus == NULL)
    g_error("%s: %s", b->address, error->message);
}

/* Starts virtbusd and returns µs from the spawn to its first answer (a ListDomains). */
static double
start_virtbusd(Bench *b)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *root = g_build_filename(b->dir, "root", NULL);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time();

  g_subprocess_launcher_set_child_setup(launcher, kill_with_parent, NULL, NULL);
  b->virtbusd = g_subprocess_launcher_spawn(launcher, &error, b->virtbusd_path, "--embed-root",
                                            root, "--address", b->address, NULL);
  if (b->virtbusd == NULL)
    g_error("%s: %s", b->virtbusd_path, error->message);
  /* the first answer: until the name is owned, the bus answers ServiceUnknown at once */
  for (;;) {
    g_autoptr(GError) local = NULL;
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
        b->bus, NAME, ROOT, CONNECT, "ListDomains", g_variant_new_parsed("(@a{sv} {},)"), NULL,
        G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, &local);

    if (reply != NULL)
      break;
    if (g_get_monotonic_time() - start > 30 * G_USEC_PER_SEC)
      g_error("virtbusd did not answer: %s", local->message);
  }
  return (double)(g_get_monotonic_time() - start);
}

static void
stop_virtbusd(Bench *b)
{
  g_subprocess_send_signal(b->virtbusd, SIGTERM);
  g_subprocess_wait(b->virtbusd, NULL, NULL);
  g_clear_object(&b->virtbusd);
}

static guint64
rss_kib(Bench *b)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  const char *line;
  guint64 kib = 0;

  if (b->virtbusd == NULL)
    return 0;
  path = g_strdup_printf("/proc/%s/status", g_subprocess_get_identifier(b->virtbusd));
  if (g_file_get_contents(path, &text, NULL, NULL) && (line = strstr(text, "VmRSS:")) != NULL)
    kib = g_ascii_strtoull(line + strlen("VmRSS:"), NULL, 10);
  return kib;
}

static char *
domain_xml(guint i)
{
  return g_strdup_printf("<domain type='qemu'><name>bench-%04u</name><memory unit='MiB'>64</memory>"
                         "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
                         "<devices><memballoon model='none'/></devices></domain>",
                         i);
}

static char *
define(Bench *b, guint i, double *us)
{
  g_autofree char *xml = domain_xml(i);
  gint64 start = g_get_monotonic_time();
  g_autoptr(GVariant) reply = call(b, ROOT, CONNECT, "DefineXML",
                                   g_variant_new("(s@a{sv})", xml, g_variant_new("a{sv}", NULL)));
  char *path = NULL;

  *us = (double)(g_get_monotonic_time() - start);
  g_variant_get(reply, "(o)", &path);
  return path;
}

int
main(int argc, char **argv)
{
  Bench b = {0};
  guint rounds = 200;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) defines = g_array_new(FALSE, FALSE, sizeof(double));
  g_autofree char *self_dir = g_path_get_dirname(argv[0]);
  g_autofree char *default_virtbusd = g_build_filename(self_dir, "..", "service", "virtbusd", NULL);
  double launch0 = 0, launch1000 = 0;
  guint64 rss_idle = 0, rss_defined = 0, rss_running = 0;
  guint defined = 0;

  b.virtbusd_path = default_virtbusd;
  for (int i = 1; i < argc; i++) {
    if (g_str_equal(argv[i], "--address") && i + 1 < argc)
      b.address = g_strdup(argv[++i]);
    else if (g_str_equal(argv[i], "--virtbusd") && i + 1 < argc)
      b.virtbusd_path = argv[++i];
    else
      rounds = (guint)MAX(10, atoi(argv[i]));
  }
  if (b.address == NULL) {
    g_autoptr(GError) error = NULL;

    b.dir = g_dir_make_tmp("vb-bench-bus-XXXXXX", &error);
    if (b.dir == NULL)
      g_error("%s", error->message);
    start_bus(&b);
    connect_bus(&b);
    launch0 = start_virtbusd(&b);
    rss_idle = rss_kib(&b);
  } else {
    connect_bus(&b);
  }

  {
    g_autoptr(GArray) ping =
        time_calls(&b, rounds, ROOT, "org.freedesktop.DBus.Peer", "Ping", NULL);

    report(&b, "Ping (the reference)", ping);
    g_array_sort(ping, compare_doubles);
    b.ping_us = g_array_index(ping, double, ping->len / 2);
  }
  for (guint target = 0; target <= 1000;) {
    g_autofree char *what = g_strdup_printf("ListDomains, %u defined", target);
    g_autoptr(GArray) list = NULL;

    while (defined < target) {
      double us;

      g_ptr_array_add(paths, define(&b, defined++, &us));
      g_array_append_val(defines, us);
    }
    list = time_calls(&b, rounds, ROOT, CONNECT, "ListDomains", "(@a{sv} {},)");
    report(&b, what, list);
    target = target == 0 ? 50 : target == 50 ? 200 : target == 200 ? 1000 : 1001;
  }
  report(&b, "DefineXML (durable)", defines);
  rss_defined = rss_kib(&b);
  {
    const char *path = paths->pdata[0];
    g_autoptr(GArray) xml = time_calls(&b, rounds, path, DOMAIN, "GetXMLDesc", "(@a{sv} {},)");
    g_autoptr(GArray) get = NULL;
    g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(double));
    g_autoptr(GArray) destroys = g_array_new(FALSE, FALSE, sizeof(double));
    g_autofree char *get_args = g_strdup_printf("('%s', 'State')", DOMAIN);

    report(&b, "GetXMLDesc", xml);
    get = time_calls(&b, rounds, path, "org.freedesktop.DBus.Properties", "Get", get_args);
    report(&b, "property Get (State)", get);
    /* the first start probes the emulator: not measured */
    g_variant_unref(call(&b, path, DOMAIN, "Start", g_variant_new_parsed("(@a{sv} {},)")));
    g_variant_unref(call(&b, path, DOMAIN, "Destroy", g_variant_new_parsed("(@a{sv} {},)")));
    for (guint i = 0; i < 10; i++) {
      g_autoptr(GArray) one = time_calls(&b, 1, path, DOMAIN, "Start", "(@a{sv} {},)");

      g_array_append_val(starts, g_array_index(one, double, 0));
      g_clear_pointer(&one, g_array_unref);
      one = time_calls(&b, 1, path, DOMAIN, "Destroy", "(@a{sv} {},)");
      g_array_append_val(destroys, g_array_index(one, double, 0));
    }
    report(&b, "Start (call -> running)", starts);
    report(&b, "Destroy (call -> reaped)", destroys);
    for (guint i = 0; i < 10; i++)
      g_variant_unref(
          call(&b, paths->pdata[i], DOMAIN, "Start", g_variant_new_parsed("(@a{sv} {},)")));
    rss_running = rss_kib(&b);
    for (guint i = 0; i < 10; i++)
      g_variant_unref(
          call(&b, paths->pdata[i], DOMAIN, "Destroy", g_variant_new_parsed("(@a{sv} {},)")));
  }
  if (b.virtbusd != NULL) {
    stop_virtbusd(&b);
    launch1000 = start_virtbusd(&b);
    g_print("virtbusd RSS: idle %" G_GUINT64_FORMAT " KiB, 1000 defined %" G_GUINT64_FORMAT
            " KiB, 10 running %" G_GUINT64_FORMAT " KiB\n",
            rss_idle, rss_defined, rss_running);
    g_print("launch -> first answer: 0 defined %.1f ms, 1000 defined %.1f ms\n", launch0 / 1000,
            launch1000 / 1000);
    stop_virtbusd(&b);
    g_subprocess_send_signal(b.dbus_daemon, SIGTERM);
    g_subprocess_wait(b.dbus_daemon, NULL, NULL);
    g_object_unref(b.dbus_daemon);
    {
      g_autofree char *command = g_strdup_printf("rm -rf '%s'", b.dir);

      if (system(command) != 0)
        g_printerr("could not remove %s\n", b.dir);
    }
  }
  g_clear_object(&b.bus);
  g_free(b.address);
  g_free(b.dir);
  return 0;
}
