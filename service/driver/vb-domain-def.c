/* vb-domain-def.c: construction, destruction and the name tables of the domain model.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-def.h"

const char *const vb_virt_type_names[] = {"qemu", "kvm", "hvf", NULL};
const char *const vb_lifecycle_action_names[] = {
    "destroy",          "restart",          "preserve", "rename-restart",
    "coredump-destroy", "coredump-restart", NULL,
};
const char *const vb_boot_dev_names[] = {"fd", "hd", "cdrom", "network", NULL};
const char *const vb_loader_type_names[] = {"rom", "pflash", NULL};
const char *const vb_hyperv_feature_names[] = {
    "relaxed",         "vapic",    "spinlocks", "vpindex",   "runtime",
    "synic",           "stimer",   "reset",     "vendor_id", "frequencies",
    "reenlightenment", "tlbflush", "ipi",       "evmcs",     NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_hyperv_feature_names) == VB_HYPERV_N_FEATURES + 1);
const char *const vb_hyperv_mode_names[] = {"custom", "passthrough", NULL};
const char *const vb_cpu_mode_names[] = {"custom", "host-model", "host-passthrough", "maximum",
                                         NULL};
const char *const vb_cpu_match_names[] = {"exact", "minimum", "strict", NULL};
const char *const vb_cpu_check_names[] = {"none", "partial", "full", NULL};
const char *const vb_cpu_fallback_names[] = {"allow", "forbid", NULL};
const char *const vb_cpu_feature_policy_names[] = {"force",   "require", "optional",
                                                   "disable", "forbid",  NULL};
const char *const vb_clock_offset_names[] = {"utc", "localtime", "variable", "timezone", NULL};
const char *const vb_clock_basis_names[] = {"utc", "localtime", NULL};
const char *const vb_timer_names[] = {"platform", "pit",         "rtc",       "hpet", "tsc",
                                      "kvmclock", "hypervclock", "armvtimer", NULL};
const char *const vb_timer_tickpolicy_names[] = {"delay", "catchup", "merge", "discard", NULL};
const char *const vb_timer_track_names[] = {"boot", "guest", "wall", "realtime", NULL};
const char *const vb_vcpu_placement_names[] = {"static", "auto", NULL};

static void
vb_cpu_feature_free(VbCpuFeature *feature)
{
  g_free(feature->name);
  g_free(feature);
}

/**
 * vb_cpu_def_new:
 *
 * Returns: (transfer full): a <cpu> with nothing given
 */
VbCpuDef *
vb_cpu_def_new(void)
{
  VbCpuDef *cpu = g_new0(VbCpuDef, 1);

  cpu->mode = VB_ABSENT;
  cpu->match = VB_ABSENT;
  cpu->check = VB_ABSENT;
  cpu->migratable = VB_ABSENT;
  cpu->model_fallback = VB_ABSENT;
  cpu->features = g_ptr_array_new_with_free_func((GDestroyNotify)vb_cpu_feature_free);
  return cpu;
}

void
vb_cpu_def_free(VbCpuDef *cpu)
{
  if (cpu == NULL)
    return;
  g_free(cpu->model);
  g_free(cpu->vendor);
  g_clear_pointer(&cpu->features, g_ptr_array_unref);
  g_free(cpu);
}

/**
 * vb_domain_def_new:
 *
 * Returns: (transfer full): an empty definition with libvirt's defaults for what the XML may
 *   leave out
 */
VbDomainDef *
vb_domain_def_new(void)
{
  VbDomainDef *def = g_new0(VbDomainDef, 1);

  def->vcpu_placement = VB_ABSENT;
  def->os.boot_devs = g_array_new(FALSE, FALSE, sizeof(VbBootDev));
  def->os.bootmenu = VB_ABSENT;
  def->os.bootmenu_timeout = -1;
  def->os.loader_readonly = VB_ABSENT;
  def->os.loader_type = VB_ABSENT;
  def->os.loader_secure = VB_ABSENT;
  def->features.apic_eoi = VB_ABSENT;
  def->features.vmport = VB_ABSENT;
  def->features.hyperv_mode = VB_ABSENT;
  def->features.hyperv_stimer_direct = VB_ABSENT;
  for (guint i = 0; i < VB_HYPERV_N_FEATURES; i++)
    def->features.hyperv_state[i] = VB_ABSENT;
  def->clock.offset = VB_CLOCK_UTC;
  def->clock.basis = VB_ABSENT;
  def->clock.timers = g_ptr_array_new_with_free_func(g_free);
  def->on_poweroff = VB_LIFECYCLE_DESTROY;
  def->on_reboot = VB_LIFECYCLE_RESTART;
  def->on_crash = VB_LIFECYCLE_DESTROY;
  def->pm_suspend_to_mem = VB_ABSENT;
  def->pm_suspend_to_disk = VB_ABSENT;
  return def;
}

void
vb_domain_def_free(VbDomainDef *def)
{
  if (def == NULL)
    return;
  g_free(def->name);
  g_free(def->title);
  g_free(def->description);
  g_free(def->metadata);
  g_free(def->vcpu_cpuset);
  g_free(def->os.type);
  g_free(def->os.arch);
  g_free(def->os.machine);
  g_clear_pointer(&def->os.boot_devs, g_array_unref);
  g_free(def->os.kernel);
  g_free(def->os.initrd);
  g_free(def->os.cmdline);
  g_free(def->os.loader);
  g_free(def->os.nvram);
  g_free(def->os.nvram_template);
  g_free(def->features.hyperv_vendor_id);
  vb_cpu_def_free(def->cpu);
  g_free(def->clock.timezone);
  g_clear_pointer(&def->clock.timers, g_ptr_array_unref);
  g_free(def->emulator);
  g_free(def);
}

/**
 * vb_domain_def_get_uuid_string:
 *
 * Returns: (transfer full): the UUID in its canonical 8-4-4-4-12 lower-case spelling
 */
char *
vb_domain_def_get_uuid_string(const VbDomainDef *def)
{
  const guint8 *u = def->uuid;

  return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
                         u[12], u[13], u[14], u[15]);
}
