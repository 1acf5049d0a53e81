/* vb-domain-device-defaults.c: the device models and settings a define writes where the
 * domain left them out, as libvirt writes them, so the stored definition says what the guest
 * gets (and a later virtbus with other defaults does not change it):
 *
 *   - a NIC without a model is an rtl8139;
 *   - an input without a bus: a mouse or keyboard is on PS/2, a tablet on USB; and the PC's
 *     i8042 mouse and keyboard are listed, as libvirt lists them;
 *   - a video without a model is the machine's default (QXL with SPICE, else VGA), with the
 *     model's default memory and one head; the first video is the primary one;
 *   - a serial port without a target is an ISA serial port, a console without one a serial
 *     console;
 *   - a disk with a source and no format is raw, for the driver "qemu";
 *   - no <audio>: one, 'spice' with SPICE graphics, else 'none';
 *   - no <boot> and no device's boot order, and no kernel to boot: <boot dev='hd'/>;
 *   - q35: its ICH9 TCO watchdog ('itco', action reset), which QEMU lets reset the guest only
 *     when told.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-address.h"
#include "vb-domain-device-defaults.h"

/* libvirt's defaults, in KiB */
#define VIDEO_VRAM_KIB 16384
#define QXL_RAM_KIB 65536
#define QXL_VRAM_KIB 65536
#define QXL_VGAMEM_KIB 16384
/* "raw" in vb_disk_format_names */
#define DISK_FORMAT_RAW 0

static void
fill_video(VbVideoDef *video, const VbDomainDef *def, gboolean first)
{
  if (video->model == VB_ABSENT)
    video->model = vb_domain_default_video_model(def);
  switch ((VbVideoModel)video->model) {
  case VB_VIDEO_QXL:
    if (video->ram < 0)
      video->ram = QXL_RAM_KIB;
    if (video->vram < 0)
      video->vram = QXL_VRAM_KIB;
    if (video->vgamem < 0)
      video->vgamem = QXL_VGAMEM_KIB;
    break;
  case VB_VIDEO_VGA:
  case VB_VIDEO_CIRRUS:
  case VB_VIDEO_BOCHS:
    if (video->vram < 0)
      video->vram = VIDEO_VRAM_KIB;
    break;
  case VB_VIDEO_VIRTIO:
    break;
  case VB_VIDEO_NONE:
  default:
    return;
  }
  if (video->heads < 0)
    video->heads = 1;
  if (first && video->primary == VB_ABSENT)
    video->primary = 1;
}

static gboolean
has_input(const VbDomainDef *def, VbInputType type, VbInputBus bus)
{
  for (guint i = 0; i < def->inputs->len; i++) {
    const VbInputDef *input = def->inputs->pdata[i];

    if (input->type == type && input->bus == (gint)bus)
      return TRUE;
  }
  return FALSE;
}

static void
fill_inputs(VbDomainDef *def)
{
  static const VbInputType i8042[] = {VB_INPUT_MOUSE, VB_INPUT_KEYBOARD};

  for (guint i = 0; i < def->inputs->len; i++) {
    VbInputDef *input = def->inputs->pdata[i];

    if (input->bus == VB_ABSENT)
      input->bus = input->type == VB_INPUT_TABLET ? VB_INPUT_BUS_USB : VB_INPUT_BUS_PS2;
  }
  for (guint i = 0; i < G_N_ELEMENTS(i8042); i++) {
    if (!has_input(def, i8042[i], VB_INPUT_BUS_PS2)) {
      VbInputDef *input = vb_input_def_new(i8042[i]);

      input->bus = VB_INPUT_BUS_PS2;
      g_ptr_array_add(def->inputs, input);
    }
  }
}

static void
fill_chardevs(VbDomainDef *def)
{
  for (guint i = 0; i < def->serials->len; i++) {
    VbSerialDef *serial = def->serials->pdata[i];

    if (serial->target_type == VB_ABSENT)
      serial->target_type = VB_SERIAL_TARGET_ISA;
    /* each target type has the one model of its name */
    if (serial->target_model == VB_ABSENT)
      serial->target_model = serial->target_type;
  }
  for (guint i = 0; i < def->consoles->len; i++) {
    VbSerialDef *console = def->consoles->pdata[i];

    if (console->target_type == VB_ABSENT)
      console->target_type = VB_CONSOLE_TARGET_SERIAL;
  }
}

static void
fill_disks(VbDomainDef *def)
{
  for (guint i = 0; i < def->disks->len; i++) {
    VbDiskDef *disk = def->disks->pdata[i];

    if (disk->source == NULL || disk->driver_format != VB_ABSENT)
      continue;
    disk->has_driver = TRUE;
    disk->driver_format = DISK_FORMAT_RAW;
    if (disk->driver_name == NULL)
      disk->driver_name = g_strdup("qemu");
  }
}

static void
fill_boot(VbDomainDef *def)
{
  g_autoptr(GPtrArray) infos = NULL;
  VbBootDev hd = VB_BOOT_HD;

  if (def->os.boot_devs->len > 0 || def->os.kernel != NULL)
    return;
  infos = vb_domain_def_get_device_infos(def);
  for (guint i = 0; i < infos->len; i++) {
    if (((const VbDeviceInfo *)infos->pdata[i])->boot_order != 0)
      return;
  }
  g_array_append_val(def->os.boot_devs, hd);
}

/**
 * vb_domain_fill_device_defaults:
 * @q35: the machine is a q35
 *
 * Writes the defaults above into @def; what is given stays.
 */
void
vb_domain_fill_device_defaults(VbDomainDef *def, gboolean q35)
{
  for (guint i = 0; i < def->nets->len; i++) {
    VbNetDef *net = def->nets->pdata[i];

    if (net->model == NULL)
      net->model = g_strdup("rtl8139");
  }
  fill_inputs(def);
  for (guint i = 0; i < def->videos->len; i++)
    fill_video(def->videos->pdata[i], def, i == 0);
  fill_chardevs(def);
  fill_disks(def);
  fill_boot(def);
  if (def->audios->len == 0) {
    VbAudioDef *audio = g_new0(VbAudioDef, 1);

    audio->id = 1;
    audio->type = vb_domain_has_spice(def) ? VB_AUDIO_SPICE : VB_AUDIO_NONE;
    g_ptr_array_add(def->audios, audio);
  }
  if (q35 && def->watchdog == NULL) {
    def->watchdog = vb_watchdog_def_new(VB_WATCHDOG_ITCO);
    def->watchdog->action = VB_WATCHDOG_RESET;
  }
}
