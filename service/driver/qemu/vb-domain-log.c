/* vb-domain-log.c: the domain log, `<logdir>/<name>.log` (DESIGN.md §5). Each start appends a
 * header (time, the command line, the monitor commands, secrets redacted) and QEMU's stdout
 * and stderr follow untouched, written by QEMU itself to its own descriptor, so the log goes on
 * while no daemon runs. The daemon's own lines start with a time stamp and "virtbus:". A log
 * over VB_DOMAIN_LOG_MAX is moved to `.log.0` at the next start, and while a driver watches a
 * running domain its log is copied to `.log.0` and emptied each time it grows over the cap
 * (QEMU's descriptor appends, so it writes on at the new end): a chatty QEMU cannot fill the
 * disk.
 *
 * Everything here blocks on the disk: it runs in the launcher's and the stop's worker threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-driver-private.h"
#include "vb-error.h"

/* The most of the log's end read for an error message. */
#define TAIL_BYTES 4096

/* "2026-12-01 22:17:31.123+0000 virtbus: …\n" */
char *
vb_domain_log_line(const char *format, ...)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");
  g_autofree char *text = NULL;
  va_list args;

  va_start(args, format);
  text = g_strdup_vprintf(format, args);
  va_end(args);
  /* milliseconds are enough: %f gives microseconds */
  stamp[strlen(stamp) - 3] = '\0';
  return g_strdup_printf("%s+0000 virtbus: %s\n", stamp, text);
}

static gboolean
write_all(int fd, const char *text, GError **error)
{
  gsize left = strlen(text);

  while (left > 0) {
    ssize_t n = write(fd, text, left);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int saved = errno;

      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot write the domain log: %s",
                  g_strerror(saved));
      return FALSE;
    }
    text += n;
    left -= (gsize)n;
  }
  return TRUE;
}

/**
 * vb_domain_log_open:
 * @header: the lines to start this start's part with
 * @offset: (out): where what follows the header begins
 *
 * Returns: an append-only descriptor on the log for QEMU's stdout and stderr, or -1
 */
int
vb_domain_log_open(const char *path, const char *header, gint64 *offset, GError **error)
{
  struct stat st;
  int fd;

  if (g_stat(path, &st) == 0 && st.st_size > VB_DOMAIN_LOG_MAX) {
    g_autofree char *old = g_strconcat(path, ".0", NULL);

    if (g_rename(path, old) != 0) {
      int saved = errno;

      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot rotate the domain log %s: %s", path,
                  g_strerror(saved));
      return -1;
    }
  }
  fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot open the domain log %s: %s", path,
                g_strerror(saved));
    return -1;
  }
  if (!write_all(fd, header, error) || fstat(fd, &st) != 0) {
    close(fd);
    return -1;
  }
  *offset = st.st_size;
  return fd;
}

/**
 * vb_domain_log_cap:
 *
 * When the log is over VB_DOMAIN_LOG_MAX: its contents to `.log.0` (replaced), and the log
 * emptied. Returns whether it was.
 */
gboolean
vb_domain_log_cap(const char *path, GError **error)
{
  g_autofree char *old = g_strconcat(path, ".0", NULL);
  g_autoptr(GFile) from = g_file_new_for_path(path);
  g_autoptr(GFile) to = g_file_new_for_path(old);
  struct stat st;

  if (g_stat(path, &st) != 0 || st.st_size <= VB_DOMAIN_LOG_MAX)
    return FALSE;
  if (!g_file_copy(from, to, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL,
                   NULL, error))
    return FALSE;
  if (truncate(path, 0) != 0) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot empty the domain log %s: %s", path,
                g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

/* Appends one of the daemon's lines (made by vb_domain_log_line()); a log that cannot be
 * written loses the line, never the operation that wrote it. */
void
vb_domain_log_append(const char *path, const char *line)
{
  int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return;
  if (!write_all(fd, line, NULL))
    g_debug("%s: a line was lost", path);
  close(fd);
}

static void
append_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  const char *const *what = data;

  vb_domain_log_append(what[0], what[1]);
  g_task_return_boolean(task, TRUE);
}

/* The same from the main context: the write happens in a worker, and nobody waits for it. */
void
vb_domain_log_append_in_worker(const char *path, const char *line)
{
  g_autoptr(GTask) task = g_task_new(NULL, NULL, NULL, NULL);
  char **what = g_new0(char *, 3);

  what[0] = g_strdup(path);
  what[1] = g_strdup(line);
  g_task_set_task_data(task, what, (GDestroyNotify)g_strfreev);
  g_task_run_in_thread(task, append_thread);
}

/**
 * vb_domain_log_tail:
 * @offset: where this start's output begins: nothing before it is quoted
 *
 * Returns: (transfer full) (nullable): the last @lines lines QEMU wrote, joined by "; "
 */
char *
vb_domain_log_tail(const char *path, gint64 offset, guint lines)
{
  g_autofree char *buffer = g_malloc(TAIL_BYTES + 1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new();
  g_auto(GStrv) split = NULL;
  struct stat st;
  gint64 from;
  ssize_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    return NULL;
  if (fstat(fd, &st) != 0 || st.st_size <= offset) {
    close(fd);
    return NULL;
  }
  from = MAX(offset, (gint64)st.st_size - TAIL_BYTES);
  n = pread(fd, buffer, TAIL_BYTES, from);
  close(fd);
  if (n <= 0)
    return NULL;
  buffer[n] = '\0';
  /* only text goes into an error message */
  for (ssize_t i = 0; i < n; i++) {
    if (buffer[i] == '\0' || ((guchar)buffer[i] < 0x20 && buffer[i] != '\n'))
      buffer[i] = ' ';
  }
  if (!g_utf8_validate(buffer, n, NULL)) {
    g_autofree char *valid = g_utf8_make_valid(buffer, n);

    g_free(buffer);
    buffer = g_steal_pointer(&valid);
  }
  split = g_strsplit(buffer, "\n", -1);
  for (guint i = 0; split[i] != NULL; i++) {
    g_strstrip(split[i]);
    if (split[i][0] != '\0')
      g_ptr_array_add(kept, split[i]);
  }
  if (kept->len == 0)
    return NULL;
  {
    guint first = kept->len > lines ? kept->len - lines : 0;
    g_autoptr(GString) out = g_string_new(NULL);

    for (guint i = first; i < kept->len; i++) {
      if (out->len > 0)
        g_string_append(out, "; ");
      g_string_append(out, kept->pdata[i]);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
  }
}
