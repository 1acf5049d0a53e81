/* vb-security-host.c: which security drivers this host offers the system instance, read
 * once when the driver opens (blocking: from the driver's loading worker).
 *
 * qemu.conf's security_driver decides: unset, the first of SELinux and AppArmor the host has
 * enabled; "none", neither; a list, each must be there (the first one confines QEMU), or
 * the driver does not open. SELinux's contexts come from the policy's own files
 * (virtual_domain_context: the KVM and the TCG process context; virtual_image_context: the
 * image and the read-only content context), never from names written here. AppArmor needs
 * apparmor_parser and the template profile.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <selinux/selinux.h>
#include <sys/apparmor.h>

#include "vb-error.h"
#include "vb-security-private.h"

/* a policy's context files are a few lines */
#define CONTEXT_FILE_MAX 4096

static char **
read_lines(const char *path, guint want, GError **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  g_auto(GStrv) lines = NULL;
  GPtrArray *kept = g_ptr_array_new();

  if (!g_file_get_contents(path, &text, &length, error)) {
    g_ptr_array_unref(kept);
    return NULL;
  }
  if (length > CONTEXT_FILE_MAX) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG, "%s is larger than %d bytes", path,
                CONTEXT_FILE_MAX);
    g_ptr_array_unref(kept);
    return NULL;
  }
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    char *line = g_strstrip(lines[i]);

    if (*line != '\0' && *line != '#')
      g_ptr_array_add(kept, g_strdup(line));
  }
  if (kept->len < want) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s has %u context(s), SELinux's sVirt needs %u", path, kept->len, want);
    g_ptr_array_free(kept, TRUE);
    return NULL;
  }
  g_ptr_array_add(kept, NULL);
  return (char **)g_ptr_array_free(kept, FALSE);
}

static gboolean
probe_selinux(VbSecurityHost *self, GError **error)
{
  g_auto(GStrv) process = NULL, image = NULL;
  const char *path;

  if (is_selinux_enabled() <= 0) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                        "SELinux is not enabled on this host");
    return FALSE;
  }
  path = selinux_virtual_domain_context_path();
  if (path == NULL || (process = read_lines(path, 1, error)) == NULL)
    return FALSE;
  path = selinux_virtual_image_context_path();
  if (path == NULL || (image = read_lines(path, 2, error)) == NULL)
    return FALSE;
  self->selinux.kvm = g_strdup(process[0]);
  /* a policy with no TCG domain runs emulated guests in the KVM one, as libvirt does */
  self->selinux.tcg = g_strdup(process[1] != NULL ? process[1] : process[0]);
  self->selinux.file = g_strdup(image[0]);
  self->selinux.content = g_strdup(image[1]);
  return TRUE;
}

static gboolean
probe_apparmor(VbSecurityHost *self, const VbPaths *paths, GError **error)
{
  const char *root = vb_paths_get_root(paths);
  g_autofree char *base = root != NULL ? g_build_filename(root, "etc", "apparmor.d", NULL)
                                       : g_strdup("/etc/apparmor.d");
  g_autofree char *dir = g_build_filename(base, "virtbus", NULL);
  g_autofree char *template = g_build_filename(dir, "TEMPLATE.qemu", NULL);

  if (aa_is_enabled() != 1) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                        "AppArmor is not enabled on this host");
    return FALSE;
  }
  self->apparmor.parser = g_find_program_in_path("apparmor_parser");
  if (self->apparmor.parser == NULL) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_FAILED,
                        "AppArmor is enabled but apparmor_parser is not installed "
                        "(Debian's package 'apparmor')");
    return FALSE;
  }
  if (!g_file_test(template, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
                "AppArmor is enabled but the template profile %s is missing", template);
    return FALSE;
  }
  self->apparmor.base = g_steal_pointer(&base);
  self->apparmor.dir = g_steal_pointer(&dir);
  return TRUE;
}

static gboolean
probe(VbSecurityHost *self, const char *driver, const VbPaths *paths, GError **error)
{
  if (g_str_equal(driver, "selinux")) {
    if (!probe_selinux(self, error))
      return FALSE;
    self->models |= 1u << VB_SECMODEL_SELINUX;
  } else {
    if (!probe_apparmor(self, paths, error))
      return FALSE;
    self->models |= 1u << VB_SECMODEL_APPARMOR;
  }
  if (self->primary == VB_SECMODEL_NONE)
    self->primary = g_str_equal(driver, "selinux") ? VB_SECMODEL_SELINUX : VB_SECMODEL_APPARMOR;
  return TRUE;
}

/**
 * vb_security_host_new:
 *
 * Blocking. Fails when qemu.conf names a security driver the host does not have. Read-only
 * once made, and shared (refcounted) by every start and stop that outlives the driver.
 */
VbSecurityHost *
vb_security_host_new(const VbQemuConf *conf, const VbPaths *paths, GError **error)
{
  g_autoptr(VbSecurityHost) self = g_atomic_rc_box_new0(VbSecurityHost);
  static const char *const automatic[] = {"selinux", "apparmor", NULL};
  gboolean listed = conf->security_drivers[0] != NULL;

  self->primary = VB_SECMODEL_NONE;
  self->uid = conf->instance == VB_INSTANCE_SYSTEM ? conf->uid : geteuid();
  self->gid = conf->instance == VB_INSTANCE_SYSTEM ? conf->gid : getegid();
  /* only the system instance may label: the others leave every file as its user has it */
  if (conf->instance != VB_INSTANCE_SYSTEM || vb_qemu_conf_security_disabled(conf))
    return g_steal_pointer(&self);
  for (guint i = 0; listed ? conf->security_drivers[i] != NULL : automatic[i] != NULL; i++) {
    const char *driver = listed ? conf->security_drivers[i] : automatic[i];
    g_autoptr(GError) local = NULL;

    if (probe(self, driver, paths, &local))
      continue;
    if (listed) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG, "%s: security_driver names '%s': %s",
                  conf->filename, driver, local->message);
      return NULL;
    }
    /* a driver the host lacks is the common case; one it has but cannot use is worth a line */
    if (!g_error_matches(local, VB_ERROR, VB_ERROR_NOT_SUPPORTED))
      g_message("security driver %s not used: %s", driver, local->message);
    else
      g_debug("security driver %s not used: %s", driver, local->message);
  }
  if (self->primary == VB_SECMODEL_NONE && conf->security_require_confined) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: security_require_confined = 1, but no security driver can confine QEMU on "
                "this host (security_driver: %s)",
                conf->filename,
                listed ? conf->security_drivers[0] : "neither SELinux nor AppArmor");
    return NULL;
  }
  return g_steal_pointer(&self);
}

static void
host_clear(VbSecurityHost *self)
{
  g_free(self->selinux.kvm);
  g_free(self->selinux.tcg);
  g_free(self->selinux.file);
  g_free(self->selinux.content);
  g_free(self->apparmor.parser);
  g_free(self->apparmor.base);
  g_free(self->apparmor.dir);
}

VbSecurityHost *
vb_security_host_ref(VbSecurityHost *self)
{
  return g_atomic_rc_box_acquire(self);
}

void
vb_security_host_unref(VbSecurityHost *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full(self, (GDestroyNotify)host_clear);
}

VbSecModel
vb_security_host_get_primary(const VbSecurityHost *self)
{
  return self->primary;
}

/**
 * vb_security_host_get_models:
 *
 * The security models in use, the confining one first ("none" when there is none), then
 * "dac", as libvirt lists them in its capabilities and security model calls.
 *
 * Returns: (transfer full)
 */
GStrv
vb_security_host_get_models(const VbSecurityHost *self)
{
  GStrvBuilder *builder = g_strv_builder_new();
  GStrv models;

  g_strv_builder_add(builder, vb_secmodel_names[self->primary]);
  for (guint model = 0; model < VB_SECMODEL_DAC; model++) {
    if ((self->models & (1u << model)) != 0 && model != (guint)self->primary)
      g_strv_builder_add(builder, vb_secmodel_names[model]);
  }
  g_strv_builder_add(builder, "dac");
  models = g_strv_builder_end(builder);
  g_strv_builder_unref(builder);
  return models;
}

/**
 * vb_security_host_get_baselabel:
 * @virt: VB_VIRT_KVM or VB_VIRT_QEMU
 *
 * The label a domain of @virt gets from @model before its own part, for the capabilities.
 *
 * Returns: (transfer full) (nullable)
 */
char *
vb_security_host_get_baselabel(const VbSecurityHost *self, VbSecModel model, VbVirtType virt)
{
  switch (model) {
  case VB_SECMODEL_SELINUX:
    if ((self->models & (1u << VB_SECMODEL_SELINUX)) == 0)
      return NULL;
    return g_strdup(virt == VB_VIRT_KVM ? self->selinux.kvm : self->selinux.tcg);
  case VB_SECMODEL_DAC:
    return g_strdup_printf("+%u:+%u", (guint)self->uid, (guint)self->gid);
  default:
    return NULL;
  }
}
