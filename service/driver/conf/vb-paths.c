/* vb-paths.c: where each instance keeps its configuration, runtime state, caches and logs.
 *
 * Directories are computed up front and created only when first needed (vb_paths_ensure), with
 * the modes below whatever the umask. Everything from the instance's own top directory down
 * (/etc/virtbus, $XDG_CONFIG_HOME/virtbus, the embed root, …) must be a real directory owned by
 * us and not writable by others: a tree someone else can write to could feed us domain XML or
 * swap a monitor socket, so we refuse it rather than use it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-paths.h"

struct _VbPaths {
  VbInstanceKind instance;
  char *root;                   /* (nullable) (owned): embed root */
  char *qemu_conf;              /* (owned) */
  char *dirs[VB_PATH_N_KINDS];  /* (owned) */
  char *tops[VB_PATH_N_KINDS];  /* (owned): highest directory of each that virtbus owns */
  guint modes[VB_PATH_N_KINDS]; /* for the leaf directory */
  guint parent_mode;            /* for directories created between top and leaf */
};

static const char *const path_kind_names[] = {
    [VB_PATH_CONFIG_DIR] = "config",
    [VB_PATH_AUTOSTART_DIR] = "autostart",
    [VB_PATH_RUN_DIR] = "run",
    [VB_PATH_STATE_DIR] = "state",
    [VB_PATH_CACHE_DIR] = "cache",
    [VB_PATH_LOG_DIR] = "log",
    [VB_PATH_SWTPM_RUN_DIR] = "swtpm-run",
    [VB_PATH_SWTPM_STATE_DIR] = "swtpm-state",
    [VB_PATH_SWTPM_LOG_DIR] = "swtpm-log",
};
G_STATIC_ASSERT(G_N_ELEMENTS(path_kind_names) == VB_PATH_N_KINDS);

const char *
vb_path_kind_to_string(VbPathKind kind)
{
  g_return_val_if_fail((guint)kind < VB_PATH_N_KINDS, NULL);
  return path_kind_names[kind];
}

static void
paths_clear(VbPaths *self)
{
  g_free(self->root);
  g_free(self->qemu_conf);
  for (guint i = 0; i < VB_PATH_N_KINDS; i++) {
    g_free(self->dirs[i]);
    g_free(self->tops[i]);
  }
}

/* Shared read-only by every job of the instance. */
VbPaths *
vb_paths_ref(VbPaths *self)
{
  return g_atomic_rc_box_acquire(self);
}

void
vb_paths_unref(VbPaths *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full(self, (GDestroyNotify)paths_clear);
}

static void
set_dir(VbPaths *self, VbPathKind kind, const char *top, const char *below, guint mode)
{
  self->tops[kind] = g_strdup(top);
  self->dirs[kind] = below != NULL ? g_build_filename(top, below, NULL) : g_strdup(top);
  self->modes[kind] = mode;
}

/**
 * vb_paths_new_system:
 *
 * The tree of `virtbusd --system`. QEMU processes that run as an unprivileged user need to
 * traverse the run and state trees to reach their per-domain directories (created later, owned
 * by that user), so those stay searchable; configuration, caches and logs are root's alone.
 *
 * Returns: (transfer full): the system instance's paths
 */
VbPaths *
vb_paths_new_system(void)
{
  VbPaths *self = g_atomic_rc_box_new0(VbPaths);

  self->instance = VB_INSTANCE_SYSTEM;
  self->parent_mode = 0755;
  self->qemu_conf = g_strdup("/etc/virtbus/qemu.conf");
  set_dir(self, VB_PATH_CONFIG_DIR, "/etc/virtbus", "qemu", 0700);
  set_dir(self, VB_PATH_AUTOSTART_DIR, "/etc/virtbus", "qemu/autostart", 0700);
  set_dir(self, VB_PATH_RUN_DIR, "/run/virtbus", "qemu", 0755);
  set_dir(self, VB_PATH_STATE_DIR, "/var/lib/virtbus", "qemu", 0711);
  set_dir(self, VB_PATH_CACHE_DIR, "/var/cache/virtbus", "qemu", 0700);
  set_dir(self, VB_PATH_LOG_DIR, "/var/log/virtbus", "qemu", 0700);
  set_dir(self, VB_PATH_SWTPM_RUN_DIR, "/run/virtbus", "swtpm", 0755);
  set_dir(self, VB_PATH_SWTPM_STATE_DIR, "/var/lib/virtbus", "swtpm", 0711);
  set_dir(self, VB_PATH_SWTPM_LOG_DIR, "/var/log/virtbus", "swtpm", 0700);
  return self;
}

/* An XDG base directory: the variable when it holds an absolute path (the spec says relative
 * values are invalid and must be ignored), else the spec's default below $HOME. */
static char *
xdg_dir(const char *variable, const char *home, const char *fallback)
{
  const char *value = g_getenv(variable);

  if (value != NULL && g_path_is_absolute(value))
    return g_strdup(value);
  return g_build_filename(home, fallback, NULL);
}

/**
 * vb_paths_new_session:
 * @error: return location for a VB_ERROR_INVALID_ARGS error
 *
 * The tree of `virtbusd --session`, from the XDG base directory variables with their spec
 * defaults. Without $XDG_RUNTIME_DIR (no login session), runtime files go below the cache
 * directory, as GLib and libvirt do. Read from the environment at each call, never cached.
 *
 * Returns: (transfer full) (nullable): the session instance's paths
 */
VbPaths *
vb_paths_new_session(GError **error)
{
  g_autoptr(VbPaths) self = g_atomic_rc_box_new0(VbPaths);
  g_autofree char *home = NULL;
  g_autofree char *config = NULL;
  g_autofree char *data = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *runtime = NULL;
  const char *env_home = g_getenv("HOME");

  home = g_strdup(env_home != NULL && *env_home != '\0' ? env_home : g_get_home_dir());
  if (!g_path_is_absolute(home)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "the home directory '%s' is not an absolute path: set $HOME", home);
    return NULL;
  }
  config = xdg_dir("XDG_CONFIG_HOME", home, ".config");
  data = xdg_dir("XDG_DATA_HOME", home, ".local/share");
  cache = xdg_dir("XDG_CACHE_HOME", home, ".cache");
  runtime = xdg_dir("XDG_RUNTIME_DIR", home, ".cache");

  g_autofree char *config_top = g_build_filename(config, "virtbus", NULL);
  g_autofree char *data_top = g_build_filename(data, "virtbus", NULL);
  g_autofree char *cache_top = g_build_filename(cache, "virtbus", NULL);
  g_autofree char *runtime_top = g_build_filename(runtime, "virtbus", NULL);

  self->instance = VB_INSTANCE_SESSION;
  self->parent_mode = 0700;
  self->qemu_conf = g_build_filename(config_top, "qemu.conf", NULL);
  set_dir(self, VB_PATH_CONFIG_DIR, config_top, "qemu", 0700);
  set_dir(self, VB_PATH_AUTOSTART_DIR, config_top, "qemu/autostart", 0700);
  set_dir(self, VB_PATH_RUN_DIR, runtime_top, "qemu", 0700);
  set_dir(self, VB_PATH_STATE_DIR, data_top, "qemu", 0700);
  set_dir(self, VB_PATH_CACHE_DIR, cache_top, "qemu", 0700);
  set_dir(self, VB_PATH_LOG_DIR, cache_top, "qemu/log", 0700);
  set_dir(self, VB_PATH_SWTPM_RUN_DIR, runtime_top, "swtpm", 0700);
  set_dir(self, VB_PATH_SWTPM_STATE_DIR, data_top, "swtpm", 0700);
  set_dir(self, VB_PATH_SWTPM_LOG_DIR, cache_top, "swtpm/log", 0700);
  return g_steal_pointer(&self);
}

/**
 * vb_paths_new_embed:
 * @root: the absolute root directory of qemu:///embed?root=…
 * @error: return location for a VB_ERROR_INVALID_ARGS error
 *
 * The embedded driver keeps everything below @root, laid out as libvirt's embed mode does.
 *
 * Returns: (transfer full) (nullable): the embedded instance's paths
 */
VbPaths *
vb_paths_new_embed(const char *root, GError **error)
{
  g_autoptr(VbPaths) self = NULL;

  g_return_val_if_fail(root != NULL, NULL);

  if (*root == '\0' || !g_path_is_absolute(root)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "the embed root '%s' is relative: it must be an absolute path", root);
    return NULL;
  }
  self = g_atomic_rc_box_new0(VbPaths);
  self->instance = VB_INSTANCE_EMBED;
  self->parent_mode = 0700;
  self->root = g_canonicalize_filename(root, NULL);
  self->qemu_conf = g_build_filename(self->root, "etc", "qemu.conf", NULL);
  set_dir(self, VB_PATH_CONFIG_DIR, self->root, "etc/qemu", 0700);
  set_dir(self, VB_PATH_AUTOSTART_DIR, self->root, "etc/qemu/autostart", 0700);
  set_dir(self, VB_PATH_RUN_DIR, self->root, "run/qemu", 0700);
  set_dir(self, VB_PATH_STATE_DIR, self->root, "lib/qemu", 0700);
  set_dir(self, VB_PATH_CACHE_DIR, self->root, "cache/qemu", 0700);
  set_dir(self, VB_PATH_LOG_DIR, self->root, "log/qemu", 0700);
  set_dir(self, VB_PATH_SWTPM_RUN_DIR, self->root, "run/swtpm", 0700);
  set_dir(self, VB_PATH_SWTPM_STATE_DIR, self->root, "lib/swtpm", 0700);
  set_dir(self, VB_PATH_SWTPM_LOG_DIR, self->root, "log/swtpm", 0700);
  return g_steal_pointer(&self);
}

/**
 * vb_paths_new_for_uri:
 *
 * Returns: (transfer full) (nullable): the paths of the instance @uri names
 */
VbPaths *
vb_paths_new_for_uri(const VbInstanceUri *uri, GError **error)
{
  switch (uri->kind) {
  case VB_INSTANCE_SYSTEM:
    return vb_paths_new_system();
  case VB_INSTANCE_SESSION:
    return vb_paths_new_session(error);
  case VB_INSTANCE_EMBED:
    return vb_paths_new_embed(uri->root, error);
  default:
    g_return_val_if_reached(NULL);
  }
}

VbInstanceKind
vb_paths_get_instance(const VbPaths *self)
{
  return self->instance;
}

/* Returns: (nullable): the embed root, NULL for the other instances */
const char *
vb_paths_get_root(const VbPaths *self)
{
  return self->root;
}

const char *
vb_paths_get_qemu_conf(const VbPaths *self)
{
  return self->qemu_conf;
}

const char *
vb_paths_get(const VbPaths *self, VbPathKind kind)
{
  g_return_val_if_fail((guint)kind < VB_PATH_N_KINDS, NULL);
  return self->dirs[kind];
}

guint
vb_paths_get_mode(const VbPaths *self, VbPathKind kind)
{
  g_return_val_if_fail((guint)kind < VB_PATH_N_KINDS, 0);
  return self->modes[kind];
}

/* Creates @path if missing (mode applied exactly, whatever the umask), then checks it is a
 * directory we own that others cannot write to. */
static gboolean
ensure_one(const char *path, guint mode, gboolean check_owner, GError **error)
{
  struct stat st;

  if (g_mkdir(path, (int)mode) == 0) {
    if (g_chmod(path, (int)mode) != 0) {
      int saved = errno;
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot set mode %04o on directory '%s': %s",
                  mode, path, g_strerror(saved));
      return FALSE;
    }
  } else if (errno != EEXIST) {
    int saved = errno;
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot create directory '%s': %s", path,
                g_strerror(saved));
    return FALSE;
  }

  if (!check_owner)
    return TRUE;

  if (g_lstat(path, &st) != 0) {
    int saved = errno;
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot inspect directory '%s': %s", path,
                g_strerror(saved));
    return FALSE;
  }
  if (!S_ISDIR(st.st_mode)) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
                "'%s' must be a directory, but it is %s: refusing to use it", path,
                S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
    return FALSE;
  }
  if (st.st_uid != geteuid()) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
                "directory '%s' is owned by uid %u, not by uid %u that virtbus runs as: "
                "refusing to use it",
                path, (guint)st.st_uid, (guint)geteuid());
    return FALSE;
  }
  if ((st.st_mode & S_IWOTH) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
                "directory '%s' is writable by others (mode %04o): refusing to use it; run "
                "'chmod o-w %s'",
                path, (guint)(st.st_mode & 07777), path);
    return FALSE;
  }
  return TRUE;
}

/* Creates the missing directories above @top without checking them: they are the system's or
 * the user's (/run, $HOME/.cache, the parent of an embed root), not ours. */
static gboolean
ensure_above(const char *top, guint mode, GError **error)
{
  g_autofree char *parent = g_path_get_dirname(top);

  if (g_file_test(parent, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (g_mkdir_with_parents(parent, (int)mode) != 0) {
    int saved = errno;
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot create directory '%s': %s", parent,
                g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

/**
 * vb_paths_ensure:
 * @kind: which directory
 * @error: return location for a VB_ERROR_FAILED error naming the directory
 *
 * Creates the directory of @kind and any missing parents, and checks every directory from the
 * instance's top one down to it (owner, not writable by others, not a symbolic link).
 *
 * Returns: %TRUE when the directory is there and safe to use
 */
gboolean
vb_paths_ensure(const VbPaths *self, VbPathKind kind, GError **error)
{
  const char *top = self->tops[kind];
  const char *leaf = self->dirs[kind];
  g_autoptr(GString) path = NULL;
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail((guint)kind < VB_PATH_N_KINDS, FALSE);

  if (!ensure_above(top, self->parent_mode, error))
    return FALSE;
  if (!ensure_one(top, g_str_equal(top, leaf) ? self->modes[kind] : self->parent_mode, TRUE, error))
    return FALSE;

  /* Walk down from the top one component at a time, so each gets checked. */
  path = g_string_new(top);
  parts = g_strsplit(leaf + strlen(top), G_DIR_SEPARATOR_S, -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    gboolean is_leaf;

    if (*parts[i] == '\0')
      continue;
    g_string_append_printf(path, G_DIR_SEPARATOR_S "%s", parts[i]);
    is_leaf = g_str_equal(path->str, leaf);
    if (!ensure_one(path->str, is_leaf ? self->modes[kind] : self->parent_mode, TRUE, error))
      return FALSE;
  }
  return TRUE;
}

/**
 * vb_paths_ensure_all:
 *
 * Creates and checks every directory the QEMU driver uses (swtpm's only when needed).
 */
gboolean
vb_paths_ensure_all(const VbPaths *self, GError **error)
{
  static const VbPathKind driver_dirs[] = {
      VB_PATH_CONFIG_DIR, VB_PATH_AUTOSTART_DIR, VB_PATH_RUN_DIR,
      VB_PATH_STATE_DIR,  VB_PATH_CACHE_DIR,     VB_PATH_LOG_DIR,
  };

  for (gsize i = 0; i < G_N_ELEMENTS(driver_dirs); i++) {
    if (!vb_paths_ensure(self, driver_dirs[i], error))
      return FALSE;
  }
  return TRUE;
}

/**
 * vb_paths_build_socket_path:
 * @dir: directory of the socket
 * @name: file name of the socket
 * @error: return location for a VB_ERROR_INVALID_ARGS error
 *
 * Joins @dir and @name into a UNIX socket path, refusing one longer than sun_path can hold
 * (107 bytes plus the terminating NUL), which would otherwise fail later and obscurely in bind().
 *
 * Returns: (transfer full) (nullable): the socket path
 */
char *
vb_paths_build_socket_path(const char *dir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  gsize len = strlen(path);

  if (len > VB_UNIX_SOCKET_PATH_MAX) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "UNIX socket path '%s' is %zu bytes long, over the limit of %d bytes: choose a "
                "shorter root directory",
                path, len, VB_UNIX_SOCKET_PATH_MAX);
    return NULL;
  }
  return g_steal_pointer(&path);
}
