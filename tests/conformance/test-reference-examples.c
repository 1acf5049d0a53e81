/* test-reference-examples.c: the complete example domains of libvirt's QEMU driver
 * documentation ($VIRTBUS_REFERENCE_DOC, the shared reference copy) must be accepted, and
 * each view of them must validate against domain.rng and read back to itself.
 *
 * Examples are the <domain …> … </domain> blocks of the text; those shortened with "[...]"
 * are left out. The three of the section "Example domain XML config" (QEMU i686 guest, KVM
 * demo2, HVF) must all be there. Reports itself skipped when the document is not available.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-test-domain.h"

static VbTestSchema *domain_schema; /* (owned): loaded once in main() */

static void
test_example(gconstpointer data)
{
  const char *xml = data;
  static const VbDomainXmlFlags views[] = {VB_DOMAIN_XML_INACTIVE, VB_DOMAIN_XML_LIVE,
                                           VB_DOMAIN_XML_LIVE | VB_DOMAIN_XML_SECURE};

  for (guint v = 0; v < G_N_ELEMENTS(views); v++) {
    g_autofree char *out = vb_test_format_view(xml, views[v]);
    g_autoptr(GError) error = NULL;

    if (!vb_test_schema_validate(domain_schema, out, &error))
      g_error("%s\n%s", error->message, out);
  }
}

int
main(int argc, char **argv)
{
  const char *doc_path = g_getenv("VIRTBUS_REFERENCE_DOC");
  g_autofree char *doc = NULL;
  g_autoptr(GPtrArray) examples = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  const char *section, *cursor;
  guint in_section = 0;
  int status;

  g_test_init(&argc, &argv, NULL);
  if (doc_path == NULL || !g_file_get_contents(doc_path, &doc, NULL, NULL)) {
    /* TAP's way to skip a whole program: a plan of none with SKIP, and success (meson reads
     * an exit status of 77 from a TAP test as an error) */
    g_print("1..0 # SKIP VIRTBUS_REFERENCE_DOC is not set or not readable\n");
    return 0;
  }
  section = strstr(doc, "Example domain XML config");
  g_assert_nonnull(section);
  for (cursor = doc; (cursor = strstr(cursor, "<domain ")) != NULL;) {
    const char *end = strstr(cursor, "</domain>");
    g_autofree char *block = NULL;

    g_assert_nonnull(end);
    end += strlen("</domain>");
    block = g_strndup(cursor, (gsize)(end - cursor));
    if (strstr(block, "[...]") == NULL) {
      if (cursor > section)
        in_section++;
      g_ptr_array_add(examples, g_steal_pointer(&block));
    }
    cursor = end;
  }
  /* the QEMU i686, KVM demo2 and HVF guests */
  g_assert_cmpuint(in_section, ==, 3);

  domain_schema = vb_test_schema_load("domain.rng", &error);
  g_assert_no_error(error);
  for (guint i = 0; i < examples->len; i++) {
    const char *xml = examples->pdata[i];
    const char *name = strstr(xml, "<name>");
    g_autofree char *test = NULL;

    g_assert_nonnull(name);
    name += strlen("<name>");
    test = g_strdup_printf("/virtbus/reference-examples/%u-%.*s", i + 1, (int)strcspn(name, "<"),
                           name);
    g_test_add_data_func(test, xml, test_example);
  }
  status = g_test_run();
  vb_test_schema_free(domain_schema);
  return status;
}
