/* test-caps-replies.c: our probe against the QEMU replies libvirt recorded (the corpus's
 * caps_<version>_x86_64.replies), compared with what libvirt concluded from them (the matching
 * .xml): every flag that libvirt has under the same name, and every machine type.
 *
 * A scripted monitor answers our queries from the recording. libvirt reads the command list from
 * query-qmp-schema rather than query-commands, so the recording's schema supplies that answer.
 * Prints one line per recording, then "caps-replies: A agree, D disagree, N recordings".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#include "vb-error.h"
#include "vb-qemu-probe.h"
#include "vb-test-qmp-peer.h"

typedef struct {
  GHashTable *answers; /* execute → its first recorded "return" (JsonNode) */
  guint version;
} Recording;

static void
recording_free(Recording *recording)
{
  g_hash_table_unref(recording->answers);
  g_free(recording);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Recording, recording_free)

/* The file is a series of pretty-printed JSON objects separated by blank lines: a command, then
 * its reply. */
static Recording *
load_recording(const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) chunks = NULL;
  Recording *recording = g_new0(Recording, 1);
  g_autofree char *pending = NULL;

  recording->answers =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)json_node_unref);
  g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
  chunks = g_strsplit(contents, "\n\n", -1);
  for (guint i = 0; chunks[i] != NULL; i++) {
    g_autoptr(JsonNode) node = NULL;
    JsonObject *object;

    if (*g_strstrip(chunks[i]) == '\0')
      continue;
    node = json_from_string(chunks[i], &error);
    g_assert_no_error(error);
    object = json_node_get_object(node);
    if (json_object_has_member(object, "execute")) {
      g_free(pending);
      pending = g_strdup(json_object_get_string_member(object, "execute"));
    } else if (pending != NULL && json_object_has_member(object, "return")) {
      if (!g_hash_table_contains(recording->answers, pending))
        g_hash_table_insert(recording->answers, g_strdup(pending),
                            json_node_copy(json_object_get_member(object, "return")));
      g_clear_pointer(&pending, g_free);
    }
  }

  /* query-commands, from the schema's commands. */
  {
    JsonNode *schema = g_hash_table_lookup(recording->answers, "query-qmp-schema");
    JsonArray *entries = json_node_get_array(schema);
    g_autoptr(JsonBuilder) builder = json_builder_new();

    json_builder_begin_array(builder);
    for (guint i = 0; i < json_array_get_length(entries); i++) {
      JsonObject *entry = json_array_get_object_element(entries, i);

      if (g_strcmp0(json_object_get_string_member(entry, "meta-type"), "command") != 0)
        continue;
      json_builder_begin_object(builder);
      json_builder_set_member_name(builder, "name");
      json_builder_add_string_value(builder, json_object_get_string_member(entry, "name"));
      json_builder_end_object(builder);
    }
    json_builder_end_array(builder);
    g_hash_table_insert(recording->answers, g_strdup("query-commands"),
                        json_builder_get_root(builder));
  }
  return recording;
}

static void
script_replay(VbTestQmpPeer *peer, gpointer data)
{
  Recording *recording = data;
  JsonObject *version =
      json_node_get_object(g_hash_table_lookup(recording->answers, "query-version"));
  g_autofree char *greeting = NULL;
  g_autoptr(JsonNode) version_node = json_node_new(JSON_NODE_OBJECT);
  g_autofree char *version_text = NULL;
  JsonObject *command;

  json_node_set_object(version_node, version);
  version_text = json_to_string(version_node, FALSE);
  greeting = g_strdup_printf("{\"QMP\": {\"version\": %s, \"capabilities\": [\"oob\"]}}\r\n",
                             version_text);
  vb_test_qmp_peer_send_text(peer, greeting);
  while ((command = vb_test_qmp_peer_read_command(peer, NULL)) != NULL) {
    const char *execute = json_object_get_string_member(command, "execute");
    JsonNode *answer = g_hash_table_lookup(recording->answers, execute);

    if (answer != NULL) {
      g_autofree char *text = json_to_string(answer, FALSE);

      vb_test_qmp_peer_reply(peer, command, text);
    } else if (strcmp(execute, "qmp_capabilities") == 0) {
      vb_test_qmp_peer_reply(peer, command, "{}");
    } else {
      vb_test_qmp_peer_reply_error(peer, command, "CommandNotFound", "not in the recording");
    }
    json_object_unref(command);
  }
}

static VbQemuCaps *
probe_recording(Recording *recording, GError **error)
{
  return vb_test_probe_with_peer(script_replay, recording, "/usr/bin/qemu-system-x86_64", error);
}

static GPtrArray *
xpath_strings(xmlDoc *doc, const char *expression)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
  xmlXPathContext *context = xmlXPathNewContext(doc);
  xmlXPathObject *found = xmlXPathEvalExpression((const xmlChar *)expression, context);

  for (int i = 0; found->nodesetval != NULL && i < found->nodesetval->nodeNr; i++) {
    xmlChar *text = xmlNodeGetContent(found->nodesetval->nodeTab[i]);

    g_ptr_array_add(values, g_strdup((const char *)text));
    xmlFree(text);
  }
  xmlXPathFreeObject(found);
  xmlXPathFreeContext(context);
  return g_steal_pointer(&values);
}

/* Compares one recording; returns the number of disagreements, each printed. */
static guint
compare(const char *corpus, const char *version)
{
  g_autofree char *replies = g_strdup_printf("%s/caps_%s_x86_64.replies", corpus, version);
  g_autofree char *xml_path = g_strdup_printf("%s/caps_%s_x86_64.xml", corpus, version);
  g_autoptr(Recording) recording = load_recording(replies);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = probe_recording(recording, &error);
  xmlDoc *doc = xmlReadFile(xml_path, NULL, XML_PARSE_NONET);
  g_autoptr(GPtrArray) libvirt_flags = NULL;
  g_autoptr(GPtrArray) known = vb_qemu_caps_list_known_flags();
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) aliases = NULL;
  g_autoptr(GPtrArray) max_cpus = NULL;
  guint n_flags = 0, disagree = 0;
  const GPtrArray *machines;

  g_assert_no_error(error);
  g_assert_nonnull(doc);
  libvirt_flags = xpath_strings(doc, "/qemuCaps/flag/@name");
  g_assert_cmpuint(libvirt_flags->len, >, 100);

  for (guint i = 0; i < known->len; i++) {
    const char *flag = known->pdata[i];
    gboolean theirs;

    if (!vb_qemu_caps_flag_is_libvirts(flag))
      continue;
    n_flags++;
    theirs = g_ptr_array_find_with_equal_func(libvirt_flags, flag, g_str_equal, NULL);
    if (theirs != vb_qemu_caps_has_flag(caps, flag)) {
      g_print("  %s: flag %s: libvirt %s, virtbus %s\n", version, flag, theirs ? "yes" : "no",
              theirs ? "no" : "yes");
      disagree++;
    }
  }

  /* libvirt's machines for KVM, in its order: the default first, "none" left out. */
  names = xpath_strings(doc, "/qemuCaps/machine[@type='kvm']/@name");
  aliases = xpath_strings(doc, "/qemuCaps/machine[@type='kvm']/@alias");
  max_cpus = xpath_strings(doc, "/qemuCaps/machine[@type='kvm']/@maxCpus");
  machines = vb_qemu_caps_get_machines(caps);
  if (names->len != machines->len) {
    g_print("  %s: %u machines in libvirt, %u in virtbus\n", version, names->len, machines->len);
    disagree++;
  }
  for (guint i = 0; i < MIN(names->len, machines->len); i++) {
    const VbQemuMachine *machine = machines->pdata[i];
    g_autofree char *cpus = g_strdup_printf("%u", machine->max_cpus);

    if (g_strcmp0(machine->name, names->pdata[i]) != 0 ||
        g_strcmp0(cpus, max_cpus->pdata[i]) != 0) {
      g_print("  %s: machine %u: libvirt %s (%s CPUs), virtbus %s (%s CPUs)\n", version, i,
              (char *)names->pdata[i], (char *)max_cpus->pdata[i], machine->name, cpus);
      disagree++;
    }
  }
  /* Each alias leads to the machine libvirt names it for. */
  for (guint i = 0; i < aliases->len; i++) {
    g_autofree char *expression = g_strdup_printf(
        "/qemuCaps/machine[@type='kvm'][@alias='%s']/@name", (char *)aliases->pdata[i]);
    g_autoptr(GPtrArray) target = xpath_strings(doc, expression);
    const VbQemuMachine *machine = vb_qemu_caps_lookup_machine(caps, aliases->pdata[i]);

    if (machine == NULL || target->len != 1 || g_strcmp0(machine->name, target->pdata[0]) != 0) {
      g_print("  %s: alias %s: libvirt %s, virtbus %s\n", version, (char *)aliases->pdata[i],
              target->len == 1 ? (char *)target->pdata[0] : "?",
              machine != NULL ? machine->name : "none");
      disagree++;
    }
  }
  xmlFreeDoc(doc);
  g_print("caps %s: %u shared flags, %u machines, %u aliases: %s\n", version, n_flags, names->len,
          aliases->len, disagree == 0 ? "agree" : "DISAGREE");
  return disagree;
}

int
main(int argc, char **argv)
{
  const char *corpus = g_getenv("VIRTBUS_CORPUS");
  static const char *const versions[] = {"7.2.0", "10.0.0"};
  guint agree = 0, disagree = 0;

  if (corpus == NULL) {
    g_print("VIRTBUS_CORPUS is not set: no recordings to compare\n");
    return 77;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(versions); i++) {
    if (compare(corpus, versions[i]) == 0)
      agree++;
    else
      disagree++;
  }
  g_print("caps-replies: %u agree, %u disagree, %zu recordings\n", agree, disagree,
          G_N_ELEMENTS(versions));
  return disagree == 0 ? 0 : 1;
}
