/* test-security-apparmor.c: the AppArmor profiles virtbus writes, against golden files
 * (tests/data/apparmor: NAME.xml gives NAME.files; the profile of basic.xml is basic.profile),
 * and checked by Debian's apparmor_parser (-Q: parsed, not loaded) when it is installed;
 * a path that cannot go into a profile is refused by name.
 *
 * Regenerate the golden files: VIRTBUS_REGENERATE_APPARMOR=1 meson test unit/security-apparmor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-security-private.h"
#include "vb-test-tree.h"

static char *
data_path(const char *name)
{
  return g_test_build_filename(G_TEST_DIST, "data", "apparmor", name, NULL);
}

static VbDomainDef *
load(const char *name)
{
  g_autofree char *file = g_strconcat(name, ".xml", NULL);
  g_autofree char *path = data_path(file);
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  VbDomainDef *def;

  g_assert_true(g_file_get_contents(path, &xml, &length, NULL));
  def = vb_domain_def_parse(xml, length, &error);
  g_assert_no_error(error);
  return def;
}

static void
compare_golden(const char *file, const char *text)
{
  g_autofree char *path = data_path(file);
  g_autofree char *expected = NULL;

  if (g_getenv("VIRTBUS_REGENERATE_APPARMOR") != NULL) {
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    return;
  }
  g_assert_true(g_file_get_contents(path, &expected, NULL, NULL));
  g_assert_cmpstr(text, ==, expected);
}

static char *
files_of(const VbDomainDef *def)
{
  g_autofree char *run = g_strdup_printf("/run/virtbus/qemu/1-%s", def->name);
  g_autofree char *lib = g_strdup_printf("/var/lib/virtbus/qemu/domain-1-%s", def->name);
  const char *dirs[] = {run, lib, NULL};
  const char *files[] = {def->os.nvram, NULL};
  g_autoptr(GError) error = NULL;
  char *text = vb_apparmor_files_text(def, dirs, files, &error);

  g_assert_no_error(error);
  return text;
}

static char *
template_text(void)
{
  g_autofree char *path =
      g_test_build_filename(G_TEST_DIST, "..", "data", "apparmor", "TEMPLATE.qemu", NULL);
  char *text = NULL;

  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  return text;
}

/* What apparmor_parser says of @def's profile, in a directory laid out as /etc/apparmor.d. */
static void
check_with_parser(const char *parser, const VbDomainDef *def)
{
  g_autofree char *base = g_dir_make_tmp("vb-apparmor-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename(base, "virtbus", NULL);
  g_autofree char *abstractions = g_build_filename(base, "abstractions", NULL);
  g_autofree char *name = vb_apparmor_profile_name(def);
  g_autofree char *profile = g_build_filename(dir, name, NULL);
  g_autofree char *files_path = g_strconcat(profile, ".files", NULL);
  g_autofree char *abstraction = g_build_filename(abstractions, "virtbus-qemu", NULL);
  g_autofree char *shipped = g_test_build_filename(G_TEST_DIST, "..", "data", "apparmor",
                                                   "abstractions", "virtbus-qemu", NULL);
  g_autofree char *template = template_text();
  g_autofree char *text = vb_apparmor_profile_text(template, name);
  g_autofree char *files = files_of(def);
  g_autofree char *rules = NULL, *out = NULL, *err = NULL;
  const char *argv[] = {parser, "-Q", "-K", "-I", base, "--", profile, NULL};
  int status = -1;

  g_assert_nonnull(base);
  g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
  g_assert_cmpint(g_mkdir(abstractions, 0755), ==, 0);
  g_assert_true(g_file_get_contents(shipped, &rules, NULL, NULL));
  g_assert_true(g_file_set_contents(abstraction, rules, -1, NULL));
  g_assert_true(g_file_set_contents(profile, text, -1, NULL));
  g_assert_true(g_file_set_contents(files_path, files, -1, NULL));
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                             &out, &err, &status, NULL));
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("apparmor_parser refuses the profile of %s: %s", def->name, err);
  vb_test_remove_tree(base);
}

static void
test_golden(void)
{
  static const char *const names[] = {"basic", "uefi", "odd-paths"};
  g_autofree char *parser = g_find_program_in_path("apparmor_parser");

  if (parser == NULL)
    g_test_message("apparmor_parser is not installed: the profiles are not parsed");
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autoptr(VbDomainDef) def = load(names[i]);
    g_autofree char *files = files_of(def);
    g_autofree char *golden = g_strconcat(names[i], ".files", NULL);

    compare_golden(golden, files);
    if (parser != NULL)
      check_with_parser(parser, def);
  }
  {
    g_autoptr(VbDomainDef) def = load("basic");
    g_autofree char *template = template_text();
    g_autofree char *name = vb_apparmor_profile_name(def);
    g_autofree char *text = vb_apparmor_profile_text(template, name);

    g_assert_cmpstr(name, ==, "virtbus-6f3a2c1e-8b4d-4e2a-9c7f-1a2b3c4d5e6f");
    compare_golden("basic.profile", text);
  }
}

/* A newline in a path would end the rule and start another: refused, naming the path. */
static void
test_refused(void)
{
  g_autoptr(VbDomainDef) def = load("basic");
  VbDiskDef *disk = def->disks->pdata[0];
  g_autoptr(GError) error = NULL;
  char *text;

  g_free(disk->source);
  disk->source = g_strdup("/images/two\n  /etc/shadow r,\n.img");
  text = vb_apparmor_files_text(def, NULL, NULL, &error);
  g_assert_null(text);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_nonnull(strstr(error->message, "/images/two"));
  g_assert_nonnull(strstr(error->message, "control character"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security-apparmor/golden", test_golden);
  g_test_add_func("/security-apparmor/refused", test_refused);
  return g_test_run();
}
