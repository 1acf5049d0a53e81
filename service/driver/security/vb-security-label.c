/* vb-security-label.c: the labels a start gives a domain, chosen on the main context before
 * anything is done, so that two starts never pick the same one; they show in the live XML
 * and the status file, which is how a restarted daemon knows them again.
 *
 * As libvirt: the confining model (SELinux or AppArmor) gets a <seclabel> of its own (a
 * dynamic one unless qemu.conf's security_default_confined is off, then type='none'), and the
 * system instance's DAC one says who QEMU runs as ("+UID:+GID"). A dynamic SELinux label is
 * the policy's process context with a category pair no other running domain has
 * ("s0:c12,c345"), its image label the image context with the same pair; an AppArmor label
 * is the profile virtbus-UUID.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <selinux/context.h>

#include "vb-error.h"
#include "vb-security-private.h"

/* MCS categories c0..c1023, as the reference policy defines them */
#define MCS_CATEGORIES 1024
/* tries at a free pair before giving up: with fewer than a few thousand domains running,
 * a random pair is free almost always */
#define MCS_TRIES 10000

const VbSeclabelDef *
vb_security_find_seclabel(const VbDomainDef *def, VbSecModel model)
{
  for (guint i = 0; i < def->seclabels->len; i++) {
    const VbSeclabelDef *label = def->seclabels->pdata[i];

    if (label->model == (gint)model)
      return label;
  }
  return NULL;
}

static VbSeclabelDef *
add_seclabel(VbDomainDef *def, VbSecModel model, VbSeclabelType type)
{
  VbSeclabelDef *label = g_new0(VbSeclabelDef, 1);

  label->model = model;
  label->type = type;
  label->relabel = type == VB_SECLABEL_DYNAMIC;
  g_ptr_array_add(def->seclabels, label);
  return label;
}

/* The MCS range of an SELinux context ("s0:c1,c2"), or NULL. */
static char *
context_range(const char *context)
{
  context_t ctx = context != NULL ? context_new(context) : NULL;
  char *range = NULL;

  if (ctx != NULL) {
    const char *found = context_range_get(ctx);

    range = found != NULL ? g_strdup(found) : NULL;
    context_free(ctx);
  }
  return range;
}

/* @base with its range replaced by @range; NULL when @base is not a context. */
static char *
with_range(const char *base, const char *range)
{
  context_t ctx = context_new(base);
  char *result = NULL;

  if (ctx == NULL)
    return NULL;
  if (context_range_set(ctx, range) == 0)
    result = g_strdup(context_str(ctx));
  context_free(ctx);
  return result;
}

/**
 * vb_security_collect_labels:
 * @used: (element-type utf8 utf8): gets the MCS range of @live's SELinux label
 *
 * For each running (or starting) domain other than the one being started.
 */
void
vb_security_collect_labels(GHashTable *used, const VbDomainDef *live)
{
  const VbSeclabelDef *label =
      live != NULL ? vb_security_find_seclabel(live, VB_SECMODEL_SELINUX) : NULL;
  char *range = label != NULL ? context_range(label->label) : NULL;

  if (range != NULL)
    g_hash_table_add(used, range);
}

static char *
pick_range(GHashTable *used, GError **error)
{
  for (guint i = 0; i < MCS_TRIES; i++) {
    gint32 a = g_random_int_range(0, MCS_CATEGORIES);
    gint32 b = g_random_int_range(0, MCS_CATEGORIES);
    char *range;

    if (a == b)
      continue; /* "c5,c5" is one category: not a pair */
    range = g_strdup_printf("s0:c%d,c%d", MIN(a, b), MAX(a, b));
    if (!g_hash_table_contains(used, range)) {
      g_hash_table_add(used, g_strdup(range));
      return range;
    }
    g_free(range);
  }
  g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
              "no free SELinux category pair for another domain after %d tries", MCS_TRIES);
  return NULL;
}

static gboolean
assign_selinux(const VbSecurityHost *host,
               VbDomainDef *def,
               VbSeclabelDef *label,
               GHashTable *used,
               GError **error)
{
  g_autofree char *range = NULL;
  const char *process = def->virt_type == VB_VIRT_KVM ? host->selinux.kvm : host->selinux.tcg;

  if (label->type == VB_SECLABEL_STATIC) {
    context_t ctx = context_new(label->label);

    if (ctx == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "domain '%s': the static SELinux label '%s' is not a context", def->name,
                  label->label);
      return FALSE;
    }
    context_free(ctx);
    range = context_range(label->label);
    if (range != NULL)
      g_hash_table_add(used, g_strdup(range));
  } else {
    const char *base = label->baselabel != NULL ? label->baselabel : process;

    if ((range = pick_range(used, error)) == NULL)
      return FALSE;
    g_free(label->label);
    label->label = with_range(base, range);
    if (label->label == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "domain '%s': the SELinux base label '%s' is not a context", def->name, base);
      return FALSE;
    }
  }
  g_clear_pointer(&label->imagelabel, g_free);
  if (label->relabel)
    label->imagelabel = with_range(host->selinux.file, range != NULL ? range : "s0");
  return TRUE;
}

static void
make_unconfined(VbSeclabelDef *label)
{
  label->model = VB_SECMODEL_NONE;
  label->type = VB_SECLABEL_NONE;
  label->relabel = FALSE;
  g_clear_pointer(&label->label, g_free);
  g_clear_pointer(&label->imagelabel, g_free);
  g_clear_pointer(&label->baselabel, g_free);
}

/**
 * vb_security_fill_default_model:
 * @host: (nullable): the driver's; %NULL as a host where nothing confines
 *
 * At define, as libvirt's: a domain's only <seclabel>, given with no model, gets the model of
 * the driver that confines QEMU here; where none does (and always in the session and embedded
 * instances), model='none', and then type='none' (there is nothing to label with).
 */
void
vb_security_fill_default_model(const VbSecurityHost *host, VbDomainDef *def)
{
  VbSecModel model = host != NULL ? host->primary : VB_SECMODEL_NONE;
  VbSeclabelDef *label;

  if (def->seclabels->len != 1)
    return; /* several: each names its model (the parser says so) */
  label = def->seclabels->pdata[0];
  if (label->model != VB_ABSENT)
    return;
  if (model == VB_SECMODEL_NONE)
    make_unconfined(label);
  else
    label->model = model;
}

static gboolean
assign_lsm(const VbSecurityHost *host,
           const VbQemuConf *conf,
           VbDomainDef *def,
           GHashTable *used,
           GError **error)
{
  VbSeclabelDef *label = (VbSeclabelDef *)vb_security_find_seclabel(def, host->primary);

  /* a label with no model is the confining driver's */
  for (guint i = 0; label == NULL && host->primary != VB_SECMODEL_NONE && i < def->seclabels->len;
       i++) {
    VbSeclabelDef *other = def->seclabels->pdata[i];

    if (other->model == VB_ABSENT) {
      other->model = host->primary;
      label = other;
    }
  }
  for (guint i = 0; i < def->seclabels->len; i++) {
    const VbSeclabelDef *other = def->seclabels->pdata[i];

    if (other->model != VB_ABSENT && other->model != VB_SECMODEL_DAC &&
        other->model != VB_SECMODEL_NONE && other->model != (gint)host->primary) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "domain '%s' has a <seclabel model='%s'>, but this host confines QEMU with %s",
                  def->name, vb_secmodel_names[other->model], vb_secmodel_names[host->primary]);
      return FALSE;
    }
  }
  if (host->primary == VB_SECMODEL_NONE) {
    /* nothing confines: a label with no model says so (type='none' model='none'), so that
     * beside the DAC label it still names its model when the status is read again (a define
     * did this already; a status written before it may not have) */
    for (guint i = 0; i < def->seclabels->len; i++) {
      VbSeclabelDef *other = def->seclabels->pdata[i];

      if (other->model == VB_ABSENT)
        make_unconfined(other);
    }
    return TRUE;
  }
  if (label == NULL)
    label = add_seclabel(def, host->primary,
                         conf->security_default_confined ? VB_SECLABEL_DYNAMIC : VB_SECLABEL_NONE);
  if (label->type == VB_SECLABEL_NONE) {
    if (conf->security_require_confined) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "domain '%s' would run unconfined (<seclabel type='none'>), and %s has "
                  "security_require_confined = 1",
                  def->name, conf->filename);
      return FALSE;
    }
    return TRUE;
  }
  if (host->primary == VB_SECMODEL_SELINUX)
    return assign_selinux(host, def, label, used, error);
  /* AppArmor: the domain's own profile, or the static one it names */
  if (label->type == VB_SECLABEL_DYNAMIC) {
    g_free(label->label);
    label->label = vb_apparmor_profile_name(def);
    g_free(label->imagelabel);
    label->imagelabel = g_strdup(label->label);
  }
  return TRUE;
}

static gboolean
assign_dac(const VbSecurityHost *host, VbDomainDef *def, GError **error)
{
  VbSeclabelDef *label = (VbSeclabelDef *)vb_security_find_seclabel(def, VB_SECMODEL_DAC);
  uid_t uid;
  gid_t gid;

  if (label == NULL)
    label = add_seclabel(def, VB_SECMODEL_DAC, VB_SECLABEL_DYNAMIC);
  if (label->type == VB_SECLABEL_STATIC) {
    if (!vb_dac_parse_label(label->label, &uid, &gid, error)) {
      g_prefix_error(error, "domain '%s': <seclabel model='dac'>: ", def->name);
      return FALSE;
    }
  } else if (label->type == VB_SECLABEL_DYNAMIC) {
    g_free(label->label);
    label->label = g_strdup_printf("+%u:+%u", (guint)host->uid, (guint)host->gid);
  }
  g_clear_pointer(&label->imagelabel, g_free);
  if (label->relabel && label->label != NULL)
    label->imagelabel = g_strdup(label->label);
  return TRUE;
}

/**
 * vb_security_assign_labels:
 * @def: the live copy being started
 * @used: (element-type utf8 utf8): the MCS ranges other domains hold (vb_security_collect_labels)
 *
 * On the main context: fills @def's <seclabel>s with what this start will apply. Fails on a
 * model the host does not have, an unconfined domain qemu.conf refuses, or a label that is
 * not one.
 */
gboolean
vb_security_assign_labels(const VbSecurityHost *host,
                          const VbQemuConf *conf,
                          VbDomainDef *def,
                          GHashTable *used,
                          GError **error)
{
  if (conf->instance != VB_INSTANCE_SYSTEM)
    return TRUE; /* the session and embedded instances label nothing */
  return assign_lsm(host, conf, def, used, error) && assign_dac(host, def, error);
}
