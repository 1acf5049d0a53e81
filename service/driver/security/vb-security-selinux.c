/* vb-security-selinux.c: SELinux sVirt, the files. Each file QEMU opens gets a label its
 * domain's process label may use: an image the domain's image label (the same category pair
 * as the process, so no other domain can open it), a <shareable/> image the policy's image
 * context with no category (every domain may), a <readonly/> image, kernel, initrd or
 * firmware the read-only content context, as the backing files of a qcow2 image are; a disk's
 * own <seclabel model='selinux'> gives its label or relabel='no'. The first label is remembered
 * (trusted.virtbus.selinux, counted as vb-security-remember.c does) and given back when the last
 * domain using the file stops; without remember_owner a file goes back to the label the policy's
 * file contexts give it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <selinux/label.h>
#include <selinux/selinux.h>
#include <sys/stat.h>

#include "vb-error.h"
#include "vb-security-private.h"

#define SELINUX_XATTR "trusted.virtbus.selinux"

static void
file_free(VbSelinuxFile *file)
{
  g_free(file->path);
  g_free(file->label);
  g_free(file);
}

static void
add_full(GPtrArray *files, const char *path, const char *label, gboolean own)
{
  VbSelinuxFile *file;

  if (path == NULL || label == NULL || !g_path_is_absolute(path))
    return;
  for (guint i = 0; i < files->len; i++) {
    if (g_str_equal(((VbSelinuxFile *)files->pdata[i])->path, path))
      return; /* the first use decides, as for DAC */
  }
  file = g_new0(VbSelinuxFile, 1);
  file->path = g_strdup(path);
  file->label = g_strdup(label);
  file->own = own;
  g_ptr_array_add(files, file);
}

static void
add(GPtrArray *files, const char *path, const char *label)
{
  add_full(files, path, label, FALSE);
}

/* The label of @disk's image, or NULL when it keeps its own. */
static const char *
disk_label(const VbSecurityHost *host, const VbSeclabelDef *domain, const VbDiskDef *disk)
{
  for (guint i = 0; i < disk->seclabels->len; i++) {
    const VbDeviceSeclabelDef *own = disk->seclabels->pdata[i];

    if (own->model == VB_ABSENT || own->model == VB_SECMODEL_SELINUX)
      return own->relabel ? own->label : NULL;
  }
  if (disk->readonly)
    return host->selinux.content;
  if (disk->shareable)
    return host->selinux.file;
  return domain->imagelabel;
}

static void
add_chardev(GPtrArray *files, const VbChrSource *source, const char *label)
{
  /* as for DAC: a socket QEMU listens on it makes itself, in its own labelled directory */
  if (source->type == VB_CHR_FILE || (source->type == VB_CHR_UNIX && source->unix_mode == 1))
    add(files, source->path, label);
}

/**
 * vb_selinux_files_of:
 * @own_dirs: the domain's own directories (vb_security_start_new())
 * @own_files: its own files
 *
 * Each file of @def QEMU opens with the label it gets, when SELinux confines @def and
 * relabels for it.
 *
 * Returns: (transfer full) (element-type VbSelinuxFile)
 */
GPtrArray *
vb_selinux_files_of(const VbSecurityHost *host,
                    const VbQemuConf *conf,
                    const VbDomainDef *def,
                    const char *const *own_dirs,
                    const char *const *own_files)
{
  GPtrArray *files = g_ptr_array_new_with_free_func((GDestroyNotify)file_free);
  const VbSeclabelDef *domain = vb_security_find_seclabel(def, VB_SECMODEL_SELINUX);
  const char *image;

  if (conf->instance != VB_INSTANCE_SYSTEM || host->primary != VB_SECMODEL_SELINUX ||
      domain == NULL || domain->type == VB_SECLABEL_NONE || !domain->relabel ||
      domain->imagelabel == NULL)
    return files;
  image = domain->imagelabel;
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];

    if (disk->type == VB_DISK_TYPE_FILE || disk->type == VB_DISK_TYPE_BLOCK) {
      const char *label = disk_label(host, domain, disk);
      g_autoptr(GPtrArray) backing = NULL;

      add(files, disk->source, label);
      /* QEMU reads the layers below read-only: content, as libvirt labels them */
      if (label != NULL) {
        backing = vb_security_disk_backing(disk);
        for (guint j = 0; j < backing->len; j++)
          add(files, backing->pdata[j], host->selinux.content);
      }
    }
  }
  add(files, def->os.kernel, host->selinux.content);
  add(files, def->os.initrd, host->selinux.content);
  add(files, def->os.loader, host->selinux.content);
  for (guint i = 0; i < def->serials->len; i++)
    add_chardev(files, &((const VbSerialDef *)def->serials->pdata[i])->source, image);
  for (guint i = 0; i < def->consoles->len; i++)
    add_chardev(files, &((const VbSerialDef *)def->consoles->pdata[i])->source, image);
  for (guint i = 0; i < def->channels->len; i++)
    add_chardev(files, &((const VbChannelDef *)def->channels->pdata[i])->source, image);
  for (guint i = 0; own_dirs != NULL && own_dirs[i] != NULL; i++)
    add_full(files, own_dirs[i], image, TRUE);
  for (guint i = 0; own_files != NULL && own_files[i] != NULL; i++)
    add_full(files, own_files[i], image, TRUE);
  return files;
}

/**
 * vb_selinux_label:
 *
 * Gives @file its label, its first one remembered when @remember (never for the domain's own
 * files, which keep theirs). A file system with no
 * labels (ENOTSUP: NFS without security labels, for one) is left as it is.
 */
gboolean
vb_selinux_label(const VbSelinuxFile *file, gboolean remember, GError **error)
{
  char *current = NULL;
  int saved;

  if (getfilecon_raw(file->path, &current) < 0) {
    saved = errno;
    if (saved == ENOTSUP || saved == ENODATA)
      return TRUE;
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot read the SELinux label of %s: %s",
                file->path, g_strerror(saved));
    return FALSE;
  }
  remember = remember && !file->own;
  if (remember && !vb_remember_take(file->path, SELINUX_XATTR, current, error)) {
    freecon(current);
    return FALSE;
  }
  if (g_strcmp0(current, file->label) != 0 && setfilecon_raw(file->path, file->label) < 0) {
    saved = errno;
    freecon(current);
    if (remember)
      vb_selinux_restore(file, remember);
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot label %s %s for QEMU: %s", file->path,
                file->label, g_strerror(saved));
    return FALSE;
  }
  freecon(current);
  return TRUE;
}

/* The label the policy's file contexts give @path. */
static char *
default_label(const char *path)
{
  struct selabel_handle *handle = selabel_open(SELABEL_CTX_FILE, NULL, 0);
  char *label = NULL;
  struct stat st;

  if (handle == NULL)
    return NULL;
  if (stat(path, &st) != 0 || selabel_lookup_raw(handle, &label, path, (int)st.st_mode) < 0)
    label = NULL;
  selabel_close(handle);
  return label;
}

/**
 * vb_selinux_restore:
 *
 * Undoes one vb_selinux_label().
 */
void
vb_selinux_restore(const VbSelinuxFile *file, gboolean remember)
{
  g_autofree char *first = NULL;
  char *fallback = NULL;
  const char *label;

  if (file->own)
    return;
  if (remember) {
    if (vb_remember_release(file->path, SELINUX_XATTR, &first) != VB_REMEMBER_LAST)
      return;
    label = first;
  } else {
    label = fallback = default_label(file->path);
    if (label == NULL)
      return;
  }
  if (setfilecon_raw(file->path, label) < 0 && errno != ENOENT)
    g_warning("cannot give %s its SELinux label %s back: %s", file->path, label, g_strerror(errno));
  if (remember)
    vb_remember_forget(file->path, SELINUX_XATTR);
  freecon(fallback);
}
