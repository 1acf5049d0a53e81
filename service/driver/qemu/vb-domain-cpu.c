/* vb-domain-cpu.c: the guest CPU as libvirt fixes it.
 *
 * At define: a domain that names no CPU model gets the one QEMU gives its machine type
 * (query-machines' default-cpu-type: "qemu64" for every x86 PC machine, an i686 guest
 * included), written into the definition as libvirt writes it, so the guest keeps that CPU
 * whatever a later QEMU's default; and every <feature> name must be one the emulator knows.
 *
 * At start: mode='host-model' becomes a named model plus features, chosen from the probe's
 * expansions (vb-qemu-probe.c): the usable model of the host's vendor whose features are all
 * the host's and which has the most of them, and then each host feature the model lacks. The
 * live definition shows the result as libvirt's does (mode='custom', match='exact'), and QEMU
 * gets that model and those features, not "-cpu host": the guest sees the same CPU on any host
 * with the same CPU, and under TCG too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-cpu.h"
#include "vb-error.h"

/* indexes into vb_cpu_match_names, vb_cpu_check_names and vb_cpu_fallback_names */
enum { CPU_MATCH_EXACT = 0, CPU_CHECK_NONE = 0, CPU_FALLBACK_FORBID = 1 };

/* libvirt takes QEMU's default model for x86, s390 and ppc64, and for TCG on the others (where
 * KVM's default may not be what QEMU reports). */
static gboolean
takes_default_model(const VbDomainDef *def, const char *arch)
{
  return g_str_equal(arch, "x86_64") || g_str_equal(arch, "i686") || g_str_equal(arch, "s390x") ||
         g_str_has_prefix(arch, "ppc64") || def->virt_type == VB_VIRT_QEMU;
}

static gboolean
check_features(const VbDomainDef *def, const VbQemuCaps *caps, GError **error)
{
  if (def->cpu == NULL || !vb_qemu_caps_has_cpu_max(caps))
    return TRUE; /* QEMU could not say which features it has: it checks them at start */
  for (guint i = 0; i < def->cpu->features->len; i++) {
    const VbCpuFeature *feature = def->cpu->features->pdata[i];

    if (vb_qemu_caps_cpu_feature(caps, feature->name, NULL) == VB_QEMU_CPU_FEATURE_UNKNOWN) {
      g_autofree char *below = g_strdup_printf("cpu/feature[@name='%s']", feature->name);
      g_autofree char *path = vb_domain_def_path(def, NULL, below);

      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "%s: %s knows no CPU feature '%s' (its CPU models list the ones it has)", path,
                  vb_qemu_caps_get_binary(caps), feature->name);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * vb_domain_cpu_complete:
 *
 * What a define fixes of the guest CPU: the machine's default model when none is named, and
 * the feature names checked.
 */
gboolean
vb_domain_cpu_complete(VbDomainDef *def, const VbDomainDefaults *defaults, GError **error)
{
  const VbQemuMachine *machine = vb_qemu_caps_lookup_machine(defaults->caps, defaults->machine);
  VbCpuDef *cpu = def->cpu;

  if ((cpu == NULL || cpu->mode == VB_ABSENT || cpu->mode == VB_CPU_MODE_CUSTOM) &&
      (cpu == NULL || cpu->model == NULL) && machine != NULL && machine->default_cpu != NULL &&
      takes_default_model(def, defaults->arch)) {
    if (cpu == NULL)
      cpu = def->cpu = vb_cpu_def_new();
    /* as libvirt writes it: QEMU turns off what the host lacks, so no check */
    cpu->mode = VB_CPU_MODE_CUSTOM;
    cpu->match = CPU_MATCH_EXACT;
    cpu->check = CPU_CHECK_NONE;
    cpu->model_fallback = CPU_FALLBACK_FORBID;
    cpu->model = g_strdup(machine->default_cpu);
  }
  return check_features(def, defaults->caps, error);
}

static gboolean
has_only_host_features(const VbQemuCaps *caps, const VbQemuCpuModel *model)
{
  for (guint i = 0; model->features[i] != NULL; i++) {
    if (vb_qemu_caps_cpu_feature(caps, model->features[i], NULL) != VB_QEMU_CPU_FEATURE_ON)
      return FALSE;
  }
  return TRUE;
}

/* The usable model with the most features, all of them the host's; one of the host's vendor
 * when there is one; by name when two have as many. */
static const VbQemuCpuModel *
choose_base_model(const VbQemuCaps *caps)
{
  const GPtrArray *models = vb_qemu_caps_get_cpu_models(caps);
  const char *vendor = vb_qemu_caps_get_cpu_max_vendor(caps);
  const VbQemuCpuModel *best = NULL;
  guint best_count = 0;
  gboolean best_vendor = FALSE;

  for (guint i = 0; i < models->len; i++) {
    const VbQemuCpuModel *model = models->pdata[i];
    gboolean same_vendor;
    guint count;

    if (!model->usable || model->features == NULL || !has_only_host_features(caps, model))
      continue;
    same_vendor = g_strcmp0(model->vendor, vendor) == 0;
    count = g_strv_length(model->features);
    if (best == NULL || (same_vendor && !best_vendor) ||
        (same_vendor == best_vendor &&
         (count > best_count || (count == best_count && strcmp(model->name, best->name) < 0)))) {
      best = model;
      best_count = count;
      best_vendor = same_vendor;
    }
  }
  return best;
}

static VbCpuFeature *
find_feature(GPtrArray *features, const char *name)
{
  for (guint i = 0; i < features->len; i++) {
    VbCpuFeature *feature = features->pdata[i];

    if (g_str_equal(feature->name, name))
      return feature;
  }
  return NULL;
}

static void
set_feature(GPtrArray *features, const char *name, gint policy)
{
  VbCpuFeature *feature = find_feature(features, name);

  if (feature == NULL) {
    feature = g_new0(VbCpuFeature, 1);
    feature->name = g_strdup(name);
    g_ptr_array_add(features, feature);
  }
  feature->policy = policy;
}

/**
 * vb_domain_cpu_expand_host_model:
 * @def: the domain, for the messages
 * @cpu: its <cpu mode='host-model'>
 *
 * The CPU that host-model means on this host: a named model, the host features it lacks, and
 * the domain's own <feature>s applied on top ("disable" turns one off, "require" adds one).
 *
 * Returns: (transfer full): a mode='custom' CPU, or %NULL when the emulator's CPUs could not be
 *   expanded
 */
VbCpuDef *
vb_domain_cpu_expand_host_model(const VbDomainDef *def,
                                const VbCpuDef *cpu,
                                const VbQemuCaps *caps,
                                GError **error)
{
  const char *const *host = vb_qemu_caps_get_cpu_max_features(caps);
  g_autoptr(VbCpuDef) expanded = vb_cpu_def_copy(cpu);
  const VbQemuCpuModel *base = vb_qemu_caps_has_cpu_max(caps) ? choose_base_model(caps) : NULL;

  if (base == NULL) {
    g_autofree char *path = vb_domain_def_path(def, NULL, "cpu/@mode");

    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "%s: 'host-model' needs the host CPU as %s expands it "
                "(query-cpu-model-expansion), and it expanded none of its models; "
                "name a model or use mode='maximum'",
                path, vb_qemu_caps_get_binary(caps));
    return NULL;
  }
  g_ptr_array_set_size(expanded->features, 0);
  for (guint i = 0; host[i] != NULL; i++) {
    if (!g_strv_contains((const char *const *)base->features, host[i]))
      set_feature(expanded->features, host[i], VB_CPU_FEATURE_REQUIRE);
  }
  for (guint i = 0; i < cpu->features->len; i++) {
    const VbCpuFeature *own = cpu->features->pdata[i];
    const char *name = own->name;
    gboolean off = own->policy == VB_CPU_FEATURE_DISABLE || own->policy == VB_CPU_FEATURE_FORBID;

    vb_qemu_caps_cpu_feature(caps, own->name, &name);
    if (off && !g_strv_contains((const char *const *)base->features, name)) {
      VbCpuFeature *extra = find_feature(expanded->features, name);

      if (extra != NULL)
        g_ptr_array_remove(expanded->features, extra);
      continue;
    }
    set_feature(expanded->features, name, off ? VB_CPU_FEATURE_DISABLE : VB_CPU_FEATURE_REQUIRE);
  }
  expanded->mode = VB_CPU_MODE_CUSTOM;
  expanded->match = CPU_MATCH_EXACT;
  expanded->model_fallback = CPU_FALLBACK_FORBID;
  expanded->migratable = VB_ABSENT;
  g_free(expanded->model);
  expanded->model = g_strdup(base->name);
  return g_steal_pointer(&expanded);
}
