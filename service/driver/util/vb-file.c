/* vb-file.c: the atomic replacement of a file, for persistent configs, status files and the
 * capability cache.
 *
 * A temporary file in the same directory (so the rename cannot cross file systems) is written
 * whole and fsync'd, renamed over the target, and then the directory is fsync'd: without that
 * last step the rename itself may not survive a power cut, and the old name would come back
 * pointing at nothing or at the old contents.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-file.h"

static gboolean
fail(GError **error, const char *what, const char *path, int saved)
{
  g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "Cannot %s %s: %s", what, path, g_strerror(saved));
  return FALSE;
}

static gboolean
write_all(int fd, const char *contents, gsize length)
{
  while (length > 0) {
    ssize_t written = write(fd, contents, length);

    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return FALSE;
    contents += written;
    length -= (gsize)written;
  }
  return TRUE;
}

gboolean
vb_file_replace(const char *path, const char *contents, gssize length, int mode, GError **error)
{
  return vb_file_replace_full(path, contents, length, mode, NULL, NULL, error);
}

/**
 * vb_file_replace_full:
 * @before_rename: (nullable): called with the temporary file's path once it is written whole,
 *   before the rename: the tests' hook to crash there
 */
gboolean
vb_file_replace_full(const char *path,
                     const char *contents,
                     gssize length,
                     int mode,
                     VbFileHook before_rename,
                     gpointer hook_data,
                     GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  g_autofree char *temp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
  gsize size = length < 0 ? strlen(contents) : (gsize)length;
  int fd, dir_fd, saved;

  fd = g_mkstemp_full(temp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    return fail(error, "create a file in", dir, errno);
  /* the mode asked for, whatever the umask took away */
  if (fchmod(fd, (mode_t)mode) != 0 || !write_all(fd, contents, size) || fsync(fd) != 0) {
    saved = errno;
    close(fd);
    g_unlink(temp);
    return fail(error, "write", temp, saved);
  }
  if (close(fd) != 0) {
    saved = errno;
    g_unlink(temp);
    return fail(error, "write", temp, saved);
  }
  if (before_rename != NULL)
    before_rename(temp, hook_data);
  if (g_rename(temp, path) != 0) {
    saved = errno;
    g_unlink(temp);
    return fail(error, "replace", path, saved);
  }
  dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return fail(error, "open the directory", dir, errno);
  if (fsync(dir_fd) != 0) {
    saved = errno;
    close(dir_fd);
    return fail(error, "sync the directory", dir, saved);
  }
  close(dir_fd);
  return TRUE;
}
