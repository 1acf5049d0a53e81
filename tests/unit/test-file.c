/* test-file.c: vb_file_replace(), the write that a crash never leaves half done.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "vb-error.h"
#include "vb-file.h"
#include "vb-test-tree.h"

/* The names in @dir, sorted, as one string. */
static char *
listing(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new();
  const char *name;

  while (d != NULL && (name = g_dir_read_name(d)) != NULL)
    g_ptr_array_add(names, (gpointer)name);
  g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
  g_ptr_array_add(names, NULL);
  return g_strjoinv(" ", (char **)names->pdata);
}

static void
test_replace(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("vb-file-XXXXXX", &error);
  g_autofree char *path = g_build_filename(dir, "demo.xml", NULL);
  g_autofree char *text = NULL;
  g_autofree char *names = NULL;
  GStatBuf st;

  g_assert_no_error(error);
  g_assert_true(vb_file_replace(path, "<domain/>\n", -1, 0600, &error));
  g_assert_no_error(error);
  g_assert_true(vb_file_replace(path, "new\0bytes", 9, 0640, &error));
  g_assert_no_error(error);
  {
    gsize length = 0;

    g_assert_true(g_file_get_contents(path, &text, &length, NULL));
    g_assert_cmpmem(text, length, "new\0bytes", 9);
  }
  /* the mode asked for, not what the umask leaves of it; and no temporary file left over */
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpuint(st.st_mode & 0777, ==, 0640);
  names = listing(dir);
  g_assert_cmpstr(names, ==, "demo.xml");
  vb_test_remove_tree(dir);
}

static void
test_errors(void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false(vb_file_replace("/nonexistent-vb-dir/x.xml", "x", -1, 0600, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_true(g_str_has_prefix(error->message, "Cannot create a file in /nonexistent-vb-dir: "));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/file/replace", test_replace);
  g_test_add_func("/virtbus/file/errors", test_errors);
  return g_test_run();
}
