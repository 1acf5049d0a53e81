/* vb-file.h: files written so that a crash never leaves half of one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Replaces @path with @contents (@length bytes, or up to the NUL when -1), mode @mode: a crash
 * at any point leaves the old file or the new one, whole. Blocking: run it in a worker. */
gboolean
vb_file_replace(const char *path, const char *contents, gssize length, int mode, GError **error);

typedef void (*VbFileHook)(const char *temp_path, gpointer data);
gboolean vb_file_replace_full(const char *path,
                              const char *contents,
                              gssize length,
                              int mode,
                              VbFileHook before_rename,
                              gpointer hook_data,
                              GError **error);

G_END_DECLS
