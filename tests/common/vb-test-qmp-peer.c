/* vb-test-qmp-peer.c: a scripted QMP server on one end of a socketpair. The script runs in a
 * thread of its own and talks plain blocking sockets, so it can split, merge and time its
 * writes freely, while the client under test runs on the test's main loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-qemu-probe.h"
#include "vb-test-qmp-peer.h"
#include "vb-test-wait.h"

struct _VbTestQmpPeer {
  int fd;
  GThread *thread;
  VbTestQmpScript script;
  gpointer data;
  GByteArray *pending; /* read but not yet returned */
};

static gpointer
run_script(gpointer data)
{
  VbTestQmpPeer *peer = data;

  peer->script(peer, peer->data);
  return NULL;
}

/**
 * vb_test_qmp_peer_start:
 * @client: (out): the client's end, to give to the code under test
 */
VbTestQmpPeer *
vb_test_qmp_peer_start(VbTestQmpScript script, gpointer data, GSocket **client)
{
  VbTestQmpPeer *peer = g_new0(VbTestQmpPeer, 1);
  g_autoptr(GError) error = NULL;
  int fds[2];

  g_assert_no_errno(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  *client = g_socket_new_from_fd(fds[0], &error);
  g_assert_no_error(error);
  peer->fd = fds[1];
  peer->script = script;
  peer->data = data;
  peer->pending = g_byte_array_new();
  peer->thread = g_thread_new("qmp-peer", run_script, peer);
  return peer;
}

/* Waits for the script to end, then closes the peer's end. */
void
vb_test_qmp_peer_join(VbTestQmpPeer *peer)
{
  g_thread_join(peer->thread);
  if (peer->fd >= 0)
    close(peer->fd);
  g_byte_array_unref(peer->pending);
  g_free(peer);
}

void
vb_test_qmp_peer_send(VbTestQmpPeer *peer, const char *bytes, gsize length)
{
  while (length > 0) {
    ssize_t n = send(peer->fd, bytes, length, MSG_NOSIGNAL);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
      return; /* the client hung up, as it does on a bad stream: nothing left to say */
    g_assert_cmpint(n, >, 0);
    bytes += n;
    length -= (gsize)n;
  }
}

void
vb_test_qmp_peer_send_text(VbTestQmpPeer *peer, const char *text)
{
  vb_test_qmp_peer_send(peer, text, strlen(text));
}

void
vb_test_qmp_peer_send_greeting(VbTestQmpPeer *peer)
{
  vb_test_qmp_peer_send_text(peer,
                             "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 1, \"minor\": 2, "
                             "\"major\": 7}, \"package\": \"test\"}, \"capabilities\": "
                             "[\"oob\"]}}\r\n");
}

/* Reads until a whole line is buffered, collecting any descriptors that arrive into @fds.
 * Returns FALSE at end of file. */
static gboolean
fill_line(VbTestQmpPeer *peer, GArray *fds)
{
  while (peer->pending->len == 0 || memchr(peer->pending->data, '\n', peer->pending->len) == NULL) {
    char buffer[4096];
    char control[CMSG_SPACE(sizeof(int) * 16)];
    struct iovec iov = {buffer, sizeof buffer};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(peer->fd, &msg, MSG_CMSG_CLOEXEC);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        gsize count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        const int *received = (const int *)(gpointer)CMSG_DATA(c);

        for (gsize i = 0; i < count; i++) {
          if (fds != NULL)
            g_array_append_val(fds, received[i]);
          else
            close(received[i]);
        }
      }
    }
    g_byte_array_append(peer->pending, (const guint8 *)buffer, (guint)n);
  }
  return TRUE;
}

/**
 * vb_test_qmp_peer_read_command:
 * @fds: (nullable): receives the descriptors sent with the command
 *
 * Returns: (transfer full) (nullable): the next command, %NULL at end of file
 */
JsonObject *
vb_test_qmp_peer_read_command(VbTestQmpPeer *peer, GArray *fds)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  const char *newline;
  gsize length;
  JsonNode *root;

  if (!fill_line(peer, fds))
    return NULL;
  newline = memchr(peer->pending->data, '\n', peer->pending->len);
  length = (gsize)(newline - (const char *)peer->pending->data);
  json_parser_load_from_data(parser, (const char *)peer->pending->data, (gssize)length, &error);
  g_assert_no_error(error);
  g_byte_array_remove_range(peer->pending, 0, (guint)length + 1);
  root = json_parser_get_root(parser);
  g_assert_true(JSON_NODE_HOLDS_OBJECT(root));
  return json_object_ref(json_node_get_object(root));
}

/* Reads the next command and checks it is @execute. */
JsonObject *
vb_test_qmp_peer_expect(VbTestQmpPeer *peer, const char *execute)
{
  JsonObject *command = vb_test_qmp_peer_read_command(peer, NULL);

  g_assert_nonnull(command);
  g_assert_cmpstr(json_object_get_string_member(command, "execute"), ==, execute);
  return command;
}

static char *
id_of(JsonObject *command)
{
  JsonNode *id = json_object_get_member(command, "id");

  return id != NULL ? json_to_string(id, FALSE) : g_strdup("null");
}

/* Answers @command with {"return": RETURN_JSON, "id": its id}. */
void
vb_test_qmp_peer_reply(VbTestQmpPeer *peer, JsonObject *command, const char *return_json)
{
  g_autofree char *id = id_of(command);
  g_autofree char *line = g_strdup_printf("{\"return\": %s, \"id\": %s}\r\n", return_json, id);

  vb_test_qmp_peer_send_text(peer, line);
}

void
vb_test_qmp_peer_reply_error(VbTestQmpPeer *peer,
                             JsonObject *command,
                             const char *class,
                             const char *desc)
{
  g_autofree char *id = id_of(command);
  g_autofree char *line = g_strdup_printf(
      "{\"error\": {\"class\": \"%s\", \"desc\": \"%s\"}, \"id\": %s}\r\n", class, desc, id);

  vb_test_qmp_peer_send_text(peer, line);
}

/* The greeting, then qmp_capabilities read and accepted. */
void
vb_test_qmp_peer_negotiate(VbTestQmpPeer *peer)
{
  g_autoptr(JsonObject) command = NULL;

  vb_test_qmp_peer_send_greeting(peer);
  command = vb_test_qmp_peer_expect(peer, "qmp_capabilities");
  vb_test_qmp_peer_reply(peer, command, "{}");
}

/* Closes the peer's end, as QEMU exiting does. */
void
vb_test_qmp_peer_hang_up(VbTestQmpPeer *peer)
{
  close(peer->fd);
  peer->fd = -1;
}

static void
on_probed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref(result);
}

/* Runs the probe's queries against @script on the test's main context, as @binary. */
VbQemuCaps *
vb_test_probe_with_peer(VbTestQmpScript script, gpointer data, const char *binary, GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  VbTestQmpPeer *peer = vb_test_qmp_peer_start(script, data, &socket);
  g_autoptr(VbQmp) qmp = vb_qmp_new(socket, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  VbQemuCaps *caps;

  vb_qemu_probe_monitor_async(qmp, binary, NULL, on_probed, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the probe over the scripted peer");
  caps = vb_qemu_probe_monitor_finish(qmp, result, error);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  return caps;
}
