/* vb-paths.h: the directory tree of one virtbus instance (DESIGN.md §1).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-instance.h"

G_BEGIN_DECLS

/* sun_path holds 108 bytes including the terminating NUL. */
#define VB_UNIX_SOCKET_PATH_MAX 107

typedef enum {
  VB_PATH_CONFIG_DIR,    /* persistent domain XML */
  VB_PATH_AUTOSTART_DIR, /* links to autostarted domains' XML */
  VB_PATH_RUN_DIR,       /* status XML, QMP sockets, pid files */
  VB_PATH_STATE_DIR,     /* per-domain state: nvram, … */
  VB_PATH_CACHE_DIR,     /* capability cache */
  VB_PATH_LOG_DIR,       /* <name>.log per domain */
  VB_PATH_SWTPM_RUN_DIR,
  VB_PATH_SWTPM_STATE_DIR,
  VB_PATH_SWTPM_LOG_DIR,
} VbPathKind;

#define VB_PATH_N_KINDS (VB_PATH_SWTPM_LOG_DIR + 1)

typedef struct _VbPaths VbPaths;

VbPaths *vb_paths_new_system(void);
VbPaths *vb_paths_new_session(GError **error);
VbPaths *vb_paths_new_embed(const char *root, GError **error);
VbPaths *vb_paths_new_for_uri(const VbInstanceUri *uri, GError **error);
/* Reference-counted and read-only once made. */
VbPaths *vb_paths_ref(VbPaths *self);
void vb_paths_unref(VbPaths *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbPaths, vb_paths_unref)

VbInstanceKind vb_paths_get_instance(const VbPaths *self);
const char *vb_paths_get_root(const VbPaths *self);
const char *vb_paths_get_qemu_conf(const VbPaths *self);
const char *vb_paths_get(const VbPaths *self, VbPathKind kind);
guint vb_paths_get_mode(const VbPaths *self, VbPathKind kind);
const char *vb_path_kind_to_string(VbPathKind kind);

gboolean vb_paths_ensure(const VbPaths *self, VbPathKind kind, GError **error);
gboolean vb_paths_ensure_all(const VbPaths *self, GError **error);

char *vb_paths_build_socket_path(const char *dir, const char *name, GError **error);

G_END_DECLS
