/* vb-security-dac.c: POSIX ownership of the files QEMU opens (qemu.conf dynamic_ownership).
 *
 * A file is given to QEMU's user and group at start and given back at stop. With
 * remember_owner (the default) the first owner is kept on the file itself, in
 * trusted.virtbus.dac as "UID:GID:COUNT" (vb-security-remember.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-security-private.h"

#define DAC_XATTR "trusted.virtbus.dac"

/* "UID:GID", as vb-security-remember.c keeps it */
static gboolean
parse_owner(const char *value, uid_t *uid, gid_t *gid)
{
  g_auto(GStrv) parts = g_strsplit(value, ":", -1);
  guint64 n[2];

  if (g_strv_length(parts) != 2)
    return FALSE;
  for (guint i = 0; i < 2; i++) {
    if (!g_ascii_string_to_unsigned(parts[i], 10, 0, G_MAXUINT32 - 1, &n[i], NULL))
      return FALSE;
  }
  *uid = (uid_t)n[0];
  *gid = (gid_t)n[1];
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

  if (stat(path, &st) != 0) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot give %s to QEMU's user: %s", path,
                g_strerror(saved));
    return FALSE;
  }
  if (remember) {
    g_autofree char *owner = g_strdup_printf("%u:%u", (guint)st.st_uid, (guint)st.st_gid);

    if (!vb_remember_take(path, DAC_XATTR, owner, error))
      return FALSE;
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
 * running domain uses it; a file with nothing remembered is left as it is. Without, the file
 * goes to root:root, as libvirt does.
 */
void
vb_dac_give_back(const char *path, gboolean remember)
{
  g_autofree char *first = NULL;
  uid_t uid = 0;
  gid_t gid = 0;

  if (remember) {
    if (vb_remember_release(path, DAC_XATTR, &first) != VB_REMEMBER_LAST)
      return;
    if (!parse_owner(first, &uid, &gid)) {
      g_warning("%s: the remembered owner '%s' is not UID:GID: left as it is", path, first);
      vb_remember_forget(path, DAC_XATTR);
      return;
    }
  }
  if (chown(path, uid, gid) != 0 && errno != ENOENT)
    g_warning("cannot give %s back to %u:%u: %s", path, (guint)uid, (guint)gid, g_strerror(errno));
  if (remember)
    vb_remember_forget(path, DAC_XATTR);
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

static gboolean
parse_id(const char *text, gboolean group, guint32 *id)
{
  guint64 n;
  char buffer[4096];

  if (text[0] == '+')
    return g_ascii_string_to_unsigned(text + 1, 10, 0, G_MAXUINT32 - 1, &n, NULL) &&
           (*id = (guint32)n, TRUE);
  if (group) {
    struct group gr, *found = NULL;

    if (getgrnam_r(text, &gr, buffer, sizeof buffer, &found) != 0 || found == NULL)
      return FALSE;
    *id = found->gr_gid;
  } else {
    struct passwd pw, *found = NULL;

    if (getpwnam_r(text, &pw, buffer, sizeof buffer, &found) != 0 || found == NULL)
      return FALSE;
    *id = found->pw_uid;
  }
  return TRUE;
}

/**
 * vb_dac_parse_label:
 *
 * A static DAC label, "USER:GROUP", each a name or "+NUMBER" as in qemu.conf.
 */
gboolean
vb_dac_parse_label(const char *label, uid_t *uid, gid_t *gid, GError **error)
{
  g_auto(GStrv) parts = label != NULL ? g_strsplit(label, ":", -1) : NULL;
  guint32 u, g;

  if (parts == NULL || g_strv_length(parts) != 2 || !parse_id(parts[0], FALSE, &u) ||
      !parse_id(parts[1], TRUE, &g)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "the label '%s' is not USER:GROUP (names this host knows, or +UID:+GID)",
                label != NULL ? label : "");
    return FALSE;
  }
  *uid = (uid_t)u;
  *gid = (gid_t)g;
  return TRUE;
}
