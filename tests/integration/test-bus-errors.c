/* test-bus-errors.c: every method of every interface called with junk arguments, and with an
 * unknown option, on a virtbusd over a private bus. Each reply must be a success or an error
 * under a name the method's documentation in data/dbus-interfaces/ lists (its "Errors:"
 * paragraph, the paragraph of a method it refers to with "as …", or the interface's errors
 * common to every method): never org.gtk.GDBus.UnmappedGError, never an undocumented name.
 * A driver error that reached the bus unconverted would also raise a critical in virtbusd,
 * which runs with G_DEBUG=fatal-criticals: the daemon would die and the next call fail.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gunixfdlist.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vb-test-bus.h"
#include "vb-test-wait.h"

#define WALKED_NAME "walked"
#define WALKED_UUID "5a1e0b1d-0000-4000-8000-00000000e220"
#define WALKED_PATH "/org/virtbus/Virtbus1/domain/5a1e0b1d00004000800000000000e220"

/* What the documentation allows: "Interface.Method" and "Interface" (the common errors) → the
 * set of short error names ("InvalidState", "AccessDenied"). */
typedef struct {
  GHashTable *allowed;
} Documented;

static void
add_words(GHashTable *set, const char *text)
{
  g_auto(GStrv) words = g_regex_split_simple("[^A-Za-z.]+", text, 0, 0);

  for (guint i = 0; words[i] != NULL; i++) {
    char *dot;
    const char *word;

    /* "org.virtbus.Virtbus1.Error.Failed." → "Failed" */
    while (g_str_has_suffix(words[i], "."))
      words[i][strlen(words[i]) - 1] = '\0';
    dot = strrchr(words[i], '.');
    word = dot != NULL ? dot + 1 : words[i];

    if (g_ascii_isupper(word[0]))
      g_hash_table_add(set, g_strdup(word));
  }
}

static GHashTable *
new_set(void)
{
  return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

/* The errors a comment documents: the words after "Errors" (or "Error", as in a full name). */
static GHashTable *
comment_errors(xmlNode *comment)
{
  GHashTable *set = new_set();
  g_autofree char *text = NULL;
  const char *from;

  if (comment == NULL)
    return set;
  text = (char *)xmlNodeGetContent(comment);
  from = strstr(text, "Error");
  if (from != NULL)
    add_words(set, from);
  return set;
}

static void
read_interface_file(Documented *doc, const char *file)
{
  g_autofree char *path =
      g_test_build_filename(G_TEST_DIST, "..", "data", "dbus-interfaces", file, NULL);
  xmlDoc *xml = xmlReadFile(path, NULL, XML_PARSE_NONET);
  xmlNode *last_comment = NULL;

  if (xml == NULL)
    g_error("cannot read %s", path);
  for (xmlNode *node = xmlDocGetRootElement(xml)->children; node != NULL; node = node->next) {
    g_autofree char *interface = NULL;
    xmlNode *member_comment = NULL;
    g_autoptr(GPtrArray) methods = g_ptr_array_new_with_free_func(g_free);

    if (node->type == XML_COMMENT_NODE)
      last_comment = node;
    if (node->type != XML_ELEMENT_NODE || !xmlStrEqual(node->name, BAD_CAST "interface"))
      continue;
    interface = (char *)xmlGetProp(node, BAD_CAST "name");
    g_hash_table_insert(doc->allowed, g_strdup(interface), comment_errors(last_comment));
    for (xmlNode *member = node->children; member != NULL; member = member->next) {
      g_autofree char *name = NULL;

      if (member->type == XML_COMMENT_NODE)
        member_comment = member;
      if (member->type != XML_ELEMENT_NODE)
        continue;
      if (xmlStrEqual(member->name, BAD_CAST "method")) {
        name = (char *)xmlGetProp(member, BAD_CAST "name");
        g_hash_table_insert(doc->allowed, g_strdup_printf("%s.%s", interface, name),
                            comment_errors(member_comment));
        g_ptr_array_add(methods, g_steal_pointer(&name));
      }
      member_comment = NULL;
    }
    /* "Errors: as DefineXML, and …": what the other method lists, too */
    for (guint i = 0; i < methods->len; i++) {
      g_autofree char *key = g_strdup_printf("%s.%s", interface, (char *)methods->pdata[i]);
      GHashTable *set = g_hash_table_lookup(doc->allowed, key);

      for (guint j = 0; j < methods->len; j++) {
        g_autofree char *other = g_strdup_printf("%s.%s", interface, (char *)methods->pdata[j]);
        GHashTableIter iter;
        gpointer word;

        if (i == j || !g_hash_table_contains(set, methods->pdata[j]))
          continue;
        g_hash_table_iter_init(&iter, g_hash_table_lookup(doc->allowed, other));
        while (g_hash_table_iter_next(&iter, &word, NULL))
          g_hash_table_add(set, g_strdup(word));
      }
    }
  }
  xmlFreeDoc(xml);
}

static gboolean
documented(Documented *doc, const char *interface, const char *method, const char *short_name)
{
  g_autofree char *key = g_strdup_printf("%s.%s", interface, method);
  GHashTable *for_method = g_hash_table_lookup(doc->allowed, key);
  GHashTable *common = g_hash_table_lookup(doc->allowed, interface);

  g_assert_nonnull(for_method);
  return g_hash_table_contains(for_method, short_name) ||
         (common != NULL && g_hash_table_contains(common, short_name));
}

/* Round r's arguments for @method: the strings take turns, the last round keeps good values
 * and passes an option nobody knows. */
static const char *const junk_strings[] = {
    "", "nope", "<domain type='qemu'>\n<name>junk", "{\"execute\":\"junk\"}", "qemu-argv",
};
#define N_ROUNDS (G_N_ELEMENTS(junk_strings) + 1)
#define BOGUS_OPTION_ROUND (N_ROUNDS - 1)

static GVariant *
junk_arguments(const GDBusMethodInfo *method, guint round)
{
  GVariantBuilder args;

  g_variant_builder_init(&args, G_VARIANT_TYPE_TUPLE);
  for (guint i = 0; method->in_args != NULL && method->in_args[i] != NULL; i++) {
    const char *signature = method->in_args[i]->signature;

    if (g_str_equal(signature, "s"))
      g_variant_builder_add(&args, "s", junk_strings[round % G_N_ELEMENTS(junk_strings)]);
    else if (g_str_equal(signature, "i"))
      g_variant_builder_add(&args, "i", round % 2 == 0 ? (gint32)-1 : (gint32)424242);
    else if (g_str_equal(signature, "b"))
      g_variant_builder_add(&args, "b", round % 2 == 0);
    else if (g_str_equal(signature, "a{sv}") && round == BOGUS_OPTION_ROUND)
      g_variant_builder_add_value(&args, g_variant_new_parsed("{'bogus': <1>}"));
    else if (g_str_equal(signature, "a{sv}"))
      g_variant_builder_add_value(&args, g_variant_new("a{sv}", NULL));
    else
      g_error("%s: no junk for an argument of type %s", method->name, signature);
  }
  return g_variant_builder_end(&args);
}

/* Returns the short name of the error, or "ok". */
static char *
check_reply(Documented *doc,
            const char *interface,
            const GDBusMethodInfo *method,
            guint round,
            GVariant *args,
            GError *error)
{
  g_autofree char *shown = g_variant_print(args, FALSE);
  g_autofree char *remote = NULL;
  const char *short_name;

  if (error == NULL) {
    if (round == BOGUS_OPTION_ROUND)
      g_error("%s.%s%s: an unknown option was accepted", interface, method->name, shown);
    return g_strdup("ok");
  }
  remote = g_dbus_error_get_remote_error(error);
  if (remote == NULL || !(g_str_has_prefix(remote, "org.virtbus.Virtbus1.Error.") ||
                          g_str_has_prefix(remote, "org.freedesktop.DBus.Error.")))
    g_error("%s.%s%s: error %s is no documented name: %s", interface, method->name, shown,
            remote != NULL ? remote : "(none)", error->message);
  short_name = strrchr(remote, '.') + 1;
  if (!documented(doc, interface, method->name, short_name))
    g_error("%s.%s%s: %s is not among the method's documented errors: %s", interface, method->name,
            shown, remote, error->message);
  g_dbus_error_strip_remote_error(error);
  if (error->message[0] == '\0')
    g_error("%s.%s%s: %s with an empty message", interface, method->name, shown, remote);
  if (round == BOGUS_OPTION_ROUND &&
      (!g_str_equal(remote, "org.freedesktop.DBus.Error.InvalidArgs") ||
       strstr(error->message, "'bogus'") == NULL))
    g_error("%s.%s%s: an unknown option gave %s: %s", interface, method->name, shown, remote,
            error->message);
  return g_strdup(short_name);
}

/* The domain the Domain and Monitor methods are walked on: defined again when a call undefined
 * it, started when the Monitor interface needs it running. */
static void
ensure_walked_domain(VbTestBus *t, gboolean running)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(VbDBusDomain) domain = NULL;

  if (!vb_dbus_connect_call_lookup_by_name_sync(
          t->connect, WALKED_NAME, g_variant_new("a{sv}", NULL), &path, NULL, &error)) {
    g_autofree char *xml = g_strdup_printf(
        "<domain type='qemu'><name>%s</name><uuid>%s</uuid><memory unit='MiB'>64</memory>"
        "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
        "<devices><memballoon model='none'/></devices></domain>",
        WALKED_NAME, WALKED_UUID);
    g_autofree char *remote = g_dbus_error_get_remote_error(error);

    g_assert_cmpstr(remote, ==, "org.virtbus.Virtbus1.Error.NoSuchDomain");
    g_clear_error(&error);
    g_clear_pointer(&path, g_free);
    path = vb_test_bus_define(t, xml);
  }
  g_assert_cmpstr(path, ==, WALKED_PATH);
  if (!running)
    return;
  domain = vb_test_bus_domain(t, path);
  if (g_str_equal(vb_dbus_domain_get_state(domain), "paused"))
    vb_dbus_domain_call_resume_sync(domain, g_variant_new("a{sv}", NULL), NULL, &error);
  else if (!vb_dbus_domain_get_active(domain))
    vb_dbus_domain_call_start_sync(domain, g_variant_new("a{sv}", NULL), NULL, &error);
  g_assert_no_error(error);
  vb_test_bus_wait_state(t, domain, "running");
}

/* Calls every method of @info in every round; returns how often each outcome came ("ok", or
 * the short error name), so that the caller can check the walk went where it meant to. */
static GHashTable *
walk_interface(VbTestBus *t, Documented *doc, const GDBusInterfaceInfo *info, gboolean running)
{
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) summary = g_string_new(NULL);
  GHashTableIter iter;
  gpointer name, count;
  gboolean on_domain = !g_str_equal(info->name, "org.virtbus.Virtbus1.Connect");
  guint calls = 0;

  for (guint round = 0; round < N_ROUNDS; round++) {
    for (guint m = 0; info->methods[m] != NULL; m++) {
      const GDBusMethodInfo *method = info->methods[m];
      g_autoptr(GVariant) args = g_variant_ref_sink(junk_arguments(method, round));
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GUnixFDList) fds = NULL;
      char *outcome;

      if (on_domain)
        ensure_walked_domain(t, running);
      reply = g_dbus_connection_call_with_unix_fd_list_sync(
          t->connection, "org.virtbus.Virtbus1", on_domain ? WALKED_PATH : "/org/virtbus/Virtbus1",
          info->name, method->name, args, NULL, G_DBUS_CALL_FLAGS_NONE, VB_TEST_WAIT_TIMEOUT_MS,
          NULL, &fds, NULL, &error);
      outcome = check_reply(doc, info->name, method, round, args, error);
      g_hash_table_insert(
          seen, outcome,
          GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(seen, outcome)) + 1));
      calls++;
    }
  }
  g_hash_table_iter_init(&iter, seen);
  while (g_hash_table_iter_next(&iter, &name, &count))
    g_string_append_printf(summary, " %s x%u", (char *)name, GPOINTER_TO_UINT(count));
  g_test_message("%s%s: %u calls:%s", info->name, running ? " (running)" : "", calls, summary->str);
  return seen;
}

static void
assert_seen(GHashTable *seen, const char *outcome)
{
  if (!g_hash_table_contains(seen, outcome))
    g_error("the walk never got %s", outcome);
}

static void
test_error_walk(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  Documented doc = {
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref)};
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) pong = NULL;
  GHashTable *seen;

  if (t == NULL) {
    g_hash_table_unref(doc.allowed);
    return;
  }
  read_interface_file(&doc, "org.virtbus.Virtbus1.Connect.xml");
  read_interface_file(&doc, "org.virtbus.Virtbus1.Domain.xml");
  read_interface_file(&doc, "org.virtbus.Virtbus1.Monitor.xml");
  /* the reader itself: a method's own paragraph, the interface's, and "as Command" */
  g_assert_true(documented(&doc, "org.virtbus.Virtbus1.Domain", "Start", "QemuFailed"));
  g_assert_true(documented(&doc, "org.virtbus.Virtbus1.Domain", "Start", "NoSuchDomain"));
  g_assert_true(documented(&doc, "org.virtbus.Virtbus1.Monitor", "HumanCommand", "Timeout"));
  g_assert_false(documented(&doc, "org.virtbus.Virtbus1.Domain", "GetXMLDesc", "QemuFailed"));

  seen = walk_interface(t, &doc, vb_dbus_connect_interface_info(), FALSE);
  assert_seen(seen, "ok");
  assert_seen(seen, "InvalidXML");
  assert_seen(seen, "NoSuchDomain");
  assert_seen(seen, "NotSupported");
  g_hash_table_unref(seen);
  /* on the domain as each call leaves it, then on it running before each call */
  seen = walk_interface(t, &doc, vb_dbus_domain_interface_info(), FALSE);
  assert_seen(seen, "ok");
  assert_seen(seen, "InvalidState");
  g_hash_table_unref(seen);
  seen = walk_interface(t, &doc, vb_dbus_domain_interface_info(), TRUE);
  assert_seen(seen, "ok");
  assert_seen(seen, "NotSupported");
  g_hash_table_unref(seen);
  seen = walk_interface(t, &doc, vb_dbus_monitor_interface_info(), TRUE);
  assert_seen(seen, "ok");
  assert_seen(seen, "InvalidArgs");
  g_hash_table_unref(seen);

  /* still there: nothing on the way crashed it */
  pong = g_dbus_connection_call_sync(t->connection, "org.virtbus.Virtbus1", "/org/virtbus/Virtbus1",
                                     "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                     G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error(error);
  {
    g_autoptr(VbDBusDomain) domain = NULL;

    ensure_walked_domain(t, FALSE);
    domain = vb_test_bus_domain(t, WALKED_PATH);
    if (vb_dbus_domain_get_active(domain)) {
      vb_dbus_domain_call_destroy_sync(domain, g_variant_new("a{sv}", NULL), NULL, &error);
      g_assert_no_error(error);
    }
  }
  g_hash_table_unref(doc.allowed);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/bus-errors/walk", test_error_walk);
  return g_test_run();
}
