/* vb-test-domain.c: shared checks of the domain XML tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-test-domain.h"
#include "vb-test-qemu.h"

/* Returns: (transfer full): the definition; the test fails if @xml does not parse */
VbDomainDef *
vb_test_parse_ok(const char *xml)
{
  g_autoptr(GError) error = NULL;
  VbDomainDef *def = vb_domain_def_parse(xml, strlen(xml), &error);

  g_assert_no_error(error);
  g_assert_nonnull(def);
  return def;
}

/* Checks that @xml is refused with @code and a message matching @message_pattern (a glob). */
void
vb_test_assert_parse_fails(const char *xml, gint code, const char *message_pattern)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, strlen(xml), &error);

  g_assert_null(def);
  g_assert_error(error, VB_ERROR, code);
  if (!g_pattern_match_simple(message_pattern, error->message))
    g_error("message '%s' does not match '%s'", error->message, message_pattern);
}

/* Checks each of @cases: head + part + tail is refused with the case's code and message. */
void
vb_test_assert_refusals(const char *head,
                        const char *tail,
                        const VbTestRefusal *cases,
                        gsize n_cases)
{
  for (gsize i = 0; i < n_cases; i++) {
    g_autofree char *xml = g_strconcat(head, cases[i].part, tail, NULL);

    vb_test_assert_parse_fails(xml, cases[i].code, cases[i].message);
  }
}

/* Formats @def: what the parser accepted always formats.
 *
 * Returns: (transfer full): the XML */
char *
vb_test_format(const VbDomainDef *def, VbDomainXmlFlags flags)
{
  g_autoptr(GError) error = NULL;
  char *xml = vb_domain_def_format(def, flags, &error);

  g_assert_no_error(error);
  return xml;
}

/* Formats @xml's definition and checks that the output validates against @schema and is a
 * fixed point: format(parse(format(x))) == format(parse(x)).
 *
 * Returns: (transfer full): the formatted XML */
char *
vb_test_format_checked(VbTestSchema *schema, const char *xml)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = vb_test_parse_ok(xml);
  g_autofree char *once = vb_test_format(def, VB_DOMAIN_XML_INACTIVE);
  g_autoptr(VbDomainDef) again = vb_test_parse_ok(once);
  g_autofree char *twice = vb_test_format(again, VB_DOMAIN_XML_INACTIVE);

  g_assert_cmpstr(once, ==, twice);
  if (!vb_test_schema_validate(schema, once, &error))
    g_error("%s\n%s", error->message, once);
  return g_steal_pointer(&once);
}

/* Returns: (transfer full): the first element in @formatted that starts with the line prefix
 * @opening (indent and "<name", e.g. "    <disk"), through its closing tag, with its final
 * newline */
char *
vb_test_element_of(const char *formatted, const char *opening)
{
  gsize indent = strspn(opening, " ");
  g_autofree char *needle = g_strconcat("\n", opening, NULL);
  g_autofree char *close =
      g_strdup_printf("%.*s</%s>\n", (int)indent, opening, opening + indent + 1);
  const char *start = strstr(formatted, needle);
  const char *end, *line_end;

  g_assert_nonnull(start);
  start++;
  line_end = strchr(start, '\n');
  g_assert_nonnull(line_end);
  if (line_end[-2] == '/' && line_end[-1] == '>')
    return g_strndup(start, (gsize)(line_end + 1 - start));
  end = strstr(start, close);
  g_assert_nonnull(end);
  return g_strndup(start, (gsize)(end - start) + strlen(close));
}

/* Returns: (transfer full): @xml's definition formatted in the view @flags, checked to read
 * back to the same output */
char *
vb_test_format_view(const char *xml, VbDomainXmlFlags flags)
{
  g_autoptr(VbDomainDef) def = vb_test_parse_ok(xml);
  g_autofree char *once = vb_test_format(def, flags);
  g_autoptr(VbDomainDef) again = vb_test_parse_ok(once);
  g_autofree char *twice = vb_test_format(again, flags);

  g_assert_cmpstr(once, ==, twice);
  return g_steal_pointer(&once);
}

static gboolean
is_domain_input(const char *dir, const char *name)
{
  g_autofree char *path = NULL;
  g_autofree char *head = NULL;
  gsize length;

  if (!g_str_has_suffix(name, ".xml") || g_str_has_suffix(name, ".x86_64-latest.xml"))
    return FALSE;
  path = g_build_filename(dir, name, NULL);
  if (!g_file_get_contents(path, &head, &length, NULL))
    return FALSE;
  return strstr(head, "<domain") != NULL && strstr(head, "<capabilities") == NULL &&
         strstr(head, "<qemuCaps") == NULL;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/**
 * vb_test_corpus_inputs:
 * @dir: libvirt's corpus ($VIRTBUS_CORPUS)
 *
 * Returns: (transfer full) (element-type utf8): the names of the input domains in @dir,
 *   sorted: the files *.xml whose root is <domain>, not libvirt's expected outputs
 *   (*.x86_64-latest.xml)
 */
GPtrArray *
vb_test_corpus_inputs(const char *dir, GError **error)
{
  g_autoptr(GDir) listing = g_dir_open(dir, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;

  if (listing == NULL)
    return NULL;
  while ((name = g_dir_read_name(listing)) != NULL) {
    if (is_domain_input(dir, name))
      g_ptr_array_add(names, g_strdup(name));
  }
  g_ptr_array_sort(names, compare_names);
  return g_steal_pointer(&names);
}

int
vb_test_corpus_open(const char *test, VbTestCorpus *corpus)
{
  g_autoptr(GError) error = NULL;

  memset(corpus, 0, sizeof *corpus);
  corpus->dir = g_getenv("VIRTBUS_CORPUS");
  if (corpus->dir == NULL || *corpus->dir == '\0') {
    g_print("%s: skipped, VIRTBUS_CORPUS is not set\n", test);
    return 77;
  }
  corpus->names = vb_test_corpus_inputs(corpus->dir, &error);
  corpus->caps = corpus->names != NULL ? vb_test_qemu_probe(&error) : NULL;
  if (corpus->caps == NULL) {
    g_printerr("%s: %s\n", test, error->message);
    return 1;
  }
  return 0;
}

void
vb_test_corpus_clear(VbTestCorpus *corpus)
{
  g_clear_pointer(&corpus->names, g_ptr_array_unref);
  g_clear_pointer(&corpus->caps, vb_qemu_caps_unref);
}
