/* test-security.c: QEMU confined as the system instance confines it, with real QEMU: its
 * user, groups and capabilities read back from /proc, its images given to it and given back
 * (owner and remembered owner) at every stop, shared images given back by the last domain,
 * a daemon restart and a crash in between, and an unreachable image refused by name; its
 * cgroup and device ACL (cgroup v1), a block device outside the ACL refused to QEMU.
 *
 * Needs root (CI runs as root). The throwaway QEMU user and its extra group exist only in this
 * process's private mount namespace: /etc/passwd and /etc/group are copies with them added,
 * bound over the host's files there.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/loop.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-test-driver.h"
#include "vb-test-wait.h"

#define QEMU_UID 64123
#define EXTRA_GID 64124
#define CONF "user = \"vbtest-qemu\"\ngroup = \"vbtest-qemu\"\n"

static char *skip_reason; /* (owned) (nullable): why the namespace could not be set up */

/* A copy of @file with @line added, bound over it in this mount namespace. */
static gboolean
add_line(const char *file, const char *line, const char *dir, char **why)
{
  g_autofree char *text = NULL;
  g_autofree char *copy = g_build_filename(dir, strrchr(file, '/') + 1, NULL);
  g_autofree char *joined = NULL;

  if (!g_file_get_contents(file, &text, NULL, NULL))
    text = g_strdup("");
  joined = g_strconcat(text, line, NULL);
  if (!g_file_set_contents(copy, joined, -1, NULL) || mount(copy, file, NULL, MS_BIND, NULL) != 0) {
    *why = g_strdup_printf("cannot bind a copy of %s: %s", file, g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}

static gboolean
enter_namespace(char **why)
{
  g_autofree char *dir = NULL;

  if (geteuid() != 0) {
    *why = g_strdup("confining QEMU needs root");
    return FALSE;
  }
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
    *why = g_strdup_printf("cannot make a private mount namespace: %s", g_strerror(errno));
    return FALSE;
  }
  dir = g_dir_make_tmp("vb-security-etc-XXXXXX", NULL);
  return dir != NULL &&
         add_line("/etc/passwd", "vbtest-qemu:x:64123:64123::/nonexistent:/usr/sbin/nologin\n", dir,
                  why) &&
         add_line("/etc/group", "vbtest-qemu:x:64123:\nvbtest-extra:x:64124:vbtest-qemu\n", dir,
                  why);
}

/* A line of /proc/PID/status, after its name and the tab. */
static char *
status_line(GPid pid, const char *name)
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

static char *
remembered(const char *path)
{
  char value[64];
  ssize_t n = getxattr(path, "trusted.virtbus.dac", value, sizeof value - 1);

  if (n < 0)
    return NULL;
  value[n] = '\0';
  return g_strdup(value);
}

static void
assert_owner(const char *path, uid_t uid, gid_t gid)
{
  struct stat st;

  g_assert_cmpint(stat(path, &st), ==, 0);
  g_assert_cmpuint(st.st_uid, ==, uid);
  g_assert_cmpuint(st.st_gid, ==, gid);
}

static gboolean
owned_by(const char *path, uid_t uid)
{
  struct stat st;

  return stat(path, &st) == 0 && st.st_uid == uid;
}

/* A root-owned 0600 raw image in @dir (made 0755 when new). */
static char *
image(VbTestDriver *t, const char *dir, const char *name)
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

static char *
domain_xml(const char *name, const char *image_path, gboolean shareable)
{
  g_autofree char *xml = vb_test_bare_xml(name);
  g_autofree char *disk = g_strdup_printf(
      "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
      "<target dev='vda' bus='virtio'/>%s</disk><memballoon",
      image_path, shareable ? "<shareable/>" : "");
  g_autoptr(GString) edited = g_string_new(xml);

  g_string_replace(edited, "<memballoon", disk, 1);
  return g_string_free(g_steal_pointer(&edited), FALSE);
}

static gboolean
skipped(void)
{
  if (skip_reason == NULL)
    return FALSE;
  g_test_skip(skip_reason);
  return TRUE;
}

/* QEMU as qemu.conf's user, with its supplementary group and no capability at all; the image
 * is its while it runs and root's again after, with nothing left on the file. */
static void
test_user_and_image(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *path = NULL, *xml = NULL, *first = NULL;
  VbDomainObj *domain;
  GPid pid;

  if (skipped() || (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  path = image(t, "images", "disk.img");
  xml = domain_xml("confined", path, FALSE);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  pid = vb_domain_obj_get_pid(domain);
  {
    g_autofree char *uid = status_line(pid, "Uid");
    g_autofree char *gid = status_line(pid, "Gid");
    g_autofree char *groups = status_line(pid, "Groups");

    g_assert_cmpstr(uid, ==, "64123\t64123\t64123\t64123");
    g_assert_cmpstr(gid, ==, "64123\t64123\t64123\t64123");
    g_assert_cmpstr(g_strstrip(groups), ==, "64123 64124");
  }
  for (guint i = 0; i < 5; i++) {
    static const char *const sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
    g_autofree char *value = status_line(pid, sets[i]);

    if (g_strcmp0(value, "0000000000000000") != 0)
      g_error("%s of QEMU is %s, not empty", sets[i], value);
  }
  assert_owner(path, QEMU_UID, QEMU_UID);
  first = remembered(path);
  g_assert_cmpstr(first, ==, "0:0:1");

  vb_test_ok(t, VB_TEST_DESTROY, domain);
  assert_owner(path, 0, 0);
  g_assert_null(remembered(path));
}

/* A shareable image of two domains goes back when the second stops, not the first. */
static void
test_shared_image(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *path = NULL, *xml_a = NULL, *xml_b = NULL, *two = NULL, *one = NULL;
  VbDomainObj *a, *b;

  if (skipped() || (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  path = image(t, "images", "shared.img");
  xml_a = domain_xml("share-a", path, TRUE);
  xml_b = domain_xml("share-b", path, TRUE);
  a = vb_test_define(t, xml_a);
  b = vb_test_define(t, xml_b);
  vb_test_ok(t, VB_TEST_START_PAUSED, a);
  vb_test_ok(t, VB_TEST_START_PAUSED, b);
  two = remembered(path);
  g_assert_cmpstr(two, ==, "0:0:2");
  vb_test_ok(t, VB_TEST_DESTROY, a);
  assert_owner(path, QEMU_UID, QEMU_UID);
  one = remembered(path);
  g_assert_cmpstr(one, ==, "0:0:1");
  vb_test_ok(t, VB_TEST_DESTROY, b);
  assert_owner(path, 0, 0);
  g_assert_null(remembered(path));
}

/* The owner is given back after a daemon restart (from the status the new daemon read) and
 * after QEMU dies of itself. */
static void
test_restart_and_crash(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *path = NULL, *xml = NULL;
  VbDomainObj *domain;

  if (skipped() || (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  path = image(t, "images", "restart.img");
  xml = domain_xml("survivor", path, FALSE);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  vb_test_driver_drop(t);
  assert_owner(path, QEMU_UID, QEMU_UID);
  vb_test_driver_reopen(t);
  domain = vb_driver_lookup_by_name(t->driver, "survivor");
  g_assert_nonnull(domain);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  assert_owner(path, 0, 0);
  g_assert_null(remembered(path));

  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  assert_owner(path, QEMU_UID, QEMU_UID);
  g_assert_cmpint(kill(vb_domain_obj_get_pid(domain), SIGKILL), ==, 0);
  vb_test_wait_state(t, domain, VB_DOMAIN_SHUTOFF, "crashed");
  VB_TEST_WAIT_UNTIL(NULL, owned_by(path, 0), "the image given back after QEMU died");
  assert_owner(path, 0, 0);
  g_assert_null(remembered(path));
}

/* An image in a directory QEMU's user cannot search: refused before QEMU runs, naming the
 * directory and the fix, and nothing changed on the image. */
static void
test_unreachable(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *xml = NULL, *dir = NULL, *expected = NULL;
  VbDomainObj *domain;

  if (skipped() || (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  path = image(t, "private", "hidden.img");
  dir = g_path_get_dirname(path);
  g_assert_cmpint(chmod(dir, 0700), ==, 0);
  xml = domain_xml("unreachable", path, FALSE);
  domain = vb_test_define(t, xml);
  g_assert_false(vb_test_run(t, VB_TEST_START_PAUSED, domain, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  expected = g_strdup_printf("the directory %s is not searchable for it; let it through with "
                             "'chmod o+x %s'",
                             dir, dir);
  if (strstr(error->message, expected) == NULL)
    g_error("the error does not say '%s': %s", expected, error->message);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
  g_assert_cmpint(vb_domain_obj_get_pid(domain), <=, 0);
  assert_owner(path, 0, 0);
  g_assert_null(remembered(path));
}

/* A loop device over a new 1 MiB image, detached by the kernel once the last user closes it
 * (the test's @fd, QEMU's): nothing is left attached, whatever happens to the test. */
static char *
loop_device(VbTestDriver *t, const char *name, int *fd)
{
  g_autofree char *path = image(t, "images", name);
  struct loop_info64 info = {.lo_flags = LO_FLAGS_AUTOCLEAR};
  int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  int backing = open(path, O_RDWR | O_CLOEXEC);
  int number = control >= 0 ? ioctl(control, LOOP_CTL_GET_FREE) : -1;
  char *device = g_strdup_printf("/dev/loop%d", number);

  g_assert_cmpint(backing, >=, 0);
  if (number < 0)
    g_error("no free loop device: %s", g_strerror(errno));
  *fd = open(device, O_RDWR | O_CLOEXEC);
  g_assert_cmpint(*fd, >=, 0);
  g_assert_cmpint(ioctl(*fd, LOOP_SET_FD, backing), ==, 0);
  g_assert_cmpint(ioctl(*fd, LOOP_SET_STATUS64, &info), ==, 0);
  close(backing);
  close(control);
  return device;
}

static char *
device_rule(const char *path, const char *access)
{
  struct stat st;

  if (stat(path, &st) != 0)
    return NULL;
  return g_strdup_printf("%c %u:%u %s", S_ISBLK(st.st_mode) ? 'b' : 'c', major(st.st_rdev),
                         minor(st.st_rdev), access);
}

/* The daemon's own cgroup in the devices hierarchy: where the domains' go below. */
static char *
own_devices_cgroup(void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true(g_file_get_contents("/proc/self/cgroup", &text, NULL, NULL));
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit(lines[i], ":", 3);

    if (g_strv_length(fields) == 3 && g_str_equal(fields[1], "devices"))
      return g_strdup(fields[2]);
  }
  return NULL;
}

/* QEMU in a cgroup of its own whose device ACL is qemu.conf's list, the PTYs and the domain's
 * block disk; the cgroup goes at stop. */
static void
test_cgroup(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *own = own_devices_cgroup();
  g_autofree char *loop = NULL, *xml = NULL, *dir = NULL, *list = NULL;
  g_autofree char *leaf = NULL, *procs = NULL, *cgroup_file = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func(g_free);
  static const char *const acl[] = {"/dev/null",    "/dev/full", "/dev/zero", "/dev/random",
                                    "/dev/urandom", "/dev/ptmx", "/dev/kvm"};
  VbDomainObj *domain;
  int loop_fd = -1;

  if (skipped() || (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  if (own == NULL) {
    g_test_skip("no cgroup v1 devices hierarchy on this host");
    return;
  }
  loop = loop_device(t, "loop.img", &loop_fd);
  xml = vb_test_bare_xml("cgrouped");
  {
    g_autoptr(GString) edited = g_string_new(xml);
    g_autofree char *disk = g_strdup_printf(
        "<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='%s'/>"
        "<target dev='vda' bus='virtio'/></disk><memballoon",
        loop);

    g_string_replace(edited, "<memballoon", disk, 1);
    g_free(xml);
    xml = g_string_free(g_steal_pointer(&edited), FALSE);
  }
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  leaf = g_strdup_printf("%" G_GINT64_FORMAT "-cgrouped", vb_domain_obj_get_id(domain));
  dir = g_build_filename("/sys/fs/cgroup/devices", own, "virtbus", "qemu", leaf, NULL);

  /* QEMU is in it */
  cgroup_file = g_strdup_printf("/proc/%d/cgroup", (int)vb_domain_obj_get_pid(domain));
  g_assert_true(g_file_get_contents(cgroup_file, &procs, NULL, NULL));
  {
    g_autofree char *line =
        g_strdup_printf(":devices:%s/virtbus/qemu/%s\n", g_str_equal(own, "/") ? "" : own, leaf);

    if (strstr(procs, line) == NULL)
      g_error("QEMU is not in %s:\n%s", line, procs);
  }
  /* and the ACL is exactly the list */
  {
    g_autofree char *path = g_build_filename(dir, "devices.list", NULL);
    g_auto(GStrv) lines = NULL;
    g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);

    g_assert_true(g_file_get_contents(path, &list, NULL, NULL));
    lines = g_strsplit(g_strstrip(list), "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      g_ptr_array_add(got, g_strdup(lines[i]));
    for (guint i = 0; i < G_N_ELEMENTS(acl); i++) {
      char *rule = device_rule(acl[i], "rw");

      if (rule != NULL)
        g_ptr_array_add(expected, rule);
    }
    g_ptr_array_add(expected, g_strdup("c 136:* rw"));
    g_ptr_array_add(expected, device_rule(loop, "rw"));
    g_assert_cmpuint(got->len, ==, expected->len);
    for (guint i = 0; i < expected->len; i++) {
      gboolean found = FALSE;

      for (guint j = 0; j < got->len && !found; j++)
        found = g_str_equal(got->pdata[j], expected->pdata[i]);
      if (!found)
        g_error("devices.list has no '%s':\n%s", (char *)expected->pdata[i], list);
    }
  }
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
  close(loop_fd);
}

/* A block device outside the ACL is refused to QEMU even as root (here through a -drive
 * of the qemu namespace, which virtbus does not see as a disk); the same domain without it
 * starts. */
static void
test_cgroup_refuses(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *loop = NULL, *xml = NULL, *plain = NULL;
  g_autofree char *own = own_devices_cgroup();
  VbDomainObj *domain;
  int loop_fd = -1;

  if (skipped() || own == NULL ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, "user = \"+0\"\ngroup = \"+0\"\n")) ==
          NULL)
    return;
  loop = loop_device(t, "outside.img", &loop_fd);
  plain = vb_test_bare_xml("inside");
  {
    g_autoptr(GString) edited = g_string_new(plain);
    g_autofree char *args = g_strdup_printf(
        "</devices><qemu:commandline><qemu:arg value='-drive'/>"
        "<qemu:arg value='file=%s,format=raw,if=none,id=outside'/></qemu:commandline>",
        loop);

    g_string_replace(edited, "<name>inside</name>", "<name>outside</name>", 1);
    g_string_replace(edited, "<domain type='qemu'>",
                     "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>",
                     1);
    g_string_replace(edited, "</devices>", args, 1);
    xml = g_string_free(g_steal_pointer(&edited), FALSE);
  }
  domain = vb_test_define(t, xml);
  g_assert_false(vb_test_run(t, VB_TEST_START_PAUSED, domain, &error));
  if (strstr(error->message, "Operation not permitted") == NULL)
    g_error("the start did not fail on the device ACL: %s", error->message);
  g_assert_cmpint(vb_domain_obj_get_pid(domain), <=, 0);

  domain = vb_test_define(t, plain);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  close(loop_fd);
}

/* QEMU as root keeps its capabilities, unless clear_emulator_capabilities says otherwise. */
static void
test_root_capabilities(void)
{
  static const struct {
    const char *conf;
    gboolean cleared;
  } cases[] = {
      {"user = \"+0\"\ngroup = \"+0\"\n", FALSE},
      {"user = \"+0\"\ngroup = \"+0\"\nclear_emulator_capabilities = 1\n", TRUE},
  };

  if (skipped())
    return;
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(VbTestDriver) t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, cases[i].conf);
    g_autofree char *xml = NULL, *effective = NULL, *bounding = NULL, *uid = NULL;
    VbDomainObj *domain;

    if (t == NULL)
      return;
    xml = vb_test_bare_xml("rooted");
    domain = vb_test_define(t, xml);
    vb_test_ok(t, VB_TEST_START_PAUSED, domain);
    uid = status_line(vb_domain_obj_get_pid(domain), "Uid");
    effective = status_line(vb_domain_obj_get_pid(domain), "CapEff");
    bounding = status_line(vb_domain_obj_get_pid(domain), "CapBnd");
    g_assert_cmpstr(uid, ==, "0\t0\t0\t0");
    if (cases[i].cleared) {
      g_assert_cmpstr(effective, ==, "0000000000000000");
      g_assert_cmpstr(bounding, ==, "0000000000000000");
    } else {
      g_assert_cmpstr(effective, !=, "0000000000000000");
    }
    vb_test_ok(t, VB_TEST_DESTROY, domain);
  }
}

int
main(int argc, char **argv)
{
  /* before any thread: the namespace is the process's */
  if (!enter_namespace(&skip_reason))
    g_assert_nonnull(skip_reason);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/user-and-image", test_user_and_image);
  g_test_add_func("/security/shared-image", test_shared_image);
  g_test_add_func("/security/restart-and-crash", test_restart_and_crash);
  g_test_add_func("/security/unreachable", test_unreachable);
  g_test_add_func("/security/root-capabilities", test_root_capabilities);
  g_test_add_func("/security/cgroup", test_cgroup);
  g_test_add_func("/security/cgroup-refuses", test_cgroup_refuses);
  return g_test_run();
}
