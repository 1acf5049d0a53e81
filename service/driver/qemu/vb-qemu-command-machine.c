/* vb-qemu-command-machine.c: the machine-wide options: accelerator, -machine, -cpu, memory and
 * vCPUs, clock and timers, boot and firmware, power management and lifecycle actions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-cpu.h"
#include "vb-qemu-command-private.h"

gboolean
vb_qemu_build_accelerator(VbQemuBuild *b, GError **error)
{
  switch (b->def->virt_type) {
  case VB_VIRT_HVF:
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL, "@type",
                        "'hvf' is macOS's hypervisor; on Linux a domain is 'kvm' or 'qemu'");
    return FALSE;
  case VB_VIRT_KVM:
    if (!b->config->kvm_usable) {
      vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL, "@type",
                          "'kvm' needs /dev/kvm, which is missing or not usable by the user QEMU "
                          "runs as; use type='qemu' (TCG) instead");
      return FALSE;
    }
    if (!vb_qemu_build_has(b, "kvm")) {
      vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL, "@type",
                          "'kvm' is not enabled in %s", vb_qemu_caps_get_binary(b->caps));
      return FALSE;
    }
    b->kvm = TRUE;
    return TRUE;
  case VB_VIRT_QEMU:
  default:
    if (!vb_qemu_build_has(b, "tcg")) {
      vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL, "@type",
                          "'qemu' needs TCG, which %s does not have",
                          vb_qemu_caps_get_binary(b->caps));
      return FALSE;
    }
    return TRUE;
  }
}

static const char *
timer_policy(const VbDomainDef *def, VbTimerName name, gint *present)
{
  for (guint i = 0; i < def->clock.timers->len; i++) {
    const VbTimer *timer = def->clock.timers->pdata[i];

    if (timer->name == name) {
      if (present != NULL)
        *present = timer->present;
      return timer->tickpolicy == VB_ABSENT ? "" : vb_timer_tickpolicy_names[timer->tickpolicy];
    }
  }
  if (present != NULL)
    *present = VB_ABSENT;
  return NULL;
}

static void
append_on_off(GString *out, const char *name, gint state)
{
  if (state != VB_ABSENT)
    g_string_append_printf(out, ",%s=%s", name, state ? "on" : "off");
}

void
vb_qemu_build_machine(VbQemuBuild *b)
{
  const VbDomainDef *def = b->def;
  g_autoptr(GString) machine = g_string_new(NULL);
  gint hpet = VB_ABSENT;
  guint version = vb_qemu_caps_get_version(b->caps);

  vb_qemu_keyval_append(machine, b->config->defaults->machine);
  g_string_append_printf(machine, ",accel=%s,usb=off", b->kvm ? "kvm" : "tcg");
  if (def->has_features)
    append_on_off(machine, "vmport", def->features.vmport);
  /* firmware that guards its variables with SMM needs it; fits() saw it was not refused */
  append_on_off(machine, "smm",
                def->has_features && def->features.smm != VB_ABSENT ? def->features.smm
                : b->loader_secure                                  ? 1
                                                                    : VB_ABSENT);
  g_string_append(machine, ",dump-guest-core=off");
  timer_policy(def, VB_TIMER_HPET, &hpet);
  if (hpet == 0 && version >= VB_QEMU_VERSION(7, 0, 0))
    g_string_append(machine, ",hpet=off");
  if (version >= VB_QEMU_VERSION(5, 0, 0))
    g_string_append_printf(machine, ",acpi=%s",
                           def->has_features && def->features.acpi ? "on" : "off");
  if (b->loader_pflash && vb_qemu_build_has(b, "blockdev")) {
    g_string_append(machine, ",pflash0=libvirt-pflash0-format");
    if (b->cmd->nvram != NULL)
      g_string_append(machine, ",pflash1=libvirt-pflash1-format");
  }
  vb_qemu_build_arg(b, "-machine", machine->str);
  if (hpet == 0 && version < VB_QEMU_VERSION(7, 0, 0))
    vb_qemu_build_arg(b, "-no-hpet", NULL);
  if (version < VB_QEMU_VERSION(5, 0, 0) && !(def->has_features && def->features.acpi))
    vb_qemu_build_arg(b, "-no-acpi", NULL);
}

/* Hyper-V enlightenments as QEMU's -cpu properties, in libvirt's order. */
static gboolean
append_hyperv(VbQemuBuild *b, GString *cpu, GError **error)
{
  const VbFeatures *f = &b->def->features;

  if (!b->def->has_features || !f->hyperv)
    return TRUE;
  /* QEMU refuses these without KVM: say so before it does */
  if (!b->kvm &&
      (f->hyperv_mode == VB_HYPERV_MODE_PASSTHROUGH || f->hyperv_state[VB_HYPERV_VPINDEX] == 1)) {
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL,
                        f->hyperv_mode == VB_HYPERV_MODE_PASSTHROUGH ? "features/hyperv/@mode"
                                                                     : "features/hyperv/vpindex",
                        "needs KVM; a type='qemu' (TCG) domain cannot have it");
    return FALSE;
  }
  if (f->hyperv_mode == VB_HYPERV_MODE_PASSTHROUGH) {
    g_string_append(cpu, ",hv-passthrough=on");
    return TRUE;
  }
  for (guint i = 0; i < VB_HYPERV_N_FEATURES; i++) {
    if (f->hyperv_state[i] != 1)
      continue;
    switch ((VbHypervFeature)i) {
    case VB_HYPERV_SPINLOCKS:
      g_string_append_printf(cpu, ",hv-spinlocks=0x%" G_GINT64_MODIFIER "x",
                             f->hyperv_spinlock_retries);
      break;
    case VB_HYPERV_VENDOR_ID:
      g_string_append(cpu, ",hv-vendor-id=");
      vb_qemu_keyval_append(cpu, f->hyperv_vendor_id);
      break;
    case VB_HYPERV_TLBFLUSH:
      g_string_append(cpu, ",hv-tlbflush=on");
      break;
    case VB_HYPERV_STIMER:
      g_string_append(cpu, ",hv-stimer=on");
      if (f->hyperv_stimer_direct == 1)
        g_string_append(cpu, ",hv-stimer-direct=on");
      break;
    default:
      g_string_append_printf(cpu, ",hv-%s=on", vb_hyperv_feature_names[i]);
      break;
    }
  }
  return TRUE;
}

gboolean
vb_qemu_build_cpu(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;
  const VbCpuDef *cpu = def->cpu;
  const char *arch = vb_qemu_caps_get_arch(b->caps);
  g_autoptr(GString) out = g_string_new(NULL);
  g_autoptr(VbCpuDef) expanded = NULL;
  gint present = VB_ABSENT;

  /* a start expands host-model in the live definition first; a define's check gets here */
  if (cpu != NULL && cpu->mode == VB_CPU_MODE_HOST_MODEL) {
    expanded = vb_domain_cpu_expand_host_model(def, cpu, b->caps, error);
    if (expanded == NULL)
      return FALSE;
    cpu = expanded;
  }
  if (cpu != NULL && cpu->mode != VB_ABSENT && cpu->mode != VB_CPU_MODE_CUSTOM) {
    if (cpu->mode == VB_CPU_MODE_MAXIMUM) {
      g_string_append(out, "max");
    } else if (!b->kvm) {
      vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL, "cpu/@mode",
                          "'%s' needs KVM; a type='qemu' (TCG) domain can use mode='maximum', "
                          "mode='host-model' or a named model",
                          vb_cpu_mode_names[cpu->mode]);
      return FALSE;
    } else {
      g_string_append(out, "host");
      if (cpu->migratable != VB_ABSENT)
        g_string_append_printf(out, ",migratable=%s", cpu->migratable ? "on" : "off");
      g_ptr_array_add(b->cmd->taints, g_strdup("host-cpu"));
    }
  } else if (cpu != NULL && cpu->model != NULL) {
    gboolean known = FALSE;
    const GPtrArray *models = vb_qemu_caps_get_cpu_models(b->caps);

    for (guint i = 0; i < models->len && !known; i++)
      known = g_str_equal(((const VbQemuCpuModel *)models->pdata[i])->name, cpu->model);
    if (!known && models->len > 0) {
      vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL, "cpu/model",
                          "%s has no CPU model '%s'", vb_qemu_caps_get_binary(b->caps), cpu->model);
      return FALSE;
    }
    vb_qemu_keyval_append(out, cpu->model);
  } else if (g_str_equal(arch, "x86_64")) {
    /* QEMU's own default, for emulators that do not report it (define writes it otherwise) */
    g_string_append(out, "qemu64");
  } else if (g_str_equal(arch, "i686")) {
    g_string_append(out, "qemu32");
  } else if (cpu == NULL || cpu->features->len == 0) {
    return TRUE; /* the machine's own CPU */
  } else {
    vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, NULL, "cpu",
                        "CPU features need a <model> on %s", arch);
    return FALSE;
  }
  for (guint i = 0; cpu != NULL && i < cpu->features->len; i++) {
    const VbCpuFeature *feature = cpu->features->pdata[i];
    gboolean on = feature->policy == VB_ABSENT || feature->policy == VB_CPU_FEATURE_FORCE ||
                  feature->policy == VB_CPU_FEATURE_REQUIRE ||
                  feature->policy == VB_CPU_FEATURE_OPTIONAL;

    g_string_append_c(out, ',');
    vb_qemu_keyval_append(out, feature->name);
    g_string_append(out, on ? "=on" : "=off");
  }
  if (def->has_features && def->features.apic_eoi != VB_ABSENT)
    g_string_append_printf(out, ",kvm-pv-eoi=%s", def->features.apic_eoi ? "on" : "off");
  timer_policy(def, VB_TIMER_KVMCLOCK, &present);
  if (present == 0)
    g_string_append(out, ",kvmclock=off");
  if (!append_hyperv(b, out, error))
    return FALSE;
  timer_policy(def, VB_TIMER_HYPERVCLOCK, &present);
  if (present == 1)
    g_string_append(out, ",hv-time=on");
  for (guint i = 0; i < def->panics->len; i++) {
    if (((const VbPanicDef *)def->panics->pdata[i])->model == VB_PANIC_HYPERV)
      g_string_append(out, ",hv-crash=on");
  }
  vb_qemu_build_arg(b, "-cpu", out->str);
  return TRUE;
}

void
vb_qemu_build_memory_and_cpus(VbQemuBuild *b)
{
  const VbDomainDef *def = b->def;
  const VbCpuDef *cpu = def->cpu;
  g_autoptr(GString) smp = g_string_new(NULL);
  guint current = def->vcpus_current != 0 ? def->vcpus_current : def->vcpus;

  vb_qemu_build_argf(b, "-m", "size=%" G_GUINT64_FORMAT "k", def->memory_kib);
  g_string_append_printf(smp, "%u", current);
  if (current != def->vcpus)
    g_string_append_printf(smp, ",maxcpus=%u", def->vcpus);
  if (cpu != NULL && cpu->has_topology) {
    g_string_append_printf(smp, ",sockets=%u", cpu->sockets);
    if (cpu->dies > 1)
      g_string_append_printf(smp, ",dies=%u", cpu->dies);
    g_string_append_printf(smp, ",cores=%u,threads=%u", cpu->cores, cpu->threads);
  } else {
    g_string_append_printf(smp, ",sockets=%u,cores=1,threads=1", def->vcpus);
  }
  vb_qemu_build_arg(b, "-smp", smp->str);
}

gboolean
vb_qemu_build_clock(VbQemuBuild *b, GError **error)
{
  const VbClockDef *clock = &b->def->clock;
  g_autoptr(GString) rtc = g_string_new("base=");
  const char *policy;

  switch (clock->offset) {
  case VB_CLOCK_UTC:
    g_string_append(rtc, "utc");
    break;
  case VB_CLOCK_LOCALTIME:
  case VB_CLOCK_TIMEZONE:
    g_string_append(rtc, "localtime");
    break;
  case VB_CLOCK_VARIABLE:
  default: {
    g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc(b->config->now);
    g_autoptr(GDateTime) base = g_date_time_add_seconds(now, (gdouble)clock->adjustment);
    g_autoptr(GDateTime) shown = NULL;
    g_autofree char *text = NULL;

    if (base == NULL) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, NULL, "clock/@adjustment",
                          "%" G_GINT64_FORMAT " seconds is out of range", clock->adjustment);
      return FALSE;
    }
    shown = clock->basis == 1 ? g_date_time_to_local(base) : g_date_time_ref(base);
    text = g_date_time_format(shown, "%Y-%m-%dT%H:%M:%S");
    g_string_append(rtc, text);
    break;
  }
  }
  for (guint i = 0; i < clock->timers->len; i++) {
    const VbTimer *timer = clock->timers->pdata[i];

    if (timer->name == VB_TIMER_RTC && timer->track != VB_ABSENT)
      g_string_append(rtc, g_str_equal(vb_timer_track_names[timer->track], "guest")
                               ? ",clock=vm"
                               : ",clock=host");
  }
  policy = timer_policy(b->def, VB_TIMER_RTC, NULL);
  if (g_strcmp0(policy, "catchup") == 0) {
    g_string_append(rtc, ",driftfix=slew");
  } else if (policy != NULL && *policy != '\0' && !g_str_equal(policy, "delay")) {
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL,
                        "clock/timer[@name='rtc']/@tickpolicy",
                        "QEMU's RTC has no '%s' policy (it has 'delay' and 'catchup')", policy);
    return FALSE;
  }
  vb_qemu_build_arg(b, "-rtc", rtc->str);
  return TRUE;
}

/* The PIT's lost-tick policy belongs to KVM's in-kernel PIT. */
gboolean
vb_qemu_build_pit(VbQemuBuild *b, GError **error)
{
  const char *policy = timer_policy(b->def, VB_TIMER_PIT, NULL);
  const char *qemu_policy = NULL;

  if (policy == NULL || *policy == '\0' || !b->kvm)
    return TRUE;
  if (g_str_equal(policy, "delay"))
    qemu_policy = "delay";
  else if (g_str_equal(policy, "catchup"))
    qemu_policy = "slew";
  else if (g_str_equal(policy, "discard"))
    qemu_policy = "discard";
  if (qemu_policy == NULL) {
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL,
                        "clock/timer[@name='pit']/@tickpolicy", "KVM's PIT has no '%s' policy",
                        policy);
    return FALSE;
  }
  vb_qemu_build_argf(b, "-global", "kvm-pit.lost_tick_policy=%s", qemu_policy);
  return TRUE;
}

void
vb_qemu_build_boot(VbQemuBuild *b)
{
  const VbOsDef *os = &b->def->os;
  g_autoptr(GString) boot = g_string_new(NULL);

  if (os->bootmenu == 1) {
    g_string_append(boot, "menu=on,");
    if (os->bootmenu_timeout >= 0)
      g_string_append_printf(boot, "splash-time=%" G_GINT64_FORMAT ",", os->bootmenu_timeout);
  }
  g_string_append(boot, "strict=on");
  vb_qemu_build_arg(b, "-boot", boot->str);
  if (os->kernel != NULL)
    vb_qemu_build_arg(b, "-kernel", os->kernel);
  if (os->initrd != NULL)
    vb_qemu_build_arg(b, "-initrd", os->initrd);
  if (os->cmdline != NULL)
    vb_qemu_build_arg(b, "-append", os->cmdline);
}

/* One pflash unit: a -blockdev file/format pair the machine names, or -drive if=pflash when
 * the emulator (or <qemu:del capability='blockdev'/>) rules -blockdev out. */
static void
add_pflash(VbQemuBuild *b, guint unit, const char *path, const char *format, gboolean read_only)
{
  g_autofree char *storage = g_strdup_printf("libvirt-pflash%u-storage", unit);
  g_autofree char *node = g_strdup_printf("libvirt-pflash%u-format", unit);
  VbQemuProps *file, *top;

  if (!vb_qemu_build_has(b, "blockdev")) {
    g_autoptr(GString) drive = g_string_new("file=");

    vb_qemu_keyval_append(drive, path);
    g_string_append_printf(drive, ",if=pflash,format=%s,unit=%u%s", format, unit,
                           read_only ? ",readonly=on" : "");
    vb_qemu_build_arg(b, "-drive", drive->str);
    return;
  }
  file = vb_qemu_props_new();
  vb_qemu_props_add_string(file, "driver", "file");
  vb_qemu_props_add_string(file, "filename", path);
  vb_qemu_props_add_string(file, "node-name", storage);
  vb_qemu_props_add_bool(file, "auto-read-only", TRUE);
  vb_qemu_props_add_string(file, "discard", "unmap");
  vb_qemu_build_blockdev(b, file);
  top = vb_qemu_props_new();
  vb_qemu_props_add_string(top, "node-name", node);
  vb_qemu_props_add_bool(top, "read-only", read_only);
  vb_qemu_props_add_string(top, "driver", format);
  vb_qemu_props_add_string(top, "file", storage);
  vb_qemu_build_blockdev(b, top);
}

/* The firmware <os firmware> asks virtbus to choose: the first of QEMU's descriptors that fits.
 * Its variables are the domain's own copy of the template, kept across starts beside the other
 * domains' in the state directory (libvirt's NAME_VARS.fd), unless <nvram> names the file. */
static gboolean
choose_firmware(VbQemuBuild *b, GError **error)
{
  const VbOsDef *os = &b->def->os;
  const VbDomainDefaults *defaults = b->config->defaults;
  const VbFirmware *fw =
      vb_firmware_select(b->config->firmware, b->def, defaults->arch, defaults->machine, error);

  if (fw == NULL)
    return error == NULL || *error == NULL; /* 'bios' with no descriptor: QEMU's own */
  b->loader = fw->executable;
  b->loader_format = fw->executable_format != NULL ? fw->executable_format : "raw";
  b->loader_pflash = fw->device == VB_FIRMWARE_DEVICE_FLASH;
  b->loader_readonly = TRUE;
  b->loader_secure = (fw->features & VB_FIRMWARE_REQUIRES_SMM) != 0;
  if (fw->nvram_template != NULL) {
    b->cmd->nvram_template =
        g_strdup(os->nvram_template != NULL ? os->nvram_template : fw->nvram_template);
    if (os->nvram != NULL && os->nvram[0] != '\0') {
      b->cmd->nvram = g_strdup(os->nvram);
    } else {
      g_autofree char *file = g_strdup_printf(
          "%s_VARS.%s", b->def->name, g_str_equal(b->loader_format, "qcow2") ? "qcow2" : "fd");

      b->cmd->nvram =
          g_build_filename(vb_paths_get(b->config->paths, VB_PATH_STATE_DIR), "nvram", file, NULL);
    }
  }
  return TRUE;
}

/* Resolves the firmware (from <loader>/<nvram>, or chosen) and emits its images; -machine
 * names the pflash units and enables SMM when the firmware needs it. */
gboolean
vb_qemu_build_firmware(VbQemuBuild *b, GError **error)
{
  const VbOsDef *os = &b->def->os;

  if (os->loader == NULL || os->loader[0] == '\0') {
    if (os->firmware != VB_ABSENT) {
      if (!choose_firmware(b, error))
        return FALSE;
    } else if (os->loader != NULL) {
      vb_qemu_build_error(
          b, error, VB_ERROR_INVALID_CONFIG, NULL, "os/loader",
          "needs a path, unless <os firmware='efi|bios'> asks virtbus to choose one");
      return FALSE;
    }
  } else {
    b->loader = os->loader;
    b->loader_format = "raw";
    b->loader_pflash = os->loader_type == VB_LOADER_PFLASH;
    b->loader_readonly = os->loader_readonly != 0;
    b->loader_secure = os->loader_secure == 1;
    if (os->nvram != NULL && os->nvram[0] != '\0') {
      b->cmd->nvram = g_strdup(os->nvram);
      b->cmd->nvram_template = g_strdup(os->nvram_template);
    }
  }
  if (b->loader == NULL)
    return TRUE;
  if (!b->loader_pflash) {
    vb_qemu_build_arg(b, "-bios", b->loader);
    return TRUE;
  }
  add_pflash(b, 0, b->loader, b->loader_format, b->loader_readonly);
  if (b->cmd->nvram != NULL)
    add_pflash(b, 1, b->cmd->nvram, b->loader_format, FALSE);
  return TRUE;
}

/* ACPI S3/S4 as the machine's power-management device sees them. */
void
vb_qemu_build_pm(VbQemuBuild *b)
{
  const char *device = b->q35 ? "ICH9-LPC" : "PIIX4_PM";

  if (b->def->pm_suspend_to_mem != VB_ABSENT)
    vb_qemu_build_argf(b, "-global", "%s.disable_s3=%d", device, b->def->pm_suspend_to_mem ? 0 : 1);
  if (b->def->pm_suspend_to_disk != VB_ABSENT)
    vb_qemu_build_argf(b, "-global", "%s.disable_s4=%d", device,
                       b->def->pm_suspend_to_disk ? 0 : 1);
}

gboolean
vb_qemu_build_lifecycle(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;

  if (def->on_crash == VB_LIFECYCLE_COREDUMP_DESTROY ||
      def->on_crash == VB_LIFECYCLE_COREDUMP_RESTART) {
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL, "on_crash",
                        "'%s' is not supported: virtbus does not write guest core dumps",
                        vb_lifecycle_action_names[def->on_crash]);
    return FALSE;
  }
  /* with a panic device, 'preserve' keeps the crashed guest paused for inspection; the other
   * actions are the daemon's once QEMU reports the panic */
  if (def->on_crash == VB_LIFECYCLE_PRESERVE && def->panics->len > 0) {
    if (!vb_qemu_build_has(b, "set-action")) {
      vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, NULL, "on_crash",
                          "'preserve' needs QEMU's -action (QEMU 6.0), which %s does not have",
                          vb_qemu_caps_get_binary(b->caps));
      return FALSE;
    }
    vb_qemu_build_arg(b, "-action", "panic=pause");
  }
  if (def->watchdog != NULL && def->watchdog->action != VB_ABSENT)
    vb_qemu_build_arg(b, "-watchdog-action", vb_watchdog_action_names[def->watchdog->action]);
  return TRUE;
}
