/* vb-qemu-command-namespace.c: libvirt's qemu namespace on the command line: capability
 * changes, the deprecation policy (-compat), extra arguments and environment, and overrides of
 * device properties. Each taints the domain as libvirt names it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-qemu-command-private.h"

/* <qemu:capabilities>: checked against the names virtbus knows, then applied to this build. */
gboolean
vb_qemu_build_caps_changes(VbQemuBuild *b, GError **error)
{
  const VbQemuNamespace *ns = &b->def->qemu;
  const GStrv lists[] = {ns->caps_add, ns->caps_del};
  GHashTable *tables[] = {b->caps_added, b->caps_removed};

  for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
      const char *flag = lists[l][i];

      /* libvirt has capabilities virtbus has not (and names them its own way): the domain is
       * valid, virtbus cannot honour the request */
      if (!vb_qemu_caps_flag_is_known(flag)) {
        vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL,
                            l == 0 ? "qemu:capabilities/qemu:add/@capability"
                                   : "qemu:capabilities/qemu:del/@capability",
                            "virtbus knows no capability '%s' (see docs/capabilities.md)", flag);
        return FALSE;
      }
      g_hash_table_add(tables[l], g_strdup(flag));
    }
  }
  if (g_hash_table_size(b->caps_added) + g_hash_table_size(b->caps_removed) > 0)
    g_ptr_array_add(b->cmd->taints, g_strdup("custom-hypervisor-feature"));
  return TRUE;
}

/* <qemu:deprecation>, or qemu.conf's deprecation_behavior, as QEMU's -compat. */
void
vb_qemu_build_compat(VbQemuBuild *b)
{
  gint behavior = b->def->qemu.deprecation;

  if (behavior == VB_ABSENT)
    behavior = b->config->conf->deprecation_behavior;
  else
    g_ptr_array_add(b->cmd->taints, g_strdup("custom-hypervisor-feature"));
  /* as the reference says, a QEMU without -compat ignores the setting */
  if (behavior == VB_DEPRECATION_NONE ||
      vb_qemu_caps_get_version(b->caps) < VB_QEMU_VERSION(6, 2, 0))
    return;
  vb_qemu_build_argf(b, "-compat", "deprecated-input=%s,deprecated-output=hide",
                     behavior == VB_DEPRECATION_OMIT     ? "accept"
                     : behavior == VB_DEPRECATION_REJECT ? "reject"
                                                         : "crash");
}

void
vb_qemu_build_namespace_args(VbQemuBuild *b)
{
  const VbQemuNamespace *ns = &b->def->qemu;

  for (guint i = 0; ns->args != NULL && ns->args[i] != NULL; i++)
    g_ptr_array_add(b->cmd->args, g_strdup(ns->args[i]));
  for (guint i = 0; i < ns->env->len; i++) {
    const VbQemuEnv *env = ns->env->pdata[i];

    vb_qemu_build_env(b, env->name, env->value);
  }
  if ((ns->args != NULL && ns->args[0] != NULL) || ns->env->len > 0)
    g_ptr_array_add(b->cmd->taints, g_strdup("custom-argv"));
}

static gboolean
apply_override(VbQemuBuild *b, const VbQemuOverride *override, GError **error)
{
  VbQemuProps *device = NULL;

  for (guint i = 0; i < b->devices->len && device == NULL; i++) {
    if (g_strcmp0(vb_qemu_props_get_string(b->devices->pdata[i], "id"), override->alias) == 0)
      device = b->devices->pdata[i];
  }
  if (device == NULL) {
    g_autofree char *below =
        g_strdup_printf("qemu:override/qemu:device[@alias='%s']", override->alias);

    vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, NULL, below,
                        "no device of this domain has the alias '%s'", override->alias);
    return FALSE;
  }
  for (guint i = 0; i < override->props->len; i++) {
    const VbQemuProp *prop = override->props->pdata[i];

    switch (prop->type) {
    case VB_QEMU_PROP_STRING:
      vb_qemu_props_add_string(device, prop->name, prop->value);
      break;
    case VB_QEMU_PROP_SIGNED:
      vb_qemu_props_add_int(device, prop->name, g_ascii_strtoll(prop->value, NULL, 10));
      break;
    case VB_QEMU_PROP_UNSIGNED:
      vb_qemu_props_add_uint(device, prop->name, g_ascii_strtoull(prop->value, NULL, 10));
      break;
    case VB_QEMU_PROP_BOOL:
      vb_qemu_props_add_bool(device, prop->name, g_str_equal(prop->value, "true"));
      break;
    case VB_QEMU_PROP_REMOVE:
    default:
      if (!vb_qemu_props_remove(device, prop->name)) {
        g_autofree char *below = g_strdup_printf(
            "qemu:override/qemu:device[@alias='%s']/qemu:frontend/qemu:property[@name='%s']",
            override->alias, prop->name);

        vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, NULL, below,
                            "the device has no property '%s' to remove", prop->name);
        return FALSE;
      }
      break;
    }
  }
  return TRUE;
}

/* Applies <qemu:override>, then writes each -device as JSON or, for QEMUs before 6.2, in the
 * key=value syntax. */
gboolean
vb_qemu_build_finish_devices(VbQemuBuild *b, GError **error)
{
  const GPtrArray *overrides = b->def->qemu.overrides;
  gboolean json = vb_qemu_build_has(b, "device.json");

  for (guint i = 0; i < overrides->len; i++) {
    if (!apply_override(b, overrides->pdata[i], error))
      return FALSE;
  }
  if (overrides->len > 0)
    g_ptr_array_add(b->cmd->taints, g_strdup("custom-device"));
  for (guint i = 0; i < b->devices->len; i++) {
    guint index = g_array_index(b->device_args, guint, i);
    VbQemuProps *props = b->devices->pdata[i];

    b->cmd->args->pdata[index] =
        json ? vb_qemu_build_json(b, props) : vb_qemu_props_to_keyval(props, TRUE);
  }
  return TRUE;
}
