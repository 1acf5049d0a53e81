/* fuzz-qmp-stream.c: the monitor stream parser on arbitrary bytes, fed whole and fed in pieces.
 * Both ways must see the same messages and end the same way: how reads happen to split the
 * stream must never change what the client understands.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

#include "vb-error.h"
#include "vb-qmp-stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small, so that the limit is reached by inputs the fuzzer can build. */
#define FUZZ_MESSAGE_MAX 4096

static gboolean
collect(JsonObject *message, gpointer user_data)
{
  GPtrArray *seen = user_data;
  g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

  json_node_set_object(node, message);
  g_ptr_array_add(seen, json_to_string(node, FALSE));
  return TRUE;
}

static gboolean
run(const uint8_t *data, size_t size, size_t piece, GPtrArray *seen, GError **error)
{
  g_autoptr(VbQmpStream) stream = vb_qmp_stream_new(FUZZ_MESSAGE_MAX);

  for (size_t offset = 0; offset < size; offset += piece) {
    if (!vb_qmp_stream_feed(stream, (const char *)data + offset, MIN(piece, size - offset), collect,
                            seen, error))
      return FALSE;
    g_assert_cmpuint(vb_qmp_stream_get_buffered(stream), <=, FUZZ_MESSAGE_MAX);
  }
  return TRUE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) whole = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) whole_error = NULL;
  g_autoptr(GError) pieces_error = NULL;
  size_t piece;
  gboolean whole_ok, pieces_ok;

  if (size == 0)
    return 0;
  piece = 1 + data[0] % 17; /* the first byte chooses how reads split the rest */
  data++;
  size--;

  whole_ok = run(data, size, MAX(size, 1), whole, &whole_error);
  pieces_ok = run(data, size, piece, pieces, &pieces_error);

  g_assert_cmpint(whole_ok, ==, pieces_ok);
  g_assert_cmpuint(whole->len, ==, pieces->len);
  for (guint i = 0; i < whole->len; i++)
    g_assert_cmpstr(whole->pdata[i], ==, pieces->pdata[i]);
  if (!whole_ok) {
    g_assert_error(whole_error, VB_ERROR, VB_ERROR_MONITOR_ERROR);
    g_assert_cmpstr(whole_error->message, ==, pieces_error->message);
  }
  return 0;
}
