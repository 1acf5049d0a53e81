/* vb-domain-format.c: VbDomainDef → domain XML in libvirt's layout and element order, for
 * everything outside <devices>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-xml-private.h"

static void
format_memory(VbXmlWriter *w, const VbDomainDef *def)
{
  vb_xml_writer_start(w, "memory");
  vb_xml_writer_attr(w, "unit", "KiB");
  {
    g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT, def->memory_kib);
    vb_xml_writer_text(w, text);
  }
  vb_xml_writer_end(w);
  vb_xml_writer_start(w, "currentMemory");
  vb_xml_writer_attr(w, "unit", "KiB");
  {
    g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT, def->current_memory_kib);
    vb_xml_writer_text(w, text);
  }
  vb_xml_writer_end(w);
}

static void
format_vcpu(VbXmlWriter *w, const VbDomainDef *def)
{
  g_autofree char *count = g_strdup_printf("%u", def->vcpus);

  vb_xml_writer_start(w, "vcpu");
  /* libvirt makes the default placement explicit */
  vb_xml_writer_attr(
      w, "placement",
      def->vcpu_placement == VB_ABSENT ? "static" : vb_vcpu_placement_names[def->vcpu_placement]);
  vb_xml_writer_attr(w, "cpuset", def->vcpu_cpuset);
  if (def->vcpus_current != 0 && def->vcpus_current != def->vcpus)
    vb_xml_writer_attr_printf(w, "current", "%u", def->vcpus_current);
  vb_xml_writer_text(w, count);
  vb_xml_writer_end(w);
}

static void
format_os(VbXmlWriter *w, const VbOsDef *os)
{
  vb_xml_writer_start(w, "os");
  vb_xml_writer_attr_enum(w, "firmware", vb_firmware_names, os->firmware);
  vb_xml_writer_start(w, "type");
  vb_xml_writer_attr(w, "arch", os->arch);
  vb_xml_writer_attr(w, "machine", os->machine);
  vb_xml_writer_text(w, os->type);
  vb_xml_writer_end(w);
  if (os->fw_secure_boot != VB_ABSENT || os->fw_enrolled_keys != VB_ABSENT) {
    vb_xml_writer_start(w, "firmware");
    if (os->fw_enrolled_keys != VB_ABSENT) {
      vb_xml_writer_start(w, "feature");
      vb_xml_writer_attr_bool(w, "enabled", os->fw_enrolled_keys, "yes", "no");
      vb_xml_writer_attr(w, "name", "enrolled-keys");
      vb_xml_writer_end(w);
    }
    if (os->fw_secure_boot != VB_ABSENT) {
      vb_xml_writer_start(w, "feature");
      vb_xml_writer_attr_bool(w, "enabled", os->fw_secure_boot, "yes", "no");
      vb_xml_writer_attr(w, "name", "secure-boot");
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
  }
  if (os->loader != NULL) {
    vb_xml_writer_start(w, "loader");
    vb_xml_writer_attr_bool(w, "readonly", os->loader_readonly, "yes", "no");
    vb_xml_writer_attr_bool(w, "secure", os->loader_secure, "yes", "no");
    vb_xml_writer_attr_enum(w, "type", vb_loader_type_names, os->loader_type);
    vb_xml_writer_text(w, os->loader);
    vb_xml_writer_end(w);
  }
  if (os->nvram != NULL) {
    vb_xml_writer_start(w, "nvram");
    vb_xml_writer_attr(w, "template", os->nvram_template);
    vb_xml_writer_text(w, os->nvram);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_element_text(w, "kernel", os->kernel);
  vb_xml_writer_element_text(w, "initrd", os->initrd);
  vb_xml_writer_element_text(w, "cmdline", os->cmdline);
  for (guint i = 0; i < os->boot_devs->len; i++) {
    vb_xml_writer_start(w, "boot");
    vb_xml_writer_attr(w, "dev", vb_boot_dev_names[g_array_index(os->boot_devs, VbBootDev, i)]);
    vb_xml_writer_end(w);
  }
  if (os->bootmenu != VB_ABSENT) {
    vb_xml_writer_start(w, "bootmenu");
    vb_xml_writer_attr_bool(w, "enable", os->bootmenu, "yes", "no");
    vb_xml_writer_attr_count(w, "timeout", os->bootmenu_timeout);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
format_hyperv(VbXmlWriter *w, const VbFeatures *features)
{
  vb_xml_writer_start(w, "hyperv");
  vb_xml_writer_attr_enum(w, "mode", vb_hyperv_mode_names, features->hyperv_mode);
  for (guint i = 0; i < VB_HYPERV_N_FEATURES; i++) {
    gint state = features->hyperv_state[i];

    if (state == VB_ABSENT)
      continue;
    vb_xml_writer_start(w, vb_hyperv_feature_names[i]);
    vb_xml_writer_attr(w, "state", state ? "on" : "off");
    if (i == VB_HYPERV_SPINLOCKS && features->hyperv_spinlock_retries != 0)
      vb_xml_writer_attr_printf(w, "retries", "%" G_GUINT64_FORMAT,
                                features->hyperv_spinlock_retries);
    if (i == VB_HYPERV_VENDOR_ID)
      vb_xml_writer_attr(w, "value", features->hyperv_vendor_id);
    if (i == VB_HYPERV_STIMER && features->hyperv_stimer_direct != VB_ABSENT) {
      vb_xml_writer_start(w, "direct");
      vb_xml_writer_attr_bool(w, "state", features->hyperv_stimer_direct, "on", "off");
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
format_features(VbXmlWriter *w, const VbDomainDef *def)
{
  const VbFeatures *features = &def->features;

  if (!def->has_features)
    return;
  vb_xml_writer_start(w, "features");
  if (features->acpi) {
    vb_xml_writer_start(w, "acpi");
    vb_xml_writer_end(w);
  }
  if (features->apic) {
    vb_xml_writer_start(w, "apic");
    vb_xml_writer_attr_bool(w, "eoi", features->apic_eoi, "on", "off");
    vb_xml_writer_end(w);
  }
  if (features->pae) {
    vb_xml_writer_start(w, "pae");
    vb_xml_writer_end(w);
  }
  if (features->hyperv)
    format_hyperv(w, features);
  if (features->vmport != VB_ABSENT) {
    vb_xml_writer_start(w, "vmport");
    vb_xml_writer_attr_bool(w, "state", features->vmport, "on", "off");
    vb_xml_writer_end(w);
  }
  if (features->smm != VB_ABSENT) {
    vb_xml_writer_start(w, "smm");
    vb_xml_writer_attr_bool(w, "state", features->smm, "on", "off");
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
format_cpu(VbXmlWriter *w, const VbCpuDef *cpu)
{
  if (cpu == NULL)
    return;
  vb_xml_writer_start(w, "cpu");
  vb_xml_writer_attr_enum(w, "mode", vb_cpu_mode_names, cpu->mode);
  vb_xml_writer_attr_enum(w, "match", vb_cpu_match_names, cpu->match);
  vb_xml_writer_attr_enum(w, "check", vb_cpu_check_names, cpu->check);
  vb_xml_writer_attr_bool(w, "migratable", cpu->migratable, "on", "off");
  if (cpu->model != NULL) {
    vb_xml_writer_start(w, "model");
    vb_xml_writer_attr_enum(w, "fallback", vb_cpu_fallback_names, cpu->model_fallback);
    vb_xml_writer_text(w, cpu->model);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_element_text(w, "vendor", cpu->vendor);
  if (cpu->has_topology) {
    vb_xml_writer_start(w, "topology");
    vb_xml_writer_attr_printf(w, "sockets", "%u", cpu->sockets);
    vb_xml_writer_attr_printf(w, "dies", "%u", cpu->dies);
    vb_xml_writer_attr_printf(w, "cores", "%u", cpu->cores);
    vb_xml_writer_attr_printf(w, "threads", "%u", cpu->threads);
    vb_xml_writer_end(w);
  }
  for (guint i = 0; i < cpu->features->len; i++) {
    const VbCpuFeature *feature = cpu->features->pdata[i];

    vb_xml_writer_start(w, "feature");
    vb_xml_writer_attr_enum(w, "policy", vb_cpu_feature_policy_names, feature->policy);
    vb_xml_writer_attr(w, "name", feature->name);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
format_clock(VbXmlWriter *w, const VbClockDef *clock)
{
  vb_xml_writer_start(w, "clock");
  vb_xml_writer_attr(w, "offset", vb_clock_offset_names[clock->offset]);
  if (clock->adjustment_reset)
    vb_xml_writer_attr(w, "adjustment", "reset");
  else if (clock->has_adjustment)
    vb_xml_writer_attr_printf(w, "adjustment", "%" G_GINT64_FORMAT, clock->adjustment);
  vb_xml_writer_attr_enum(w, "basis", vb_clock_basis_names, clock->basis);
  vb_xml_writer_attr(w, "timezone", clock->timezone);
  for (guint i = 0; i < clock->timers->len; i++) {
    const VbTimer *timer = clock->timers->pdata[i];

    vb_xml_writer_start(w, "timer");
    vb_xml_writer_attr(w, "name", vb_timer_names[timer->name]);
    vb_xml_writer_attr_enum(w, "tickpolicy", vb_timer_tickpolicy_names, timer->tickpolicy);
    vb_xml_writer_attr_enum(w, "track", vb_timer_track_names, timer->track);
    vb_xml_writer_attr_bool(w, "present", timer->present, "yes", "no");
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
format_pm(VbXmlWriter *w, const VbDomainDef *def)
{
  if (def->pm_suspend_to_mem == VB_ABSENT && def->pm_suspend_to_disk == VB_ABSENT)
    return;
  vb_xml_writer_start(w, "pm");
  if (def->pm_suspend_to_mem != VB_ABSENT) {
    vb_xml_writer_start(w, "suspend-to-mem");
    vb_xml_writer_attr_bool(w, "enabled", def->pm_suspend_to_mem, "yes", "no");
    vb_xml_writer_end(w);
  }
  if (def->pm_suspend_to_disk != VB_ABSENT) {
    vb_xml_writer_start(w, "suspend-to-disk");
    vb_xml_writer_attr_bool(w, "enabled", def->pm_suspend_to_disk, "yes", "no");
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
format_devices(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  vb_xml_writer_start(w, "devices");
  vb_xml_writer_element_text(w, "emulator", def->emulator);
  vb_domain_format_disks(w, def, flags);
  vb_domain_format_controllers(w, def, flags);
  vb_domain_format_interfaces(w, def, flags);
  vb_domain_format_chardevs(w, def, flags);
  vb_domain_format_inputs(w, def, flags);
  vb_domain_format_graphics(w, def, flags);
  vb_domain_format_sounds(w, def, flags);
  vb_domain_format_videos(w, def, flags);
  vb_domain_format_redirdevs(w, def, flags);
  vb_domain_format_hubs(w, def, flags);
  vb_domain_format_watchdog(w, def, flags);
  vb_domain_format_memballoon(w, def, flags);
  vb_domain_format_rngs(w, def, flags);
  vb_domain_format_panics(w, def, flags);
  vb_xml_writer_end(w);
}

/**
 * vb_domain_def_format:
 * @flags: which view: the persistent config, the live one, with or without secrets
 *
 * Returns: (transfer full): domain XML in libvirt's layout, ending in a newline
 */
char *
vb_domain_def_format(const VbDomainDef *def, VbDomainXmlFlags flags, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  g_autofree char *uuid = vb_domain_def_get_uuid_string(def);

  vb_xml_writer_start(w, "domain");
  vb_xml_writer_attr(w, "type", vb_virt_type_names[def->virt_type]);
  if ((flags & VB_DOMAIN_XML_LIVE) && def->id >= 0)
    vb_xml_writer_attr_printf(w, "id", "%" G_GINT64_FORMAT, def->id);
  if (vb_domain_has_qemu_namespace(def))
    vb_xml_writer_attr(w, "xmlns:qemu", VB_QEMU_NAMESPACE);
  vb_xml_writer_element_text(w, "name", def->name);
  vb_xml_writer_element_text(w, "uuid", uuid);
  vb_xml_writer_element_text(w, "title", def->title);
  vb_xml_writer_element_text(w, "description", def->description);
  if (def->metadata != NULL) {
    vb_xml_writer_start(w, "metadata");
    for (guint i = 0; def->metadata[i] != NULL; i++)
      vb_xml_writer_raw(w, def->metadata[i]);
    vb_xml_writer_end(w);
  }
  format_memory(w, def);
  format_vcpu(w, def);
  format_os(w, &def->os);
  format_features(w, def);
  format_cpu(w, def->cpu);
  format_clock(w, &def->clock);
  vb_xml_writer_element_text(w, "on_poweroff", vb_lifecycle_action_names[def->on_poweroff]);
  vb_xml_writer_element_text(w, "on_reboot", vb_lifecycle_action_names[def->on_reboot]);
  vb_xml_writer_element_text(w, "on_crash", vb_lifecycle_action_names[def->on_crash]);
  format_pm(w, def);
  format_devices(w, def, flags);
  vb_domain_format_seclabels(w, def, flags);
  vb_domain_format_qemu_namespace(w, def);
  vb_xml_writer_end(w);
  return vb_xml_writer_finish(w, error);
}
