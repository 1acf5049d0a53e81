/* test-dbus-interfaces.c: the D-Bus API as the contract has it (DESIGN.md §3, STYLE.md §5-6):
 * every method has its polkit action in the one table, ends with an a{sv} of options, every
 * property is read-only, and every method, property and signal is documented in the XML.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "vb-authority.h"
#include "vb-dbus-generated.h"

static GDBusInterfaceInfo *
interface_info(guint i)
{
  switch (i) {
  case 0:
    return vb_dbus_connect_interface_info();
  case 1:
    return vb_dbus_domain_interface_info();
  default:
    return vb_dbus_monitor_interface_info();
  }
}

/* The generated interface info: no method without an action (deny by default, but a method
 * nobody may call is a bug), none without its options. */
static void
test_methods(void)
{
  guint methods = 0;

  for (guint i = 0; i < 3; i++) {
    GDBusInterfaceInfo *info = interface_info(i);

    for (guint m = 0; info->methods[m] != NULL; m++) {
      GDBusMethodInfo *method = info->methods[m];
      guint n_args = 0;

      while (method->in_args[n_args] != NULL)
        n_args++;
      if (vb_authority_action_for(info->name, method->name, FALSE) == NULL)
        g_error("%s.%s has no polkit action in vb-authority.c", info->name, method->name);
      if (n_args == 0 || !g_str_equal(method->in_args[n_args - 1]->name, "options") ||
          !g_str_equal(method->in_args[n_args - 1]->signature, "a{sv}"))
        g_error("%s.%s does not end with 'a{sv} options'", info->name, method->name);
      methods++;
    }
  }
  /* the members of DESIGN.md §3: 9 on Connect, 14 on Domain, 4 on Monitor */
  g_assert_cmpuint(methods, ==, 27);
  g_assert_cmpstr(vb_authority_action_for("org.virtbus.Virtbus1.Domain", "GetXMLDesc", TRUE), ==,
                  "org.virtbus.domain-read-secure");
  g_assert_null(vb_authority_action_for("org.virtbus.Virtbus1.Domain", "NoSuchMethod", FALSE));
}

static void
test_properties_read_only(void)
{
  for (guint i = 0; i < 3; i++) {
    GDBusInterfaceInfo *info = interface_info(i);

    for (guint p = 0; info->properties != NULL && info->properties[p] != NULL; p++) {
      if (info->properties[p]->flags != G_DBUS_PROPERTY_INFO_FLAGS_READABLE)
        g_error("%s:%s is writable: every property is read-only (STYLE.md §5)", info->name,
                info->properties[p]->name);
    }
  }
}

/* Each <method>, <property> and <signal> follows a comment of its own in the XML. */
static void
test_documented(void)
{
  const char *files[] = {"Connect", "Domain", "Monitor"};

  for (guint f = 0; f < G_N_ELEMENTS(files); f++) {
    g_autofree char *name = g_strdup_printf("org.virtbus.Virtbus1.%s.xml", files[f]);
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "..", "data", "dbus-interfaces", name, NULL);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    xmlNode *iface = NULL;
    guint members = 0;

    g_assert_nonnull(doc);
    for (xmlNode *n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next) {
      if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, (const xmlChar *)"interface"))
        iface = n;
    }
    g_assert_nonnull(iface);
    g_assert_true(iface->prev != NULL &&
                  (iface->prev->type == XML_COMMENT_NODE ||
                   (iface->prev->prev != NULL && iface->prev->prev->type == XML_COMMENT_NODE)));
    for (xmlNode *n = iface->children; n != NULL; n = n->next) {
      xmlNode *before = n->prev;

      if (n->type != XML_ELEMENT_NODE)
        continue;
      while (before != NULL && before->type == XML_TEXT_NODE)
        before = before->prev;
      if (before == NULL || before->type != XML_COMMENT_NODE)
        g_error("%s: <%s name='%s'> has no doc comment", name, (const char *)n->name,
                (const char *)xmlGetProp(n, (const xmlChar *)"name"));
      members++;
    }
    g_assert_cmpuint(members, >, 0);
    xmlFreeDoc(doc);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/dbus-interfaces/methods", test_methods);
  g_test_add_func("/dbus-interfaces/properties-read-only", test_properties_read_only);
  g_test_add_func("/dbus-interfaces/documented", test_documented);
  return g_test_run();
}
