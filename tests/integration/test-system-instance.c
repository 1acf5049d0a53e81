/* test-system-instance.c: the system instance's real tree under /etc, /run and /var, created as
 * root with the documented modes, and its qemu.conf read from /etc/virtbus.
 *
 * Runs in a private mount namespace with tmpfs over the top directories, so nothing on the host
 * is touched. Needs root (CI runs as root); reports itself skipped otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-paths.h"
#include "vb-qemu-conf.h"

/* Where the system tree lives; each gets a fresh tmpfs of its own. */
static const char *const mount_points[] = {"/etc", "/run", "/var/lib", "/var/cache", "/var/log"};

/* Kept visible in the fresh /etc, so that user and group names still resolve. */
static const char *const etc_files[] = {"passwd", "group", "nsswitch.conf"};

static char *skip_reason; /* (owned) (nullable): why the namespace could not be set up */

/* Bind-mounts the host's /etc files we need from @saved_etc into the new, empty /etc. */
static gboolean
restore_etc_files(const char *saved_etc, char **why)
{
  for (gsize i = 0; i < G_N_ELEMENTS(etc_files); i++) {
    g_autofree char *from = g_build_filename(saved_etc, etc_files[i], NULL);
    g_autofree char *to = g_build_filename("/etc", etc_files[i], NULL);

    if (!g_file_test(from, G_FILE_TEST_EXISTS))
      continue;
    if (!g_file_set_contents(to, "", 0, NULL) || mount(from, to, NULL, MS_BIND, NULL) != 0) {
      *why = g_strdup_printf("cannot bind %s over %s: %s", from, to, g_strerror(errno));
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
enter_private_tree(char **why)
{
  const char *saved_etc = "/tmp/host-etc";

  if (geteuid() != 0) {
    *why = g_strdup("the system instance's tree needs root");
    return FALSE;
  }
  if (unshare(CLONE_NEWNS) != 0) {
    *why = g_strdup_printf("cannot make a mount namespace: %s", g_strerror(errno));
    return FALSE;
  }
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
    *why = g_strdup_printf("cannot make mounts private: %s", g_strerror(errno));
    return FALSE;
  }
  /* Keep a view of the host's /etc before covering it; a tmpfs over /tmp holds its mount
   * point, so nothing is left behind on the host. */
  if (mount("tmpfs", "/tmp", "tmpfs", 0, "mode=01777") != 0 || g_mkdir(saved_etc, 0700) != 0 ||
      mount("/etc", saved_etc, NULL, MS_BIND, NULL) != 0) {
    *why = g_strdup_printf("cannot keep a view of /etc: %s", g_strerror(errno));
    return FALSE;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(mount_points); i++) {
    if (mount("tmpfs", mount_points[i], "tmpfs", 0, "mode=0755") != 0) {
      *why = g_strdup_printf("cannot mount a tmpfs on %s: %s", mount_points[i], g_strerror(errno));
      return FALSE;
    }
  }
  return restore_etc_files(saved_etc, why);
}

static void
assert_dir(const char *path, guint mode)
{
  struct stat st;

  g_test_message("%s", path);
  g_assert_cmpint(g_lstat(path, &st), ==, 0);
  g_assert_true(S_ISDIR(st.st_mode));
  g_assert_cmpuint(st.st_uid, ==, 0);
  g_assert_cmpuint(st.st_mode & 07777, ==, mode);
}

static void
test_tree(void)
{
  g_autoptr(VbPaths) paths = vb_paths_new_system();
  g_autoptr(GError) error = NULL;
  mode_t old_umask;

  if (skip_reason != NULL) {
    g_test_skip(skip_reason);
    return;
  }
  /* An administrator's restrictive umask must not change the modes. */
  old_umask = umask(0077);
  g_assert_true(vb_paths_ensure_all(paths, &error));
  umask(old_umask);
  g_assert_no_error(error);

  assert_dir("/etc/virtbus", 0755);
  assert_dir("/etc/virtbus/qemu", 0700);
  assert_dir("/etc/virtbus/qemu/autostart", 0700);
  assert_dir("/run/virtbus", 0755);
  assert_dir("/run/virtbus/qemu", 0755);
  assert_dir("/var/lib/virtbus", 0755);
  assert_dir("/var/lib/virtbus/qemu", 0711);
  assert_dir("/var/cache/virtbus/qemu", 0700);
  assert_dir("/var/log/virtbus/qemu", 0700);
  g_assert_false(g_file_test("/run/virtbus/swtpm", G_FILE_TEST_EXISTS));

  /* Once there, a second start finds everything in order. */
  g_assert_true(vb_paths_ensure_all(paths, &error));
  g_assert_no_error(error);
}

/* Someone made /run/virtbus world-writable: the instance refuses to use it. */
static void
test_tampered_tree(void)
{
  g_autoptr(VbPaths) paths = vb_paths_new_system();
  g_autoptr(GError) error = NULL;

  if (skip_reason != NULL) {
    g_test_skip(skip_reason);
    return;
  }
  g_assert_true(vb_paths_ensure(paths, VB_PATH_RUN_DIR, &error));
  g_assert_cmpint(g_chmod("/run/virtbus", 01777), ==, 0);
  g_assert_false(vb_paths_ensure(paths, VB_PATH_RUN_DIR, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, "'/run/virtbus' is writable by others"));
  g_assert_cmpint(g_chmod("/run/virtbus", 0755), ==, 0);
}

/* The system instance reads /etc/virtbus/qemu.conf and resolves who QEMU runs as. */
static void
test_qemu_conf(void)
{
  g_autoptr(VbPaths) paths = vb_paths_new_system();
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) before = NULL;
  g_autoptr(VbQemuConf) conf = NULL;
  static const char text[] = "user = \"+107\"\ngroup = \"+36\"\n"
                             "network_bridges = [ \"default=virbr0\" ]\nvnc_tls = 1\n";

  if (skip_reason != NULL) {
    g_test_skip(skip_reason);
    return;
  }
  g_assert_true(vb_paths_ensure_all(paths, &error));
  g_assert_no_error(error);

  before = vb_qemu_conf_load(vb_paths_get_qemu_conf(paths), VB_INSTANCE_SYSTEM, &error);
  g_assert_no_error(error);
  g_assert_false(before->file_exists);

  g_assert_true(g_file_set_contents(vb_paths_get_qemu_conf(paths), text, -1, &error));
  conf = vb_qemu_conf_load(vb_paths_get_qemu_conf(paths), VB_INSTANCE_SYSTEM, &error);
  g_assert_no_error(error);
  g_assert_true(conf->file_exists);
  g_assert_cmpuint(conf->uid, ==, 107);
  g_assert_cmpuint(conf->gid, ==, 36);
  g_assert_cmpstr(vb_qemu_conf_lookup_bridge(conf, "default"), ==, "virbr0");
  g_assert_cmpuint(conf->warnings->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(conf->warnings, 0), ==,
                  "/etc/virtbus/qemu.conf:4: unknown setting 'vnc_tls' ignored");
}

int
main(int argc, char **argv)
{
  int status;

  g_test_init(&argc, &argv, NULL);
  /* Before any test runs and before any thread exists: unshare needs a single thread. */
  if (!enter_private_tree(&skip_reason))
    g_assert_nonnull(skip_reason);
  g_test_add_func("/virtbus/system-instance/tree", test_tree);
  g_test_add_func("/virtbus/system-instance/tampered-tree", test_tampered_tree);
  g_test_add_func("/virtbus/system-instance/qemu-conf", test_qemu_conf);
  status = g_test_run();
  g_free(skip_reason);
  return status;
}
