/* test-qmp.c: the QMP client against a scripted QEMU end on a socketpair.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-qmp-stream.h"
#include "vb-qmp.h"
#include "vb-test-qmp-peer.h"
#include "vb-test-wait.h"

/* What the client saw, in order: "event:NAME", "reply:VALUE", "error:MESSAGE", "closed:REASON". */
typedef struct {
  GPtrArray *log;
  guint n_closed;
  guint n_done;
  gint64 last_timestamp;
  GError *closed_reason;
} Seen;

static void
seen_init(Seen *seen)
{
  memset(seen, 0, sizeof *seen);
  seen->log = g_ptr_array_new_with_free_func(g_free);
}

static void
seen_clear(Seen *seen)
{
  g_ptr_array_unref(seen->log);
  g_clear_error(&seen->closed_reason);
}

static void
on_event(VbQmp *qmp, const char *name, JsonObject *data, gint64 timestamp, gpointer user_data)
{
  Seen *seen = user_data;

  g_ptr_array_add(seen->log, g_strdup_printf("event:%s", name));
  seen->last_timestamp = timestamp;
}

static void
on_closed(VbQmp *qmp, GError *reason, gpointer user_data)
{
  Seen *seen = user_data;

  seen->n_closed++;
  g_clear_error(&seen->closed_reason);
  seen->closed_reason = g_error_copy(reason);
  g_ptr_array_add(seen->log, g_strdup_printf("closed:%s", reason->message));
}

static void
on_executed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Seen *seen = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);

  if (reply != NULL) {
    g_autofree char *text = json_to_string(reply, FALSE);

    g_ptr_array_add(seen->log, g_strdup_printf("reply:%s", text));
  } else {
    g_ptr_array_add(seen->log, g_strdup_printf("error:%s:%d:%s", g_quark_to_string(error->domain),
                                               error->code, error->message));
  }
  seen->n_done++;
}

static void
on_raw_executed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Seen *seen = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = vb_qmp_execute_raw_finish(VB_QMP(source), result, &error);

  if (reply != NULL)
    g_ptr_array_add(seen->log, g_strdup_printf("raw:%s", reply));
  else
    g_ptr_array_add(seen->log, g_strdup_printf("error:%s:%d:%s", g_quark_to_string(error->domain),
                                               error->code, error->message));
  seen->n_done++;
}

static void
on_handshake(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Seen *seen = user_data;
  g_autoptr(GError) error = NULL;

  if (vb_qmp_handshake_finish(VB_QMP(source), result, &error))
    g_ptr_array_add(seen->log, g_strdup("ready"));
  else
    g_ptr_array_add(seen->log, g_strdup_printf("handshake-failed:%s", error->message));
  seen->n_done++;
}

static void
wait_done(Seen *seen, guint n_done)
{
  VB_TEST_WAIT_UNTIL(NULL, seen->n_done >= n_done, "the client's callbacks");
}

static void
wait_closed(Seen *seen)
{
  VB_TEST_WAIT_UNTIL(NULL, seen->n_closed > 0, "the monitor to close");
}

static VbQmp *
connect_peer(VbTestQmpScript script, gpointer data, Seen *seen, VbTestQmpPeer **peer)
{
  g_autoptr(GSocket) socket = NULL;
  VbQmp *qmp;

  *peer = vb_test_qmp_peer_start(script, data, &socket);
  qmp = vb_qmp_new(socket, NULL);
  g_signal_connect(qmp, "event", G_CALLBACK(on_event), seen);
  g_signal_connect(qmp, "closed", G_CALLBACK(on_closed), seen);
  return qmp;
}

static void
assert_log(Seen *seen, const char *const *expected)
{
  guint n = g_strv_length((char **)expected);

  for (guint i = 0; i < MIN(n, seen->log->len); i++)
    g_assert_cmpstr(seen->log->pdata[i], ==, expected[i]);
  g_assert_cmpuint(seen->log->len, ==, n);
}

/* ---- greeting and negotiation ---- */

static void
script_negotiate_only(VbTestQmpPeer *peer, gpointer data)
{
  vb_test_qmp_peer_negotiate(peer);
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL)); /* the client closes */
}

static void
test_negotiation(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;

  seen_init(&seen);
  qmp = connect_peer(script_negotiate_only, NULL, &seen, &peer);
  g_assert_false(vb_qmp_is_ready(qmp));
  vb_qmp_handshake_async(qmp, NULL, on_handshake, &seen);
  wait_done(&seen, 1);
  g_assert_true(vb_qmp_is_ready(qmp));
  g_assert_cmpuint(vb_qmp_get_version(qmp), ==, VB_QEMU_VERSION(7, 2, 1));
  g_assert_cmpstr(vb_qmp_get_package(qmp), ==, "test");
  g_assert_true(vb_qmp_has_capability(qmp, "oob"));
  g_assert_false(vb_qmp_has_capability(qmp, "exec-oob"));

  /* Once ready, a handshake completes at once. */
  vb_qmp_handshake_async(qmp, NULL, on_handshake, &seen);
  wait_done(&seen, 2);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  assert_log(&seen,
             (const char *const[]){"ready", "ready", "closed:monitor closed by virtbus", NULL});
  seen_clear(&seen);
}

static void
script_no_greeting(VbTestQmpPeer *peer, gpointer data)
{
  vb_test_qmp_peer_send_text(peer, "{\"return\": {}}\r\n");
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_no_greeting(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;

  seen_init(&seen);
  qmp = connect_peer(script_no_greeting, NULL, &seen, &peer);
  vb_qmp_handshake_async(qmp, NULL, on_handshake, &seen);
  vb_qmp_execute_async(qmp, "query-status", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed,
                       &seen);
  wait_done(&seen, 2);
  wait_closed(&seen);
  vb_test_qmp_peer_join(peer);
  assert_log(&seen,
             (const char *const[]){
                 "handshake-failed:the monitor did not start with the QMP greeting",
                 "error:vb-error-quark:8:'query-status' was not sent: the monitor did not start "
                 "with the QMP greeting",
                 "closed:the monitor did not start with the QMP greeting", NULL});
  g_assert_error(seen.closed_reason, VB_ERROR, VB_ERROR_MONITOR_ERROR);
  seen_clear(&seen);
}

static void
script_refuse_negotiation(VbTestQmpPeer *peer, gpointer data)
{
  g_autoptr(JsonObject) command = NULL;

  vb_test_qmp_peer_send_greeting(peer);
  command = vb_test_qmp_peer_expect(peer, "qmp_capabilities");
  vb_test_qmp_peer_reply_error(peer, command, "CommandNotFound",
                               "Capabilities negotiation is "
                               "already complete");
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_negotiation_refused(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;

  seen_init(&seen);
  qmp = connect_peer(script_refuse_negotiation, NULL, &seen, &peer);
  vb_qmp_handshake_async(qmp, NULL, on_handshake, &seen);
  wait_done(&seen, 1);
  vb_test_qmp_peer_join(peer);
  g_assert_cmpuint(seen.n_closed, ==, 1);
  g_assert_cmpstr(seen.log->pdata[0], ==,
                  "handshake-failed:QEMU refused 'qmp_capabilities': CommandNotFound: "
                  "Capabilities negotiation is already complete");
  seen_clear(&seen);
}

static void
script_slow_greeting(VbTestQmpPeer *peer, gpointer data)
{
  vb_test_gate_wait(data, "the first handshake to be cancelled");
  vb_test_qmp_peer_negotiate(peer);
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_handshake_cancelled(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  VbTestGate greet;

  seen_init(&seen);
  vb_test_gate_init(&greet);
  qmp = connect_peer(script_slow_greeting, &greet, &seen, &peer);
  vb_qmp_handshake_async(qmp, cancellable, on_handshake, &seen);
  vb_qmp_handshake_async(qmp, NULL, on_handshake, &seen);
  g_cancellable_cancel(cancellable);
  /* The cancelled caller hears at once, before QEMU greets; the other still gets a negotiated
   * monitor. */
  wait_done(&seen, 1);
  vb_test_gate_open(&greet);
  wait_done(&seen, 2);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  vb_test_gate_clear(&greet);
  assert_log(&seen, (const char *const[]){"handshake-failed:Operation was cancelled", "ready",
                                          "closed:monitor closed by virtbus", NULL});
  seen_clear(&seen);
}

/* ---- events and replies ---- */

static void
script_interleaved(VbTestQmpPeer *peer, gpointer data)
{
  g_autoptr(JsonObject) stop = NULL;
  g_autoptr(JsonObject) cont = NULL;
  g_autofree char *id = NULL;
  g_autofree char *merged = NULL;

  vb_test_qmp_peer_negotiate(peer);
  stop = vb_test_qmp_peer_expect(peer, "stop");
  id = g_strdup(json_object_get_string_member(stop, "id"));
  /* One write: an event, the reply, another event, and half of a third one. */
  merged = g_strdup_printf(
      "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250}, \"event\": \"STOP\"}\r\n"
      "{\"return\": {}, \"id\": \"%s\"}\r\n"
      "{\"timestamp\": {\"seconds\": 1700000001, \"microseconds\": 5}, \"event\": \"X\"}\n"
      "{\"timestamp\": {\"seconds\": 1700000002, \"micro",
      id);
  vb_test_qmp_peer_send_text(peer, merged);
  /* The rest of the third event only once the client has read up to its first half. */
  vb_test_gate_wait(data, "the client to read the first two events");
  vb_test_qmp_peer_send_text(peer, "seconds\": 7}, \"event\": \"RESUME\", \"data\": {}}\r\n");
  cont = vb_test_qmp_peer_expect(peer, "cont");
  /* The reply split into single bytes. */
  {
    g_autofree char *line = g_strdup_printf("{\"return\": {\"x\": 1}, \"id\": \"%s\"}\r\n",
                                            json_object_get_string_member(cont, "id"));

    for (const char *p = line; *p != '\0'; p++)
      vb_test_qmp_peer_send(peer, p, 1);
  }
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_interleaved(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;

  VbTestGate rest;

  seen_init(&seen);
  vb_test_gate_init(&rest);
  qmp = connect_peer(script_interleaved, &rest, &seen, &peer);
  vb_qmp_execute_async(qmp, "stop", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  wait_done(&seen, 1);
  VB_TEST_WAIT_UNTIL(NULL, seen.log->len >= 3, "the event after the reply");
  vb_test_gate_open(&rest);
  VB_TEST_WAIT_UNTIL(NULL, seen.log->len >= 4, "three events after the reply");
  g_assert_cmpint(seen.last_timestamp, ==, G_GINT64_CONSTANT(1700000002000007));
  vb_qmp_execute_async(qmp, "cont", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  wait_done(&seen, 2);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  assert_log(&seen,
             (const char *const[]){"event:STOP", "reply:{}", "event:X", "event:RESUME",
                                   "reply:{\"x\":1}", "closed:monitor closed by virtbus", NULL});
  vb_test_gate_clear(&rest);
  seen_clear(&seen);
}

/* Three commands queued at once go out one at a time, each answered by id. */
static void
script_queue(VbTestQmpPeer *peer, gpointer data)
{
  vb_test_qmp_peer_negotiate(peer);
  for (int i = 0; i < 3; i++) {
    g_autoptr(JsonObject) command = vb_test_qmp_peer_read_command(peer, NULL);
    g_autofree char *value =
        g_strdup_printf("\"%s\"", json_object_get_string_member(command, "execute"));

    vb_test_qmp_peer_reply(peer, command, value);
  }
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_queue(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;
  g_autoptr(JsonObject) arguments = json_object_new();

  seen_init(&seen);
  qmp = connect_peer(script_queue, NULL, &seen, &peer);
  json_object_set_string_member(arguments, "device", "ide0-1-0");
  vb_qmp_execute_async(qmp, "a", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  vb_qmp_execute_async(qmp, "b", arguments, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  vb_qmp_execute_async(qmp, "c", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  wait_done(&seen, 3);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  assert_log(&seen, (const char *const[]){"reply:\"a\"", "reply:\"b\"", "reply:\"c\"",
                                          "closed:monitor closed by virtbus", NULL});
  seen_clear(&seen);
}

/* ---- errors ---- */

static void
script_error_reply(VbTestQmpPeer *peer, gpointer data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;

  vb_test_qmp_peer_negotiate(peer);
  first = vb_test_qmp_peer_expect(peer, "blockdev-del");
  vb_test_qmp_peer_reply_error(peer, first, "GenericError",
                               "Failed to find node with node-name='x'");
  second = vb_test_qmp_peer_expect(peer, "query-status");
  /* A reply to nothing: a stale id, then the real answer. */
  vb_test_qmp_peer_send_text(peer, "{\"return\": {}, \"id\": \"vb-999\"}\r\n");
  vb_test_qmp_peer_reply(peer, second, "{\"status\": \"paused\", \"running\": false}");
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_error_reply(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;

  seen_init(&seen);
  qmp = connect_peer(script_error_reply, NULL, &seen, &peer);
  vb_qmp_execute_async(qmp, "blockdev-del", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed,
                       &seen);
  vb_qmp_execute_async(qmp, "query-status", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed,
                       &seen);
  g_test_expect_message(
      "virtbus", G_LOG_LEVEL_WARNING,
      "Ignoring a monitor reply that answers no command in flight (id \"vb-999\")");
  wait_done(&seen, 2);
  g_test_assert_expected_messages();
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  assert_log(&seen, (const char *const[]){"error:vb-error-quark:8:QEMU refused 'blockdev-del': "
                                          "GenericError: Failed to find node with node-name='x'",
                                          "reply:{\"status\":\"paused\",\"running\":false}",
                                          "closed:monitor closed by virtbus", NULL});
  seen_clear(&seen);
}

typedef struct {
  const char *bytes; /* sent after negotiation, instead of answering */
  gsize length;
  const char *reason;
  const char *answer; /* (nullable): how query-status ends, when not "got no reply: REASON" */
} BadStream;

static void
script_bad_stream(VbTestQmpPeer *peer, gpointer data)
{
  const BadStream *bad = data;
  g_autoptr(JsonObject) command = NULL;

  vb_test_qmp_peer_negotiate(peer);
  command = vb_test_qmp_peer_expect(peer, "query-status");
  vb_test_qmp_peer_send(peer, bad->bytes, bad->length);
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
run_bad_stream(const BadStream *bad)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;
  g_autofree char *error_line = NULL;
  g_autofree char *closed_line = NULL;

  seen_init(&seen);
  qmp = connect_peer(script_bad_stream, (gpointer)bad, &seen, &peer);
  vb_qmp_execute_async(qmp, "query-status", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed,
                       &seen);
  vb_qmp_execute_async(qmp, "cont", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  wait_done(&seen, 2);
  wait_closed(&seen);
  vb_test_qmp_peer_join(peer);
  g_assert_true(vb_qmp_is_closed(qmp));
  g_assert_cmpuint(seen.n_closed, ==, 1);
  g_assert_cmpuint(seen.log->len, ==, 3);
  error_line =
      bad->answer != NULL
          ? g_strdup_printf("error:vb-error-quark:8:%s", bad->answer)
          : g_strdup_printf("error:vb-error-quark:8:'query-status' got no reply: %s", bad->reason);
  g_assert_cmpstr(seen.log->pdata[0], ==, error_line);
  g_assert_true(
      g_str_has_prefix(seen.log->pdata[1], "error:vb-error-quark:8:'cont' was not sent: "));
  closed_line = g_strdup_printf("closed:%s", bad->reason);
  g_assert_cmpstr(seen.log->pdata[2], ==, closed_line);
  seen_clear(&seen);
}

static void
test_invalid_json(void)
{
  /* Message 1 was the greeting, 2 the negotiation reply. */
  static const char bytes[] = "{\"return\": {}, \"id\": }\r\n";
  BadStream bad = {bytes, sizeof bytes - 1, NULL};
  g_autofree char *reason = NULL;

  /* json-glib words its own part of the message; ours says which message. */
  {
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) error = NULL;

    g_assert_false(json_parser_load_from_data(parser, "{\"return\": {}, \"id\": }", -1, &error));
    reason = g_strdup_printf("monitor message 3 is not valid JSON: %s", error->message);
  }
  bad.reason = reason;
  run_bad_stream(&bad);
}

static void
test_not_an_object(void)
{
  static const char bytes[] = "[1, 2]\r\n";
  BadStream bad = {bytes, sizeof bytes - 1, "monitor message 3 is not a JSON object"};

  run_bad_stream(&bad);
}

static void
test_too_deep(void)
{
  GString *deep = g_string_new("{\"return\": ");
  BadStream bad;

  for (int i = 0; i < 100000; i++)
    g_string_append_c(deep, '[');
  g_string_append(deep, "\r\n");
  bad = (BadStream){deep->str, deep->len, "monitor message 3 nests deeper than 64 levels"};
  run_bad_stream(&bad);
  g_string_free(deep, TRUE);
}

static void
test_over_long(void)
{
  gsize length = VB_QMP_MESSAGE_MAX + 2;
  char *bytes = g_malloc(length);
  BadStream bad = {bytes, length, "monitor message 3 exceeds the limit of 10485760 bytes"};

  /* A string that never ends, as a runaway QEMU would write. */
  memset(bytes, 'a', length);
  memcpy(bytes, "{\"return\": \"", 12);
  run_bad_stream(&bad);
  g_free(bytes);
}

/* What a broken or hostile QEMU may send after a good greeting: each closes the monitor with a
 * MonitorError that says what was wrong, never a GLib critical (the tests run with
 * G_DEBUG=fatal-criticals). */
static void
test_hostile_messages(void)
{
  static const struct {
    const char *line;
    const char *reason;
    const char *answer;
  } cases[] = {
      {"{\"return\": {}}{\"return\": {}}", "monitor message 3 holds more than one JSON value"},
      /* json-glib reads "1{…}" as the number and leaks the rest: refused before it */
      {"1{\"return\": {}}", "monitor message 3 is not a JSON object"},
      /* json-glib's scanner reads comments after '/' and '#', and leaks on some that fail (the
       * QMP fuzz target found "{/{{{/}{}"): refused before it */
      {"{/{{{/}{}",
       "monitor message 3 is not valid JSON: a character JSON has only inside strings"},
      {"{\"return\": /* a comment */ {}}",
       "monitor message 3 is not valid JSON: a character JSON has "
       "only inside strings"},
      /* json-glib reads it as infinity and would write "inf.0", which is not JSON */
      {"{\"return\": 1e999999}", "monitor message 3 holds a number too large for JSON to carry"},
      {"{\"event\": \"STOP\"}", "monitor event 'STOP' has no member \"timestamp\""},
      {"{\"event\": 5, \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}",
       "monitor event '(no name)': member \"event\" is an integer, not a string"},
      {"{\"event\": \"X\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 1e6}}",
       "monitor event 'X': member \"microseconds\" is a number with a fraction, not an integer"},
      {"{\"event\": \"X\", \"timestamp\": {\"seconds\": -1, \"microseconds\": 0}}",
       "monitor event 'X': member \"seconds\" is -1, outside 0..9223372036853"},
      {"{\"event\": \"X\", \"data\": [], \"timestamp\": {\"seconds\": 1, \"microseconds\": 0}}",
       "monitor event 'X': member \"data\" is an array, not an object"},
      {"{\"timestamp\": {}}", "QEMU sent a monitor message that is neither a reply nor an event"},
      {"{\"error\": \"boom\"}",
       "QEMU's error reply to 'query-status': member \"error\" is a string, not an object",
       "QEMU's error reply to 'query-status': member \"error\" is a string, not an object"},
      {"{\"error\": {\"class\": \"GenericError\"}}",
       "QEMU's error reply to 'query-status' has no member \"desc\"",
       "QEMU's error reply to 'query-status' has no member \"desc\""},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *bytes = g_strconcat(cases[i].line, "\r\n", NULL);
    BadStream bad = {bytes, strlen(bytes), cases[i].reason, cases[i].answer};

    g_test_message("%s", cases[i].line);
    run_bad_stream(&bad);
  }
}

static void
script_greeting(VbTestQmpPeer *peer, gpointer data)
{
  g_autofree char *line = g_strconcat(data, "\r\n", NULL);

  vb_test_qmp_peer_send_text(peer, line);
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL)); /* the client closes */
}

static void
test_hostile_greeting(void)
{
  static const struct {
    const char *greeting;
    const char *reason;
  } cases[] = {
      {"{\"QMP\": {\"version\": 5}}",
       "the QMP greeting: member \"version\" is an integer, not an object"},
      {"{\"QMP\": []}", "the QMP greeting: member \"QMP\" is an array, not an object"},
      {"{\"QMP\": {}}", "the QMP greeting has no member \"version\""},
      {"{\"QMP\": {\"version\": {\"qemu\": {\"major\": \"7\", \"minor\": 2, \"micro\": 0}}}}",
       "the QMP greeting: member \"major\" is a string, not an integer"},
      {"{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2000, \"micro\": 0}}}}",
       "the QMP greeting: member \"minor\" is 2000, outside 0..999"},
      {"{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}, "
       "\"package\": 1}, \"capabilities\": []}}",
       "the QMP greeting: member \"package\" is an integer, not a string"},
      {"{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}}}",
       "the QMP greeting has no member \"capabilities\""},
      {"{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}, "
       "\"capabilities\": [\"oob\", {}]}}",
       "the QMP greeting: item 1 of \"capabilities\" is an object, not a string"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    Seen seen;
    VbTestQmpPeer *peer;
    g_autoptr(VbQmp) qmp = NULL;
    g_autofree char *failed = g_strdup_printf("handshake-failed:%s", cases[i].reason);
    g_autofree char *closed = g_strdup_printf("closed:%s", cases[i].reason);

    g_test_message("%s", cases[i].greeting);
    seen_init(&seen);
    qmp = connect_peer(script_greeting, (gpointer)cases[i].greeting, &seen, &peer);
    vb_qmp_handshake_async(qmp, NULL, on_handshake, &seen);
    wait_done(&seen, 1);
    wait_closed(&seen);
    vb_test_qmp_peer_join(peer);
    g_assert_error(seen.closed_reason, VB_ERROR, VB_ERROR_MONITOR_ERROR);
    assert_log(&seen, (const char *const[]){failed, closed, NULL});
    seen_clear(&seen);
  }
}

static void
test_invalid_utf8(void)
{
  static const char bytes[] = "{\"return\": \"\xff\xfe\"}\r\n";
  BadStream bad = {bytes, sizeof bytes - 1, "monitor message 3 is not valid UTF-8 text"};

  run_bad_stream(&bad);
}

static void
script_hang_up_with_pending(VbTestQmpPeer *peer, gpointer data)
{
  g_autoptr(JsonObject) command = NULL;

  vb_test_qmp_peer_negotiate(peer);
  command = vb_test_qmp_peer_expect(peer, "quit");
  vb_test_qmp_peer_send_text(peer, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
                                   "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false}}\r\n");
  vb_test_qmp_peer_hang_up(peer);
}

static void
test_eof_with_pending(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;

  seen_init(&seen);
  qmp = connect_peer(script_hang_up_with_pending, NULL, &seen, &peer);
  vb_qmp_execute_async(qmp, "quit", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  vb_qmp_execute_async(qmp, "query-status", NULL, NULL, 0, 5000, NULL, on_executed, &seen);
  vb_qmp_execute_async(qmp, "cont", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  wait_done(&seen, 3);
  vb_test_qmp_peer_join(peer);

  /* After the close, a command fails at once: nothing is queued on a dead monitor. */
  vb_qmp_execute_async(qmp, "query-status", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed,
                       &seen);
  wait_done(&seen, 4);
  vb_qmp_close(qmp); /* closing again does nothing */
  assert_log(
      &seen,
      (const char *const[]){
          "event:SHUTDOWN",
          "error:vb-error-quark:8:'quit' got no reply: the monitor connection closed (end of file)",
          "error:vb-error-quark:8:'query-status' was not sent: the monitor connection closed (end "
          "of file)",
          "error:vb-error-quark:8:'cont' was not sent: the monitor connection closed (end of file)",
          "closed:the monitor connection closed (end of file)",
          "error:vb-error-quark:8:'query-status' was not sent: the monitor connection closed (end "
          "of file)",
          NULL});
  g_assert_cmpuint(seen.n_closed, ==, 1);
  seen_clear(&seen);
}

/* ---- timeout and cancellation ---- */

static void
script_late_reply(VbTestQmpPeer *peer, gpointer data)
{
  g_autoptr(JsonObject) slow = NULL;
  g_autoptr(JsonObject) next = NULL;

  vb_test_qmp_peer_negotiate(peer);
  slow = vb_test_qmp_peer_expect(peer, "slow");
  vb_test_gate_wait(data, "the client to give up on 'slow'");
  vb_test_qmp_peer_reply(peer, slow, "\"late\"");
  next = vb_test_qmp_peer_expect(peer, "next");
  vb_test_qmp_peer_reply(peer, next, "\"next\"");
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_timeout(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;

  VbTestGate timed_out;

  seen_init(&seen);
  vb_test_gate_init(&timed_out);
  qmp = connect_peer(script_late_reply, &timed_out, &seen, &peer);
  vb_qmp_execute_async(qmp, "slow", NULL, NULL, 0, 50, NULL, on_executed, &seen);
  vb_qmp_execute_async(qmp, "next", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  wait_done(&seen, 1);
  vb_test_gate_open(&timed_out);
  wait_done(&seen, 2);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  vb_test_gate_clear(&timed_out);
  /* The late reply is not taken for the next command's. */
  assert_log(&seen,
             (const char *const[]){"error:vb-error-quark:9:QEMU did not answer 'slow' in time",
                                   "reply:\"next\"", "closed:monitor closed by virtbus", NULL});
  seen_clear(&seen);
}

typedef struct {
  GCancellable *cancellable;
  VbTestGate both_ended; /* the client has ended both cancelled commands */
} CancelScript;

static void
script_cancel(VbTestQmpPeer *peer, gpointer data)
{
  CancelScript *script = data;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) third = NULL;

  vb_test_qmp_peer_negotiate(peer);
  first = vb_test_qmp_peer_expect(peer, "first");
  g_cancellable_cancel(script->cancellable); /* from another thread, as a D-Bus caller might */
  vb_test_gate_wait(&script->both_ended, "the client to end the cancelled commands");
  vb_test_qmp_peer_reply(peer, first, "1");
  third = vb_test_qmp_peer_expect(peer, "third");
  vb_test_qmp_peer_reply(peer, third, "3");
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_cancel(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  CancelScript script = {cancellable};

  seen_init(&seen);
  vb_test_gate_init(&script.both_ended);
  qmp = connect_peer(script_cancel, &script, &seen, &peer);
  vb_qmp_execute_async(qmp, "first", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, cancellable, on_executed,
                       &seen);
  vb_qmp_execute_async(qmp, "second", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, cancellable, on_executed,
                       &seen);
  vb_qmp_execute_async(qmp, "third", NULL, NULL, 0, VB_QMP_NO_TIMEOUT, NULL, on_executed, &seen);
  wait_done(&seen, 2);
  vb_test_gate_open(&script.both_ended);
  wait_done(&seen, 3);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  vb_test_gate_clear(&script.both_ended);
  /* In flight or queued, both cancelled commands end at once; "second" was never sent. */
  g_assert_cmpuint(seen.log->len, ==, 4);
  g_assert_cmpstr(seen.log->pdata[0], ==, "error:g-io-error-quark:19:Operation was cancelled");
  g_assert_cmpstr(seen.log->pdata[1], ==, "error:g-io-error-quark:19:Operation was cancelled");
  g_assert_cmpstr(seen.log->pdata[2], ==, "reply:3");
  seen_clear(&seen);
}

/* ---- file descriptors ---- */

static void
script_getfd(VbTestQmpPeer *peer, gpointer data)
{
  g_autoptr(JsonObject) command = NULL;
  g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));

  vb_test_qmp_peer_negotiate(peer);
  command = vb_test_qmp_peer_read_command(peer, fds);
  g_assert_cmpstr(json_object_get_string_member(command, "execute"), ==, "getfd");
  g_assert_cmpstr(
      json_object_get_string_member(json_object_get_object_member(command, "arguments"), "fdname"),
      ==, "vnc");
  g_assert_cmpuint(fds->len, ==, 1);
  /* The descriptor works on this side: write through it. */
  g_assert_cmpint(write(g_array_index(fds, int, 0), "hello", 5), ==, 5);
  close(g_array_index(fds, int, 0));
  vb_test_qmp_peer_reply(peer, command, "{}");
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_fd_passing(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;
  g_autoptr(JsonObject) arguments = json_object_new();
  int pipe_fds[2];
  char buffer[8] = {0};

  g_assert_no_errno(pipe(pipe_fds));
  seen_init(&seen);
  qmp = connect_peer(script_getfd, NULL, &seen, &peer);
  json_object_set_string_member(arguments, "fdname", "vnc");
  vb_qmp_execute_async(qmp, "getfd", arguments, &pipe_fds[1], 1, VB_QMP_NO_TIMEOUT, NULL,
                       on_executed, &seen);
  close(pipe_fds[1]); /* the client sent its own duplicate */
  wait_done(&seen, 1);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  g_assert_cmpint(read(pipe_fds[0], buffer, sizeof buffer), ==, 5);
  g_assert_cmpstr(buffer, ==, "hello");
  /* Every copy of the write end is closed: the client kept none. */
  g_assert_cmpint(read(pipe_fds[0], buffer, sizeof buffer), ==, 0);
  close(pipe_fds[0]);
  g_assert_cmpstr(seen.log->pdata[0], ==, "reply:{}");
  seen_clear(&seen);
}

/* ---- passthrough ---- */

static void
script_raw(VbTestQmpPeer *peer, gpointer data)
{
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;

  vb_test_qmp_peer_negotiate(peer);
  first = vb_test_qmp_peer_expect(peer, "query-status");
  /* The client uses its own id on the wire, whatever the caller wrote. */
  g_assert_true(g_str_has_prefix(json_object_get_string_member(first, "id"), "vb-"));
  vb_test_qmp_peer_reply(peer, first, "{\"status\": \"running\"}");
  second = vb_test_qmp_peer_expect(peer, "nonsense");
  vb_test_qmp_peer_reply_error(peer, second, "CommandNotFound",
                               "The command nonsense has not been found");
  g_assert_null(vb_test_qmp_peer_read_command(peer, NULL));
}

static void
test_raw(void)
{
  Seen seen;
  VbTestQmpPeer *peer;
  g_autoptr(VbQmp) qmp = NULL;

  seen_init(&seen);
  qmp = connect_peer(script_raw, NULL, &seen, &peer);
  vb_qmp_execute_raw_async(qmp, "{\"execute\": \"query-status\", \"id\": [\"mine\"]}",
                           VB_QMP_NO_TIMEOUT, NULL, on_raw_executed, &seen);
  vb_qmp_execute_raw_async(qmp, "{\n  \"execute\": \"nonsense\"\n}", VB_QMP_NO_TIMEOUT, NULL,
                           on_raw_executed, &seen);
  vb_qmp_execute_raw_async(qmp, "{\"execute\": ", VB_QMP_NO_TIMEOUT, NULL, on_raw_executed, &seen);
  vb_qmp_execute_raw_async(qmp, "{\"arguments\": {}}", VB_QMP_NO_TIMEOUT, NULL, on_raw_executed,
                           &seen);
  vb_qmp_execute_raw_async(qmp, "\"query-status\"", VB_QMP_NO_TIMEOUT, NULL, on_raw_executed,
                           &seen);
  wait_done(&seen, 5);
  vb_qmp_close(qmp);
  vb_test_qmp_peer_join(peer);
  /* Bad text fails before anything is sent, so those come first. */
  g_assert_cmpuint(seen.log->len, ==, 6);
  g_assert_true(g_str_has_prefix(seen.log->pdata[0],
                                 "error:vb-error-quark:11:the command is not valid JSON: "));
  g_assert_cmpstr(seen.log->pdata[1], ==,
                  "error:vb-error-quark:11:the command has no string member \"execute\"");
  g_assert_cmpstr(seen.log->pdata[2], ==,
                  "error:vb-error-quark:11:the command is not a JSON object");
  g_assert_cmpstr(seen.log->pdata[3], ==,
                  "raw:{\"return\":{\"status\":\"running\"},\"id\":[\"mine\"]}");
  g_assert_cmpstr(seen.log->pdata[4], ==,
                  "raw:{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command nonsense "
                  "has not been found\"}}");
  seen_clear(&seen);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  g_test_add_func("/virtbus/qmp/negotiation", test_negotiation);
  g_test_add_func("/virtbus/qmp/no-greeting", test_no_greeting);
  g_test_add_func("/virtbus/qmp/negotiation-refused", test_negotiation_refused);
  g_test_add_func("/virtbus/qmp/handshake-cancelled", test_handshake_cancelled);
  g_test_add_func("/virtbus/qmp/interleaved", test_interleaved);
  g_test_add_func("/virtbus/qmp/queue", test_queue);
  g_test_add_func("/virtbus/qmp/error-reply", test_error_reply);
  g_test_add_func("/virtbus/qmp/invalid-json", test_invalid_json);
  g_test_add_func("/virtbus/qmp/not-an-object", test_not_an_object);
  g_test_add_func("/virtbus/qmp/too-deep", test_too_deep);
  g_test_add_func("/virtbus/qmp/over-long", test_over_long);
  g_test_add_func("/virtbus/qmp/invalid-utf8", test_invalid_utf8);
  g_test_add_func("/virtbus/qmp/hostile-messages", test_hostile_messages);
  g_test_add_func("/virtbus/qmp/hostile-greeting", test_hostile_greeting);
  g_test_add_func("/virtbus/qmp/eof-with-pending", test_eof_with_pending);
  g_test_add_func("/virtbus/qmp/timeout", test_timeout);
  g_test_add_func("/virtbus/qmp/cancel", test_cancel);
  g_test_add_func("/virtbus/qmp/fd-passing", test_fd_passing);
  g_test_add_func("/virtbus/qmp/raw", test_raw);
  return g_test_run();
}
