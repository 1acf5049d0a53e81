/* vb-qmp-stream.h: splitting and parsing the byte stream a QEMU monitor writes into messages.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* QMP replies are one line each; the largest QEMU sends (query-qmp-schema) is a few hundred KiB.
 * Anything past this is a broken or hostile peer, not a reply to wait for. */
#define VB_QMP_MESSAGE_MAX (10 * 1024 * 1024)

/* QMP messages nest a handful of levels. json-glib's parser recurses per level, so a line of a
 * million '[' would exhaust the stack: deeper input is refused before it reaches the parser. */
#define VB_QMP_DEPTH_MAX 64

typedef struct _VbQmpStream VbQmpStream;

/* Called for each complete message, in stream order; @message is borrowed. Return FALSE to stop:
 * the bytes after that message stay buffered for the next vb_qmp_stream_feed(). */
typedef gboolean (*VbQmpMessageFunc)(JsonObject *message, gpointer user_data);

VbQmpStream *vb_qmp_stream_new(gsize max_message);
void vb_qmp_stream_free(VbQmpStream *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQmpStream, vb_qmp_stream_free)

gboolean vb_qmp_stream_feed(VbQmpStream *self,
                            const char *data,
                            gsize length,
                            VbQmpMessageFunc func,
                            gpointer user_data,
                            GError **error);
gsize vb_qmp_stream_get_buffered(const VbQmpStream *self);

/* One JSON object from text a user gave (the Monitor passthrough), under the same rules. */
JsonNode *vb_qmp_parse_object(const char *text, gsize length, GError **error);
JsonNode *
vb_qmp_parse_object_named(const char *text, gsize length, const char *what, GError **error);

G_END_DECLS
