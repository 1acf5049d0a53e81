/* vb-security-dac.c: POSIX ownership of the files QEMU opens (qemu.conf dynamic_ownership).
 *
 * A file is given to QEMU's user and group at start and given back at stop. With
 * remember_owner (the default) the first owner is kept on the file itself, in the extended
 * attribute trusted.virtbus.dac as "UID:GID:COUNT", COUNT being how many running domains use
 * it: a daemon restart, a crash, or two domains sharing a read-only or shareable image all
 * give the file back to that owner once, when the last user stops. Without it, a file given
 * back goes to root:root, as libvirt does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-security-private.h"

#define DAC_XATTR "trusted.virtbus.dac"
/* "UID:GID:COUNT" with 32-bit numbers, and its end */
#define DAC_XATTR_MAX 40

static gboolean
read_remembered(const char *path, guint32 *uid, guint32 *gid, guint32 *count)
{
  char value[DAC_XATTR_MAX + 1];
  ssize_t length = getxattr(path, DAC_XATTR, value, DAC_XATTR_MAX);
  g_auto(GStrv) parts = NULL;
  guint64 n[3];

  if (length <= 0)
    return FALSE;
  value[length] = '\0';
  parts = g_strsplit(value, ":", -1);
  if (g_strv_length(parts) != 3)
    return FALSE;
  for (guint i = 0; i < 3; i++) {
    if (!g_ascii_string_to_unsigned(parts[i], 10, 0, G_MAXUINT32, &n[i], NULL))
      return FALSE;
  }
  *uid = (guint32)n[0];
  *gid = (guint32)n[1];
  *count = (guint32)n[2];
  return TRUE;
}

static gboolean
write_remembered(const char *path, guint32 uid, guint32 gid, guint32 count, GError **error)
{
  g_autofree char *value = g_strdup_printf("%u:%u:%u", uid, gid, count);

  if (setxattr(path, DAC_XATTR, value, strlen(value), 0) != 0) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot remember the owner of %s (%s): %s", path,
                DAC_XATTR, g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

/**
 * vb_dac_own:
 *
 * Gives @path to @uid:@gid, remembering its owner first when @remember.
 */
gboolean
vb_dac_own(const char *path, uid_t uid, gid_t gid, gboolean remember, GError **error)
{
  struct stat st;
  guint32 first_uid, first_gid, count;

  if (stat(path, &st) != 0) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot give %s to QEMU's user: %s", path,
                g_strerror(saved));
    return FALSE;
  }
  if (remember) {
    if (read_remembered(path, &first_uid, &first_gid, &count)) {
      if (!write_remembered(path, first_uid, first_gid, count + 1, error))
        return FALSE;
    } else if (!write_remembered(path, (guint32)st.st_uid, (guint32)st.st_gid, 1, error)) {
      return FALSE;
    }
  }
  if ((st.st_uid != uid || st.st_gid != gid) && chown(path, uid, gid) != 0) {
    int saved = errno;

    if (remember)
      vb_dac_give_back(path, remember);
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot give %s to QEMU's user (%u:%u): %s", path,
                (guint)uid, (guint)gid, g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

/**
 * vb_dac_give_back:
 *
 * Undoes one vb_dac_own(): with @remember, the remembered owner gets the file when no other
 * running domain uses it; a file with nothing remembered is left as it is.
 */
void
vb_dac_give_back(const char *path, gboolean remember)
{
  guint32 uid = 0, gid = 0, count = 0;

  if (remember) {
    if (!read_remembered(path, &uid, &gid, &count))
      return; /* not ours to give back: someone else's, or given back already */
    if (count > 1) {
      g_autoptr(GError) error = NULL;

      if (!write_remembered(path, uid, gid, count - 1, &error))
        g_warning("%s", error->message);
      return;
    }
  }
  if (chown(path, (uid_t)uid, (gid_t)gid) != 0 && errno != ENOENT)
    g_warning("cannot give %s back to %u:%u: %s", path, uid, gid, g_strerror(errno));
  if (remember && removexattr(path, DAC_XATTR) != 0 && errno != ENOENT)
    g_warning("cannot forget the owner of %s: %s", path, g_strerror(errno));
}

static gboolean
in_groups(gid_t gid, const VbSecurityChild *who)
{
  if (gid == who->gid)
    return TRUE;
  for (int i = 0; i < who->n_groups; i++) {
    if (who->groups[i] == gid)
      return TRUE;
  }
  return FALSE;
}

/**
 * vb_dac_check_reachable:
 *
 * Whether QEMU's user can search every directory above @path. The error names the first that
 * it cannot, and what to do; QEMU itself would only say "Permission denied".
 */
gboolean
vb_dac_check_reachable(const char *path, const VbSecurityChild *who, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);

  if (!g_path_is_absolute(path))
    return TRUE; /* the parser refuses relative paths where QEMU opens them */
  while (TRUE) {
    char *parent = g_path_get_dirname(dir);

    g_ptr_array_insert(dirs, 0, g_steal_pointer(&dir));
    if (g_str_equal(parent, (const char *)dirs->pdata[0])) {
      g_free(parent);
      break;
    }
    dir = parent;
  }
  for (guint i = 0; i < dirs->len; i++) {
    const char *current = dirs->pdata[i];
    struct stat st;
    mode_t bit;

    if (stat(current, &st) != 0)
      return TRUE; /* a missing directory: QEMU's own error names the file */
    bit = st.st_uid == who->uid ? S_IXUSR : in_groups(st.st_gid, who) ? S_IXGRP : S_IXOTH;
    if ((st.st_mode & bit) == 0) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "QEMU runs as %u:%u and cannot reach %s: the directory %s is not searchable "
                  "for it; let it through with 'chmod o+x %s' (or keep the file in a directory "
                  "QEMU's user can reach)",
                  (guint)who->uid, (guint)who->gid, path, current, current);
      return FALSE;
    }
  }
  return TRUE;
}
