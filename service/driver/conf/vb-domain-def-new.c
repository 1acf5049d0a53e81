/* vb-domain-def-new.c: each device family as it is when its XML gives nothing optional: the
 * "not given" values (VB_ABSENT, -1) the formatter leaves out. The parser starts from these,
 * and so does code that builds a definition (domxml-from-native).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-def.h"

/* No address, no alias, no boot order. */
void
vb_device_info_init(VbDeviceInfo *info)
{
  *info = (VbDeviceInfo){0};
  info->address.type = VB_ABSENT;
  info->address.multifunction = VB_ABSENT;
  info->address.iobase = info->address.irq = -1;
}

VbDiskDef *
vb_disk_def_new(VbDiskType type, VbDiskDevice device)
{
  VbDiskDef *disk = g_new0(VbDiskDef, 1);

  vb_device_info_init(&disk->info);
  disk->type = type;
  disk->device = device;
  disk->driver_format = disk->driver_cache = disk->driver_discard = disk->driver_io = VB_ABSENT;
  disk->seclabels = g_ptr_array_new_with_free_func((GDestroyNotify)vb_device_seclabel_def_free);
  return disk;
}

VbControllerDef *
vb_controller_def_new(VbControllerType type, guint64 index)
{
  VbControllerDef *controller = g_new0(VbControllerDef, 1);

  vb_device_info_init(&controller->info);
  controller->type = type;
  controller->index = index;
  controller->ports = controller->vectors = -1;
  controller->target_chassis = controller->target_port = controller->master_startport = -1;
  controller->target_chassis_nr = -1;
  controller->driver_queues = controller->driver_cmd_per_lun = -1;
  controller->driver_max_sectors = -1;
  controller->driver_ioeventfd = VB_ABSENT;
  return controller;
}

/* Its MAC is all zeros until given or generated (vb_domain_def_generate_mac). */
VbNetDef *
vb_net_def_new(VbNetType type)
{
  VbNetDef *net = g_new0(VbNetDef, 1);

  vb_device_info_init(&net->info);
  net->type = type;
  net->link_state = VB_ABSENT;
  return net;
}

VbInputDef *
vb_input_def_new(VbInputType type)
{
  VbInputDef *input = g_new0(VbInputDef, 1);

  vb_device_info_init(&input->info);
  input->type = type;
  input->bus = VB_ABSENT;
  return input;
}

static void
chr_source_init(VbChrSource *source, VbChrType type)
{
  source->type = type;
  source->append = VB_ABSENT;
  source->unix_mode = VB_ABSENT;
}

/* A <serial> or a <console>: the port is chosen by the parser's rule when it stays -1. */
VbSerialDef *
vb_serial_def_new(VbChrType type)
{
  VbSerialDef *serial = g_new0(VbSerialDef, 1);

  vb_device_info_init(&serial->info);
  chr_source_init(&serial->source, type);
  serial->target_type = serial->target_model = VB_ABSENT;
  serial->target_port = -1;
  return serial;
}

VbChannelDef *
vb_channel_def_new(VbChrType type)
{
  VbChannelDef *channel = g_new0(VbChannelDef, 1);

  vb_device_info_init(&channel->info);
  chr_source_init(&channel->source, type);
  return channel;
}

/* No listen yet: a display needs one before it is formatted. */
VbGraphicsDef *
vb_graphics_def_new(VbGraphicsType type)
{
  VbGraphicsDef *graphics = g_new0(VbGraphicsDef, 1);

  graphics->type = type;
  graphics->image_compression = VB_ABSENT;
  graphics->listens = g_ptr_array_new_with_free_func((GDestroyNotify)vb_graphics_listen_free);
  return graphics;
}

VbVideoDef *
vb_video_def_new(void)
{
  VbVideoDef *video = g_new0(VbVideoDef, 1);

  vb_device_info_init(&video->info);
  video->model = video->primary = VB_ABSENT;
  video->vram = video->ram = video->vgamem = video->heads = -1;
  return video;
}

VbSoundDef *
vb_sound_def_new(VbSoundModel model)
{
  VbSoundDef *sound = g_new0(VbSoundDef, 1);

  vb_device_info_init(&sound->info);
  sound->model = model;
  return sound;
}

VbRedirdevDef *
vb_redirdev_def_new(void)
{
  VbRedirdevDef *redirdev = g_new0(VbRedirdevDef, 1);

  vb_device_info_init(&redirdev->info);
  return redirdev;
}

VbHubDef *
vb_hub_def_new(void)
{
  VbHubDef *hub = g_new0(VbHubDef, 1);

  vb_device_info_init(&hub->info);
  return hub;
}

VbRngDef *
vb_rng_def_new(void)
{
  VbRngDef *rng = g_new0(VbRngDef, 1);

  vb_device_info_init(&rng->info);
  return rng;
}

VbPanicDef *
vb_panic_def_new(void)
{
  VbPanicDef *panic = g_new0(VbPanicDef, 1);

  vb_device_info_init(&panic->info);
  panic->model = VB_ABSENT;
  return panic;
}

VbWatchdogDef *
vb_watchdog_def_new(VbWatchdogModel model)
{
  VbWatchdogDef *watchdog = g_new0(VbWatchdogDef, 1);

  vb_device_info_init(&watchdog->info);
  watchdog->model = model;
  watchdog->action = VB_ABSENT;
  return watchdog;
}

VbMemballoonDef *
vb_memballoon_def_new(gboolean none)
{
  VbMemballoonDef *balloon = g_new0(VbMemballoonDef, 1);

  vb_device_info_init(&balloon->info);
  balloon->none = none;
  return balloon;
}

VbTimer *
vb_timer_new(VbTimerName name)
{
  VbTimer *timer = g_new0(VbTimer, 1);

  timer->name = name;
  timer->present = timer->tickpolicy = timer->track = VB_ABSENT;
  return timer;
}
