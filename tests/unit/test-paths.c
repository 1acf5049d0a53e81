/* test-paths.c: each instance's directory tree, its creation and its safety checks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-paths.h"
#include "vb-test-tree.h"

typedef struct {
  char *tmp; /* (owned): a scratch directory, removed afterwards */
} Fixture;

static void
fixture_set_up(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->tmp = g_dir_make_tmp("vb-paths-XXXXXX", &error);
  g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *fx, gconstpointer data)
{
  vb_test_remove_tree(fx->tmp);
  g_free(fx->tmp);
}

static void
assert_mode(const char *path, guint mode)
{
  struct stat st;

  g_assert_cmpint(g_lstat(path, &st), ==, 0);
  g_assert_true(S_ISDIR(st.st_mode));
  g_assert_cmpuint(st.st_mode & 07777, ==, mode);
}

static void
test_system_tree(void)
{
  g_autoptr(VbPaths) paths = vb_paths_new_system();

  g_assert_cmpint(vb_paths_get_instance(paths), ==, VB_INSTANCE_SYSTEM);
  g_assert_null(vb_paths_get_root(paths));
  g_assert_cmpstr(vb_paths_get_qemu_conf(paths), ==, "/etc/virtbus/qemu.conf");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_CONFIG_DIR), ==, "/etc/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_AUTOSTART_DIR), ==, "/etc/virtbus/qemu/autostart");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_RUN_DIR), ==, "/run/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_STATE_DIR), ==, "/var/lib/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_CACHE_DIR), ==, "/var/cache/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_LOG_DIR), ==, "/var/log/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_RUN_DIR), ==, "/run/virtbus/swtpm");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_STATE_DIR), ==, "/var/lib/virtbus/swtpm");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_LOG_DIR), ==, "/var/log/virtbus/swtpm");
  g_assert_cmpuint(vb_paths_get_mode(paths, VB_PATH_CONFIG_DIR), ==, 0700);
  g_assert_cmpuint(vb_paths_get_mode(paths, VB_PATH_RUN_DIR), ==, 0755);
  g_assert_cmpuint(vb_paths_get_mode(paths, VB_PATH_STATE_DIR), ==, 0711);
  g_assert_cmpuint(vb_paths_get_mode(paths, VB_PATH_LOG_DIR), ==, 0700);
}

/* The environment is read at each call: set it, build, compare. */
static void
test_session_tree_from_xdg(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = NULL;

  g_setenv("HOME", "/home/ada", TRUE);
  g_setenv("XDG_CONFIG_HOME", "/xdg/config", TRUE);
  g_setenv("XDG_DATA_HOME", "/xdg/data", TRUE);
  g_setenv("XDG_CACHE_HOME", "/xdg/cache", TRUE);
  g_setenv("XDG_RUNTIME_DIR", "/run/user/1000", TRUE);
  paths = vb_paths_new_session(&error);
  g_assert_no_error(error);

  g_assert_cmpint(vb_paths_get_instance(paths), ==, VB_INSTANCE_SESSION);
  g_assert_cmpstr(vb_paths_get_qemu_conf(paths), ==, "/xdg/config/virtbus/qemu.conf");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_CONFIG_DIR), ==, "/xdg/config/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_AUTOSTART_DIR), ==,
                  "/xdg/config/virtbus/qemu/autostart");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_RUN_DIR), ==, "/run/user/1000/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_STATE_DIR), ==, "/xdg/data/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_CACHE_DIR), ==, "/xdg/cache/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_LOG_DIR), ==, "/xdg/cache/virtbus/qemu/log");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_RUN_DIR), ==, "/run/user/1000/virtbus/swtpm");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_STATE_DIR), ==, "/xdg/data/virtbus/swtpm");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_LOG_DIR), ==, "/xdg/cache/virtbus/swtpm/log");
  for (guint k = 0; k < VB_PATH_N_KINDS; k++)
    g_assert_cmpuint(vb_paths_get_mode(paths, (VbPathKind)k), ==, 0700);
}

/* Unset or relative XDG variables fall back to the spec's defaults under $HOME; without a
 * runtime directory, runtime files go below the cache directory. */
static void
test_session_tree_fallbacks(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = NULL;

  g_setenv("HOME", "/home/ada", TRUE);
  g_unsetenv("XDG_CONFIG_HOME");
  g_setenv("XDG_DATA_HOME", "relative/data", TRUE);
  g_setenv("XDG_CACHE_HOME", "", TRUE);
  g_unsetenv("XDG_RUNTIME_DIR");
  paths = vb_paths_new_session(&error);
  g_assert_no_error(error);

  g_assert_cmpstr(vb_paths_get_qemu_conf(paths), ==, "/home/ada/.config/virtbus/qemu.conf");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_CONFIG_DIR), ==, "/home/ada/.config/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_STATE_DIR), ==,
                  "/home/ada/.local/share/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_CACHE_DIR), ==, "/home/ada/.cache/virtbus/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_LOG_DIR), ==, "/home/ada/.cache/virtbus/qemu/log");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_RUN_DIR), ==, "/home/ada/.cache/virtbus/qemu");
}

static void
test_session_relative_home(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = NULL;

  g_setenv("HOME", "not/absolute", TRUE);
  paths = vb_paths_new_session(&error);
  g_assert_null(paths);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS);
  g_assert_nonnull(strstr(error->message, "'not/absolute'"));
}

static void
test_embed_tree(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = vb_paths_new_embed("/srv/vms/", &error);

  g_assert_no_error(error);
  g_assert_cmpint(vb_paths_get_instance(paths), ==, VB_INSTANCE_EMBED);
  g_assert_cmpstr(vb_paths_get_root(paths), ==, "/srv/vms");
  g_assert_cmpstr(vb_paths_get_qemu_conf(paths), ==, "/srv/vms/etc/qemu.conf");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_CONFIG_DIR), ==, "/srv/vms/etc/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_AUTOSTART_DIR), ==, "/srv/vms/etc/qemu/autostart");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_RUN_DIR), ==, "/srv/vms/run/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_STATE_DIR), ==, "/srv/vms/lib/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_CACHE_DIR), ==, "/srv/vms/cache/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_LOG_DIR), ==, "/srv/vms/log/qemu");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_RUN_DIR), ==, "/srv/vms/run/swtpm");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_STATE_DIR), ==, "/srv/vms/lib/swtpm");
  g_assert_cmpstr(vb_paths_get(paths, VB_PATH_SWTPM_LOG_DIR), ==, "/srv/vms/log/swtpm");
}

static void
test_embed_relative_root(void)
{
  const char *roots[] = {"vms", "./vms", "", "~/vms"};

  for (gsize i = 0; i < G_N_ELEMENTS(roots); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbPaths) paths = vb_paths_new_embed(roots[i], &error);
    g_autofree char *quoted = g_strdup_printf("'%s'", roots[i]);

    g_assert_null(paths);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS);
    g_assert_nonnull(strstr(error->message, quoted));
    g_assert_nonnull(strstr(error->message, "absolute"));
  }
}

static void
test_for_uri(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbInstanceUri) uri = vb_instance_uri_parse("qemu:///embed?root=/srv/x", &error);
  g_autoptr(VbPaths) paths = NULL;

  g_assert_no_error(error);
  paths = vb_paths_new_for_uri(uri, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(vb_paths_get_qemu_conf(paths), ==, "/srv/x/etc/qemu.conf");
}

/* A missing root (and its missing parents) is created; every driver directory gets its mode
 * whatever the umask; a second call finds them in place. */
static void
test_ensure_creates(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_build_filename(fx->tmp, "deep", "root", NULL);
  g_autoptr(VbPaths) paths = vb_paths_new_embed(root, &error);
  mode_t old_umask;

  g_assert_no_error(error);
  old_umask = umask(0077);
  g_assert_true(vb_paths_ensure_all(paths, &error));
  umask(old_umask);
  g_assert_no_error(error);

  assert_mode(root, 0700);
  for (guint k = 0; k <= VB_PATH_LOG_DIR; k++)
    assert_mode(vb_paths_get(paths, (VbPathKind)k), vb_paths_get_mode(paths, (VbPathKind)k));
  /* swtpm's directories are made only when asked for */
  g_assert_false(g_file_test(vb_paths_get(paths, VB_PATH_SWTPM_RUN_DIR), G_FILE_TEST_EXISTS));
  g_assert_true(vb_paths_ensure(paths, VB_PATH_SWTPM_LOG_DIR, &error));
  g_assert_no_error(error);
  assert_mode(vb_paths_get(paths, VB_PATH_SWTPM_LOG_DIR), 0700);

  g_assert_true(vb_paths_ensure_all(paths, &error));
  g_assert_no_error(error);
}

/* A session tree under a fake $HOME: the user's own directories above virtbus's top are not
 * ours to judge, the ones from $XDG_CONFIG_HOME/virtbus (and the like) down are. */
static void
test_ensure_session(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = NULL;
  g_autofree char *home = g_build_filename(fx->tmp, "home", NULL);
  g_autofree char *top = NULL;

  g_setenv("HOME", home, TRUE);
  g_unsetenv("XDG_CONFIG_HOME");
  g_unsetenv("XDG_DATA_HOME");
  g_unsetenv("XDG_CACHE_HOME");
  g_unsetenv("XDG_RUNTIME_DIR");
  paths = vb_paths_new_session(&error);
  g_assert_no_error(error);
  g_assert_true(vb_paths_ensure_all(paths, &error));
  g_assert_no_error(error);
  top = g_build_filename(home, ".config", "virtbus", NULL);
  assert_mode(top, 0700);
  assert_mode(vb_paths_get(paths, VB_PATH_LOG_DIR), 0700);
}

static void
test_ensure_refuses_writable_by_others(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = vb_paths_new_embed(fx->tmp, &error);
  g_autofree char *run = g_build_filename(fx->tmp, "run", NULL);

  g_assert_no_error(error);
  g_assert_cmpint(g_mkdir(run, 0700), ==, 0);
  g_assert_cmpint(g_chmod(run, 0777), ==, 0);

  g_assert_false(vb_paths_ensure(paths, VB_PATH_RUN_DIR, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, run));
  g_assert_nonnull(strstr(error->message, "writable by others"));
  /* nothing was created below the refused directory */
  g_assert_false(g_file_test(vb_paths_get(paths, VB_PATH_RUN_DIR), G_FILE_TEST_EXISTS));
  /* other directories of the tree are unaffected */
  g_clear_error(&error);
  g_assert_true(vb_paths_ensure(paths, VB_PATH_CONFIG_DIR, &error));
  g_assert_no_error(error);
}

static void
test_ensure_refuses_writable_root(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = vb_paths_new_embed(fx->tmp, &error);

  g_assert_no_error(error);
  g_assert_cmpint(g_chmod(fx->tmp, 0757), ==, 0);
  g_assert_false(vb_paths_ensure_all(paths, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, fx->tmp));
  g_assert_nonnull(strstr(error->message, "0757"));
}

static void
test_ensure_refuses_symlink(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = vb_paths_new_embed(fx->tmp, &error);
  g_autofree char *elsewhere = g_build_filename(fx->tmp, "elsewhere", NULL);
  g_autofree char *log = g_build_filename(fx->tmp, "log", NULL);

  g_assert_no_error(error);
  g_assert_cmpint(g_mkdir(elsewhere, 0700), ==, 0);
  g_assert_cmpint(symlink(elsewhere, log), ==, 0);
  g_assert_false(vb_paths_ensure(paths, VB_PATH_LOG_DIR, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, "symbolic link"));
}

static void
test_ensure_refuses_other_owner(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = vb_paths_new_embed(fx->tmp, &error);
  g_autofree char *cache = g_build_filename(fx->tmp, "cache", NULL);

  if (geteuid() != 0) {
    g_test_skip("giving a directory to another user needs root");
    return;
  }
  g_assert_no_error(error);
  g_assert_cmpint(g_mkdir(cache, 0755), ==, 0);
  g_assert_cmpint(chown(cache, 65534, 65534), ==, 0);
  g_assert_false(vb_paths_ensure(paths, VB_PATH_CACHE_DIR, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, cache));
  g_assert_nonnull(strstr(error->message, "owned by uid 65534"));
}

/* sun_path takes 107 bytes plus NUL: exactly 107 passes, 108 is refused with a message that
 * names the path, its length and the limit. */
static void
test_socket_path_limit(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_strnfill(100, 'd');
  g_autofree char *abs_dir = g_strconcat("/", dir, NULL);                     /* 101 bytes */
  g_autofree char *ok = vb_paths_build_socket_path(abs_dir, "q.mon", &error); /* +1+5 = 107 */
  g_autofree char *too_long = NULL;

  g_assert_no_error(error);
  g_assert_cmpuint(strlen(ok), ==, 107);
  g_assert_true(g_str_has_suffix(ok, "/q.mon"));

  too_long = vb_paths_build_socket_path(abs_dir, "qq.mon", &error);
  g_assert_null(too_long);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS);
  g_assert_nonnull(strstr(error->message, abs_dir));
  g_assert_nonnull(strstr(error->message, "108 bytes"));
  g_assert_nonnull(strstr(error->message, "107"));
}

/* Jobs share one tree: each keeps it alive by its own reference. */
static void
test_shared(void)
{
  VbPaths *paths = vb_paths_new_system();
  g_autoptr(VbPaths) held = vb_paths_ref(paths);

  vb_paths_unref(paths);
  g_assert_cmpstr(vb_paths_get(held, VB_PATH_RUN_DIR), ==, "/run/virtbus/qemu");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/paths/system-tree", test_system_tree);
  g_test_add_func("/virtbus/paths/session-tree-from-xdg", test_session_tree_from_xdg);
  g_test_add_func("/virtbus/paths/session-tree-fallbacks", test_session_tree_fallbacks);
  g_test_add_func("/virtbus/paths/session-relative-home", test_session_relative_home);
  g_test_add_func("/virtbus/paths/embed-tree", test_embed_tree);
  g_test_add_func("/virtbus/paths/embed-relative-root", test_embed_relative_root);
  g_test_add_func("/virtbus/paths/for-uri", test_for_uri);
  g_test_add_func("/virtbus/paths/shared", test_shared);
  g_test_add("/virtbus/paths/ensure-creates", Fixture, NULL, fixture_set_up, test_ensure_creates,
             fixture_tear_down);
  g_test_add("/virtbus/paths/ensure-session", Fixture, NULL, fixture_set_up, test_ensure_session,
             fixture_tear_down);
  g_test_add("/virtbus/paths/ensure-refuses-writable-by-others", Fixture, NULL, fixture_set_up,
             test_ensure_refuses_writable_by_others, fixture_tear_down);
  g_test_add("/virtbus/paths/ensure-refuses-writable-root", Fixture, NULL, fixture_set_up,
             test_ensure_refuses_writable_root, fixture_tear_down);
  g_test_add("/virtbus/paths/ensure-refuses-symlink", Fixture, NULL, fixture_set_up,
             test_ensure_refuses_symlink, fixture_tear_down);
  g_test_add("/virtbus/paths/ensure-refuses-other-owner", Fixture, NULL, fixture_set_up,
             test_ensure_refuses_other_owner, fixture_tear_down);
  g_test_add_func("/virtbus/paths/socket-path-limit", test_socket_path_limit);
  return g_test_run();
}
