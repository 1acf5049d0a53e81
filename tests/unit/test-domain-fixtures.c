/* test-domain-fixtures.c: whole domains in the shapes virt-install writes for its common
 * choices (tests/data/domains/NAME.xml). Each must be accepted, and its inactive and live
 * views must equal the reviewed outputs NAME.inactive.xml and NAME.live.xml byte for byte,
 * validate against domain.rng and read back to themselves.
 *
 * After a deliberate change of format, VIRTBUS_UPDATE_EXPECTED=1 rewrites the expected files;
 * review the diff before committing it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>

#include "vb-test-domain.h"

static VbTestSchema *domain_schema; /* (owned): loaded once in main() */

static void
check_view(const char *name, const char *xml, const char *suffix, VbDomainXmlFlags flags)
{
  g_autofree char *file = g_strconcat(name, ".", suffix, ".xml", NULL);
  g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", "domains", file, NULL);
  g_autofree char *out = vb_test_format_view(xml, flags);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (!vb_test_schema_validate(domain_schema, out, &error))
    g_error("%s: %s\n%s", file, error->message, out);
  if (g_getenv("VIRTBUS_UPDATE_EXPECTED") != NULL) {
    g_file_set_contents(path, out, -1, &error);
    g_assert_no_error(error);
  }
  g_file_get_contents(path, &expected, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(out, ==, expected);
}

static void
test_fixture(gconstpointer data)
{
  const char *name = data;
  g_autofree char *file = g_strconcat(name, ".xml", NULL);
  g_autofree char *path = g_test_build_filename(G_TEST_DIST, "data", "domains", file, NULL);
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents(path, &xml, NULL, &error);
  g_assert_no_error(error);
  check_view(name, xml, "inactive", VB_DOMAIN_XML_INACTIVE);
  check_view(name, xml, "live", VB_DOMAIN_XML_LIVE);
}

int
main(int argc, char **argv)
{
  static const char *const fixtures[] = {
      "virt-install-q35-spice",   /* Linux on q35 with SPICE: virt-install's defaults */
      "virt-install-windows",     /* Hyper-V enlightenments, localtime clock */
      "virt-install-headless",    /* no graphics, pty serial console, direct kernel boot */
      "virt-install-uefi",        /* firmware='efi' with secure boot, SMM */
      "virt-install-pc-ide-ac97", /* i440fx with IDE disks, EHCI + companions, AC97 */
  };
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init(&argc, &argv, NULL);
  domain_schema = vb_test_schema_load("domain.rng", &error);
  g_assert_no_error(error);

  for (guint i = 0; i < G_N_ELEMENTS(fixtures); i++) {
    g_autofree char *test = g_strconcat("/virtbus/domain-fixtures/", fixtures[i], NULL);

    g_test_add_data_func(test, fixtures[i], test_fixture);
  }
  status = g_test_run();
  vb_test_schema_free(domain_schema);
  return status;
}
