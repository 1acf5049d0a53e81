/* vb-json.h: JSON that came from outside (QEMU's monitor, firmware descriptors, our caches),
 * read with its types checked, and JSON we write, refused when it would not be valid UTF-8.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "vb-error.h"

G_BEGIN_DECLS

/* Where the members are read from, for the errors: every error the readers set has @code and
 * starts with @where ("the QMP greeting", "firmware descriptor /usr/share/…/x.json"). */
typedef struct {
  VbError code;
  const char *where;
} VbJsonScope;

/* Each reader: a member that is there must have the type asked for, else an error naming it;
 * a missing member is an error when @required, else the reader returns TRUE and leaves @out
 * as it was. @object may be NULL (read as an empty object). */
gboolean vb_json_get_object(const VbJsonScope *scope,
                            JsonObject *object,
                            const char *name,
                            gboolean required,
                            JsonObject **out,
                            GError **error);
gboolean vb_json_get_array(const VbJsonScope *scope,
                           JsonObject *object,
                           const char *name,
                           gboolean required,
                           JsonArray **out,
                           GError **error);
gboolean vb_json_get_string(const VbJsonScope *scope,
                            JsonObject *object,
                            const char *name,
                            gboolean required,
                            const char **out,
                            GError **error);
gboolean vb_json_get_bool(const VbJsonScope *scope,
                          JsonObject *object,
                          const char *name,
                          gboolean required,
                          gboolean *out,
                          GError **error);
/* An integer (not a float, not a string) from @min to @max. */
gboolean vb_json_get_int(const VbJsonScope *scope,
                         JsonObject *object,
                         const char *name,
                         gboolean required,
                         gint64 min,
                         gint64 max,
                         gint64 *out,
                         GError **error);
/* An array of strings only, as a NULL-terminated vector (empty when the member is missing). */
gboolean vb_json_get_strv(const VbJsonScope *scope,
                          JsonObject *object,
                          const char *name,
                          gboolean required,
                          GStrv *out,
                          GError **error);

/* The string a node holds, or NULL when it is not a string. */
const char *vb_json_node_string(JsonNode *node);

/* The one way virtbus writes JSON text: compact, as json-glib writes it, or an
 * INVALID_ARGS error when a string in @node is not valid UTF-8. */
char *vb_json_write(JsonNode *node, GError **error);

G_END_DECLS
