/* vb-test-tree.c: scratch directories for tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "vb-test-tree.h"

/* Removes @path and everything below it, whatever the modes a test left. */
void
vb_test_remove_tree(const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  struct stat st;

  if (g_lstat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
    g_unlink(path);
    return;
  }
  g_chmod(path, 0700);
  dir = g_dir_open(path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *child = g_build_filename(path, name, NULL);
    vb_test_remove_tree(child);
  }
  g_rmdir(path);
}
