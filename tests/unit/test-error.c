/* test-error.c: the VB_ERROR domain and its D-Bus names.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "vb-error.h"

static const struct {
  VbError code;
  const char *name;
} expected_names[] = {
    {VB_ERROR_FAILED, "org.virtbus.Virtbus1.Error.Failed"},
    {VB_ERROR_NO_SUCH_DOMAIN, "org.virtbus.Virtbus1.Error.NoSuchDomain"},
    {VB_ERROR_DOMAIN_EXISTS, "org.virtbus.Virtbus1.Error.DomainExists"},
    {VB_ERROR_INVALID_XML, "org.virtbus.Virtbus1.Error.InvalidXML"},
    {VB_ERROR_INVALID_CONFIG, "org.virtbus.Virtbus1.Error.InvalidConfig"},
    {VB_ERROR_NOT_SUPPORTED, "org.virtbus.Virtbus1.Error.NotSupported"},
    {VB_ERROR_INVALID_STATE, "org.virtbus.Virtbus1.Error.InvalidState"},
    {VB_ERROR_QEMU_FAILED, "org.virtbus.Virtbus1.Error.QemuFailed"},
    {VB_ERROR_MONITOR_ERROR, "org.virtbus.Virtbus1.Error.MonitorError"},
    {VB_ERROR_TIMEOUT, "org.virtbus.Virtbus1.Error.Timeout"},
    {VB_ERROR_AUTHORIZATION_DISMISSED, "org.virtbus.Virtbus1.Error.AuthorizationDismissed"},
    {VB_ERROR_INVALID_ARGS, "org.freedesktop.DBus.Error.InvalidArgs"},
    {VB_ERROR_ACCESS_DENIED, "org.freedesktop.DBus.Error.AccessDenied"},
    {VB_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
     "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"},
};

/* Every code has the documented name, a distinct one. */
static void
test_names(void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

  g_assert_cmpuint(G_N_ELEMENTS(expected_names), ==, VB_ERROR_N_ERRORS);
  for (gsize i = 0; i < G_N_ELEMENTS(expected_names); i++) {
    const char *name = vb_error_get_dbus_name(expected_names[i].code);

    g_assert_cmpstr(name, ==, expected_names[i].name);
    g_assert_true(g_dbus_is_error_name(name));
    g_assert_false(g_hash_table_contains(seen, name));
    g_hash_table_add(seen, (gpointer)name);
  }
}

/* The full trip a reply makes: driver error → bus boundary → encoded on the wire as its D-Bus
 * name → decoded by a client → back to the same VB_ERROR code and message. */
static void
test_round_trip(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(expected_names); i++) {
    g_autoptr(GError) original =
        g_error_new(VB_ERROR, (gint)expected_names[i].code, "case %zu went wrong", i);
    g_autoptr(GError) on_bus = vb_error_to_dbus(original);
    g_autofree char *wire_name = g_dbus_error_encode_gerror(on_bus);
    g_autoptr(GError) received = g_dbus_error_new_for_dbus_error(wire_name, on_bus->message);
    g_autoptr(GError) decoded = vb_error_from_dbus(received);
    g_autofree char *expected_message = g_strdup_printf("case %zu went wrong", i);

    g_assert_cmpstr(wire_name, ==, expected_names[i].name);
    g_assert_error(decoded, VB_ERROR, (gint)expected_names[i].code);
    g_assert_cmpstr(decoded->message, ==, expected_message);
  }
}

/* The standard names travel as G_DBUS_ERROR codes, so generic D-Bus clients recognise them. */
static void
test_standard_names_use_gdbus(void)
{
  g_autoptr(GError) args = g_error_new_literal(VB_ERROR, VB_ERROR_INVALID_ARGS, "bad");
  g_autoptr(GError) denied = g_error_new_literal(VB_ERROR, VB_ERROR_ACCESS_DENIED, "no");
  g_autoptr(GError) args_bus = vb_error_to_dbus(args);
  g_autoptr(GError) denied_bus = vb_error_to_dbus(denied);

  g_assert_error(args_bus, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_error(denied_bus, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
}

static void
test_foreign_domains(void)
{
  g_autoptr(GError) io_args = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a");
  g_autoptr(GError) io_timeout = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "t");
  g_autoptr(GError) io_missing = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "m");
  g_autoptr(GError) file = g_error_new_literal(G_FILE_ERROR, G_FILE_ERROR_ACCES, "f");
  g_autoptr(GError) c1 = vb_error_to_dbus(io_args);
  g_autoptr(GError) c2 = vb_error_to_dbus(io_timeout);
  g_autoptr(GError) c3 = vb_error_to_dbus(io_missing);
  g_autoptr(GError) c4 = vb_error_to_dbus(file);

  g_assert_error(c1, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_error(c2, VB_ERROR, VB_ERROR_TIMEOUT);
  g_assert_error(c3, VB_ERROR, VB_ERROR_FAILED);
  g_assert_cmpstr(c3->message, ==, "m");
  g_assert_error(c4, VB_ERROR, VB_ERROR_FAILED);
}

/* An error from a domain nobody mapped is a bug: it is caught loudly, and still leaves as
 * Failed rather than as an unmapped GError quark name. */
static void
test_unmapped_domain(void)
{
  if (g_test_subprocess()) {
    g_autoptr(GError) odd = g_error_new_literal(g_quark_from_static_string("odd-error"), 3, "x");
    g_autoptr(GError) converted = NULL;

    g_log_set_always_fatal(G_LOG_FATAL_MASK);
    converted = vb_error_to_dbus(odd);
    g_assert_error(converted, VB_ERROR, VB_ERROR_FAILED);
    return;
  }
  g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed();
  g_test_trap_assert_stderr("*unmapped error odd-error:3*");
}

/* An undocumented remote name still decodes to our domain, naming what came back. */
static void
test_unknown_remote_name(void)
{
  g_autoptr(GError) received = g_dbus_error_new_for_dbus_error("com.example.Strange", "it broke");
  g_autoptr(GError) decoded = vb_error_from_dbus(received);

  g_assert_error(decoded, VB_ERROR, VB_ERROR_FAILED);
  g_assert_nonnull(strstr(decoded->message, "it broke"));
  g_assert_nonnull(strstr(decoded->message, "com.example.Strange"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/error/names", test_names);
  g_test_add_func("/virtbus/error/round-trip", test_round_trip);
  g_test_add_func("/virtbus/error/standard-names-use-gdbus", test_standard_names_use_gdbus);
  g_test_add_func("/virtbus/error/foreign-domains", test_foreign_domains);
  g_test_add_func("/virtbus/error/unmapped-domain", test_unmapped_domain);
  g_test_add_func("/virtbus/error/unknown-remote-name", test_unknown_remote_name);
  return g_test_run();
}
