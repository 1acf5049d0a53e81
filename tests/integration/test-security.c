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
#include <grp.h>
#include <linux/loop.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vb-cgroup-private.h" /* the BPF device program: tested on its own */
#include "vb-error.h"
#include "vb-test-security.h"
#include "vb-test-wait.h"

#define QEMU_UID VB_TEST_QEMU_UID
#define CONF VB_TEST_QEMU_CONF

static char *
remembered(const char *path)
{
  return vb_test_xattr(path, "trusted.virtbus.dac");
}

static gboolean
owned_by(const char *path, uid_t uid)
{
  struct stat st;

  return stat(path, &st) == 0 && st.st_uid == uid;
}

static char *
domain_xml(const char *name, const char *image_path, gboolean shareable)
{
  g_autofree char *xml = vb_test_bare_xml(name);
  g_autofree char *disk =
      vb_test_disk_xml(image_path, "vda", NULL, shareable ? "<shareable/>" : NULL);

  return vb_test_xml_with_devices(xml, disk);
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

  if (vb_test_security_skipped() ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  path = vb_test_root_image(t, "images", "disk.img");
  xml = domain_xml("confined", path, FALSE);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  pid = vb_domain_obj_get_pid(domain);
  {
    g_autofree char *uid = vb_test_status_line(pid, "Uid");
    g_autofree char *gid = vb_test_status_line(pid, "Gid");
    g_autofree char *groups = vb_test_status_line(pid, "Groups");

    g_assert_cmpstr(uid, ==, "64123\t64123\t64123\t64123");
    g_assert_cmpstr(gid, ==, "64123\t64123\t64123\t64123");
    g_assert_cmpstr(g_strstrip(groups), ==, "64123 64124");
    /* what the note quotes */
    g_test_message("QEMU's /proc/%d/status: Uid %s, Gid %s, Groups %s", (int)pid, uid, gid, groups);
  }
  for (guint i = 0; i < 5; i++) {
    static const char *const sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
    g_autofree char *value = vb_test_status_line(pid, sets[i]);

    if (g_strcmp0(value, "0000000000000000") != 0)
      g_error("%s of QEMU is %s, not empty", sets[i], value);
    g_test_message("QEMU's %s: %s", sets[i], value);
  }
  vb_test_assert_owner(path, QEMU_UID, QEMU_UID);
  first = remembered(path);
  g_assert_cmpstr(first, ==, "0:0:1");

  vb_test_ok(t, VB_TEST_DESTROY, domain);
  vb_test_assert_owner(path, 0, 0);
  g_assert_null(remembered(path));
}

/* A serial console into a file that does not exist yet: made before the start (root's, 0600),
 * given to QEMU, which writes it, and given back at the stop. */
static void
test_chardev_file(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *bare = NULL, *xml = NULL, *path = NULL, *serial = NULL, *dir = NULL;
  struct stat st;
  VbDomainObj *domain;

  if (vb_test_security_skipped() ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  dir = g_build_filename(t->root, "consoles", NULL);
  g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
  path = g_build_filename(dir, "serial.log", NULL);
  serial =
      g_strdup_printf("<serial type='file'><source path='%s'/><target port='0'/></serial>", path);
  bare = vb_test_bare_xml("console-file");
  xml = vb_test_xml_with_devices(bare, serial);
  domain = vb_test_define(t, xml);
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  vb_test_assert_owner(path, QEMU_UID, QEMU_UID);
  g_assert_cmpint(stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  vb_test_assert_owner(path, 0, 0);
  g_assert_null(remembered(path));
}

/* A <seclabel> with no model on a host with no SELinux or AppArmor: nothing confines, and the
 * live XML (the status a restarted daemon reads) says so with model='none', beside the DAC
 * label; the domain is found again after a restart. */
static void
test_unmodelled_label(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *bare = NULL, *xml = NULL, *live = NULL;
  VbDomainObj *domain;

  if (vb_test_security_skipped() ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, "user = \"+0\"\ngroup = \"+0\"\n")) ==
          NULL)
    return;
  bare = vb_test_bare_xml("unmodelled");
  xml = vb_test_xml_with_domain_elements(bare, "<seclabel type='dynamic' relabel='yes'/>");
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  live = vb_domain_obj_get_xml(domain, VB_DOMAIN_XML_LIVE, NULL);
  g_assert_nonnull(strstr(live, "<seclabel type='none' model='none'/>"));
  g_assert_nonnull(strstr(live, "<seclabel type='dynamic' model='dac' relabel='yes'>"));
  vb_test_driver_drop(t);
  vb_test_driver_reopen(t);
  domain = vb_driver_lookup_by_name(t->driver, "unmodelled");
  g_assert_nonnull(domain);
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_PAUSED);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

/* qemu.conf's dynamic_ownership and remember_owner off, a static DAC label (with and without
 * relabelling) and a disk's relabel='no': who QEMU runs as, and the owner of each image while
 * it runs and after. */
static void
test_dac_options(void)
{
  static const struct {
    const char *conf;     /* after CONF */
    const char *seclabel; /* (nullable): the domain's */
    const char *source;   /* (nullable): inside the first disk's <source> */
    guint gid;            /* QEMU's */
    guint running_uid, running_gid, after_uid, after_gid; /* the first image's owner */
  } cases[] = {
      {"dynamic_ownership = 0\n", NULL, NULL, QEMU_UID, 64124, 64124, 64124, 64124},
      {"remember_owner = 0\n", NULL, NULL, QEMU_UID, QEMU_UID, QEMU_UID, 0, 0},
      {"",
       "<seclabel type='static' model='dac' relabel='no'><label>+64123:+64124</label></seclabel>",
       NULL, VB_TEST_EXTRA_GID, 64124, 64124, 64124, 64124},
      {"",
       "<seclabel type='static' model='dac' relabel='yes'><label>vbtest-qemu:vbtest-extra"
       "</label></seclabel>",
       NULL, VB_TEST_EXTRA_GID, QEMU_UID, VB_TEST_EXTRA_GID, 64124, 64124},
      {"", NULL, "<seclabel model='dac' relabel='no'/>", QEMU_UID, 64124, 64124, 64124, 64124},
  };

  if (vb_test_security_skipped())
    return;
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *conf = g_strconcat(CONF, cases[i].conf, NULL);
    g_autoptr(VbTestDriver) t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, conf);
    g_autofree char *path = NULL, *bare = NULL, *disk = NULL, *with_disk = NULL, *xml = NULL;
    g_autofree char *gid = NULL, *expected_gid = NULL;
    VbDomainObj *domain;

    if (t == NULL)
      return;
    /* another user's image QEMU can open without being given it */
    path = vb_test_root_image(t, "images", "options.img");
    g_assert_cmpint(chown(path, 64124, 64124), ==, 0);
    g_assert_cmpint(chmod(path, 0666), ==, 0);
    bare = vb_test_bare_xml("options");
    disk = vb_test_disk_xml(path, "vda", cases[i].source, NULL);
    with_disk = vb_test_xml_with_devices(bare, disk);
    xml = cases[i].seclabel != NULL ? vb_test_xml_with_domain_elements(with_disk, cases[i].seclabel)
                                    : g_strdup(with_disk);
    domain = vb_test_define(t, xml);
    vb_test_ok(t, VB_TEST_START_PAUSED, domain);
    gid = vb_test_status_line(vb_domain_obj_get_pid(domain), "Gid");
    expected_gid =
        g_strdup_printf("%u\t%u\t%u\t%u", cases[i].gid, cases[i].gid, cases[i].gid, cases[i].gid);
    if (!g_str_equal(gid, expected_gid))
      g_error("case %u: QEMU's Gid is %s, not %s", i, gid, expected_gid);
    vb_test_assert_owner(path, cases[i].running_uid, cases[i].running_gid);
    vb_test_ok(t, VB_TEST_DESTROY, domain);
    vb_test_assert_owner(path, cases[i].after_uid, cases[i].after_gid);
    g_assert_null(remembered(path));
  }
}

/* A qcow2 image over a root-only base: QEMU opens both, so both are given to it (the base
 * read from the image's header), and both go back at the stop. */
static void
test_backing_chain(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *base = NULL, *top = NULL, *bare = NULL, *disk = NULL, *xml = NULL;
  VbDomainObj *domain;

  if (vb_test_security_skipped() ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  vb_test_qcow2_layers(t, &base, &top);
  g_assert_cmpint(chmod(base, 0600), ==, 0);
  g_assert_cmpint(chmod(top, 0600), ==, 0);
  bare = vb_test_bare_xml("layered");
  disk = vb_test_qcow2_disk_xml(top);
  xml = vb_test_xml_with_devices(bare, disk);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  vb_test_assert_owner(top, QEMU_UID, QEMU_UID);
  vb_test_assert_owner(base, QEMU_UID, QEMU_UID);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  vb_test_assert_owner(top, 0, 0);
  vb_test_assert_owner(base, 0, 0);
  g_assert_null(remembered(base));
}

/* A shareable image of two domains goes back when the second stops, not the first. */
static void
test_shared_image(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *path = NULL, *xml_a = NULL, *xml_b = NULL, *two = NULL, *one = NULL;
  VbDomainObj *a, *b;

  if (vb_test_security_skipped() ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  path = vb_test_root_image(t, "images", "shared.img");
  xml_a = domain_xml("share-a", path, TRUE);
  xml_b = domain_xml("share-b", path, TRUE);
  a = vb_test_define(t, xml_a);
  b = vb_test_define(t, xml_b);
  vb_test_ok(t, VB_TEST_START_PAUSED, a);
  vb_test_ok(t, VB_TEST_START_PAUSED, b);
  two = remembered(path);
  g_assert_cmpstr(two, ==, "0:0:2");
  vb_test_ok(t, VB_TEST_DESTROY, a);
  vb_test_assert_owner(path, QEMU_UID, QEMU_UID);
  one = remembered(path);
  g_assert_cmpstr(one, ==, "0:0:1");
  vb_test_ok(t, VB_TEST_DESTROY, b);
  vb_test_assert_owner(path, 0, 0);
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

  if (vb_test_security_skipped() ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  path = vb_test_root_image(t, "images", "restart.img");
  xml = domain_xml("survivor", path, FALSE);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  vb_test_driver_drop(t);
  vb_test_assert_owner(path, QEMU_UID, QEMU_UID);
  vb_test_driver_reopen(t);
  domain = vb_driver_lookup_by_name(t->driver, "survivor");
  g_assert_nonnull(domain);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  vb_test_assert_owner(path, 0, 0);
  g_assert_null(remembered(path));

  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  vb_test_assert_owner(path, QEMU_UID, QEMU_UID);
  g_assert_cmpint(kill(vb_domain_obj_get_pid(domain), SIGKILL), ==, 0);
  vb_test_wait_state(t, domain, VB_DOMAIN_SHUTOFF, "crashed");
  VB_TEST_WAIT_UNTIL(NULL, owned_by(path, 0), "the image given back after QEMU died");
  vb_test_assert_owner(path, 0, 0);
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

  if (vb_test_security_skipped() ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  path = vb_test_root_image(t, "private", "hidden.img");
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
  vb_test_assert_owner(path, 0, 0);
  g_assert_null(remembered(path));
}

/* A loop device over a new 1 MiB image, detached by the kernel once the last user closes it
 * (the test's @fd, QEMU's): nothing is left attached, whatever happens to the test. */
static char *
loop_device(VbTestDriver *t, const char *name, int *fd)
{
  g_autofree char *path = vb_test_root_image(t, "images", name);
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

/* QEMU in a cgroup of its own whose device ACL is qemu.conf's list, the PTYs and the domain's
 * block disk; the cgroup goes at stop. */
static void
test_cgroup(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *own = vb_test_own_devices_cgroup();
  g_autofree char *loop = NULL, *xml = NULL, *dir = NULL, *list = NULL;
  g_autofree char *leaf = NULL, *procs = NULL, *cgroup_file = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func(g_free);
  static const char *const acl[] = {"/dev/null",    "/dev/full", "/dev/zero", "/dev/random",
                                    "/dev/urandom", "/dev/ptmx", "/dev/kvm"};
  VbDomainObj *domain;
  int loop_fd = -1;

  if (vb_test_security_skipped() ||
      (t = vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, CONF)) == NULL)
    return;
  if (own == NULL) {
    g_test_skip("no cgroup v1 devices hierarchy on this host");
    return;
  }
  loop = loop_device(t, "loop.img", &loop_fd);
  {
    g_autofree char *bare = vb_test_bare_xml("cgrouped");
    g_autofree char *disk = g_strdup_printf(
        "<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='%s'/>"
        "<target dev='vda' bus='virtio'/></disk>",
        loop);

    xml = vb_test_xml_with_devices(bare, disk);
  }
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  leaf = g_strdup_printf("%" G_GINT64_FORMAT "-cgrouped", vb_domain_obj_get_id(domain));
  dir = vb_test_domain_cgroup_dir(own, domain);

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
    g_test_message("the domain's %s:\n%s", path, list);
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
  g_autofree char *own = vb_test_own_devices_cgroup();
  VbDomainObj *domain;
  int loop_fd = -1;

  if (vb_test_security_skipped() || own == NULL ||
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

  if (vb_test_security_skipped())
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
    uid = vb_test_status_line(vb_domain_obj_get_pid(domain), "Uid");
    effective = vb_test_status_line(vb_domain_obj_get_pid(domain), "CapEff");
    bounding = vb_test_status_line(vb_domain_obj_get_pid(domain), "CapBnd");
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

/* The unified hierarchy's mount and this process's cgroup in it, or NULL. */
static char *
own_unified_cgroup(void)
{
  g_autofree char *cgroups = NULL, *mountinfo = NULL;
  g_auto(GStrv) lines = NULL, mounts = NULL;
  const char *own = NULL;

  g_assert_true(g_file_get_contents("/proc/self/cgroup", &cgroups, NULL, NULL));
  g_assert_true(g_file_get_contents("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  lines = g_strsplit(cgroups, "\n", -1);
  for (guint i = 0; lines[i] != NULL && own == NULL; i++) {
    if (g_str_has_prefix(lines[i], "0::"))
      own = lines[i] + 3;
  }
  mounts = g_strsplit(mountinfo, "\n", -1);
  for (guint i = 0; own != NULL && mounts[i] != NULL; i++) {
    const char *dash = strstr(mounts[i], " - ");
    g_auto(GStrv) fields = g_strsplit(mounts[i], " ", -1);

    if (dash != NULL && g_str_has_prefix(dash + 3, "cgroup2 ") && g_strv_length(fields) > 4 &&
        g_str_equal(fields[3], "/"))
      return g_build_filename(fields[4], own, NULL);
  }
  return NULL;
}

/* A new cgroup @prefix-PID below this process's in the unified hierarchy; NULL (the test
 * skipped) when there is none or the test cannot confine. */
static char *
unified_test_cgroup(const char *prefix)
{
  g_autofree char *own = NULL;
  char *dir;

  if (vb_test_security_skipped())
    return NULL;
  own = own_unified_cgroup();
  if (own == NULL) {
    g_test_skip("no unified (v2) cgroup hierarchy mounted on this host");
    return NULL;
  }
  dir = g_strdup_printf("%s/%s-%d", own, prefix, (int)getpid());
  g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
  return dir;
}

/* In the child: 0 when each open does what the ACL says, else the number of the first that
 * does not. Async-signal-safe. */
static int
try_devices(const char *procs)
{
  static const struct {
    const char *path;
    int flags;
    gboolean allowed;
  } opens[] = {
      {"/dev/null", O_RDWR, TRUE},          /* c 1:3 rw */
      {"/dev/zero", O_RDONLY, TRUE},        /* c 1:* r */
      {"/dev/zero", O_WRONLY, FALSE},       /* not written */
      {"/dev/ptmx", O_RDWR, FALSE},         /* c 5:2: no rule */
      {"/dev/loop-control", O_RDWR, FALSE}, /* c 10:237 */
  };
  int fd = open(procs, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write(fd, "0", 1) != 1)
    return 100;
  close(fd);
  for (guint i = 0; i < G_N_ELEMENTS(opens); i++) {
    int device = open(opens[i].path, opens[i].flags | O_CLOEXEC);

    if (device >= 0)
      close(device);
    if (opens[i].allowed ? device < 0 : (device >= 0 || errno != EPERM))
      return (int)i + 1;
  }
  return 0;
}

/* cgroup v2's device ACL, the BPF program, with real verdicts: a process in a cgroup of the
 * unified hierarchy (beside v1 on this kind of host) with the program attached opens what the
 * rules allow and nothing else (EPERM). */
static void
test_cgroup_bpf(void)
{
  g_autofree char *dir = NULL, *procs = NULL;
  g_autoptr(GArray) rules = g_array_new(FALSE, FALSE, sizeof(VbDeviceRule));
  g_autoptr(GError) error = NULL;
  const VbDeviceRule null = {'c', 1, 3, TRUE}, memory = {'c', 1, VB_DEVICE_ANY, FALSE};
  int status = -1;
  pid_t child;

  if ((dir = unified_test_cgroup("vb-bpf-test")) == NULL)
    return;
  procs = g_build_filename(dir, "cgroup.procs", NULL);
  g_array_append_val(rules, null);
  g_array_append_val(rules, memory);
  if (!vb_cgroup_bpf_attach(dir, rules, &error)) {
    g_rmdir(dir);
    g_error("%s", error->message);
  }
  child = fork();
  g_assert_cmpint(child, >=, 0);
  if (child == 0)
    _exit(try_devices(procs));
  g_assert_cmpint(waitpid(child, &status, 0), ==, child);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
  g_assert_true(WIFEXITED(status));
  if (WEXITSTATUS(status) != 0)
    g_error("open number %d did not do what the BPF device program says", WEXITSTATUS(status));
}

#define SESSION_CHILD "--session-child"

/* (the child, as the throwaway user, in the cgroup delegated to it) A session driver puts its
 * domain's QEMU in a cgroup below its own, and removes it at the stop. */
static void
test_session_child(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new_with_conf(VB_INSTANCE_SESSION, NULL);
  g_autofree char *bare = vb_test_bare_xml("sessioned");
  g_autofree char *own = own_unified_cgroup();
  g_autofree char *procs = NULL, *cgroup_file = NULL, *line = NULL, *dir = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  g_assert_cmpuint(geteuid(), ==, QEMU_UID);
  domain = vb_test_define(t, bare);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  dir = g_strdup_printf("%s/virtbus/qemu/%" G_GINT64_FORMAT "-sessioned", own,
                        vb_domain_obj_get_id(domain));
  g_assert_true(g_file_test(dir, G_FILE_TEST_IS_DIR));
  cgroup_file = g_strdup_printf("/proc/%d/cgroup", (int)vb_domain_obj_get_pid(domain));
  g_assert_true(g_file_get_contents(cgroup_file, &procs, NULL, NULL));
  line = g_strdup_printf("/virtbus/qemu/%" G_GINT64_FORMAT "-sessioned\n",
                         vb_domain_obj_get_id(domain));
  if (strstr(procs, line) == NULL || strstr(procs, "0::") == NULL)
    g_error("QEMU is not in its cgroup (%s):\n%s", line, procs);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
}

/* The session instance given a subtree of the unified hierarchy (its directory and
 * cgroup.procs the user's, as systemd's Delegate=yes makes them): run as that user, in it. */
static void
test_session_delegated(void)
{
  g_autofree char *dir = NULL, *self = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  static const char *const owned[] = {"", "cgroup.procs", "cgroup.threads",
                                      "cgroup.subtree_control"};

  if ((dir = unified_test_cgroup("vb-delegated")) == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS(owned); i++) {
    g_autofree char *path = g_build_filename(dir, owned[i], NULL);

    g_assert_cmpint(chown(path, QEMU_UID, QEMU_UID), ==, 0);
  }
  self = g_file_read_link("/proc/self/exe", NULL);
  child =
      g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, self, SESSION_CHILD, dir, NULL);
  g_assert_no_error(error);
  /* the child's own waits have timeouts: this one ends when they do */
  g_assert_true(g_subprocess_wait(child, NULL, &error));
  g_assert_no_error(error);
  {
    g_autofree char *qemu = g_build_filename(dir, "virtbus", "qemu", NULL);
    g_autofree char *virtbus = g_build_filename(dir, "virtbus", NULL);

    g_rmdir(qemu);
    g_rmdir(virtbus);
  }
  g_assert_cmpint(g_rmdir(dir), ==, 0);
  if (!g_subprocess_get_successful(child))
    g_error("the session instance in its delegated cgroup failed (wait status %d); its "
            "messages are above",
            g_subprocess_get_status(child));
}

/* The child's side: into the delegated cgroup, then the throwaway user, then the test. */
static int
session_child_main(int argc, char **argv)
{
  g_autofree char *procs = g_build_filename(argv[2], "cgroup.procs", NULL);
  gid_t groups[] = {QEMU_UID};
  char *args[] = {argv[0], NULL};
  char **test_argv = args;
  int test_argc = 1;

  int fd = open(procs, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write(fd, "0", 1) != 1)
    g_error("cannot join %s: %s", argv[2], g_strerror(errno));
  close(fd);
  if (setgroups(1, groups) != 0 || setresgid(QEMU_UID, QEMU_UID, QEMU_UID) != 0 ||
      setresuid(QEMU_UID, QEMU_UID, QEMU_UID) != 0)
    g_error("cannot become the throwaway user: %s", g_strerror(errno));
  g_test_init(&test_argc, &test_argv, NULL);
  g_test_add_func("/security/session-child", test_session_child);
  return g_test_run();
}

int
main(int argc, char **argv)
{
  if (argc == 3 && g_str_equal(argv[1], SESSION_CHILD))
    return session_child_main(argc, argv);
  /* before any thread: the namespace is the process's */
  vb_test_security_enter_namespace();
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/security/user-and-image", test_user_and_image);
  g_test_add_func("/security/shared-image", test_shared_image);
  g_test_add_func("/security/chardev-file", test_chardev_file);
  g_test_add_func("/security/dac-options", test_dac_options);
  g_test_add_func("/security/backing-chain", test_backing_chain);
  g_test_add_func("/security/unmodelled-label", test_unmodelled_label);
  g_test_add_func("/security/restart-and-crash", test_restart_and_crash);
  g_test_add_func("/security/unreachable", test_unreachable);
  g_test_add_func("/security/root-capabilities", test_root_capabilities);
  g_test_add_func("/security/cgroup", test_cgroup);
  g_test_add_func("/security/cgroup-refuses", test_cgroup_refuses);
  g_test_add_func("/security/cgroup-bpf", test_cgroup_bpf);
  g_test_add_func("/security/session-delegated", test_session_delegated);
  return g_test_run();
}
