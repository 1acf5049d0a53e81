/* vb-security-remember.c: a file's first owner or label, kept on the file itself.
 *
 * What a security driver changes on a file it first remembers in an extended attribute of
 * its own (trusted.virtbus.dac, trusted.virtbus.selinux) as "VALUE:COUNT", COUNT being how
 * many running domains use the file: a daemon restart, a crash, or two domains sharing a
 * read-only or shareable image all give the file back once, when its last user stops, as
 * libvirt's remember_owner does. VALUE may hold colons (an SELinux context): COUNT is after
 * the last one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/xattr.h>

#include "vb-error.h"
#include "vb-security-private.h"

/* An SELinux context is at most a few hundred bytes; anything longer is not ours */
#define REMEMBER_MAX 1024

static gboolean
read_value(const char *path, const char *name, char **value, guint32 *count)
{
  char text[REMEMBER_MAX + 1];
  ssize_t length = getxattr(path, name, text, REMEMBER_MAX);
  const char *colon;
  guint64 n;

  if (length <= 0)
    return FALSE;
  text[length] = '\0';
  colon = strrchr(text, ':');
  if (colon == NULL || colon == text ||
      !g_ascii_string_to_unsigned(colon + 1, 10, 1, G_MAXUINT32, &n, NULL))
    return FALSE;
  *value = g_strndup(text, (gsize)(colon - text));
  *count = (guint32)n;
  return TRUE;
}

static gboolean
write_value(const char *path, const char *name, const char *value, guint32 count, GError **error)
{
  g_autofree char *text = g_strdup_printf("%s:%u", value, count);

  if (strlen(text) > REMEMBER_MAX || setxattr(path, name, text, strlen(text), 0) != 0) {
    int saved = strlen(text) > REMEMBER_MAX ? E2BIG : errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot remember the %s of %s (%s): %s",
                g_str_has_suffix(name, ".dac") ? "owner" : "label", path, name, g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

/**
 * vb_remember_take:
 * @current: what @path has now: remembered unless a running domain remembered it already
 *
 * One more running domain uses @path.
 */
gboolean
vb_remember_take(const char *path, const char *name, const char *current, GError **error)
{
  g_autofree char *first = NULL;
  guint32 count;

  if (read_value(path, name, &first, &count))
    return count == G_MAXUINT32 || write_value(path, name, first, count + 1, error);
  return write_value(path, name, current, 1, error);
}

/**
 * vb_remember_release:
 * @first: (out) (transfer full): with %VB_REMEMBER_LAST, what to give @path back
 *
 * One running domain less uses @path. With %VB_REMEMBER_LAST the caller restores @first,
 * then vb_remember_forget()s.
 */
VbRemember
vb_remember_release(const char *path, const char *name, char **first)
{
  g_autofree char *value = NULL;
  guint32 count;

  if (!read_value(path, name, &value, &count))
    return VB_REMEMBER_NONE; /* not ours: someone else's, or given back already */
  if (count > 1) {
    g_autoptr(GError) error = NULL;

    if (!write_value(path, name, value, count - 1, &error))
      g_warning("%s", error->message);
    return VB_REMEMBER_KEPT;
  }
  *first = g_steal_pointer(&value);
  return VB_REMEMBER_LAST;
}

void
vb_remember_forget(const char *path, const char *name)
{
  if (removexattr(path, name) != 0 && errno != ENOENT && errno != ENODATA)
    g_warning("cannot forget the remembered %s of %s: %s", name, path, g_strerror(errno));
}
