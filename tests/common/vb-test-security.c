/* vb-test-security.c: see vb-test-security.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vb-test-security.h"

/* A copy of @file with @line added, bound over it in this mount namespace; the copy's name
 * goes at once (the mount keeps the file). */
static gboolean
add_line(const char *file, const char *line, const char *dir, char **why)
{
  g_autofree char *text = NULL;
  g_autofree char *copy = g_build_filename(dir, strrchr(file, '/') + 1, NULL);
  g_autofree char *joined = NULL;
  gboolean bound;

  if (!g_file_get_contents(file, &text, NULL, NULL))
    text = g_strdup("");
  joined = g_strconcat(text, line, NULL);
  bound =
      g_file_set_contents(copy, joined, -1, NULL) && mount(copy, file, NULL, MS_BIND, NULL) == 0;
  if (!bound)
    *why = g_strdup_printf("cannot bind a copy of %s: %s", file, g_strerror(errno));
  g_unlink(copy);
  return bound;
}

/* why the confinement tests are skipped, once vb_test_security_enter_namespace() failed */
static char *skip_reason;

static gboolean
enter_namespace(char **why)
{
  g_autofree char *dir = NULL;
  gboolean done;

  if (geteuid() != 0) {
    *why = g_strdup("confining QEMU needs root");
    return FALSE;
  }
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
    *why = g_strdup_printf("cannot make a private mount namespace: %s", g_strerror(errno));
    return FALSE;
  }
  dir = g_dir_make_tmp("vb-security-etc-XXXXXX", NULL);
  if (dir == NULL) {
    *why = g_strdup("cannot make a temporary directory");
    return FALSE;
  }
  done =
      add_line("/etc/passwd", "vbtest-qemu:x:64123:64123::/nonexistent:/usr/sbin/nologin\n", dir,
               why) &&
      add_line("/etc/group", "vbtest-qemu:x:64123:\nvbtest-extra:x:64124:vbtest-qemu\n", dir, why);
  g_rmdir(dir);
  return done;
}

void
vb_test_security_enter_namespace(void)
{
  if (!enter_namespace(&skip_reason))
    g_assert_nonnull(skip_reason);
}

gboolean
vb_test_security_skipped(void)
{
  if (skip_reason == NULL)
    return FALSE;
  g_test_skip(skip_reason);
  return TRUE;
}

char *
vb_test_status_line(GPid pid, const char *name)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
  g_autofree char *text = NULL;
  g_autofree char *key = g_strconcat("\n", name, ":\t", NULL);
  const char *at;

  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  at = strstr(text, key);
  g_assert_nonnull(at);
  at += strlen(key);
  return g_strndup(at, strcspn(at, "\n"));
}

char *
vb_test_root_image(VbTestDriver *t, const char *dir, const char *name)
{
  g_autofree char *in = g_build_filename(t->root, dir, NULL);
  char *path = g_build_filename(in, name, NULL);

  g_mkdir_with_parents(in, 0755);
  g_assert_true(g_file_set_contents(path, "", 0, NULL));
  g_assert_cmpint(truncate(path, 1024 * 1024), ==, 0);
  g_assert_cmpint(chmod(path, 0600), ==, 0);
  g_assert_cmpint(chown(path, 0, 0), ==, 0);
  return path;
}

void
vb_test_assert_owner(const char *path, uid_t uid, gid_t gid)
{
  struct stat st;

  g_assert_cmpint(stat(path, &st), ==, 0);
  if (st.st_uid != uid || st.st_gid != gid)
    g_error("%s is %u:%u, not %u:%u", path, (guint)st.st_uid, (guint)st.st_gid, (guint)uid,
            (guint)gid);
}

char *
vb_test_xattr(const char *path, const char *name)
{
  char value[1024];
  ssize_t n = getxattr(path, name, value, sizeof value - 1);

  if (n < 0)
    return NULL;
  value[n] = '\0';
  return g_strdup(value);
}

/* @xml with @text inserted before the first @marker, which must be there. */
static char *
insert_before(const char *xml, const char *marker, const char *text)
{
  g_autoptr(GString) edited = g_string_new(xml);
  g_autofree char *replacement = g_strconcat(text, marker, NULL);

  g_assert_cmpuint(g_string_replace(edited, marker, replacement, 1), ==, 1);
  return g_string_free(g_steal_pointer(&edited), FALSE);
}

char *
vb_test_xml_with_devices(const char *xml, const char *devices)
{
  return insert_before(xml, "<memballoon", devices);
}

char *
vb_test_xml_with_domain_elements(const char *xml, const char *elements)
{
  return insert_before(xml, "</domain>", elements);
}

char *
vb_test_disk_xml(const char *path, const char *target, const char *source_extra, const char *extra)
{
  return g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                         "<source file='%s'>%s</source><target dev='%s' bus='virtio'/>%s</disk>",
                         path, source_extra != NULL ? source_extra : "", target,
                         extra != NULL ? extra : "");
}

static void
qemu_img(const char *dir, const char *const *argv)
{
  g_autofree char *err = NULL;
  int status = -1;

  if (!g_spawn_sync(dir, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status,
                    NULL) ||
      !g_spawn_check_wait_status(status, NULL))
    g_error("qemu-img create failed: %s", err != NULL ? err : "(not run)");
}

void
vb_test_qcow2_layers(VbTestDriver *t, char **base, char **top)
{
  g_autofree char *dir = g_build_filename(t->root, "layers", NULL);

  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  *base = g_build_filename(dir, "base.qcow2", NULL);
  *top = g_build_filename(dir, "top.qcow2", NULL);
  qemu_img(dir, (const char *[]){"qemu-img", "create", "-q", "-f", "qcow2", *base, "1M", NULL});
  qemu_img(dir, (const char *[]){"qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2",
                                 "-F", "qcow2", *top, NULL});
}

char *
vb_test_qcow2_disk_xml(const char *path)
{
  return g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                         "<source file='%s'/><target dev='vda' bus='virtio'/></disk>",
                         path);
}

char *
vb_test_own_devices_cgroup(void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true(g_file_get_contents("/proc/self/cgroup", &text, NULL, NULL));
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit(lines[i], ":", 3);

    if (g_strv_length(fields) == 3 && g_str_equal(fields[1], "devices") &&
        g_file_test("/sys/fs/cgroup/devices", G_FILE_TEST_IS_DIR))
      return g_strdup(fields[2]);
  }
  return NULL;
}

char *
vb_test_domain_cgroup_dir(const char *own, VbDomainObj *domain)
{
  g_autofree char *leaf = g_strdup_printf("%" G_GINT64_FORMAT "-%s", vb_domain_obj_get_id(domain),
                                          vb_domain_obj_get_name(domain));

  return g_build_filename("/sys/fs/cgroup/devices", own, "virtbus", "qemu", leaf, NULL);
}
