/* vb-security-apparmor.c: AppArmor sVirt. Each confined domain has a profile of its own,
 * virtbus-UUID in /etc/apparmor.d/virtbus/: made once from TEMPLATE.qemu (an administrator's
 * edits to it are kept), including virtbus-UUID.files, which lists exactly the paths this
 * domain needs and is written anew at every start. apparmor_parser loads it before QEMU is
 * spawned, the child asks for it at exec (aa_change_onexec), it is unloaded at every stop and
 * its files are removed at undefine.
 *
 * A path goes into the profile quoted, with AppArmor's pattern characters escaped so that
 * "/images/a*b.img" means that file and no other; a path with a control character or a
 * newline is refused (it cannot be written into a profile safely).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vb-error.h"
#include "vb-security-private.h"

#define PROFILE_PREFIX "virtbus-"
#define TEMPLATE_NAME "VIRTBUS_PROFILE"

char *
vb_apparmor_profile_name(const VbDomainDef *def)
{
  g_autofree char *uuid = vb_domain_def_get_uuid_string(def);

  return g_strconcat(PROFILE_PREFIX, uuid, NULL);
}

/* A rule for @path, then @glob (unescaped: a pattern) after it, with @perms. */
static gboolean
add_rule_glob(GString *text, const char *path, const char *glob, const char *perms, GError **error)
{
  if (path == NULL || !g_path_is_absolute(path))
    return TRUE;
  for (const char *c = path; *c != '\0'; c++) {
    if ((guchar)*c < 0x20 || *c == 0x7f) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "the path '%s' has a control character: it cannot go into an AppArmor profile",
                  path);
      return FALSE;
    }
  }
  g_string_append(text, "  \"");
  for (const char *c = path; *c != '\0'; c++) {
    if (strchr("\"\\*?[]{}^@", *c) != NULL)
      g_string_append_c(text, '\\');
    g_string_append_c(text, *c);
  }
  g_string_append_printf(text, "%s\" %s,\n", glob, perms);
  return TRUE;
}

static gboolean
add_rule(GString *text, const char *path, const char *perms, GError **error)
{
  return add_rule_glob(text, path, "", perms, error);
}

static gboolean
add_chardev(GString *text, const VbChrSource *source, GError **error)
{
  if (source->type == VB_CHR_FILE || source->type == VB_CHR_UNIX)
    return add_rule(text, source->path, "rw", error);
  return TRUE;
}

/**
 * vb_apparmor_files_text:
 * @own_dirs: (array zero-terminated=1) (nullable): the domain's own directories
 * @own_files: (array zero-terminated=1) (nullable): its own files (NVRAM)
 *
 * The .files include of @def's profile: every path QEMU opens for it, with what it may do.
 *
 * Returns: (transfer full) (nullable)
 */
char *
vb_apparmor_files_text(const VbDomainDef *def,
                       const char *const *own_dirs,
                       const char *const *own_files,
                       GError **error)
{
  g_autoptr(GString) text = g_string_new(NULL);
  g_autofree char *uuid = vb_domain_def_get_uuid_string(def);

  g_string_append_printf(text,
                         "# The paths of domain '%s' (%s), written by virtbus at every start: "
                         "edits here are lost.\n",
                         def->name, uuid);
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];

    g_autoptr(GPtrArray) backing = NULL;

    if (disk->type != VB_DISK_TYPE_FILE && disk->type != VB_DISK_TYPE_BLOCK)
      continue;
    if (!add_rule(text, disk->source, disk->readonly ? "rk" : "rwk", error))
      return NULL;
    /* the layers below a qcow2 image, which QEMU opens read-only */
    backing = vb_security_disk_backing(disk);
    for (guint j = 0; j < backing->len; j++)
      if (!add_rule(text, backing->pdata[j], "rk", error))
        return NULL;
  }
  if (!add_rule(text, def->os.kernel, "r", error) || !add_rule(text, def->os.initrd, "r", error) ||
      !add_rule(text, def->os.loader, "rk", error))
    return NULL;
  for (guint i = 0; i < def->serials->len; i++)
    if (!add_chardev(text, &((const VbSerialDef *)def->serials->pdata[i])->source, error))
      return NULL;
  for (guint i = 0; i < def->consoles->len; i++)
    if (!add_chardev(text, &((const VbSerialDef *)def->consoles->pdata[i])->source, error))
      return NULL;
  for (guint i = 0; i < def->channels->len; i++)
    if (!add_chardev(text, &((const VbChannelDef *)def->channels->pdata[i])->source, error))
      return NULL;
  for (guint i = 0; own_files != NULL && own_files[i] != NULL; i++)
    if (!add_rule(text, own_files[i], "rwk", error))
      return NULL;
  for (guint i = 0; own_dirs != NULL && own_dirs[i] != NULL; i++) {
    if (!add_rule(text, own_dirs[i], "r", error) ||
        !add_rule_glob(text, own_dirs[i], "/**", "rwk", error))
      return NULL;
  }
  return g_string_free(g_steal_pointer(&text), FALSE);
}

/**
 * vb_apparmor_profile_text:
 *
 * The profile of @name from @template: the template's name replaced.
 *
 * Returns: (transfer full)
 */
char *
vb_apparmor_profile_text(const char *template, const char *name)
{
  g_autoptr(GString) text = g_string_new(template);

  g_string_replace(text, TEMPLATE_NAME, name, 0);
  return g_string_free(g_steal_pointer(&text), FALSE);
}

static gboolean
run_parser(const VbSecurityHost *host, const char *option, const char *profile, GError **error)
{
  const char *argv[] = {
      host->apparmor.parser, option, "-I", host->apparmor.base, "--", profile, NULL};
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;

  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out, &err,
                    &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, NULL)) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "%s %s %s failed: %s", host->apparmor.parser,
                option, profile, err != NULL ? g_strstrip(err) : "");
    return FALSE;
  }
  return TRUE;
}

static char *
profile_path(const VbSecurityHost *host, const VbDomainDef *def, const char *suffix)
{
  g_autofree char *name = vb_apparmor_profile_name(def);
  g_autofree char *file = g_strconcat(name, suffix, NULL);

  return g_build_filename(host->apparmor.dir, file, NULL);
}

/**
 * vb_apparmor_load:
 *
 * Blocking. Writes @def's profile (once) and its .files (always), then loads it.
 */
gboolean
vb_apparmor_load(const VbSecurityHost *host,
                 const VbDomainDef *def,
                 const char *const *own_dirs,
                 const char *const *own_files,
                 GError **error)
{
  g_autofree char *profile = profile_path(host, def, "");
  g_autofree char *files_path = profile_path(host, def, ".files");
  g_autofree char *files = vb_apparmor_files_text(def, own_dirs, own_files, error);

  if (files == NULL)
    return FALSE;
  if (!g_file_test(profile, G_FILE_TEST_EXISTS)) {
    g_autofree char *template_path = g_build_filename(host->apparmor.dir, "TEMPLATE.qemu", NULL);
    g_autofree char *template = NULL;
    g_autofree char *name = vb_apparmor_profile_name(def);
    g_autofree char *text = NULL;

    if (!g_file_get_contents(template_path, &template, NULL, error))
      return FALSE;
    text = vb_apparmor_profile_text(template, name);
    if (!g_file_set_contents_full(profile, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
      return FALSE;
  }
  if (!g_file_set_contents_full(files_path, files, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  return run_parser(host, "-r", profile, error);
}

/**
 * vb_apparmor_unload:
 *
 * Blocking. The profile leaves the kernel; its files stay, for the next start.
 */
void
vb_apparmor_unload(const VbSecurityHost *host, const VbDomainDef *def)
{
  g_autofree char *profile = profile_path(host, def, "");
  g_autoptr(GError) error = NULL;

  if (g_file_test(profile, G_FILE_TEST_EXISTS) && !run_parser(host, "-R", profile, &error))
    g_warning("%s", error->message);
}

/**
 * vb_apparmor_remove:
 *
 * Blocking: at undefine, the profile's files go.
 */
void
vb_apparmor_remove(const VbSecurityHost *host, const VbDomainDef *def)
{
  g_autofree char *profile = profile_path(host, def, "");
  g_autofree char *files = profile_path(host, def, ".files");

  if (g_unlink(profile) != 0 && errno != ENOENT)
    g_warning("cannot remove %s: %s", profile, g_strerror(errno));
  if (g_unlink(files) != 0 && errno != ENOENT)
    g_warning("cannot remove %s: %s", files, g_strerror(errno));
}
