/* test-corpus-abi.c: the hardware virtbus fixes at define, against libvirt's for the same XML.
 *
 * For every input domain in $VIRTBUS_CORPUS that a define accepts, the addresses of our
 * defined XML are compared with those of libvirt's NAME.x86_64-latest.xml, device by device:
 * each controller (by type and index, with its model) and each other device with a PCI
 * address (by element and position; disks by target); and the guest-visible device set of our
 * command line with libvirt's NAME.x86_64-latest.args: each -device by id, with its driver,
 * bus, address and the properties a guest sees (MAC, serial, boot index, USB port, drive unit).
 * Prints one line per case,
 *   NAME: identical | different
 * then, for a difference, libvirt's line and ours side by side, and finally
 *   corpus-abi: A identical, D different, T total
 * The cases that still differ are listed, each with its reason, in
 * tests/conformance/corpus-abi-known.txt (and docs/domain-xml.md): the test fails when a case
 * differs that is not listed, or a listed one has become identical, so the list stays true.
 * Exits 77 (skipped) when $VIRTBUS_CORPUS is unset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-test-domain.h"
#include "vb-test-qemu.h"
#include "vb-xml.h"

static const char *
attr(xmlNode *node, const char *name, char **owned)
{
  g_free(*owned);
  *owned = (char *)xmlGetProp(node, (const xmlChar *)name);
  return *owned != NULL ? *owned : "";
}

static xmlNode *
child(xmlNode *node, const char *name)
{
  for (xmlNode *c = node->children; c != NULL; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && g_str_equal((const char *)c->name, name))
      return c;
  }
  return NULL;
}

/* "bus:slot.function[ multi]" of a PCI <address>, "" for none. */
static char *
pci_address(xmlNode *device)
{
  xmlNode *address = child(device, "address");
  g_autofree char *tmp = NULL;
  g_autofree char *bus = NULL, *slot = NULL, *function = NULL;

  if (address == NULL || g_strcmp0(attr(address, "type", &tmp), "pci") != 0)
    return g_strdup("");
  bus = g_strdup(attr(address, "bus", &tmp));
  slot = g_strdup(attr(address, "slot", &tmp));
  function = g_strdup(attr(address, "function", &tmp));
  return g_strdup_printf("%s:%s.%s%s", bus, slot, function,
                         g_strcmp0(attr(address, "multifunction", &tmp), "on") == 0 ? " multi"
                                                                                    : "");
}

static gint
compare_keys(gconstpointer a, gconstpointer b, gpointer data)
{
  return strcmp(a, b);
}

/* Each device's identity and what of it the guest sees, in a sorted table. */
static GTree *
guest_hardware(const char *xml, gsize length, GError **error)
{
  g_autoptr(xmlDoc) doc = xmlReadMemory(xml, (int)length, NULL, NULL, XML_PARSE_NONET);
  GTree *tree = g_tree_new_full(compare_keys, NULL, g_free, g_free);
  g_autoptr(GHashTable) counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  xmlNode *devices;

  devices = doc != NULL ? child(xmlDocGetRootElement(doc), "devices") : NULL;
  if (devices == NULL) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_XML, "no <devices>");
    g_tree_unref(tree);
    return NULL;
  }
  for (xmlNode *d = devices->children; d != NULL; d = d->next) {
    const char *name = (const char *)d->name;
    g_autofree char *tmp = NULL;
    g_autofree char *address = NULL;
    char *key;

    if (d->type != XML_ELEMENT_NODE)
      continue;
    address = pci_address(d);
    if (g_str_equal(name, "controller")) {
      g_autofree char *type = g_strdup(attr(d, "type", &tmp));
      g_autofree char *index = g_strdup(attr(d, "index", &tmp));

      key = g_strdup_printf("controller %s %s", type, index);
      g_tree_insert(tree, key, g_strdup_printf("model=%s %s", attr(d, "model", &tmp), address));
      continue;
    }
    if (*address == '\0')
      continue;
    if (g_str_equal(name, "disk") && child(d, "target") != NULL) {
      key = g_strdup_printf("disk %s", attr(child(d, "target"), "dev", &tmp));
    } else {
      guint n = GPOINTER_TO_UINT(g_hash_table_lookup(counts, name)) + 1;

      g_hash_table_replace(counts, g_strdup(name), GUINT_TO_POINTER(n));
      key = g_strdup_printf("%s %u", name, n);
    }
    g_tree_insert(tree, key, g_steal_pointer(&address));
  }
  return tree;
}

/* QEMU's other names for the same device. */
static const char *
canonical_driver(const char *driver)
{
  static const char *const aliases[][2] = {{"ahci", "ich9-ahci"}, {"lsi", "lsi53c895a"}};

  for (guint i = 0; i < G_N_ELEMENTS(aliases); i++) {
    if (g_strcmp0(driver, aliases[i][0]) == 0)
      return aliases[i][1];
  }
  return driver;
}

/* One -device value (JSON or key=value) as "driver bus addr guest-visible-props". */
static void
add_device(GTree *tree, const char *value)
{
  static const char *const visible[] = {
      "bus",     "addr",    "mac", "serial",  "bootindex", "port",          "unit",      "lun",
      "scsi-id", "channel", "nr",  "chassis", "cad",       "multifunction", "device_id", NULL};
  g_autoptr(GHashTable) props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) out = g_string_new(NULL);
  const char *id;

  if (value[0] == '{') {
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonObject *object;
    g_autoptr(GList) members = NULL;

    if (!json_parser_load_from_data(parser, value, -1, NULL))
      return;
    object = json_node_get_object(json_parser_get_root(parser));
    members = json_object_get_members(object);
    for (GList *m = members; m != NULL; m = m->next) {
      JsonNode *node = json_object_get_member(object, m->data);
      GType type = json_node_get_value_type(node);

      g_hash_table_replace(
          props, g_strdup(m->data),
          type == G_TYPE_STRING    ? g_strdup(json_node_get_string(node))
          : type == G_TYPE_BOOLEAN ? g_strdup(json_node_get_boolean(node) ? "on" : "off")
          : type == G_TYPE_INT64   ? g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(node))
                                   : g_strdup("?"));
    }
  } else {
    g_auto(GStrv) items = g_strsplit(value, ",", -1);

    g_hash_table_replace(props, g_strdup("driver"), g_strdup(items[0]));
    for (guint i = 1; items[i] != NULL; i++) {
      const char *equals = strchr(items[i], '=');

      if (equals != NULL)
        g_hash_table_replace(props, g_strndup(items[i], (gsize)(equals - items[i])),
                             g_strdup(equals + 1));
    }
  }
  id = g_hash_table_lookup(props, "id");
  g_string_append(out, canonical_driver(g_hash_table_lookup(props, "driver")));
  for (guint i = 0; visible[i] != NULL; i++) {
    const char *v = g_hash_table_lookup(props, visible[i]);

    if (v != NULL)
      g_string_append_printf(out, " %s=%s", visible[i], v);
  }
  g_tree_insert(
      tree,
      g_strdup_printf("-device %s",
                      id != NULL ? id : (const char *)g_hash_table_lookup(props, "driver")),
      g_string_free(g_steal_pointer(&out), FALSE));
}

/* libvirt's .args: one option and its value a line, values shell-quoted. */
static GTree *
their_devices(const char *text)
{
  GTree *tree = g_tree_new_full(compare_keys, NULL, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autofree char *line = g_strstrip(g_strdup(lines[i]));
    g_auto(GStrv) words = NULL;

    if (!g_str_has_prefix(line, "-device "))
      continue;
    if (g_str_has_suffix(line, " \\"))
      line[strlen(line) - 2] = '\0';
    /* qemu:arg values may follow on the same line */
    if (g_shell_parse_argv(line, NULL, &words, NULL) && g_strv_length(words) >= 2)
      add_device(tree, words[1]);
  }
  return tree;
}

static GTree *
our_devices(const VbQemuCommand *cmd)
{
  GTree *tree = g_tree_new_full(compare_keys, NULL, g_free, g_free);

  for (guint i = 0; i + 1 < cmd->args->len; i++) {
    if (g_str_equal(cmd->args->pdata[i], "-device"))
      add_device(tree, cmd->args->pdata[i + 1]);
  }
  return tree;
}

typedef struct {
  GTree *other;
  GString *report;
} Compare;

static gboolean
compare_one(gpointer key, gpointer value, gpointer data)
{
  Compare *c = data;
  const char *theirs = g_tree_lookup(c->other, key);

  if (g_strcmp0(theirs, value) != 0)
    g_string_append_printf(c->report, "    %-26s libvirt: %s\n    %-26s    ours: %s\n",
                           (const char *)key, theirs != NULL ? theirs : "(none)", "",
                           (const char *)value);
  return FALSE;
}

static gboolean
only_theirs(gpointer key, gpointer value, gpointer data)
{
  Compare *c = data;

  if (g_tree_lookup(c->other, key) == NULL)
    g_string_append_printf(c->report, "    %-26s libvirt: %s\n    %-26s    ours: (none)\n",
                           (const char *)key, (const char *)value, "");
  return FALSE;
}

/* The known differences: one case name per line, then its reason after " — ". */
static GHashTable *
read_known(void)
{
  g_autofree char *path =
      g_test_build_filename(G_TEST_DIST, "conformance", "corpus-abi-known.txt", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  if (!g_file_get_contents(path, &text, NULL, NULL))
    g_error("cannot read %s", path);
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (lines[i][0] == '#' || lines[i][0] == '\0')
      continue;
    g_hash_table_add(known, g_strndup(lines[i], strcspn(lines[i], " ")));
  }
  return known;
}

int
main(int argc, char **argv)
{
  g_auto(VbTestCorpus) set = {0};
  g_autoptr(GError) error = NULL;
  const char *corpus;
  GPtrArray *names;
  VbQemuCaps *caps;
  int status;
  g_autoptr(GHashTable) known = NULL;
  guint identical = 0, different = 0, wrong = 0;

  g_test_init(&argc, &argv, NULL);
  if ((status = vb_test_corpus_open("corpus-abi", &set)) != 0)
    return status;
  corpus = set.dir;
  names = set.names;
  caps = set.caps;
  known = read_known();
  for (guint i = 0; i < names->len; i++) {
    const char *name = names->pdata[i];
    g_autofree char *path = g_build_filename(corpus, name, NULL);
    g_autofree char *stem = g_strndup(name, strlen(name) - strlen(".xml"));
    g_autofree char *theirs_name = g_strconcat(stem, ".x86_64-latest.xml", NULL);
    g_autofree char *theirs_path = g_build_filename(corpus, theirs_name, NULL);
    g_autofree char *args_name = g_strconcat(stem, ".x86_64-latest.args", NULL);
    g_autofree char *args_path = g_build_filename(corpus, args_name, NULL);
    g_autofree char *args = NULL;
    g_autoptr(VbQemuCommand) cmd = NULL;
    g_autofree char *xml = NULL, *theirs_xml = NULL, *ours_xml = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(GTree) ours = NULL;
    g_autoptr(GTree) theirs = NULL;
    g_autoptr(GString) report = g_string_new(NULL);
    gsize length, theirs_length;
    Compare compare;
    gboolean listed;

    if (!g_file_get_contents(path, &xml, &length, NULL) ||
        (def = vb_domain_def_parse(xml, length, NULL)) == NULL ||
        !vb_test_check_def(def, caps, NULL) ||
        !g_file_get_contents(theirs_path, &theirs_xml, &theirs_length, NULL))
      continue; /* not accepted by a define: corpus-xml reports it */
    ours_xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE, &error);
    g_assert_no_error(error);
    ours = guest_hardware(ours_xml, strlen(ours_xml), &error);
    g_assert_no_error(error);
    theirs = guest_hardware(theirs_xml, theirs_length, &error);
    g_assert_no_error(error);
    compare = (Compare){.other = theirs, .report = report};
    g_tree_foreach(ours, compare_one, &compare);
    compare = (Compare){.other = ours, .report = report};
    g_tree_foreach(theirs, only_theirs, &compare);
    /* the command lines' devices */
    cmd = vb_test_build_command(def, caps, "/virtbus-abi", &error);
    g_assert_no_error(error);
    if (g_file_get_contents(args_path, &args, NULL, NULL)) {
      g_autoptr(GTree) our_args = our_devices(cmd);
      g_autoptr(GTree) their_args = their_devices(args);

      compare = (Compare){.other = their_args, .report = report};
      g_tree_foreach(our_args, compare_one, &compare);
      compare = (Compare){.other = our_args, .report = report};
      g_tree_foreach(their_args, only_theirs, &compare);
    }
    listed = g_hash_table_contains(known, stem);
    if (report->len == 0) {
      g_print("%s: identical%s\n", stem,
              listed ? " (but listed as different: update the list)" : "");
      identical++;
      wrong += listed;
    } else {
      g_print("%s: different%s\n%s", stem, listed ? "" : " (not in corpus-abi-known.txt)",
              report->str);
      different++;
      wrong += !listed;
    }
  }
  g_print("corpus-abi: %u identical, %u different, %u total\n", identical, different,
          identical + different);
  return wrong == 0 && identical > 0 ? 0 : 1;
}
