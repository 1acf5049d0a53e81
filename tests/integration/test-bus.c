/* test-bus.c: virtbusd over a private bus, through the generated proxies: Connect's methods
 * and properties, a domain's lifecycle with PropertiesChanged and DomainEvent, the errors a
 * client sees (named, never unmapped), option checks, daemon restart with running domains, and
 * autodestroy when the creating connection leaves.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gunixfdlist.h>
#include <gio/gunixinputstream.h>
#include <string.h>
#include <unistd.h>

#include "vb-test-bus.h"
#include "vb-test-wait.h"

#define NO_OPTIONS g_variant_new("a{sv}", NULL)

static char *
bare_xml(const char *name)
{
  return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
                         "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
                         "<devices><memballoon model='none'/></devices></domain>",
                         name);
}

static void
assert_dbus_error(GError *error, const char *name, const char *text)
{
  g_autofree char *remote = NULL;

  g_assert_nonnull(error);
  remote = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote, ==, name);
  if (text != NULL && strstr(error->message, text) == NULL)
    g_error("'%s' does not hold '%s'", error->message, text);
}

/* Connect: its properties and the methods that need no domain */
static void
test_connect(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *caps = NULL;
  g_autofree char *native = NULL;
  g_autofree char *xml = NULL;
  g_auto(GStrv) domains = NULL;
  g_autofree char *domain_xml = bare_xml("native");

  if (t == NULL)
    return;
  g_assert_cmpuint(vb_dbus_connect_get_version(t->connect), ==, 1);
  g_assert_cmpstr(vb_dbus_connect_get_instance(t->connect), ==, "embed");
  g_assert_true(g_str_has_prefix(vb_dbus_connect_get_uri(t->connect), "qemu:///embed?root=/"));
  g_assert_cmpstr(vb_dbus_connect_get_daemon_version(t->connect), ==, PACKAGE_VERSION);
  /* known once the default emulator is probed, in the background */
  VB_TEST_WAIT_UNTIL(NULL, g_strcmp0(vb_dbus_connect_get_hypervisor_version(t->connect), "") != 0,
                     "HypervisorVersion");
  g_assert_true(g_ascii_isdigit(vb_dbus_connect_get_hypervisor_version(t->connect)[0]));
  /* what introspection-driven tools see */
  {
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
        t->connection, "org.virtbus.Virtbus1", "/org/virtbus/Virtbus1",
        "org.freedesktop.DBus.Introspectable", "Introspect", NULL, G_VARIANT_TYPE("(s)"),
        G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    const char *introspection = NULL;

    g_assert_no_error(error);
    g_variant_get(reply, "(&s)", &introspection);
    g_assert_nonnull(strstr(introspection, "org.virtbus.Virtbus1.Connect"));
    g_assert_nonnull(strstr(introspection, "org.freedesktop.DBus.ObjectManager"));
  }
  vb_dbus_connect_call_list_domains_sync(t->connect, NO_OPTIONS, &domains, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(g_strv_length(domains), ==, 0);

  vb_dbus_connect_call_get_capabilities_sync(t->connect, NO_OPTIONS, &caps, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(caps, "<capabilities>"));
  g_assert_nonnull(strstr(caps, "<arch>x86_64</arch>"));

  vb_dbus_connect_call_domain_xmlto_native_sync(t->connect, "qemu-argv", domain_xml, NO_OPTIONS,
                                                &native, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(strstr(native, "qemu-system-x86_64"));
  g_assert_nonnull(strstr(native, "-name guest=native"));
  vb_dbus_connect_call_domain_xmlfrom_native_sync(t->connect, "qemu-argv", native, NO_OPTIONS, &xml,
                                                  NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(strstr(xml, "<name>native</name>"));

  g_assert_false(vb_dbus_connect_call_domain_xmlto_native_sync(t->connect, "xen-xm", domain_xml,
                                                               NO_OPTIONS, NULL, NULL, &error));
  assert_dbus_error(error, "org.virtbus.Virtbus1.Error.NotSupported", "xen-xm");
  g_clear_error(&error);
  /* options: an unknown key, a known one of the wrong type */
  g_assert_false(vb_dbus_connect_call_list_domains_sync(
      t->connect, g_variant_new_parsed("{'bogus': <1>}"), NULL, NULL, &error));
  assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs", "no option 'bogus'");
  g_clear_error(&error);
  g_assert_false(vb_dbus_connect_call_list_domains_sync(
      t->connect, g_variant_new_parsed("{'state': <1>}"), NULL, NULL, &error));
  assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs", "'state'");
  g_clear_error(&error);
  g_assert_false(
      vb_dbus_connect_call_lookup_by_name_sync(t->connect, "nope", NO_OPTIONS, NULL, NULL, &error));
  assert_dbus_error(error, "org.virtbus.Virtbus1.Error.NoSuchDomain", "'nope'");
  g_clear_error(&error);
  g_assert_false(vb_dbus_connect_call_define_xml_sync(t->connect, "<domain type='qemu'>\n<name>",
                                                      NO_OPTIONS, NULL, NULL, &error));
  assert_dbus_error(error, "org.virtbus.Virtbus1.Error.InvalidXML", "line 2");
  g_clear_error(&error);
  g_assert_false(vb_dbus_connect_call_define_xml_sync(
      t->connect,
      "<domain type='qemu'><name>floppy</name><memory>65536</memory><os><type arch='x86_64' "
      "machine='q35'>hvm</type></os><devices><disk type='file' device='floppy'><source "
      "file='/f.img'/><target dev='fda' bus='fdc'/></disk></devices></domain>",
      NO_OPTIONS, NULL, NULL, &error));
  assert_dbus_error(error, "org.virtbus.Virtbus1.Error.NotSupported", "/domain/devices/disk");
}

static void
on_object_added(GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
  g_ptr_array_add(user_data, g_strdup(g_dbus_object_get_object_path(object)));
}

/* A command-line tool's output; the test fails when it cannot run or fails. */
static char *
tool_output(const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  g_autofree char *found = g_find_program_in_path(argv[0]);
  int status = 0;

  if (found == NULL)
    g_error("%s is not installed (tools/setup installs it)", argv[0]);
  g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
               &error);
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, &error))
    g_error("%s: %s: %s", argv[0], error->message, err);
  return out;
}

/* a domain's life over the bus: objects, properties, events, errors */
static void
test_domain(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = bare_xml("over-the-bus");
  g_autofree char *path = NULL;
  g_autofree char *found = NULL;
  g_autofree char *dumped = NULL;
  g_autoptr(GVariant) stats = NULL;
  guint64 cpu = 0;

  if (t == NULL)
    return;
  manager = vb_dbus_object_manager_client_new_sync(
      t->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, "org.virtbus.Virtbus1",
      "/org/virtbus/Virtbus1", NULL, &error);
  g_assert_no_error(error);
  g_signal_connect(manager, "object-added", G_CALLBACK(on_object_added), added);
  path = vb_test_bus_define(t, xml);
  g_assert_true(g_str_has_prefix(path, "/org/virtbus/Virtbus1/domain/"));
  g_assert_cmpuint(strlen(path), ==, strlen("/org/virtbus/Virtbus1/domain/") + 32);
  VB_TEST_WAIT_UNTIL(NULL,
                     added->len == 1 && vb_test_bus_count_events(t, path, "defined", "added") == 1,
                     "InterfacesAdded and DomainEvent(defined)");
  g_assert_cmpstr(added->pdata[0], ==, path);
  /* what scripting tools see: the tree, and the domain object's interfaces */
  {
    g_autofree char *address = g_strdup_printf("--address=%s", t->address);
    const char *busctl[] = {"busctl", address, "--list", "tree", "org.virtbus.Virtbus1", NULL};
    const char *gdbus[] = {"gdbus",         "introspect", "--address",
                           t->address,      "--dest",     "org.virtbus.Virtbus1",
                           "--object-path", path,         NULL};
    g_autofree char *tree = tool_output(busctl);
    g_autofree char *introspection = tool_output(gdbus);

    g_assert_nonnull(strstr(tree, "/org/virtbus/Virtbus1\n"));
    g_assert_nonnull(strstr(tree, path));
    g_assert_nonnull(strstr(introspection, "interface org.virtbus.Virtbus1.Domain {"));
    g_assert_nonnull(strstr(introspection, "Start(in  a{sv} options);"));
    g_assert_nonnull(strstr(introspection, "readonly s State = 'shutoff';"));
  }
  vb_dbus_connect_call_lookup_by_name_sync(t->connect, "over-the-bus", NO_OPTIONS, &found, NULL,
                                           &error);
  g_assert_no_error(error);
  g_assert_cmpstr(found, ==, path);

  domain = vb_test_bus_domain(t, path);
  g_assert_cmpstr(vb_dbus_domain_get_name(domain), ==, "over-the-bus");
  g_assert_cmpstr(vb_dbus_domain_get_state(domain), ==, "shutoff");
  g_assert_cmpint(vb_dbus_domain_get_id(domain), ==, -1);
  g_assert_true(vb_dbus_domain_get_persistent(domain));
  g_assert_cmpuint(vb_dbus_domain_get_memory_ki_b(domain), ==, 65536);

  vb_dbus_domain_call_start_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  vb_test_bus_wait_state(t, domain, "running");
  g_assert_cmpstr(vb_dbus_domain_get_state_reason(domain), ==, "booted");
  g_assert_cmpint(vb_dbus_domain_get_id(domain), >, 0);
  g_assert_true(vb_dbus_domain_get_active(domain));
  VB_TEST_WAIT_UNTIL(NULL, vb_test_bus_count_events(t, path, "started", "booted") == 1,
                     "DomainEvent(started)");
  g_assert_false(vb_dbus_domain_call_start_sync(domain, NO_OPTIONS, NULL, &error));
  assert_dbus_error(error, "org.virtbus.Virtbus1.Error.InvalidState", "already running");
  g_clear_error(&error);
  g_assert_false(vb_dbus_domain_call_start_sync(domain, g_variant_new_parsed("{'paused': <'yes'>}"),
                                                NULL, &error));
  assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs", "'paused'");
  g_clear_error(&error);

  vb_dbus_domain_call_get_xmldesc_sync(domain, NO_OPTIONS, &dumped, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(strstr(dumped, " id='"));
  vb_dbus_domain_call_get_stats_sync(domain, NO_OPTIONS, &stats, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(g_variant_lookup(stats, "cpu.time", "t", &cpu));

  vb_dbus_domain_call_suspend_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  vb_test_bus_wait_state(t, domain, "paused");
  vb_dbus_domain_call_resume_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  vb_test_bus_wait_state(t, domain, "running");
  vb_dbus_domain_call_destroy_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  vb_test_bus_wait_state(t, domain, "shutoff");
  g_assert_cmpstr(vb_dbus_domain_get_state_reason(domain), ==, "destroyed");
  g_assert_cmpint(vb_dbus_domain_get_id(domain), ==, -1);
  VB_TEST_WAIT_UNTIL(NULL, vb_test_bus_count_events(t, path, "stopped", "destroyed") == 1,
                     "DomainEvent(stopped)");

  vb_dbus_domain_call_set_autostart_sync(domain, TRUE, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  VB_TEST_WAIT_UNTIL(NULL, vb_dbus_domain_get_autostart(domain), "the Autostart property");
  vb_dbus_domain_call_undefine_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  VB_TEST_WAIT_UNTIL(NULL, vb_test_bus_count_events(t, path, "undefined", "removed") == 1,
                     "DomainEvent(undefined)");
  g_assert_false(vb_dbus_connect_call_lookup_by_name_sync(t->connect, "over-the-bus", NO_OPTIONS,
                                                          NULL, NULL, &error));
  assert_dbus_error(error, "org.virtbus.Virtbus1.Error.NoSuchDomain", NULL);
}

/* virtbusd killed with three domains running: the next one shows them running, controllable */
static void
test_restart(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  g_autoptr(GError) error = NULL;
  char *paths[3];

  if (t == NULL)
    return;
  for (guint i = 0; i < 3; i++) {
    g_autofree char *name = g_strdup_printf("lasting-%u", i);
    g_autofree char *xml = bare_xml(name);
    g_autoptr(VbDBusDomain) domain = NULL;

    paths[i] = vb_test_bus_define(t, xml);
    domain = vb_test_bus_domain(t, paths[i]);
    vb_dbus_domain_call_start_sync(domain, NO_OPTIONS, NULL, &error);
    g_assert_no_error(error);
  }
  vb_test_bus_restart(t, TRUE);
  for (guint i = 0; i < 3; i++) {
    g_autoptr(VbDBusDomain) domain = vb_test_bus_domain(t, paths[i]);

    g_assert_cmpstr(vb_dbus_domain_get_state(domain), ==, "running");
    vb_dbus_domain_call_destroy_sync(domain, NO_OPTIONS, NULL, &error);
    g_assert_no_error(error);
    vb_test_bus_wait_state(t, domain, "shutoff");
    g_free(paths[i]);
  }
}

/* CreateXML with autodestroy: the domain goes when the creating connection does */
static void
test_autodestroy(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(VbDBusConnect) proxy = NULL;
  g_autofree char *xml = bare_xml("ephemeral");
  g_autofree char *path = NULL;

  if (t == NULL)
    return;
  other = g_dbus_connection_new_for_address_sync(t->address,
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, &error);
  g_assert_no_error(error);
  proxy = vb_dbus_connect_proxy_new_sync(other, G_DBUS_PROXY_FLAGS_NONE, "org.virtbus.Virtbus1",
                                         "/org/virtbus/Virtbus1", NULL, &error);
  g_assert_no_error(error);
  vb_dbus_connect_call_create_xml_sync(proxy, xml, g_variant_new_parsed("{'autodestroy': <true>}"),
                                       &path, NULL, &error);
  g_assert_no_error(error);
  VB_TEST_WAIT_UNTIL(NULL, vb_test_bus_count_events(t, path, "started", "booted") == 1,
                     "the transient domain to start");
  g_clear_object(&proxy);
  g_dbus_connection_close_sync(other, NULL, &error);
  g_assert_no_error(error);
  VB_TEST_WAIT_UNTIL(NULL, vb_test_bus_count_events(t, path, "stopped", "destroyed") == 1,
                     "the domain to be destroyed with its owner's connection");
}

/* interface-added and interface-removed alike: counts the Monitor interface's comings or goings */
static void
on_monitor_interface(GDBusObjectManager *manager,
                     GDBusObject *object,
                     GDBusInterface *iface,
                     gpointer user_data)
{
  if (g_str_equal(g_dbus_proxy_get_interface_name(G_DBUS_PROXY(iface)),
                  "org.virtbus.Virtbus1.Monitor"))
    (*(guint *)user_data)++;
}

static void
on_event(GDBusConnection *connection,
         const char *sender,
         const char *path,
         const char *iface,
         const char *signal,
         GVariant *parameters,
         gpointer user_data)
{
  const char *name = NULL;

  g_variant_get(parameters, "(&s&sx)", &name, NULL, NULL);
  g_ptr_array_add(user_data, g_strdup(name));
}

static GDBusConnection *
second_connection(VbTestBus *t)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection =
      g_dbus_connection_new_for_address_sync(t->address,
                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                             NULL, NULL, &error);

  g_assert_no_error(error);
  return connection;
}

/* the Monitor interface: there while the domain runs; commands taint; events reach watchers */
static void
test_monitor(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  g_autoptr(GDBusObjectManager) manager = NULL;
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(VbDBusMonitor) monitor = NULL;
  g_autoptr(GDBusConnection) other = NULL;
  g_autoptr(GPtrArray) watched = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) unwatched = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = bare_xml("monitored");
  g_autofree char *path = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *output = NULL;
  guint added = 0, removed = 0, sub_watched, sub_unwatched;

  if (t == NULL)
    return;
  manager = vb_dbus_object_manager_client_new_sync(
      t->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, "org.virtbus.Virtbus1",
      "/org/virtbus/Virtbus1", NULL, &error);
  g_assert_no_error(error);
  g_signal_connect(manager, "interface-added", G_CALLBACK(on_monitor_interface), &added);
  g_signal_connect(manager, "interface-removed", G_CALLBACK(on_monitor_interface), &removed);
  path = vb_test_bus_define(t, xml);
  domain = vb_test_bus_domain(t, path);
  vb_dbus_domain_call_start_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  VB_TEST_WAIT_UNTIL(NULL, added == 1, "the Monitor interface to be added");
  monitor = vb_dbus_monitor_proxy_new_sync(t->connection, G_DBUS_PROXY_FLAGS_NONE,
                                           "org.virtbus.Virtbus1", path, NULL, &error);
  g_assert_no_error(error);

  vb_dbus_monitor_call_command_sync(monitor, "{\"execute\":\"query-status\"}", NO_OPTIONS, &reply,
                                    NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(strstr(reply, "\"running\""));
  VB_TEST_WAIT_UNTIL(NULL,
                     vb_dbus_domain_get_tainted(domain) != NULL &&
                         g_strv_contains(vb_dbus_domain_get_tainted(domain), "custom-monitor"),
                     "the custom-monitor taint");
  vb_dbus_monitor_call_human_command_sync(monitor, "info status", NO_OPTIONS, &output, NULL,
                                          &error);
  g_assert_no_error(error);
  g_assert_nonnull(strstr(output, "running"));
  g_assert_false(
      vb_dbus_monitor_call_command_sync(monitor, "not json", NO_OPTIONS, NULL, NULL, &error));
  assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs", NULL);
  g_clear_error(&error);

  /* one connection watches, another does not: only the first gets STOP */
  other = second_connection(t);
  sub_watched = g_dbus_connection_signal_subscribe(
      t->connection, NULL, "org.virtbus.Virtbus1.Monitor", "Event", path, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_event, watched, NULL);
  sub_unwatched =
      g_dbus_connection_signal_subscribe(other, NULL, "org.virtbus.Virtbus1.Monitor", "Event", path,
                                         NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_event, unwatched, NULL);
  vb_dbus_monitor_call_watch_sync(monitor, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  vb_dbus_domain_call_suspend_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  VB_TEST_WAIT_UNTIL(NULL, watched->len >= 1, "the STOP event at the watcher");
  g_assert_cmpstr(watched->pdata[0], ==, "STOP");
  /* a round trip on the other connection: an Event sent to it would have arrived before */
  {
    g_autoptr(GVariant) pong = NULL;

    pong = g_dbus_connection_call_sync(other, "org.virtbus.Virtbus1", "/org/virtbus/Virtbus1",
                                       "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

    g_assert_no_error(error);
    g_assert_nonnull(pong);
  }
  g_main_context_iteration(NULL, FALSE);
  g_assert_cmpuint(unwatched->len, ==, 0);
  g_dbus_connection_signal_unsubscribe(t->connection, sub_watched);
  g_dbus_connection_signal_unsubscribe(other, sub_unwatched);

  vb_dbus_domain_call_destroy_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  VB_TEST_WAIT_UNTIL(NULL, removed == 1, "the Monitor interface to be removed");
}

/* What a bus monitor (org.freedesktop.DBus.Monitoring) saw virtbusd send, recorded by a filter
 * on the monitor connection's worker thread: "signal MEMBER DESTINATION", "return SERIAL". */
typedef struct {
  GMutex lock;
  GPtrArray *seen;
  gint armed; /* (atomic): the connection is a monitor now (the reply to BecomeMonitor passes) */
} BusMonitor;

static GDBusMessage *
on_monitored(GDBusConnection *connection, GDBusMessage *message, gboolean incoming, gpointer data)
{
  BusMonitor *monitor = data;
  char *line = NULL;

  if (!incoming || !g_atomic_int_get(&monitor->armed))
    return message;
  if (g_dbus_message_get_message_type(message) == G_DBUS_MESSAGE_TYPE_SIGNAL)
    line = g_strdup_printf("signal %s %s", g_dbus_message_get_member(message),
                           g_dbus_message_get_destination(message) != NULL
                               ? g_dbus_message_get_destination(message)
                               : "(broadcast)");
  else if (g_dbus_message_get_message_type(message) == G_DBUS_MESSAGE_TYPE_METHOD_RETURN)
    line = g_strdup_printf("return %u", g_dbus_message_get_reply_serial(message));
  if (line != NULL) {
    g_mutex_lock(&monitor->lock);
    g_ptr_array_add(monitor->seen, line);
    g_mutex_unlock(&monitor->lock);
    g_main_context_wakeup(NULL);
  }
  /* a monitor must never answer: nothing reaches GDBus's own dispatch */
  g_object_unref(message);
  return NULL;
}

static gboolean
monitor_saw(BusMonitor *monitor, const char *line)
{
  gboolean found = FALSE;

  g_mutex_lock(&monitor->lock);
  for (guint i = 0; i < monitor->seen->len && !found; i++)
    found = g_str_equal(monitor->seen->pdata[i], line);
  g_mutex_unlock(&monitor->lock);
  return found;
}

static void
on_name_lost_owner(GDBusConnection *connection,
                   const char *sender,
                   const char *path,
                   const char *iface,
                   const char *signal,
                   GVariant *parameters,
                   gpointer user_data)
{
  const char *new_owner = NULL;

  g_variant_get(parameters, "(&s&s&s)", NULL, NULL, &new_owner);
  if (new_owner[0] == '\0')
    *(gboolean *)user_data = TRUE;
}

/* A watcher that leaves the bus is dropped: virtbusd sends it no more Event signals. */
static void
test_watcher_leaves(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  g_autoptr(GDBusConnection) leaver = NULL;
  g_autoptr(GDBusConnection) spy = NULL;
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(VbDBusMonitor) monitor = NULL;
  g_autoptr(VbDBusMonitor) leaver_monitor = NULL;
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusMessage) ping = NULL;
  g_autoptr(GDBusMessage) pong = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = bare_xml("left-alone");
  g_autofree char *path = NULL;
  g_autofree char *leaver_name = NULL;
  g_autofree char *to_leaver = NULL;
  g_autofree char *to_watcher = NULL;
  g_autofree char *pong_line = NULL;
  BusMonitor seen = {.seen = g_ptr_array_new_with_free_func(g_free)};
  const char *daemon_name = NULL;
  gboolean left = FALSE;
  guint serial = 0, subscription;

  g_mutex_init(&seen.lock);
  if (t == NULL)
    goto out;
  path = vb_test_bus_define(t, xml);
  domain = vb_test_bus_domain(t, path);
  vb_dbus_domain_call_start_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  vb_test_bus_wait_state(t, domain, "running");

  /* a bus monitor of everything virtbusd sends */
  owner = g_dbus_connection_call_sync(
      t->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "GetNameOwner", g_variant_new("(s)", "org.virtbus.Virtbus1"), G_VARIANT_TYPE("(s)"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error(error);
  g_variant_get(owner, "(&s)", &daemon_name);
  spy = second_connection(t);
  g_dbus_connection_add_filter(spy, on_monitored, &seen, NULL);
  {
    g_autofree char *rule = g_strdup_printf("sender='%s'", daemon_name);
    const char *rules[] = {rule, NULL};

    reply = g_dbus_connection_call_sync(spy, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                        g_variant_new("(^asu)", rules, 0), NULL,
                                        G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error(error);
    g_atomic_int_set(&seen.armed, TRUE);
  }

  /* the leaver watches, then leaves; the test's own connection watches and stays */
  leaver = second_connection(t);
  leaver_name = g_strdup(g_dbus_connection_get_unique_name(leaver));
  leaver_monitor = vb_dbus_monitor_proxy_new_sync(leaver, G_DBUS_PROXY_FLAGS_NONE,
                                                  "org.virtbus.Virtbus1", path, NULL, &error);
  g_assert_no_error(error);
  vb_dbus_monitor_call_watch_sync(leaver_monitor, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  monitor = vb_dbus_monitor_proxy_new_sync(t->connection, G_DBUS_PROXY_FLAGS_NONE,
                                           "org.virtbus.Virtbus1", path, NULL, &error);
  g_assert_no_error(error);
  vb_dbus_monitor_call_watch_sync(monitor, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  subscription = g_dbus_connection_signal_subscribe(
      t->connection, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
      "/org/freedesktop/DBus", leaver_name, G_DBUS_SIGNAL_FLAGS_NONE, on_name_lost_owner, &left,
      NULL);
  g_clear_object(&leaver_monitor);
  g_dbus_connection_close_sync(leaver, NULL, &error);
  g_assert_no_error(error);
  /* the bus told virtbusd before it tells us, and before our next call reaches virtbusd */
  VB_TEST_WAIT_UNTIL(NULL, left, "NameOwnerChanged for the leaving watcher");
  g_dbus_connection_signal_unsubscribe(t->connection, subscription);

  vb_dbus_domain_call_suspend_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  to_watcher = g_strdup_printf("signal Event %s", g_dbus_connection_get_unique_name(t->connection));
  VB_TEST_WAIT_UNTIL(NULL, monitor_saw(&seen, to_watcher), "STOP sent to the staying watcher");
  /* anything virtbusd sent before its answer to this ping, the monitor has seen */
  ping = g_dbus_message_new_method_call("org.virtbus.Virtbus1", "/org/virtbus/Virtbus1",
                                        "org.freedesktop.DBus.Peer", "Ping");
  pong = g_dbus_connection_send_message_with_reply_sync(
      t->connection, ping, G_DBUS_SEND_MESSAGE_FLAGS_NONE, -1, &serial, NULL, &error);
  g_assert_no_error(error);
  pong_line = g_strdup_printf("return %u", serial);
  VB_TEST_WAIT_UNTIL(NULL, monitor_saw(&seen, pong_line), "the monitor to see the ping's answer");
  to_leaver = g_strdup_printf("signal Event %s", leaver_name);
  g_assert_false(monitor_saw(&seen, to_leaver));

  vb_dbus_domain_call_destroy_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
out:
  if (spy != NULL)
    g_dbus_connection_close_sync(spy, NULL, NULL);
  g_mutex_clear(&seen.lock);
  g_ptr_array_unref(seen.seen);
}

static gboolean
read_until(int fd, const char *marker, GString *seen)
{
  g_autoptr(GInputStream) input = g_unix_input_stream_new(fd, FALSE);
  gint64 deadline = g_get_monotonic_time() + VB_TEST_WAIT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (strstr(seen->str, marker) == NULL) {
    char buffer[1024];
    g_autoptr(GError) error = NULL;
    gssize n;

    if (g_get_monotonic_time() > deadline)
      return FALSE;
    /* blocking reads, each bounded: the guest writes within seconds */
    n = g_pollable_input_stream_read_nonblocking(G_POLLABLE_INPUT_STREAM(input), buffer,
                                                 sizeof buffer, NULL, &error);
    if (n > 0) {
      g_string_append_len(seen, buffer, n);
      continue;
    }
    if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      return FALSE;
    {
      GPollFD poll = {fd, G_IO_IN, 0};

      g_poll(&poll, 1, 100);
    }
  }
  return TRUE;
}

/* OpenConsole: the guest's serial console on an fd; Screenshot: a PNG; OpenGraphics: VNC */
static void
test_console_and_display(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  const char *guest = g_getenv("VIRTBUS_TEST_GUEST");
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *path = NULL;
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) handle = NULL;
  g_autoptr(GVariant) png = NULL;
  g_autoptr(GString) console = g_string_new(NULL);
  g_autoptr(GError) error = NULL;
  const guint8 *bytes;
  gsize length = 0;
  int fd;

  if (t == NULL)
    return;
  if (guest == NULL) {
    g_test_skip("the test guest is not built");
    return;
  }
  kernel = g_build_filename(guest, "vmlinuz", NULL);
  initrd = g_build_filename(guest, "initramfs.img", NULL);
  xml = g_strdup_printf(
      "<domain type='qemu'><name>seen</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>"
      "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>"
      "<cmdline>console=ttyS0 quiet</cmdline></os><features><acpi/></features>"
      "<cpu mode='maximum'/><devices><serial type='pty'><target port='0'/></serial>"
      "<graphics type='vnc'><listen type='none'/></graphics><video><model type='vga'/></video>"
      "<memballoon model='none'/></devices></domain>",
      kernel, initrd);
  path = vb_test_bus_define(t, xml);
  domain = vb_test_bus_domain(t, path);
  /* paused until the console is open: a pty nobody holds loses what the guest writes */
  vb_dbus_domain_call_start_sync(domain, g_variant_new_parsed("{'paused': <true>}"), NULL, &error);
  g_assert_no_error(error);
  vb_dbus_domain_call_open_console_sync(domain, "", NO_OPTIONS, NULL, &handle, &fds, NULL, &error);
  g_assert_no_error(error);
  fd = g_unix_fd_list_get(fds, g_variant_get_handle(handle), &error);
  g_assert_no_error(error);
  vb_dbus_domain_call_resume_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  if (!read_until(fd, "VIRTBUS-GUEST-READY", console))
    g_error("no marker on the console; it said: %s", console->str);
  close(fd);
  g_clear_object(&fds);
  g_clear_pointer(&handle, g_variant_unref);

  vb_dbus_domain_call_screenshot_sync(domain, NO_OPTIONS, &png, NULL, &error);
  g_assert_no_error(error);
  bytes = g_variant_get_fixed_array(png, &length, 1);
  g_assert_cmpuint(length, >, 33);
  g_assert_cmpmem(bytes, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem(bytes + 12, 4, "IHDR", 4);
  /* width and height, big-endian: a VGA text screen is 720x400 */
  g_assert_cmpuint(
      ((guint)bytes[16] << 24 | (guint)bytes[17] << 16 | (guint)bytes[18] << 8 | bytes[19]), >, 0);
  g_assert_cmpuint(
      ((guint)bytes[20] << 24 | (guint)bytes[21] << 16 | (guint)bytes[22] << 8 | bytes[23]), >, 0);

  vb_dbus_domain_call_open_graphics_sync(domain, NO_OPTIONS, NULL, &handle, &fds, NULL, &error);
  g_assert_no_error(error);
  fd = g_unix_fd_list_get(fds, g_variant_get_handle(handle), &error);
  g_assert_no_error(error);
  {
    g_autoptr(GString) greeting = g_string_new(NULL);

    g_assert_true(read_until(fd, "\n", greeting));
    g_assert_true(g_str_has_prefix(greeting->str, "RFB 003.008"));
  }
  close(fd);
  vb_dbus_domain_call_destroy_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/bus/connect", test_connect);
  g_test_add_func("/bus/domain", test_domain);
  g_test_add_func("/bus/restart", test_restart);
  g_test_add_func("/bus/autodestroy", test_autodestroy);
  g_test_add_func("/bus/monitor", test_monitor);
  g_test_add_func("/bus/watcher-leaves", test_watcher_leaves);
  g_test_add_func("/bus/console-and-display", test_console_and_display);
  return g_test_run();
}
