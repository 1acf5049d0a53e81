/* test-polkit.c: authorisation with the real polkitd on a private system bus, for a real
 * unprivileged user: what needs authentication is refused to that user (and changes nothing),
 * allowed once the user is in the group the shipped rules grant; read-only calls are allowed
 * to anyone; root is allowed. And the same-uid rule of an instance without polkit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-test-polkit.h"
#include "vb-test-wait.h"

#define NO_OPTIONS g_variant_new("a{sv}", NULL)
#define ROOT "/org/virtbus/Virtbus1"

static const char domain_xml[] =
    "<domain type='qemu'><name>guarded</name><memory unit='MiB'>64</memory><os><type "
    "arch='x86_64' machine='q35'>hvm</type></os><devices><memballoon model='none'/></devices>"
    "</domain>";

static gboolean
refused(const char *output)
{
  return strstr(output, "org.freedesktop.DBus.Error.AccessDenied") != NULL ||
         strstr(output, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") != NULL;
}

static void
test_polkit(void)
{
  g_autoptr(VbTestPolkit) t = vb_test_polkit_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(VbDBusDomain) domain = NULL;
  struct {
    const char *what;
    const char *path;
    const char *method;
    const char *args[4];
  } guarded[] = {
      {"define", ROOT, "org.virtbus.Virtbus1.Connect.DefineXML", {domain_xml, "{}", NULL}},
      {"control", NULL, "org.virtbus.Virtbus1.Domain.Start", {"{}", NULL}},
      {"read-secure", NULL, "org.virtbus.Virtbus1.Domain.GetXMLDesc", {"{'secure': <true>}", NULL}},
      {"console", NULL, "org.virtbus.Virtbus1.Domain.Screenshot", {"{}", NULL}},
      {"define (autostart)",
       NULL,
       "org.virtbus.Virtbus1.Domain.SetAutostart",
       {"true", "{}", NULL}},
  };

  if (t == NULL)
    return;
  /* root defines the domain the user will try to touch */
  path = vb_test_bus_define(t->bus, domain_xml);
  domain = vb_test_bus_domain(t->bus, path);

  /* read-only: anyone */
  {
    g_autofree char *output = NULL;
    const char *args[] = {"{}", NULL};

    g_assert_true(vb_test_polkit_call_as_user(t, ROOT, "org.virtbus.Virtbus1.Connect.ListDomains",
                                              args, &output));
    g_assert_nonnull(strstr(output, path));
    g_clear_pointer(&output, g_free);
    g_assert_true(vb_test_polkit_call_as_user(t, path, "org.virtbus.Virtbus1.Domain.GetXMLDesc",
                                              args, &output));
    g_assert_nonnull(strstr(output, "guarded"));
  }
  /* the rest: refused to the user, and nothing changed */
  for (guint i = 0; i < G_N_ELEMENTS(guarded); i++) {
    g_autofree char *output = NULL;

    if (vb_test_polkit_call_as_user(t, guarded[i].path != NULL ? guarded[i].path : path,
                                    guarded[i].method, guarded[i].args, &output))
      g_error("%s was allowed to an unprivileged user: %s", guarded[i].what, output);
    g_test_message("%s refused: %s", guarded[i].what, g_strstrip(output));
    g_assert_true(refused(output));
  }
  /* allowing interaction, with no authentication agent for the caller: polkitd cannot ask,
   * so the answer is a plain denial, not a challenge */
  {
    g_autofree char *output = NULL;
    const char *args[] = {"--interactive", "{}", NULL};

    g_assert_false(
        vb_test_polkit_call_as_user(t, path, "org.virtbus.Virtbus1.Domain.Start", args, &output));
    g_test_message("interactive start refused: %s", g_strstrip(output));
    g_assert_nonnull(strstr(output, "org.freedesktop.DBus.Error.AccessDenied"));
    g_assert_nonnull(strstr(output, "no polkit authentication agent"));
  }
  /* allowing interaction, with an agent that dismisses the dialog */
  {
    g_autofree char *output = NULL;

    vb_test_polkit_call_with_agent(t, path, "org.virtbus.Virtbus1.Domain.Start", &output);
    g_test_message("start with a dismissing agent: %s", g_strstrip(output));
    g_assert_true(g_str_has_prefix(output, "org.virtbus.Virtbus1.Error.AuthorizationDismissed:"));
    g_assert_nonnull(strstr(output, "asked: org.virtbus.domain-control"));
  }
  g_assert_cmpstr(vb_dbus_domain_get_state(domain), ==, "shutoff");
  g_assert_false(vb_dbus_domain_get_autostart(domain));
  /* the monitor (there while the domain runs): refused too, and nothing tainted */
  vb_dbus_domain_call_start_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  {
    g_autofree char *output = NULL;
    const char *args[] = {"{\"execute\":\"stop\"}", "{}", NULL};

    VB_TEST_WAIT_UNTIL(NULL, vb_dbus_domain_get_active(domain), "the domain to run");
    g_assert_false(vb_test_polkit_call_as_user(t, path, "org.virtbus.Virtbus1.Monitor.Command",
                                               args, &output));
    g_assert_true(refused(output));
    g_assert_cmpstr(vb_dbus_domain_get_state(domain), ==, "running");
    g_assert_cmpuint(g_strv_length((char **)vb_dbus_domain_get_tainted(domain)), ==, 0);
  }
  vb_dbus_domain_call_destroy_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  vb_test_bus_wait_state(t->bus, domain, "shutoff");

  /* in the group the rules grant: allowed, and it happens */
  vb_test_polkit_join_group(t);
  {
    g_autofree char *output = NULL;
    const char *start[] = {"{}", NULL};

    if (!vb_test_polkit_call_as_user(t, path, "org.virtbus.Virtbus1.Domain.Start", start, &output))
      g_error("Start was refused to a member of the group: %s", output);
    vb_test_bus_wait_state(t->bus, domain, "running");
    g_clear_pointer(&output, g_free);
    g_assert_true(vb_test_polkit_call_as_user(t, path, "org.virtbus.Virtbus1.Domain.Destroy", start,
                                              &output));
    vb_test_bus_wait_state(t->bus, domain, "shutoff");
  }
  /* root: allowed without a rule */
  vb_dbus_domain_call_start_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
  vb_dbus_domain_call_destroy_sync(domain, NO_OPTIONS, NULL, &error);
  g_assert_no_error(error);
}

/* an instance without polkit takes calls from its own user only */
static void
test_same_uid(void)
{
  g_autoptr(VbTestPolkit) t = vb_test_polkit_new_full(FALSE);
  g_autofree char *output = NULL;
  const char *args[] = {"{}", NULL};
  g_auto(GStrv) domains = NULL;
  g_autoptr(GError) error = NULL;

  if (t == NULL)
    return;
  g_assert_false(vb_test_polkit_call_as_user(t, ROOT, "org.virtbus.Virtbus1.Connect.ListDomains",
                                             args, &output));
  g_assert_nonnull(strstr(output, "org.freedesktop.DBus.Error.AccessDenied"));
  g_assert_nonnull(strstr(output, "serves uid 0 only"));
  vb_dbus_connect_call_list_domains_sync(t->bus->connect, NO_OPTIONS, &domains, NULL, &error);
  g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/polkit/actions", test_polkit);
  g_test_add_func("/polkit/same-uid", test_same_uid);
  return g_test_run();
}
