/* vb-console.c: `virtbus console`: the guest's serial console on the fd OpenConsole returns.
 * On a terminal the keys go to the guest (raw mode) and Ctrl+] leaves, as in virsh; for scripts
 * --until TEXT stops once the guest has printed TEXT.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gunixfdlist.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-verbs.h"

#define ESCAPE_KEY 0x1d /* Ctrl+] */
/* what is kept of the output to look for --until's text in */
#define UNTIL_WINDOW 4096

int
vb_console_open(VbVerbContext *ctx, VbDBusDomain *domain, GError **error)
{
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = NULL;
  gint32 handle = -1;

  reply = vb_client_call(ctx->client, domain, "OpenConsole", g_variant_new("(sa{sv})", "", NULL),
                         &fds, error);
  if (reply == NULL)
    return -1;
  g_variant_get(reply, "(h)", &handle);
  if (fds == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "OpenConsole sent no descriptor");
    return -1;
  }
  return g_unix_fd_list_get(fds, handle, error);
}

static gboolean
write_all(int fd, const char *data, gsize length, GError **error)
{
  while (length > 0) {
    ssize_t n = write(fd, data, length);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "console: %s", g_strerror(errno));
      return FALSE;
    }
    data += n;
    length -= (gsize)n;
  }
  return TRUE;
}

gboolean
vb_console_run(int fd, const char *until, guint timeout_s, GError **error)
{
  gboolean tty = isatty(STDIN_FILENO) && until == NULL;
  struct termios saved, raw;
  g_autoptr(GString) window = g_string_new(NULL);
  gint64 deadline = timeout_s > 0 ? g_get_monotonic_time() + timeout_s * G_TIME_SPAN_SECOND : 0;
  gboolean ok = TRUE;

  if (tty) {
    tcgetattr(STDIN_FILENO, &saved);
    raw = saved;
    cfmakeraw(&raw);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    g_printerr("Connected to the console; leave with Ctrl+]\r\n");
  }
  for (;;) {
    struct pollfd polls[2] = {{fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    int wait_ms = -1;
    char buffer[4096];
    ssize_t n;

    if (deadline != 0) {
      gint64 left = deadline - g_get_monotonic_time();

      if (left <= 0) {
        g_set_error(error, VB_ERROR, VB_ERROR_TIMEOUT, "console: '%s' did not appear within %u s",
                    until != NULL ? until : "", timeout_s);
        ok = FALSE;
        break;
      }
      wait_ms = (int)(left / 1000) + 1;
    }
    if (poll(polls, tty ? 2 : 1, wait_ms) < 0) {
      if (errno == EINTR)
        continue;
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "console: poll: %s", g_strerror(errno));
      ok = FALSE;
      break;
    }
    if (polls[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      n = read(fd, buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      /* EIO: the pty's other side is gone (the guest stopped) */
      if (n <= 0)
        break;
      if (!write_all(STDOUT_FILENO, buffer, (gsize)n, error)) {
        ok = FALSE;
        break;
      }
      if (until != NULL) {
        g_string_append_len(window, buffer, n);
        if (strstr(window->str, until) != NULL)
          break;
        if (window->len > UNTIL_WINDOW)
          g_string_erase(window, 0, (gssize)(window->len - strlen(until)));
      }
    }
    if (tty && (polls[1].revents & POLLIN)) {
      n = read(STDIN_FILENO, buffer, sizeof buffer);
      if (n <= 0)
        break;
      if (memchr(buffer, ESCAPE_KEY, (gsize)n) != NULL)
        break;
      if (!write_all(fd, buffer, (gsize)n, error)) {
        ok = FALSE;
        break;
      }
    }
  }
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    g_printerr("\n");
  }
  return ok;
}

gboolean
vb_verb_console(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  g_autofree char *until = NULL;
  int timeout = 0;
  const GOptionEntry entries[] = {
      {"until", 0, 0, G_OPTION_ARG_STRING, &until, "stop once the guest printed TEXT (for scripts)",
       "TEXT"},
      {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "give up after N seconds (with --until)", "N"},
      G_OPTION_ENTRY_NULL};
  g_autofree char *path = NULL;
  g_autoptr(VbDBusDomain) domain = NULL;
  gboolean ok;
  int fd;

  if (!vb_verb_parse(&argc, &argv, entries, 1, error))
    return FALSE;
  if (!vb_verb_check_timeout(timeout, error))
    return FALSE;
  if ((path = vb_client_lookup(ctx->client, argv[1], error)) == NULL ||
      (domain = vb_client_domain(ctx->client, path, error)) == NULL ||
      (fd = vb_console_open(ctx, domain, error)) < 0)
    return FALSE;
  ok = vb_console_run(fd, until, (guint)timeout, error);
  close(fd);
  return ok;
}
