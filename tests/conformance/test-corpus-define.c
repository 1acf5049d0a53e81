/* test-corpus-define.c: the whole definition a define stores, against libvirt's for the same
 * XML.
 *
 * For every input domain in $VIRTBUS_CORPUS that a define accepts, our inactive XML is
 * compared with libvirt's NAME.x86_64-latest.xml, element by element and attribute by
 * attribute (attributes in name order, whitespace ignored). One normalisation: USB addresses
 * are left out of both, as libvirt's test data is made without the USB port assignment its
 * define does (virtbus's define assigns them, as libvirt's; corpus-abi compares the ports on
 * the command line). Prints one line per case,
 *   NAME: identical | different
 * then, for a difference, the lines only libvirt's ("-") or only ours ("+") has, and finally
 *   corpus-define: A identical, D different, T total
 * The cases that still differ are listed, each with its reason, in
 * tests/conformance/corpus-define-known.txt: the test fails when a case differs that is not
 * listed, or a listed one has become identical. Exits 77 (skipped) when $VIRTBUS_CORPUS is
 * unset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-test-domain.h"
#include "vb-test-qemu.h"
#include "vb-xml.h"

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static gboolean
is_usb_address(xmlNode *node)
{
  g_autofree char *type = NULL;

  if (!g_str_equal((const char *)node->name, "address"))
    return FALSE;
  type = (char *)xmlGetProp(node, (const xmlChar *)"type");
  return g_strcmp0(type, "usb") == 0;
}

/* One line per element: its depth, name, attributes by name, and its text. */
static void
canonical_lines(xmlNode *node, guint depth, GPtrArray *lines)
{
  g_autoptr(GPtrArray) attrs = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GString) line = g_string_new(NULL);
  g_autoptr(GString) text = g_string_new(NULL);

  for (xmlAttr *a = node->properties; a != NULL; a = a->next) {
    g_autofree char *value = (char *)xmlNodeGetContent((xmlNode *)a);

    g_ptr_array_add(attrs, g_strdup_printf("%s='%s'", (const char *)a->name, value));
  }
  g_ptr_array_sort(attrs, compare_strings);
  for (xmlNode *c = node->children; c != NULL; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      g_autofree char *content = (char *)xmlNodeGetContent(c);

      g_string_append(text, g_strstrip(content));
    }
  }
  g_string_append_printf(line, "%*s<%s", (int)depth * 2, "", (const char *)node->name);
  for (guint i = 0; i < attrs->len; i++)
    g_string_append_printf(line, " %s", (const char *)attrs->pdata[i]);
  g_string_append(line, ">");
  g_string_append(line, text->str);
  g_ptr_array_add(lines, g_string_free(g_steal_pointer(&line), FALSE));
  for (xmlNode *c = node->children; c != NULL; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && !is_usb_address(c))
      canonical_lines(c, depth + 1, lines);
  }
}

static GPtrArray *
canonical(const char *xml, gsize length)
{
  g_autoptr(xmlDoc) doc = xmlReadMemory(xml, (int)length, NULL, NULL, XML_PARSE_NONET);
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);

  g_assert_nonnull(doc);
  canonical_lines(xmlDocGetRootElement(doc), 0, lines);
  return lines;
}

/* The lines only one side has, in document order: a longest common subsequence. */
static void
diff(GPtrArray *theirs, GPtrArray *ours, GString *report)
{
  guint n = theirs->len, m = ours->len;
  g_autofree guint *table = g_new0(guint, (gsize)(n + 1) * (m + 1));
  guint i = 0, j = 0;

#define AT(a, b) table[(gsize)(a) * (m + 1) + (b)]
  for (guint a = n; a-- > 0;) {
    for (guint b = m; b-- > 0;)
      AT(a, b) = g_str_equal(theirs->pdata[a], ours->pdata[b]) ? AT(a + 1, b + 1) + 1
                                                               : MAX(AT(a + 1, b), AT(a, b + 1));
  }
  while (i < n || j < m) {
    if (i < n && j < m && g_str_equal(theirs->pdata[i], ours->pdata[j])) {
      i++;
      j++;
    } else if (j < m && (i == n || AT(i, j + 1) >= AT(i + 1, j))) {
      g_string_append_printf(report, "  + %s\n", (const char *)ours->pdata[j++]);
    } else {
      g_string_append_printf(report, "  - %s\n", (const char *)theirs->pdata[i++]);
    }
  }
#undef AT
}

static GHashTable *
read_known(void)
{
  g_autofree char *path =
      g_test_build_filename(G_TEST_DIST, "conformance", "corpus-define-known.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  if (!g_file_get_contents(path, &text, NULL, &error))
    g_error("%s", error->message);
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *reason = strstr(lines[i], " — ");

    if (lines[i][0] == '#' || lines[i][0] == '\0')
      continue;
    if (reason == NULL)
      g_error("corpus-define-known.txt line %u gives no reason (NAME — reason)", i + 1);
    g_hash_table_add(known, g_strndup(lines[i], reason - lines[i]));
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
  if ((status = vb_test_corpus_open("corpus-define", &set)) != 0)
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
    g_autofree char *xml = NULL, *theirs_xml = NULL, *ours_xml = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(GPtrArray) ours = NULL;
    g_autoptr(GPtrArray) theirs = NULL;
    g_autoptr(GString) report = g_string_new(NULL);
    gsize length, theirs_length;
    gboolean listed;

    if (!g_file_get_contents(path, &xml, &length, NULL) ||
        (def = vb_domain_def_parse(xml, length, NULL)) == NULL ||
        !vb_test_check_def(def, caps, NULL) ||
        !g_file_get_contents(theirs_path, &theirs_xml, &theirs_length, NULL))
      continue; /* not accepted by a define: corpus-xml reports it */
    ours_xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE, &error);
    g_assert_no_error(error);
    ours = canonical(ours_xml, strlen(ours_xml));
    theirs = canonical(theirs_xml, theirs_length);
    diff(theirs, ours, report);
    listed = g_hash_table_contains(known, stem);
    if (report->len == 0) {
      g_print("%s: identical%s\n", stem,
              listed ? " (but listed as different: update the list)" : "");
      identical++;
      wrong += listed;
    } else {
      g_print("%s: different%s\n%s", stem, listed ? "" : " (not in corpus-define-known.txt)",
              report->str);
      different++;
      wrong += !listed;
    }
  }
  g_print("corpus-define: %u identical, %u different, %u total\n", identical, different,
          identical + different);
  return wrong == 0 && identical > 0 ? 0 : 1;
}
