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
 * A host with no v1 devices hierarchy but the unified (v2) one gets the cgroup there (below the
 * daemon's own, as in v1), and the same ACL as a BPF device program (vb-cgroup-bpf.c). A hybrid
 * host (v1 controllers and a unified hierarchy beside them, as systemd mounts it) uses v1, as
 * libvirt does.
 *
 * The session instance, unprivileged, gets a cgroup only where its user was given a subtree of
 * the unified hierarchy (systemd's Delegate=yes): the daemon's own cgroup and its cgroup.procs
 * are the user's. It has no device ACL there (a device program needs privilege).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vb-cgroup-private.h"
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
  char *devices_dir;      /* (owned) (nullable): v1's devices controller */
  char *unified_dir;      /* (owned) (nullable): without, the unified hierarchy's, for BPF */
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

/* The daemon's own path in the unified hierarchy ("0::PATH") and that hierarchy's mount. */
static gboolean
find_unified(const char *cgroups, const char *mountinfo, char **own, char **point, char **root)
{
  g_auto(GStrv) lines = g_strsplit(cgroups, "\n", -1);
  g_auto(GStrv) mounts = g_strsplit(mountinfo, "\n", -1);

  for (guint i = 0; lines[i] != NULL && *own == NULL; i++) {
    if (g_str_has_prefix(lines[i], "0::"))
      *own = g_strdup(lines[i] + 3);
  }
  for (guint i = 0; *own != NULL && mounts[i] != NULL; i++) {
    const char *dash = strstr(mounts[i], " - ");
    g_auto(GStrv) left = NULL;

    if (dash == NULL || !g_str_has_prefix(dash + 3, "cgroup2 "))
      continue;
    left = g_strsplit(mounts[i], " ", -1);
    if (g_strv_length(left) < 5)
      continue;
    *root = g_strdup(left[3]);
    *point = g_strdup(left[4]);
    return TRUE;
  }
  return FALSE;
}

static Hierarchy *
hierarchy_new(const char *point, const char *root, const char *own, const char *leaf)
{
  Hierarchy *h = g_new0(Hierarchy, 1);
  /* a mount of part of the hierarchy (a container's) shows the path below its root */
  const char *inside =
      g_str_has_prefix(own, root) && !g_str_equal(root, "/") ? own + strlen(root) : own;

  h->base = g_build_filename(point, inside, NULL);
  h->dir = g_build_filename(h->base, "virtbus", "qemu", leaf, NULL);
  return h;
}

/* Whether this (unprivileged) process may make cgroups below @base and move processes there:
 * the directory and its cgroup.procs are its user's. */
static gboolean
delegated(const char *base)
{
  g_autofree char *procs = g_build_filename(base, "cgroup.procs", NULL);
  struct stat dir_st, procs_st;

  return stat(base, &dir_st) == 0 && dir_st.st_uid == geteuid() && stat(procs, &procs_st) == 0 &&
         procs_st.st_uid == geteuid() && access(procs, W_OK) == 0;
}

/**
 * vb_cgroup_new:
 * @id: the domain's id while it runs
 *
 * The domain's cgroup as a path in each hierarchy: nothing is made yet. Empty (no hierarchy)
 * for the embedded instance, for the session instance without a delegated subtree, and on a
 * host with no cgroup hierarchy at all.
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
      Hierarchy *h;
      gboolean seen = FALSE;

      if (own == NULL || !find_mount(mountinfo, controller, &point, &root))
        continue;
      h = hierarchy_new(point, root, own, leaf);
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
    /* no v1 devices controller: the unified hierarchy, and the ACL as a BPF program */
    if (self->devices_dir == NULL) {
      g_autofree char *own = NULL, *point = NULL, *root = NULL;

      if (find_unified(cgroups, mountinfo, &own, &point, &root)) {
        Hierarchy *h = hierarchy_new(point, root, own, leaf);

        self->unified_dir = g_strdup(h->dir);
        g_ptr_array_add(self->hierarchies, h);
        g_ptr_array_add(self->procs, g_build_filename(h->dir, "cgroup.procs", NULL));
      }
    }
  }
  if (conf->instance == VB_INSTANCE_SESSION &&
      g_file_get_contents("/proc/self/cgroup", &cgroups, NULL, NULL) &&
      g_file_get_contents("/proc/self/mountinfo", &mountinfo, NULL, NULL)) {
    g_autofree char *own = NULL, *point = NULL, *root = NULL;

    if (find_unified(cgroups, mountinfo, &own, &point, &root)) {
      Hierarchy *h = hierarchy_new(point, root, own, leaf);

      if (delegated(h->base)) {
        g_ptr_array_add(self->hierarchies, h);
        g_ptr_array_add(self->procs, g_build_filename(h->dir, "cgroup.procs", NULL));
      } else {
        hierarchy_free(h);
      }
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

/* The rule of a device node; none (and TRUE) when it does not exist or is not a device. */
static gboolean
add_device_rule(GArray *rules, const char *path, gboolean read_only, GError **error)
{
  VbDeviceRule rule;
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
  rule.type = S_ISCHR(st.st_mode) ? 'c' : 'b';
  rule.major = major(st.st_rdev);
  rule.minor = minor(st.st_rdev);
  rule.write = !read_only;
  g_array_append_val(rules, rule);
  return TRUE;
}

/* What the domain may open: qemu.conf's cgroup_device_acl, the PTYs, its block disks. */
static GArray *
device_rules(const VbCgroup *self, const VbDomainDef *def, GError **error)
{
  g_autoptr(GArray) rules = g_array_new(FALSE, FALSE, sizeof(VbDeviceRule));
  const VbDeviceRule pty = {'c', PTY_MAJOR, VB_DEVICE_ANY, TRUE};

  for (guint i = 0; self->device_acl[i] != NULL; i++) {
    if (!add_device_rule(rules, self->device_acl[i], FALSE, error))
      return NULL;
  }
  g_array_append_val(rules, pty);
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];

    if (disk->type == VB_DISK_TYPE_BLOCK && disk->source != NULL &&
        !add_device_rule(rules, disk->source, disk->readonly, error))
      return NULL;
  }
  return g_steal_pointer(&rules);
}

/* cgroup v1: deny all, then "c 1:3 rw" for each rule. */
static gboolean
write_device_acl(const VbCgroup *self, const GArray *rules, GError **error)
{
  if (!write_value(self->devices_dir, "devices.deny", "a", error))
    return FALSE;
  for (guint i = 0; i < rules->len; i++) {
    const VbDeviceRule *rule = &g_array_index(rules, VbDeviceRule, i);
    g_autofree char *major = rule->major == VB_DEVICE_ANY
                                 ? g_strdup("*")
                                 : g_strdup_printf("%" G_GINT64_FORMAT, rule->major);
    g_autofree char *minor = rule->minor == VB_DEVICE_ANY
                                 ? g_strdup("*")
                                 : g_strdup_printf("%" G_GINT64_FORMAT, rule->minor);
    g_autofree char *text =
        g_strdup_printf("%c %s:%s %s", rule->type, major, minor, rule->write ? "rw" : "r");

    if (!write_value(self->devices_dir, "devices.allow", text, error))
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
  if (self->devices_dir != NULL || self->unified_dir != NULL) {
    g_autoptr(GArray) rules = device_rules(self, def, error);

    if (rules == NULL || (self->devices_dir != NULL && !write_device_acl(self, rules, error)) ||
        (self->devices_dir == NULL && !vb_cgroup_bpf_attach(self->unified_dir, rules, error))) {
      vb_cgroup_remove(self);
      return FALSE;
    }
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
  g_free(self->unified_dir);
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
