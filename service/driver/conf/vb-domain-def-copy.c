/* vb-domain-def-copy.c: a deep copy of a domain definition.
 *
 * A running domain keeps the definition it started with (the live one, which the start fills
 * in: ids, aliases, addresses, labels) while its persistent configuration may be redefined
 * for the next start: two objects, which share nothing.
 *
 * Every struct is first copied by value, then each owned pointer is copied; the arrays keep
 * their free functions (g_ptr_array_copy). A field added to the model with an owned pointer
 * must get its line here: the copy test formats both and mutates the copy (test-domain-copy.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-def.h"

static GPtrArray *
copy_array(GPtrArray *src, GCopyFunc copy)
{
  return src != NULL ? g_ptr_array_copy(src, copy, NULL) : NULL;
}

static void
copy_os_def_into(VbOsDef *dst, const VbOsDef *src)
{
  *dst = *src;
  dst->type = g_strdup(src->type);
  dst->arch = g_strdup(src->arch);
  dst->machine = g_strdup(src->machine);
  dst->boot_devs = src->boot_devs != NULL ? g_array_copy(src->boot_devs) : NULL;
  dst->kernel = g_strdup(src->kernel);
  dst->initrd = g_strdup(src->initrd);
  dst->cmdline = g_strdup(src->cmdline);
  dst->loader = g_strdup(src->loader);
  dst->nvram = g_strdup(src->nvram);
  dst->nvram_template = g_strdup(src->nvram_template);
}

static void
copy_features_into(VbFeatures *dst, const VbFeatures *src)
{
  *dst = *src;
  dst->hyperv_vendor_id = g_strdup(src->hyperv_vendor_id);
}

static VbCpuFeature *
copy_cpu_feature(const VbCpuFeature *src, gpointer unused)
{
  VbCpuFeature *dst = g_memdup2(src, sizeof *src);

  dst->name = g_strdup(src->name);
  return dst;
}

static VbCpuDef *
copy_cpu_def(const VbCpuDef *src, gpointer unused)
{
  VbCpuDef *dst = g_memdup2(src, sizeof *src);

  dst->model = g_strdup(src->model);
  dst->vendor = g_strdup(src->vendor);
  dst->features = copy_array(src->features, (GCopyFunc)copy_cpu_feature);
  return dst;
}

VbCpuDef *
vb_cpu_def_copy(const VbCpuDef *cpu)
{
  return copy_cpu_def(cpu, NULL);
}

static VbTimer *
copy_timer(const VbTimer *src, gpointer unused)
{
  VbTimer *dst = g_memdup2(src, sizeof *src);

  return dst;
}

static void
copy_clock_def_into(VbClockDef *dst, const VbClockDef *src)
{
  *dst = *src;
  dst->timezone = g_strdup(src->timezone);
  dst->timers = copy_array(src->timers, (GCopyFunc)copy_timer);
}

static void
copy_device_address_into(VbDeviceAddress *dst, const VbDeviceAddress *src)
{
  *dst = *src;
  dst->usb_port = g_strdup(src->usb_port);
}

static void
copy_device_info_into(VbDeviceInfo *dst, const VbDeviceInfo *src)
{
  *dst = *src;
  dst->alias = g_strdup(src->alias);
  dst->assigned_alias = g_strdup(src->assigned_alias);
  copy_device_address_into(&dst->address, &src->address);
}

static VbSeclabelDef *
copy_seclabel_def(const VbSeclabelDef *src, gpointer unused)
{
  VbSeclabelDef *dst = g_memdup2(src, sizeof *src);

  dst->label = g_strdup(src->label);
  dst->imagelabel = g_strdup(src->imagelabel);
  dst->baselabel = g_strdup(src->baselabel);
  return dst;
}

static VbDeviceSeclabelDef *
copy_device_seclabel_def(const VbDeviceSeclabelDef *src, gpointer unused)
{
  VbDeviceSeclabelDef *dst = g_memdup2(src, sizeof *src);

  dst->label = g_strdup(src->label);
  return dst;
}

static VbDiskDef *
copy_disk_def(const VbDiskDef *src, gpointer unused)
{
  VbDiskDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  dst->driver_name = g_strdup(src->driver_name);
  dst->source = g_strdup(src->source);
  dst->source_pool = g_strdup(src->source_pool);
  dst->source_volume = g_strdup(src->source_volume);
  dst->target_dev = g_strdup(src->target_dev);
  dst->serial = g_strdup(src->serial);
  dst->seclabels = copy_array(src->seclabels, (GCopyFunc)copy_device_seclabel_def);
  return dst;
}

static VbControllerDef *
copy_controller_def(const VbControllerDef *src, gpointer unused)
{
  VbControllerDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  dst->model = g_strdup(src->model);
  dst->model_name = g_strdup(src->model_name);
  return dst;
}

static VbNetDef *
copy_net_def(const VbNetDef *src, gpointer unused)
{
  VbNetDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  dst->source = g_strdup(src->source);
  dst->target_dev = g_strdup(src->target_dev);
  dst->model = g_strdup(src->model);
  return dst;
}

static VbInputDef *
copy_input_def(const VbInputDef *src, gpointer unused)
{
  VbInputDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  return dst;
}

static VbMemballoonDef *
copy_memballoon_def(const VbMemballoonDef *src, gpointer unused)
{
  VbMemballoonDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  return dst;
}

static VbGraphicsListen *
copy_graphics_listen(const VbGraphicsListen *src, gpointer unused)
{
  VbGraphicsListen *dst = g_memdup2(src, sizeof *src);

  dst->address = g_strdup(src->address);
  dst->socket = g_strdup(src->socket);
  return dst;
}

static VbGraphicsDef *
copy_graphics_def(const VbGraphicsDef *src, gpointer unused)
{
  VbGraphicsDef *dst = g_memdup2(src, sizeof *src);

  dst->keymap = g_strdup(src->keymap);
  dst->passwd = g_strdup(src->passwd);
  dst->listens = copy_array(src->listens, (GCopyFunc)copy_graphics_listen);
  return dst;
}

static VbVideoDef *
copy_video_def(const VbVideoDef *src, gpointer unused)
{
  VbVideoDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  return dst;
}

static VbSoundDef *
copy_sound_def(const VbSoundDef *src, gpointer unused)
{
  VbSoundDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  return dst;
}

static VbAudioDef *
copy_audio_def(const VbAudioDef *src, gpointer unused)
{
  VbAudioDef *dst = g_memdup2(src, sizeof *src);

  return dst;
}

static void
copy_chr_source_into(VbChrSource *dst, const VbChrSource *src)
{
  *dst = *src;
  dst->path = g_strdup(src->path);
}

static VbSerialDef *
copy_serial_def(const VbSerialDef *src, gpointer unused)
{
  VbSerialDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  copy_chr_source_into(&dst->source, &src->source);
  return dst;
}

static VbChannelDef *
copy_channel_def(const VbChannelDef *src, gpointer unused)
{
  VbChannelDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  copy_chr_source_into(&dst->source, &src->source);
  dst->target_name = g_strdup(src->target_name);
  return dst;
}

static VbRedirdevDef *
copy_redirdev_def(const VbRedirdevDef *src, gpointer unused)
{
  VbRedirdevDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  return dst;
}

static VbHubDef *
copy_hub_def(const VbHubDef *src, gpointer unused)
{
  VbHubDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  return dst;
}

static VbRngDef *
copy_rng_def(const VbRngDef *src, gpointer unused)
{
  VbRngDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  dst->backend = g_strdup(src->backend);
  return dst;
}

static VbPanicDef *
copy_panic_def(const VbPanicDef *src, gpointer unused)
{
  VbPanicDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  return dst;
}

static VbWatchdogDef *
copy_watchdog_def(const VbWatchdogDef *src, gpointer unused)
{
  VbWatchdogDef *dst = g_memdup2(src, sizeof *src);

  copy_device_info_into(&dst->info, &src->info);
  return dst;
}

static VbQemuEnv *
copy_qemu_env(const VbQemuEnv *src, gpointer unused)
{
  VbQemuEnv *dst = g_memdup2(src, sizeof *src);

  dst->name = g_strdup(src->name);
  dst->value = g_strdup(src->value);
  return dst;
}

static VbQemuProp *
copy_qemu_prop(const VbQemuProp *src, gpointer unused)
{
  VbQemuProp *dst = g_memdup2(src, sizeof *src);

  dst->name = g_strdup(src->name);
  dst->value = g_strdup(src->value);
  return dst;
}

static VbQemuOverride *
copy_qemu_override(const VbQemuOverride *src, gpointer unused)
{
  VbQemuOverride *dst = g_memdup2(src, sizeof *src);

  dst->alias = g_strdup(src->alias);
  dst->props = copy_array(src->props, (GCopyFunc)copy_qemu_prop);
  return dst;
}

static void
copy_qemu_namespace_into(VbQemuNamespace *dst, const VbQemuNamespace *src)
{
  *dst = *src;
  dst->args = g_strdupv(src->args);
  dst->env = copy_array(src->env, (GCopyFunc)copy_qemu_env);
  dst->caps_add = g_strdupv(src->caps_add);
  dst->caps_del = g_strdupv(src->caps_del);
  dst->overrides = copy_array(src->overrides, (GCopyFunc)copy_qemu_override);
}

/**
 * vb_domain_def_copy:
 *
 * Returns: (transfer full): a definition equal to @def that shares no memory with it
 */
VbDomainDef *
vb_domain_def_copy(const VbDomainDef *def)
{
  VbDomainDef *copy = g_memdup2(def, sizeof *def);

  copy->name = g_strdup(def->name);
  copy->title = g_strdup(def->title);
  copy->description = g_strdup(def->description);
  copy->metadata = g_strdupv(def->metadata);
  copy->vcpu_cpuset = g_strdup(def->vcpu_cpuset);
  copy_os_def_into(&copy->os, &def->os);
  copy_features_into(&copy->features, &def->features);
  copy->cpu = def->cpu != NULL ? copy_cpu_def(def->cpu, NULL) : NULL;
  copy_clock_def_into(&copy->clock, &def->clock);
  copy->emulator = g_strdup(def->emulator);
  copy->disks = copy_array(def->disks, (GCopyFunc)copy_disk_def);
  copy->controllers = copy_array(def->controllers, (GCopyFunc)copy_controller_def);
  copy->nets = copy_array(def->nets, (GCopyFunc)copy_net_def);
  copy->inputs = copy_array(def->inputs, (GCopyFunc)copy_input_def);
  copy->serials = copy_array(def->serials, (GCopyFunc)copy_serial_def);
  copy->consoles = copy_array(def->consoles, (GCopyFunc)copy_serial_def);
  copy->channels = copy_array(def->channels, (GCopyFunc)copy_channel_def);
  copy->graphics = copy_array(def->graphics, (GCopyFunc)copy_graphics_def);
  copy->sounds = copy_array(def->sounds, (GCopyFunc)copy_sound_def);
  copy->audios = copy_array(def->audios, (GCopyFunc)copy_audio_def);
  copy->videos = copy_array(def->videos, (GCopyFunc)copy_video_def);
  copy->redirdevs = copy_array(def->redirdevs, (GCopyFunc)copy_redirdev_def);
  copy->hubs = copy_array(def->hubs, (GCopyFunc)copy_hub_def);
  copy->watchdog = def->watchdog != NULL ? copy_watchdog_def(def->watchdog, NULL) : NULL;
  copy->memballoon = def->memballoon != NULL ? copy_memballoon_def(def->memballoon, NULL) : NULL;
  copy->rngs = copy_array(def->rngs, (GCopyFunc)copy_rng_def);
  copy->panics = copy_array(def->panics, (GCopyFunc)copy_panic_def);
  copy->seclabels = copy_array(def->seclabels, (GCopyFunc)copy_seclabel_def);
  copy_qemu_namespace_into(&copy->qemu, &def->qemu);
  return copy;
}
