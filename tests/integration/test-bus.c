/* test-bus.c: virtbusd over a private bus, through the generated proxies: Connect's methods
 * and properties, a domain's lifecycle with PropertiesChanged and DomainEvent, the errors a
 * client sees (named, never unmapped), option checks, daemon restart with running domains, and
 * autodestroy when the creating connection leaves.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

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

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/bus/connect", test_connect);
  g_test_add_func("/bus/domain", test_domain);
  g_test_add_func("/bus/restart", test_restart);
  g_test_add_func("/bus/autodestroy", test_autodestroy);
  return g_test_run();
}
