/* vb-cgroup.c: each running domain of the system instance in a cgroup of its own, with a
 * device ACL.
 *
 * The cgroup is virtbus/qemu/ID-NAME below the daemon's own cgroup, in each cgroup v1
 * hierarchy that holds a controller of qemu.conf's cgroup_controllers (a hierarchy holding
 * several, as cpu,cpuacct, once). Its path follows from the domain's id and name alone, so a
 * daemon that restarts finds it again. The devices controller denies everything, then allows
 * qemu.conf's cgroup_device_acl, the PTYs, and each block device the domain has as a disk
 * (read-only when the disk is). QEMU joins it in the child before exec; it is removed at stop.
 *
 * A host with only the unified (v2) hierarchy gets no cgroup yet: its device ACL needs a BPF
 * program, and docs/security.md says it is not done.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vb-cgroup.h"
#include "vb-child.h"
#include "vb-error.h"

/* Unix98 PTYs, the consoles of <serial type='pty'> */
#define PTY_MAJOR 136

typedef struct {
  char *base;      /* (owned): the daemon's own cgroup in this hierarchy */
  char *dir;       /* (owned): the domain's */
  gboolean cpuset; /* the hierarchy has cpuset: a new cgroup needs its CPUs and memory nodes */
} Hierarchy;

struct _VbCgroup {
  GPtrArray *hierarchies; /* (owned) (element-type Hierarchy) */
  GPtrArray *procs;       /* (owned): each dir's cgroup.procs, NULL-terminated, for the child */
  char *devices_dir;      /* (owned) (nullable) */
  GStrv device_acl;       /* (owned): qemu.conf's cgroup_device_acl */
};

static void
hierarchy_free(Hierarchy *h)
{
  g_free(h->base);
  g_free(h->dir);
  g_free(h);
}

/* The daemon's own cgroup path in the v1 hierarchy of @controller, from /proc/self/cgroup. */
static char *
own_path(const char *cgroups, const char *controller)
{
  g_auto(GStrv) lines = g_strsplit(cgroups, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) fields = g_strsplit(lines[i], ":", 3);
    g_auto(GStrv) names = NULL;

    if (g_strv_length(fields) != 3)
      continue;
    names = g_strsplit(fields[1], ",", -1);
    if (g_strv_contains((const char *const *)names, controller))
      return g_strdup(fields[2]);
  }
  return NULL;
}

/* The mount point and root of the v1 hierarchy holding @controller, from mountinfo. */
static gboolean
find_mount(const char *mountinfo, const char *controller, char **point, char **root)
{
  g_auto(GStrv) lines = g_strsplit(mountinfo, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *dash = strstr(lines[i], " - ");
    g_auto(GStrv) left = NULL;
    g_auto(GStrv) right = NULL;
    g_auto(GStrv) options = NULL;

    if (dash == NULL)
      continue;
    right = g_strsplit(dash + 3, " ", -1);
    if (g_strv_length(right) < 3 || !g_str_equal(right[0], "cgroup"))
      continue;
    options = g_strsplit(right[2], ",", -1);
    if (!g_strv_contains((const char *const *)options, controller))
      continue;
    left = g_strsplit(lines[i], " ", -1);
    if (g_strv_length(left) < 5)
      continue;
    *root = g_strdup(left[3]);
    *point = g_strdup(left[4]);
    return TRUE;
  }
  return FALSE;
}

/**
 * vb_cgroup_new:
 * @id: the domain's id while it runs
 *
 * The domain's cgroup as a path in each hierarchy: nothing is made yet. Empty (no hierarchy)
 * for the session and embedded instances, and on a host without cgroup v1 hierarchies.
 */
VbCgroup *
vb_cgroup_new(const VbQemuConf *conf, gint64 id, const char *name)
{
  VbCgroup *self = g_new0(VbCgroup, 1);
  g_autofree char *cgroups = NULL;
  g_autofree char *mountinfo = NULL;
  g_autofree char *leaf = g_strdup_printf("%" G_GINT64_FORMAT "-%s", id, name);

  self->hierarchies = g_ptr_array_new_with_free_func((GDestroyNotify)hierarchy_free);
  self->procs = g_ptr_array_new_with_free_func(g_free);
  self->device_acl = g_strdupv(conf->cgroup_device_acl);
  g_strdelimit(leaf, "/", '_');
  if (conf->instance == VB_INSTANCE_SYSTEM &&
      g_file_get_contents("/proc/self/cgroup", &cgroups, NULL, NULL) &&
      g_file_get_contents("/proc/self/mountinfo", &mountinfo, NULL, NULL)) {
    for (guint i = 0; conf->cgroup_controllers[i] != NULL; i++) {
      const char *controller = conf->cgroup_controllers[i];
      g_autofree char *point = NULL, *root = NULL;
      g_autofree char *own = own_path(cgroups, controller);
      const char *inside;
      Hierarchy *h;
      gboolean seen = FALSE;

      if (own == NULL || !find_mount(mountinfo, controller, &point, &root))
        continue;
      /* a mount of part of the hierarchy (a container's) shows the path below its root */
      inside = g_str_has_prefix(own, root) && !g_str_equal(root, "/") ? own + strlen(root) : own;
      h = g_new0(Hierarchy, 1);
      h->base = g_build_filename(point, inside, NULL);
      h->dir = g_build_filename(h->base, "virtbus", "qemu", leaf, NULL);
      for (guint j = 0; j < self->hierarchies->len && !seen; j++) {
        Hierarchy *other = self->hierarchies->pdata[j];

        if (g_str_equal(other->dir, h->dir)) {
          hierarchy_free(h);
          h = other; /* cpu and cpuacct mounted together: one cgroup */
          seen = TRUE;
        }
      }
      if (!seen) {
        g_ptr_array_add(self->hierarchies, h);
        g_ptr_array_add(self->procs, g_build_filename(h->dir, "cgroup.procs", NULL));
      }
      if (g_str_equal(controller, "cpuset"))
        h->cpuset = TRUE;
      if (g_str_equal(controller, "devices") && self->devices_dir == NULL)
        self->devices_dir = g_strdup(h->dir);
    }
  }
  g_ptr_array_add(self->procs, NULL);
  return self;
}

static gboolean
write_value(const char *dir, const char *file, const char *value, GError **error)
{
  g_autofree char *path = g_build_filename(dir, file, NULL);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  gboolean ok = fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);
  int saved = errno;

  if (fd >= 0)
    close(fd);
  if (!ok) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot write '%s' to %s: %s", value, path,
                g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

/* A new cpuset cgroup has no CPU and no memory node: it gets its parent's. */
static gboolean
copy_cpuset(const char *dir, GError **error)
{
  static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
  g_autofree char *parent = g_path_get_dirname(dir);

  for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *from = g_build_filename(parent, files[i], NULL);
    g_autofree char *value = NULL;

    if (!g_file_get_contents(from, &value, NULL, error))
      return FALSE;
    g_strstrip(value);
    if (*value != '\0' && !write_value(dir, files[i], value, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
make_levels(const Hierarchy *h, GError **error)
{
  g_autofree char *below = g_strdup(h->dir + strlen(h->base));
  g_auto(GStrv) levels = g_strsplit(below, "/", -1);
  g_autofree char *dir = g_strdup(h->base);

  for (guint i = 0; levels[i] != NULL; i++) {
    char *next;

    if (*levels[i] == '\0')
      continue;
    next = g_build_filename(dir, levels[i], NULL);
    g_free(dir);
    dir = next;
    if (mkdir(dir, 0755) != 0) {
      int saved = errno;

      if (saved == EEXIST)
        continue;
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot make the cgroup %s: %s", dir,
                  g_strerror(saved));
      return FALSE;
    }
    if (h->cpuset && !copy_cpuset(dir, error))
      return FALSE;
  }
  return TRUE;
}

/* "c 1:3 rw" for a device node; FALSE (nothing to allow) when it does not exist. */
static gboolean
device_rule(const char *path, gboolean read_only, char **rule, GError **error)
{
  struct stat st;

  if (stat(path, &st) != 0) {
    if (errno == ENOENT)
      return TRUE;
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot allow %s in the domain's cgroup: %s",
                path, g_strerror(errno));
    return FALSE;
  }
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
    return TRUE; /* a file: no device to allow */
  *rule = g_strdup_printf("%c %u:%u %s", S_ISCHR(st.st_mode) ? 'c' : 'b', major(st.st_rdev),
                          minor(st.st_rdev), read_only ? "r" : "rw");
  return TRUE;
}

static gboolean
write_device_acl(const VbCgroup *self, const VbDomainDef *def, GError **error)
{
  g_autofree char *pty = g_strdup_printf("c %d:* rw", PTY_MAJOR);

  if (!write_value(self->devices_dir, "devices.deny", "a", error))
    return FALSE;
  for (guint i = 0; self->device_acl[i] != NULL; i++) {
    g_autofree char *rule = NULL;

    if (!device_rule(self->device_acl[i], FALSE, &rule, error) ||
        (rule != NULL && !write_value(self->devices_dir, "devices.allow", rule, error)))
      return FALSE;
  }
  if (!write_value(self->devices_dir, "devices.allow", pty, error))
    return FALSE;
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];
    g_autofree char *rule = NULL;

    if (disk->type != VB_DISK_TYPE_BLOCK || disk->source == NULL)
      continue;
    if (!device_rule(disk->source, disk->readonly, &rule, error) ||
        (rule != NULL && !write_value(self->devices_dir, "devices.allow", rule, error)))
      return FALSE;
  }
  return TRUE;
}

/**
 * vb_cgroup_create:
 *
 * Makes the cgroup in each hierarchy and writes the device ACL. On failure what was made is
 * removed, and the error names the file.
 */
gboolean
vb_cgroup_create(VbCgroup *self, const VbDomainDef *def, GError **error)
{
  for (guint i = 0; i < self->hierarchies->len; i++) {
    if (!make_levels(self->hierarchies->pdata[i], error)) {
      vb_cgroup_remove(self);
      return FALSE;
    }
  }
  if (self->devices_dir != NULL && !write_device_acl(self, def, error)) {
    vb_cgroup_remove(self);
    return FALSE;
  }
  return TRUE;
}

/**
 * vb_cgroup_remove:
 *
 * Removes the domain's cgroups (not virtbus/qemu above them, which other domains share); one
 * that is not there is fine.
 */
void
vb_cgroup_remove(VbCgroup *self)
{
  for (guint i = 0; i < self->hierarchies->len; i++) {
    const Hierarchy *h = self->hierarchies->pdata[i];

    if (rmdir(h->dir) != 0 && errno != ENOENT)
      g_warning("cannot remove the cgroup %s: %s", h->dir, g_strerror(errno));
  }
}

/* The domain's cgroup in the devices hierarchy, or %NULL without one. */
const char *
vb_cgroup_get_devices_dir(const VbCgroup *self)
{
  return self->devices_dir;
}

/* Returns: (array zero-terminated=1) (transfer none): each hierarchy's cgroup.procs */
char *const *
vb_cgroup_get_procs(const VbCgroup *self)
{
  return (char *const *)self->procs->pdata;
}

void
vb_cgroup_free(VbCgroup *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref(self->hierarchies);
  g_ptr_array_unref(self->procs);
  g_free(self->devices_dir);
  g_strfreev(self->device_acl);
  g_free(self);
}

/**
 * vb_cgroup_child_join:
 * @procs: from vb_cgroup_get_procs()
 *
 * In the child between fork and exec (async-signal-safe): moves it into the domain's cgroups,
 * so that QEMU and every thread it makes start there.
 */
void
vb_cgroup_child_join(char *const *procs)
{
  for (guint i = 0; procs != NULL && procs[i] != NULL; i++) {
    int fd = open(procs[i], O_WRONLY | O_CLOEXEC);
    int failed = 0;

    if (fd < 0)
      vb_child_fail("opening the domain's cgroup");
    vb_child_write_number(fd, (long)getpid(), &failed);
    close(fd);
    if (failed != 0) {
      errno = failed;
      vb_child_fail("joining the domain's cgroup");
    }
  }
}
