/* fuzz-qmp-client.c: a real VbQmp reading arbitrary bytes as its QEMU's side of the monitor.
 *
 * The input is written to one end of a socketpair and that end closed; the client, with a
 * handshake, a command and a passthrough command waiting, reads it to the end of file. Whatever
 * the bytes, every caller gets an answer, the monitor ends closed with an error of ours, and no
 * GLib critical is raised (the fuzz suite runs with G_DEBUG=fatal-criticals).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Below the socketpair's buffer, so that one blocking write takes all of it. */
#define FUZZ_INPUT_MAX (64 * 1024)

typedef struct {
  guint answered;
  gboolean closed;
} Outcome;

static void
on_closed(VbQmp *qmp, GError *reason, gpointer user_data)
{
  Outcome *outcome = user_data;

  g_assert(reason != NULL);
  g_assert(reason->domain == VB_ERROR || reason->domain == G_IO_ERROR);
  outcome->closed = TRUE;
}

static void
on_handshake(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(GError) error = NULL;

  if (!vb_qmp_handshake_finish(VB_QMP(source), result, &error))
    g_assert(error != NULL && error->domain == VB_ERROR);
  outcome->answered++;
}

static void
on_executed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);

  g_assert((reply == NULL) != (error == NULL));
  outcome->answered++;
}

static void
on_raw(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = vb_qmp_execute_raw_finish(VB_QMP(source), result, &error);

  g_assert((reply == NULL) != (error == NULL));
  /* what the passthrough hands back is JSON text again */
  if (reply != NULL)
    g_assert(g_utf8_validate(reply, -1, NULL));
  outcome->answered++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  int fds[2];
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(VbQmp) qmp = NULL;
  Outcome outcome = {0};

  if (size > FUZZ_INPUT_MAX)
    return 0;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    g_error("socketpair: %s", g_strerror(errno));
  if (size > 0 && write(fds[1], data, size) != (ssize_t)size)
    g_error("cannot write the input to the socketpair: %s", g_strerror(errno));
  /* QEMU's end closes once it has written: the client sees the end of file after the input.
   * Our writes to it then fail, which the client must also survive. */
  close(fds[1]);

  socket = g_socket_new_from_fd(fds[0], &error);
  g_assert(socket != NULL);
  qmp = vb_qmp_new(socket, NULL);
  g_signal_connect(qmp, "closed", G_CALLBACK(on_closed), &outcome);
  vb_qmp_handshake_async(qmp, NULL, on_handshake, &outcome);
  vb_qmp_execute_async(qmp, "query-status", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed,
                       &outcome);
  vb_qmp_execute_raw_async(qmp, "{\"execute\": \"query-name\", \"id\": [1]}", VB_QMP_NO_TIMEOUT,
                           NULL, on_raw, &outcome);

  /* The end of file closes the monitor, which answers whoever still waits; a bounded loop, so
   * a client that never closes is a crash the fuzzer reports, not a hang. */
  for (guint i = 0; i < 100000 && !(outcome.closed && outcome.answered == 3); i++)
    g_main_context_iteration(NULL, FALSE);
  g_assert(outcome.closed);
  g_assert(outcome.answered == 3);
  g_assert(vb_qmp_is_closed(qmp));
  return 0;
}
