/* vb-security.c: the plan of a start (who QEMU runs as, its label or profile, the files it is
 * given), its undo, and the restore at stop. vb-security.h says the order.
 *
 * Only the system instance confines: the session and embedded instances run QEMU as their
 * caller, who owns the files already and has no privilege to give away. Which of the DAC
 * steps apply is decided once, by gives_files(), for the start and the stop alike.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-security-private.h"

/* More supplementary groups than any user needs (NGROUPS_MAX is 65536): bounded all the same */
#define MAX_GROUPS 1024
/* A kernel that does not say: CAP_CHECKPOINT_RESTORE, the highest in Linux 6.x */
#define CAP_LAST_FALLBACK 40

struct _VbSecurityStart {
  VbSecurityHost *host; /* (owned) (nullable) */
  VbQemuConf *conf;     /* (owned) */
  VbDomainDef *def;     /* (owned): a copy of the live definition, labels assigned */
  VbSecurityChild child;
  GPtrArray *files;     /* (owned) (element-type filename): given to QEMU, given back at stop */
  GPtrArray *own_paths; /* (owned) (element-type filename): the domain's own, QEMU's for good */
  GStrv own_dirs, own_files;
  GPtrArray *labelled; /* (owned) (element-type VbSelinuxFile): SELinux labels to give */
  GPtrArray *chardevs; /* (owned) (element-type filename): chardev files made if missing */
  guint n_owned;       /* how many of files prepare gave, for an undo */
  guint n_labelled;    /* how many of labelled prepare labelled */
  gboolean loaded;     /* the AppArmor profile is in the kernel */
};

static gboolean
confines(const VbQemuConf *conf)
{
  return conf->instance == VB_INSTANCE_SYSTEM;
}

/* Who QEMU runs as, from the domain's DAC label: the static one it gives, else qemu.conf's. */
static void
dac_ids(const VbQemuConf *conf, const VbDomainDef *def, uid_t *uid, gid_t *gid)
{
  const VbSeclabelDef *label = vb_security_find_seclabel(def, VB_SECMODEL_DAC);

  *uid = conf->uid;
  *gid = conf->gid;
  if (label != NULL && label->type == VB_SECLABEL_STATIC)
    vb_dac_parse_label(label->label, uid, gid, NULL);
}

/* Whether a start gives files away at all: only to another user than the daemon's. */
static gboolean
gives_files(const VbQemuConf *conf, const VbDomainDef *def)
{
  uid_t uid;
  gid_t gid;

  if (!confines(conf))
    return FALSE;
  dac_ids(conf, def, &uid, &gid);
  return uid != geteuid() || gid != getegid();
}

/* <seclabel model='dac' relabel='no'> on the domain: no file is given to QEMU. */
static gboolean
dac_relabels(const VbDomainDef *def)
{
  for (guint i = 0; i < def->seclabels->len; i++) {
    const VbSeclabelDef *label = def->seclabels->pdata[i];

    if (label->model == VB_SECMODEL_DAC && !label->relabel)
      return FALSE;
  }
  return TRUE;
}

static gboolean
disk_relabels(const VbDiskDef *disk)
{
  for (guint i = 0; i < disk->seclabels->len; i++) {
    const VbDeviceSeclabelDef *label = disk->seclabels->pdata[i];

    if ((label->model == VB_ABSENT || label->model == VB_SECMODEL_DAC) && !label->relabel)
      return FALSE;
  }
  return TRUE;
}

static void
add_file(GPtrArray *files, const char *path)
{
  if (path == NULL || !g_path_is_absolute(path))
    return;
  for (guint i = 0; i < files->len; i++) {
    if (g_str_equal(files->pdata[i], path))
      return;
  }
  g_ptr_array_add(files, g_strdup(path));
}

static void
add_chardev(GPtrArray *files, const VbChrSource *source)
{
  /* a file QEMU appends to, a socket it connects to; one it listens on it makes itself */
  if (source->type == VB_CHR_FILE ||
      (source->type == VB_CHR_UNIX && source->unix_mode == 1 /* connect */))
    add_file(files, source->path);
}

/**
 * vb_security_files_of:
 *
 * The files of @def QEMU must open, each once: disks (with the backing files of qcow2 ones),
 * kernel, initrd, firmware, and the files and sockets of its character devices; none when
 * qemu.conf's dynamic_ownership is off or the domain's DAC label says relabel='no', and no disk
 * whose own label says so.
 *
 * Returns: (transfer full) (element-type filename)
 */
GPtrArray *
vb_security_files_of(const VbQemuConf *conf, const VbDomainDef *def)
{
  GPtrArray *files = g_ptr_array_new_with_free_func(g_free);

  if (!confines(conf) || !conf->dynamic_ownership || !dac_relabels(def))
    return files;
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];

    if ((disk->type == VB_DISK_TYPE_FILE || disk->type == VB_DISK_TYPE_BLOCK) &&
        disk_relabels(disk)) {
      g_autoptr(GPtrArray) backing = vb_security_disk_backing(disk);

      add_file(files, disk->source);
      for (guint j = 0; j < backing->len; j++)
        add_file(files, backing->pdata[j]);
    }
  }
  add_file(files, def->os.kernel);
  add_file(files, def->os.initrd);
  add_file(files, def->os.loader);
  for (guint i = 0; i < def->serials->len; i++)
    add_chardev(files, &((const VbSerialDef *)def->serials->pdata[i])->source);
  for (guint i = 0; i < def->consoles->len; i++)
    add_chardev(files, &((const VbSerialDef *)def->consoles->pdata[i])->source);
  for (guint i = 0; i < def->channels->len; i++)
    add_chardev(files, &((const VbChannelDef *)def->channels->pdata[i])->source);
  return files;
}

static int
cap_last(void)
{
  g_autofree char *text = NULL;
  guint64 value;

  if (g_file_get_contents("/proc/sys/kernel/cap_last_cap", &text, NULL, NULL) &&
      g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, 63, &value, NULL))
    return (int)value;
  return CAP_LAST_FALLBACK;
}

/* The user's supplementary groups, from the group database (none for a bare +UID). */
static void
find_groups(VbSecurityChild *child)
{
  struct passwd pw, *found = NULL;
  char buffer[4096];
  int n = MAX_GROUPS;

  child->groups = g_new0(gid_t, MAX_GROUPS);
  if (getpwuid_r(child->uid, &pw, buffer, sizeof buffer, &found) != 0 || found == NULL) {
    child->groups[0] = child->gid;
    child->n_groups = 1;
    return;
  }
  if (getgrouplist(pw.pw_name, child->gid, child->groups, &n) < 0)
    n = MAX_GROUPS; /* more than we take: the first MAX_GROUPS */
  child->n_groups = n;
}

/* The label (SELinux) or profile (AppArmor) QEMU execs into, if any. */
static char *
exec_label(const VbSecurityHost *host, const VbDomainDef *def, VbSecModel model)
{
  const VbSeclabelDef *label;

  if (host == NULL || host->primary != model)
    return NULL;
  label = vb_security_find_seclabel(def, model);
  if (label == NULL || label->type == VB_SECLABEL_NONE)
    return NULL;
  return g_strdup(label->label);
}

static void
add_chardev_file(GPtrArray *files, const VbChrSource *source)
{
  if (source->type == VB_CHR_FILE && source->path != NULL && g_path_is_absolute(source->path))
    g_ptr_array_add(files, g_strdup(source->path));
}

/**
 * vb_security_start_new:
 * @host: (nullable): what the host offers; %NULL applies DAC only
 * @def: the live definition, its labels assigned (vb_security_assign_labels())
 * @own_dirs: (nullable) (array zero-terminated=1): the domain's own directories (runtime,
 *   state), made by virtbus for it: QEMU's user gets them for good
 * @own_files: (nullable) (array zero-terminated=1): its own files (NVRAM), the same
 *
 * Step 1: the plan of a start. Pure: it reads qemu.conf and @def only.
 */
VbSecurityStart *
vb_security_start_new(VbSecurityHost *host,
                      const VbQemuConf *conf,
                      const VbDomainDef *def,
                      const char *const *own_dirs,
                      const char *const *own_files,
                      GError **error)
{
  g_autoptr(VbSecurityStart) self = g_new0(VbSecurityStart, 1);

  self->host = host != NULL ? vb_security_host_ref(host) : NULL;
  self->conf = vb_qemu_conf_ref((VbQemuConf *)conf);
  self->def = vb_domain_def_copy(def);
  self->files = vb_security_files_of(conf, def);
  self->own_paths = g_ptr_array_new_with_free_func(g_free);
  self->own_dirs = g_strdupv((char **)own_dirs);
  self->own_files = g_strdupv((char **)own_files);
  self->chardevs = g_ptr_array_new_with_free_func(g_free);
  self->labelled =
      host != NULL ? vb_selinux_files_of(host, conf, def, own_dirs, own_files) : g_ptr_array_new();
  if (!confines(conf))
    return g_steal_pointer(&self);
  if (conf->uid == (uid_t)-1 || conf->gid == (gid_t)-1) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s names no user or group QEMU can run as", conf->filename);
    return NULL;
  }
  dac_ids(conf, def, &self->child.uid, &self->child.gid);
  self->child.change_ids = gives_files(conf, def);
  /* root keeps its capabilities unless qemu.conf asks otherwise, as the reference says */
  self->child.clear_caps = self->child.uid != 0 || conf->clear_emulator_capabilities;
  self->child.cap_last = cap_last();
  self->child.exec_label = exec_label(host, def, VB_SECMODEL_SELINUX);
  self->child.profile = exec_label(host, def, VB_SECMODEL_APPARMOR);
  if (self->child.change_ids)
    find_groups(&self->child);
  for (guint i = 0; own_dirs != NULL && own_dirs[i] != NULL; i++)
    g_ptr_array_add(self->own_paths, g_strdup(own_dirs[i]));
  for (guint i = 0; own_files != NULL && own_files[i] != NULL; i++)
    g_ptr_array_add(self->own_paths, g_strdup(own_files[i]));
  for (guint i = 0; i < def->serials->len; i++)
    add_chardev_file(self->chardevs, &((const VbSerialDef *)def->serials->pdata[i])->source);
  for (guint i = 0; i < def->consoles->len; i++)
    add_chardev_file(self->chardevs, &((const VbSerialDef *)def->consoles->pdata[i])->source);
  for (guint i = 0; i < def->channels->len; i++)
    add_chardev_file(self->chardevs, &((const VbChannelDef *)def->channels->pdata[i])->source);
  return g_steal_pointer(&self);
}

/* A chardev's file QEMU will write: made now (0600, the daemon's) when missing, so that it
 * can be given to QEMU and labelled like any other, as libvirt does. */
static gboolean
make_chardev_files(VbSecurityStart *self, GError **error)
{
  for (guint i = 0; i < self->chardevs->len; i++) {
    const char *path = self->chardevs->pdata[i];
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

    if (fd < 0) {
      int saved = errno;

      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot make the chardev file %s: %s", path,
                  g_strerror(saved));
      return FALSE;
    }
    close(fd);
  }
  return TRUE;
}

/**
 * vb_security_start_prepare:
 *
 * Step 2, on a worker: each file reachable by QEMU's user, then given to it. On failure what
 * was given is given back, and the error names the file (or the directory in the way).
 */
gboolean
vb_security_start_prepare(VbSecurityStart *self, GError **error)
{
  if (!confines(self->conf))
    return TRUE;
  if (!make_chardev_files(self, error))
    return FALSE;
  if (self->child.change_ids) {
    for (guint i = 0; i < self->files->len; i++) {
      if (!vb_dac_check_reachable(self->files->pdata[i], &self->child, error))
        return FALSE;
    }
    for (guint i = 0; i < self->own_paths->len; i++) {
      const char *path = self->own_paths->pdata[i];

      if (chown(path, self->child.uid, self->child.gid) != 0 && errno != ENOENT) {
        int saved = errno;

        g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot give %s to QEMU's user: %s", path,
                    g_strerror(saved));
        return FALSE;
      }
    }
    for (; self->n_owned < self->files->len; self->n_owned++) {
      if (!vb_dac_own(self->files->pdata[self->n_owned], self->child.uid, self->child.gid,
                      self->conf->remember_owner, error)) {
        vb_security_start_undo(self);
        return FALSE;
      }
    }
  }
  for (; self->n_labelled < self->labelled->len; self->n_labelled++) {
    if (!vb_selinux_label(self->labelled->pdata[self->n_labelled], self->conf->remember_owner,
                          error)) {
      vb_security_start_undo(self);
      return FALSE;
    }
  }
  if (self->child.profile != NULL && self->host->primary == VB_SECMODEL_APPARMOR &&
      vb_security_find_seclabel(self->def, VB_SECMODEL_APPARMOR)->type == VB_SECLABEL_DYNAMIC) {
    if (!vb_apparmor_load(self->host, self->def, (const char *const *)self->own_dirs,
                          (const char *const *)self->own_files, error)) {
      vb_security_start_undo(self);
      return FALSE;
    }
    self->loaded = TRUE;
  }
  return TRUE;
}

/**
 * vb_security_start_undo:
 *
 * Step 4, on a worker: a start that failed gives back what prepare gave, once, last first.
 */
void
vb_security_start_undo(VbSecurityStart *self)
{
  if (self->loaded)
    vb_apparmor_unload(self->host, self->def);
  self->loaded = FALSE;
  for (; self->n_labelled > 0; self->n_labelled--)
    vb_selinux_restore(self->labelled->pdata[self->n_labelled - 1], self->conf->remember_owner);
  for (; self->n_owned > 0; self->n_owned--)
    vb_dac_give_back(self->files->pdata[self->n_owned - 1], self->conf->remember_owner);
}

const VbSecurityChild *
vb_security_start_get_child(const VbSecurityStart *self)
{
  return &self->child;
}

void
vb_security_start_free(VbSecurityStart *self)
{
  if (self == NULL)
    return;
  g_clear_pointer(&self->host, vb_security_host_unref);
  g_clear_pointer(&self->conf, vb_qemu_conf_unref);
  g_clear_pointer(&self->def, vb_domain_def_free);
  g_ptr_array_unref(self->files);
  g_ptr_array_unref(self->own_paths);
  g_strfreev(self->own_dirs);
  g_strfreev(self->own_files);
  g_ptr_array_unref(self->labelled);
  g_ptr_array_unref(self->chardevs);
  g_free(self->child.groups);
  g_free(self->child.exec_label);
  g_free(self->child.profile);
  g_free(self);
}

/**
 * vb_security_restore:
 * @host: (nullable): as for vb_security_start_new()
 * @live: the definition the domain ran with (from its status after a daemon restart)
 *
 * At a stop, on a worker: the AppArmor profile unloaded, every label and every file given to
 * QEMU given back (a shared one when its last domain stops), in the reverse order of a start.
 */
void
vb_security_restore(const VbSecurityHost *host, const VbQemuConf *conf, const VbDomainDef *live)
{
  g_autoptr(GPtrArray) files = vb_security_files_of(conf, live);
  g_autoptr(GPtrArray) labelled =
      host != NULL ? vb_selinux_files_of(host, conf, live, NULL, NULL) : NULL;
  const VbSeclabelDef *profile = vb_security_find_seclabel(live, VB_SECMODEL_APPARMOR);

  if (!confines(conf))
    return;
  if (host != NULL && host->primary == VB_SECMODEL_APPARMOR && profile != NULL &&
      profile->type == VB_SECLABEL_DYNAMIC)
    vb_apparmor_unload(host, live);
  for (guint i = labelled != NULL ? labelled->len : 0; i > 0; i--)
    vb_selinux_restore(labelled->pdata[i - 1], conf->remember_owner);
  if (!gives_files(conf, live))
    return; /* nothing was given away */
  for (guint i = files->len; i > 0; i--)
    vb_dac_give_back(files->pdata[i - 1], conf->remember_owner);
}

/**
 * vb_security_forget:
 *
 * At undefine, on a worker: the domain's AppArmor profile and its files go.
 */
void
vb_security_forget(const VbSecurityHost *host, const VbDomainDef *def)
{
  if (host != NULL && host->primary == VB_SECMODEL_APPARMOR)
    vb_apparmor_remove(host, def);
}
