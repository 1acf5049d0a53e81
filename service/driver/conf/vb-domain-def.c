/* vb-domain-def.c: construction, destruction and the name tables of the domain model.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-def.h"

const char *const vb_virt_type_names[] = {
    [VB_VIRT_QEMU] = "qemu",
    [VB_VIRT_KVM] = "kvm",
    [VB_VIRT_HVF] = "hvf",
    [VB_VIRT_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_virt_type_names) == VB_VIRT_N + 1);
const char *const vb_lifecycle_action_names[] = {
    [VB_LIFECYCLE_DESTROY] = "destroy",
    [VB_LIFECYCLE_RESTART] = "restart",
    [VB_LIFECYCLE_PRESERVE] = "preserve",
    [VB_LIFECYCLE_RENAME_RESTART] = "rename-restart",
    [VB_LIFECYCLE_COREDUMP_DESTROY] = "coredump-destroy",
    [VB_LIFECYCLE_COREDUMP_RESTART] = "coredump-restart",
    [VB_LIFECYCLE_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_lifecycle_action_names) == VB_LIFECYCLE_N + 1);
const char *const vb_boot_dev_names[] = {
    [VB_BOOT_FD] = "fd",           [VB_BOOT_HD] = "hd", [VB_BOOT_CDROM] = "cdrom",
    [VB_BOOT_NETWORK] = "network", [VB_BOOT_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_boot_dev_names) == VB_BOOT_N + 1);
const char *const vb_loader_type_names[] = {
    [VB_LOADER_ROM] = "rom",
    [VB_LOADER_PFLASH] = "pflash",
    [VB_LOADER_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_loader_type_names) == VB_LOADER_N + 1);
const char *const vb_firmware_names[] = {
    [VB_FIRMWARE_EFI] = "efi",
    [VB_FIRMWARE_BIOS] = "bios",
    [VB_FIRMWARE_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_firmware_names) == VB_FIRMWARE_N + 1);
const char *const vb_hyperv_feature_names[] = {
    [VB_HYPERV_RELAXED] = "relaxed",
    [VB_HYPERV_VAPIC] = "vapic",
    [VB_HYPERV_SPINLOCKS] = "spinlocks",
    [VB_HYPERV_VPINDEX] = "vpindex",
    [VB_HYPERV_RUNTIME] = "runtime",
    [VB_HYPERV_SYNIC] = "synic",
    [VB_HYPERV_STIMER] = "stimer",
    [VB_HYPERV_RESET] = "reset",
    [VB_HYPERV_VENDOR_ID] = "vendor_id",
    [VB_HYPERV_FREQUENCIES] = "frequencies",
    [VB_HYPERV_REENLIGHTENMENT] = "reenlightenment",
    [VB_HYPERV_TLBFLUSH] = "tlbflush",
    [VB_HYPERV_IPI] = "ipi",
    [VB_HYPERV_EVMCS] = "evmcs",
    [VB_HYPERV_AVIC] = "avic",
    [VB_HYPERV_EMSR_BITMAP] = "emsr_bitmap",
    [VB_HYPERV_XMM_INPUT] = "xmm_input",
    [VB_HYPERV_N_FEATURES] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_hyperv_feature_names) == VB_HYPERV_N_FEATURES + 1);
const char *const vb_hyperv_mode_names[] = {
    [VB_HYPERV_MODE_CUSTOM] = "custom",
    [VB_HYPERV_MODE_PASSTHROUGH] = "passthrough",
    [VB_HYPERV_MODE_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_hyperv_mode_names) == VB_HYPERV_MODE_N + 1);
const char *const vb_cpu_mode_names[] = {
    [VB_CPU_MODE_CUSTOM] = "custom",
    [VB_CPU_MODE_HOST_MODEL] = "host-model",
    [VB_CPU_MODE_HOST_PASSTHROUGH] = "host-passthrough",
    [VB_CPU_MODE_MAXIMUM] = "maximum",
    [VB_CPU_MODE_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_cpu_mode_names) == VB_CPU_MODE_N + 1);
const char *const vb_cpu_match_names[] = {"exact", "minimum", "strict", NULL};
const char *const vb_cpu_check_names[] = {"none", "partial", "full", NULL};
const char *const vb_cpu_fallback_names[] = {"allow", "forbid", NULL};
const char *const vb_cpu_feature_policy_names[] = {
    [VB_CPU_FEATURE_FORCE] = "force",       [VB_CPU_FEATURE_REQUIRE] = "require",
    [VB_CPU_FEATURE_OPTIONAL] = "optional", [VB_CPU_FEATURE_DISABLE] = "disable",
    [VB_CPU_FEATURE_FORBID] = "forbid",     [VB_CPU_FEATURE_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_cpu_feature_policy_names) == VB_CPU_FEATURE_N + 1);
const char *const vb_clock_offset_names[] = {
    [VB_CLOCK_UTC] = "utc",
    [VB_CLOCK_LOCALTIME] = "localtime",
    [VB_CLOCK_VARIABLE] = "variable",
    [VB_CLOCK_TIMEZONE] = "timezone",
    [VB_CLOCK_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_clock_offset_names) == VB_CLOCK_N + 1);
const char *const vb_clock_basis_names[] = {"utc", "localtime", NULL};
const char *const vb_timer_names[] = {
    [VB_TIMER_PLATFORM] = "platform",
    [VB_TIMER_PIT] = "pit",
    [VB_TIMER_RTC] = "rtc",
    [VB_TIMER_HPET] = "hpet",
    [VB_TIMER_TSC] = "tsc",
    [VB_TIMER_KVMCLOCK] = "kvmclock",
    [VB_TIMER_HYPERVCLOCK] = "hypervclock",
    [VB_TIMER_ARMVTIMER] = "armvtimer",
    [VB_TIMER_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_timer_names) == VB_TIMER_N + 1);
const char *const vb_timer_tickpolicy_names[] = {"delay", "catchup", "merge", "discard", NULL};
const char *const vb_timer_track_names[] = {"boot", "guest", "wall", "realtime", NULL};
const char *const vb_vcpu_placement_names[] = {"static", "auto", NULL};
const char *const vb_address_type_names[] = {
    [VB_ADDRESS_PCI] = "pci", [VB_ADDRESS_DRIVE] = "drive",
    [VB_ADDRESS_USB] = "usb", [VB_ADDRESS_VIRTIO_SERIAL] = "virtio-serial",
    [VB_ADDRESS_ISA] = "isa", [VB_ADDRESS_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_address_type_names) == VB_ADDRESS_N + 1);
const char *const vb_disk_type_names[] = {
    [VB_DISK_TYPE_FILE] = "file",
    [VB_DISK_TYPE_BLOCK] = "block",
    [VB_DISK_TYPE_VOLUME] = "volume",
    [VB_DISK_TYPE_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_disk_type_names) == VB_DISK_TYPE_N + 1);
const char *const vb_disk_device_names[] = {
    [VB_DISK_DEVICE_DISK] = "disk",
    [VB_DISK_DEVICE_CDROM] = "cdrom",
    [VB_DISK_DEVICE_FLOPPY] = "floppy",
    [VB_DISK_DEVICE_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_disk_device_names) == VB_DISK_DEVICE_N + 1);
const char *const vb_disk_bus_names[] = {
    [VB_DISK_BUS_IDE] = "ide",       [VB_DISK_BUS_FDC] = "fdc", [VB_DISK_BUS_SCSI] = "scsi",
    [VB_DISK_BUS_VIRTIO] = "virtio", [VB_DISK_BUS_USB] = "usb", [VB_DISK_BUS_SATA] = "sata",
    [VB_DISK_BUS_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_disk_bus_names) == VB_DISK_BUS_N + 1);
const char *const vb_disk_format_names[] = {"raw", "qcow2", NULL};
const char *const vb_disk_cache_names[] = {
    "default", "none", "writethrough", "writeback", "directsync", "unsafe", NULL};
const char *const vb_disk_discard_names[] = {"unmap", "ignore", NULL};
const char *const vb_disk_io_names[] = {"threads", "native", "io_uring", NULL};
const char *const vb_controller_type_names[] = {
    [VB_CONTROLLER_IDE] = "ide",
    [VB_CONTROLLER_FDC] = "fdc",
    [VB_CONTROLLER_SCSI] = "scsi",
    [VB_CONTROLLER_SATA] = "sata",
    [VB_CONTROLLER_VIRTIO_SERIAL] = "virtio-serial",
    [VB_CONTROLLER_USB] = "usb",
    [VB_CONTROLLER_PCI] = "pci",
    [VB_CONTROLLER_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_controller_type_names) == VB_CONTROLLER_N + 1);
const char *const vb_net_type_names[] = {
    [VB_NET_USER] = "user",     [VB_NET_NETWORK] = "network",
    [VB_NET_BRIDGE] = "bridge", [VB_NET_ETHERNET] = "ethernet",
    [VB_NET_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_net_type_names) == VB_NET_N + 1);
const char *const vb_input_type_names[] = {
    [VB_INPUT_MOUSE] = "mouse",
    [VB_INPUT_TABLET] = "tablet",
    [VB_INPUT_KEYBOARD] = "keyboard",
    [VB_INPUT_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_input_type_names) == VB_INPUT_N + 1);
const char *const vb_input_bus_names[] = {
    [VB_INPUT_BUS_PS2] = "ps2",
    [VB_INPUT_BUS_USB] = "usb",
    [VB_INPUT_BUS_VIRTIO] = "virtio",
    [VB_INPUT_BUS_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_input_bus_names) == VB_INPUT_BUS_N + 1);
const char *const vb_seclabel_type_names[] = {
    [VB_SECLABEL_DYNAMIC] = "dynamic",
    [VB_SECLABEL_STATIC] = "static",
    [VB_SECLABEL_NONE] = "none",
    [VB_SECLABEL_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_seclabel_type_names) == VB_SECLABEL_N + 1);
const char *const vb_secmodel_names[] = {
    [VB_SECMODEL_SELINUX] = "selinux",
    [VB_SECMODEL_APPARMOR] = "apparmor",
    [VB_SECMODEL_DAC] = "dac",
    [VB_SECMODEL_NONE] = "none",
    [VB_SECMODEL_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_secmodel_names) == VB_SECMODEL_N + 1);
const char *const vb_graphics_type_names[] = {
    [VB_GRAPHICS_VNC] = "vnc",
    [VB_GRAPHICS_SPICE] = "spice",
    [VB_GRAPHICS_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_graphics_type_names) == VB_GRAPHICS_N + 1);
const char *const vb_listen_type_names[] = {
    [VB_LISTEN_ADDRESS] = "address",
    [VB_LISTEN_SOCKET] = "socket",
    [VB_LISTEN_NONE] = "none",
    [VB_LISTEN_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_listen_type_names) == VB_LISTEN_N + 1);
const char *const vb_spice_image_compression_names[] = {
    [VB_SPICE_IMAGE_AUTO_GLZ] = "auto_glz",
    [VB_SPICE_IMAGE_AUTO_LZ] = "auto_lz",
    [VB_SPICE_IMAGE_QUIC] = "quic",
    [VB_SPICE_IMAGE_GLZ] = "glz",
    [VB_SPICE_IMAGE_LZ] = "lz",
    [VB_SPICE_IMAGE_OFF] = "off",
    [VB_SPICE_IMAGE_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_spice_image_compression_names) == VB_SPICE_IMAGE_N + 1);
const char *const vb_video_model_names[] = {
    [VB_VIDEO_VGA] = "vga", [VB_VIDEO_CIRRUS] = "cirrus", [VB_VIDEO_VIRTIO] = "virtio",
    [VB_VIDEO_QXL] = "qxl", [VB_VIDEO_BOCHS] = "bochs",   [VB_VIDEO_NONE] = "none",
    [VB_VIDEO_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_video_model_names) == VB_VIDEO_N + 1);
const char *const vb_sound_model_names[] = {
    [VB_SOUND_ICH9] = "ich9",     [VB_SOUND_ICH6] = "ich6", [VB_SOUND_AC97] = "ac97",
    [VB_SOUND_ES1370] = "es1370", [VB_SOUND_USB] = "usb",   [VB_SOUND_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_sound_model_names) == VB_SOUND_N + 1);
const char *const vb_audio_type_names[] = {
    [VB_AUDIO_NONE] = "none",
    [VB_AUDIO_SPICE] = "spice",
    [VB_AUDIO_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_audio_type_names) == VB_AUDIO_N + 1);
const char *const vb_chr_type_names[] = {
    [VB_CHR_PTY] = "pty",   [VB_CHR_FILE] = "file",         [VB_CHR_UNIX] = "unix",
    [VB_CHR_NULL] = "null", [VB_CHR_SPICEVMC] = "spicevmc", [VB_CHR_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_chr_type_names) == VB_CHR_N + 1);
const char *const vb_chr_unix_mode_names[] = {"bind", "connect", NULL};
const char *const vb_serial_target_type_names[] = {
    [VB_SERIAL_TARGET_ISA] = "isa-serial",
    [VB_SERIAL_TARGET_USB] = "usb-serial",
    [VB_SERIAL_TARGET_PCI] = "pci-serial",
    [VB_SERIAL_TARGET_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_serial_target_type_names) == VB_SERIAL_TARGET_N + 1);
const char *const vb_serial_target_model_names[] = {"isa-serial", "usb-serial", "pci-serial", NULL};
const char *const vb_console_target_type_names[] = {
    [VB_CONSOLE_TARGET_SERIAL] = "serial",
    [VB_CONSOLE_TARGET_VIRTIO] = "virtio",
    [VB_CONSOLE_TARGET_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_console_target_type_names) == VB_CONSOLE_TARGET_N + 1);
const char *const vb_panic_model_names[] = {
    [VB_PANIC_ISA] = "isa",
    [VB_PANIC_PVPANIC] = "pvpanic",
    [VB_PANIC_HYPERV] = "hyperv",
    [VB_PANIC_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_panic_model_names) == VB_PANIC_N + 1);
const char *const vb_watchdog_model_names[] = {
    [VB_WATCHDOG_I6300ESB] = "i6300esb",
    [VB_WATCHDOG_IB700] = "ib700",
    [VB_WATCHDOG_ITCO] = "itco",
    [VB_WATCHDOG_MODEL_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_watchdog_model_names) == VB_WATCHDOG_MODEL_N + 1);
const char *const vb_watchdog_action_names[] = {
    [VB_WATCHDOG_RESET] = "reset",       [VB_WATCHDOG_SHUTDOWN] = "shutdown",
    [VB_WATCHDOG_POWEROFF] = "poweroff", [VB_WATCHDOG_PAUSE] = "pause",
    [VB_WATCHDOG_NONE] = "none",         [VB_WATCHDOG_INJECT_NMI] = "inject-nmi",
    [VB_WATCHDOG_ACTION_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_watchdog_action_names) == VB_WATCHDOG_ACTION_N + 1);
const char *const vb_qemu_prop_type_names[] = {
    [VB_QEMU_PROP_STRING] = "string",     [VB_QEMU_PROP_SIGNED] = "signed",
    [VB_QEMU_PROP_UNSIGNED] = "unsigned", [VB_QEMU_PROP_BOOL] = "bool",
    [VB_QEMU_PROP_REMOVE] = "remove",     [VB_QEMU_PROP_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_qemu_prop_type_names) == VB_QEMU_PROP_N + 1);
/* The NIC models virtbus runs: libvirt's names for QEMU's x86 network devices. */
const char *const vb_net_model_names[] = {"virtio",
                                          "virtio-transitional",
                                          "virtio-non-transitional",
                                          "e1000",
                                          "e1000e",
                                          "igb",
                                          "rtl8139",
                                          "ne2k_pci",
                                          "pcnet",
                                          "vmxnet3",
                                          "i82551",
                                          "i82557b",
                                          "i82559er",
                                          "usb-net",
                                          NULL};
const char *const vb_deprecation_behavior_names[] = {
    [VB_DEPRECATION_NONE] = "none",     [VB_DEPRECATION_OMIT] = "omit",
    [VB_DEPRECATION_REJECT] = "reject", [VB_DEPRECATION_CRASH] = "crash",
    [VB_DEPRECATION_N] = NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_deprecation_behavior_names) == VB_DEPRECATION_N + 1);

void
vb_device_info_clear(VbDeviceInfo *info)
{
  g_clear_pointer(&info->alias, g_free);
  g_clear_pointer(&info->assigned_alias, g_free);
  g_clear_pointer(&info->address.usb_port, g_free);
}

/* The one list of device families: the element each is in the XML, where the model keeps
 * it (an array, or one pointer for the devices a domain has at most one of) and where each
 * keeps its VbDeviceInfo (-1: none). In the order the devices get their aliases. */
typedef struct {
  const char *element;
  gsize field; /* offset in VbDomainDef of the GPtrArray, or of the pointer when single */
  gboolean single;
  gssize info; /* offset of the VbDeviceInfo in the device, -1 when it has none */
} DeviceFamily;

#define FAMILY(element, field, type)                                                               \
  {                                                                                                \
    element, G_STRUCT_OFFSET(VbDomainDef, field), FALSE, G_STRUCT_OFFSET(type, info)               \
  }
#define SINGLE(element, field, type)                                                               \
  {                                                                                                \
    element, G_STRUCT_OFFSET(VbDomainDef, field), TRUE, G_STRUCT_OFFSET(type, info)                \
  }

static const DeviceFamily device_families[] = {
    FAMILY("disk", disks, VbDiskDef),
    FAMILY("controller", controllers, VbControllerDef),
    FAMILY("interface", nets, VbNetDef),
    FAMILY("serial", serials, VbSerialDef),
    FAMILY("console", consoles, VbSerialDef),
    FAMILY("channel", channels, VbChannelDef),
    FAMILY("input", inputs, VbInputDef),
    FAMILY("sound", sounds, VbSoundDef),
    FAMILY("video", videos, VbVideoDef),
    FAMILY("redirdev", redirdevs, VbRedirdevDef),
    FAMILY("hub", hubs, VbHubDef),
    SINGLE("watchdog", watchdog, VbWatchdogDef),
    SINGLE("memballoon", memballoon, VbMemballoonDef),
    FAMILY("rng", rngs, VbRngDef),
    FAMILY("panic", panics, VbPanicDef),
    {"graphics", G_STRUCT_OFFSET(VbDomainDef, graphics), FALSE, -1},
    {"audio", G_STRUCT_OFFSET(VbDomainDef, audios), FALSE, -1},
};

#undef FAMILY
#undef SINGLE

/* The devices of @family, however the model keeps them: @n of them in @out (at most one when
 * single). */
static gpointer const *
family_devices(const VbDomainDef *def, const DeviceFamily *family, guint *n, gpointer *single)
{
  if (family->single) {
    *single = G_STRUCT_MEMBER(gpointer, def, family->field);
    *n = *single != NULL ? 1 : 0;
    return (gpointer const *)single;
  }
  {
    const GPtrArray *array = G_STRUCT_MEMBER(GPtrArray *, def, family->field);

    *n = array->len;
    return (gpointer const *)array->pdata;
  }
}

/**
 * vb_domain_def_get_device_infos:
 *
 * For checks and assignments that apply to all devices alike (user aliases, boot order, later
 * assigned aliases and addresses), through the one list of device families.
 *
 * Returns: (transfer container) (element-type VbDeviceInfo): the common part of each device
 */
GPtrArray *
vb_domain_def_get_device_infos(const VbDomainDef *def)
{
  GPtrArray *infos = g_ptr_array_new();

  for (guint f = 0; f < G_N_ELEMENTS(device_families); f++) {
    const DeviceFamily *family = &device_families[f];
    gpointer single;
    guint n;
    gpointer const *devices;

    if (family->info < 0)
      continue;
    devices = family_devices(def, family, &n, &single);
    for (guint i = 0; i < n; i++)
      g_ptr_array_add(infos, (guint8 *)devices[i] + family->info);
  }
  return infos;
}

/**
 * vb_domain_def_path:
 * @device: (nullable): a device of @def (a VbDiskDef, VbGraphicsDef, …) or its VbDeviceInfo;
 *   %NULL for the domain itself
 * @below: (nullable): the path below it: "target/@bus", "@type"
 *
 * Where a message points, from the model: "/domain/devices/disk[2]/target/@bus", numbered as
 * the formatted XML shows the device (no number when it is the only one of its kind).
 *
 * Returns: (transfer full): the XPath-like location
 */
char *
vb_domain_def_path(const VbDomainDef *def, gconstpointer device, const char *below)
{
  GString *path = g_string_new("/domain");

  for (guint f = 0; device != NULL && f < G_N_ELEMENTS(device_families); f++) {
    const DeviceFamily *family = &device_families[f];
    gpointer single;
    guint n;
    gpointer const *devices = family_devices(def, family, &n, &single);

    for (guint i = 0; i < n; i++) {
      if (devices[i] != device &&
          (family->info < 0 || (const guint8 *)devices[i] + family->info != device))
        continue;
      g_string_append_printf(path, "/devices/%s", family->element);
      if (n > 1)
        g_string_append_printf(path, "[%u]", i + 1);
      device = NULL;
      break;
    }
  }
  g_warn_if_fail(device == NULL); /* a device of another definition: a bug of the caller */
  if (below != NULL)
    g_string_append_printf(path, "/%s", below);
  return g_string_free(path, FALSE);
}

void
vb_disk_def_free(VbDiskDef *disk)
{
  if (disk == NULL)
    return;
  vb_device_info_clear(&disk->info);
  g_free(disk->driver_name);
  g_free(disk->source);
  g_free(disk->source_pool);
  g_free(disk->source_volume);
  g_free(disk->target_dev);
  g_free(disk->serial);
  g_clear_pointer(&disk->seclabels, g_ptr_array_unref);
  g_free(disk);
}

void
vb_controller_def_free(VbControllerDef *controller)
{
  if (controller == NULL)
    return;
  vb_device_info_clear(&controller->info);
  g_free(controller->model);
  g_free(controller->model_name);
  g_free(controller);
}

void
vb_net_def_free(VbNetDef *net)
{
  if (net == NULL)
    return;
  vb_device_info_clear(&net->info);
  g_free(net->source);
  g_free(net->target_dev);
  g_free(net->model);
  g_free(net);
}

void
vb_input_def_free(VbInputDef *input)
{
  if (input == NULL)
    return;
  vb_device_info_clear(&input->info);
  g_free(input);
}

void
vb_memballoon_def_free(VbMemballoonDef *balloon)
{
  if (balloon == NULL)
    return;
  vb_device_info_clear(&balloon->info);
  g_free(balloon);
}

void
vb_seclabel_def_free(VbSeclabelDef *seclabel)
{
  if (seclabel == NULL)
    return;
  g_free(seclabel->label);
  g_free(seclabel->imagelabel);
  g_free(seclabel->baselabel);
  g_free(seclabel);
}

void
vb_device_seclabel_def_free(VbDeviceSeclabelDef *seclabel)
{
  if (seclabel == NULL)
    return;
  g_free(seclabel->label);
  g_free(seclabel);
}

void
vb_graphics_listen_free(VbGraphicsListen *listen)
{
  g_free(listen->address);
  g_free(listen->socket);
  g_free(listen);
}

void
vb_graphics_def_free(VbGraphicsDef *graphics)
{
  if (graphics == NULL)
    return;
  g_free(graphics->keymap);
  if (graphics->passwd != NULL)
    memset(graphics->passwd, 0, strlen(graphics->passwd));
  g_free(graphics->passwd);
  g_clear_pointer(&graphics->listens, g_ptr_array_unref);
  g_free(graphics);
}

/* The devices whose only heap data is their common part. */
#define DEFINE_PLAIN_DEVICE_FREE(Type, func)                                                       \
  void func(Type *device)                                                                          \
  {                                                                                                \
    if (device == NULL)                                                                            \
      return;                                                                                      \
    vb_device_info_clear(&device->info);                                                           \
    g_free(device);                                                                                \
  }
DEFINE_PLAIN_DEVICE_FREE(VbVideoDef, vb_video_def_free)
DEFINE_PLAIN_DEVICE_FREE(VbSoundDef, vb_sound_def_free)
DEFINE_PLAIN_DEVICE_FREE(VbRedirdevDef, vb_redirdev_def_free)
DEFINE_PLAIN_DEVICE_FREE(VbHubDef, vb_hub_def_free)
DEFINE_PLAIN_DEVICE_FREE(VbPanicDef, vb_panic_def_free)
DEFINE_PLAIN_DEVICE_FREE(VbWatchdogDef, vb_watchdog_def_free)

void
vb_serial_def_free(VbSerialDef *serial)
{
  if (serial == NULL)
    return;
  vb_device_info_clear(&serial->info);
  g_free(serial->source.path);
  g_free(serial);
}

void
vb_channel_def_free(VbChannelDef *channel)
{
  if (channel == NULL)
    return;
  vb_device_info_clear(&channel->info);
  g_free(channel->source.path);
  g_free(channel->target_name);
  g_free(channel);
}

void
vb_rng_def_free(VbRngDef *rng)
{
  if (rng == NULL)
    return;
  vb_device_info_clear(&rng->info);
  g_free(rng->backend);
  g_free(rng);
}

static void
vb_qemu_env_free(VbQemuEnv *env)
{
  g_free(env->name);
  g_free(env->value);
  g_free(env);
}

static void
vb_qemu_prop_free(VbQemuProp *prop)
{
  g_free(prop->name);
  g_free(prop->value);
  g_free(prop);
}

static void
vb_qemu_override_free(VbQemuOverride *override)
{
  g_free(override->alias);
  g_clear_pointer(&override->props, g_ptr_array_unref);
  g_free(override);
}

/**
 * vb_names_index:
 * @names: one of the name tables above
 *
 * Returns: the enum value whose name is @value, or -1 (also for a %NULL @value)
 */
gint
vb_names_index(const char *const *names, const char *value)
{
  for (gint i = 0; value != NULL && names[i] != NULL; i++) {
    if (g_str_equal(names[i], value))
      return i;
  }
  return -1;
}

/**
 * vb_qemu_override_new:
 *
 * Returns: (transfer full): an override of the device with @alias, no properties yet
 */
VbQemuOverride *
vb_qemu_override_new(const char *alias)
{
  VbQemuOverride *override = g_new0(VbQemuOverride, 1);

  override->alias = g_strdup(alias);
  override->props = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_prop_free);
  return override;
}

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

  def->id = -1;
  def->vcpu_placement = VB_ABSENT;
  def->os.boot_devs = g_array_new(FALSE, FALSE, sizeof(VbBootDev));
  def->os.bootmenu = VB_ABSENT;
  def->os.bootmenu_timeout = -1;
  def->os.loader_readonly = VB_ABSENT;
  def->os.loader_type = VB_ABSENT;
  def->os.loader_secure = VB_ABSENT;
  def->os.firmware = def->os.fw_secure_boot = def->os.fw_enrolled_keys = VB_ABSENT;
  def->features.smm = VB_ABSENT;
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
  def->disks = g_ptr_array_new_with_free_func((GDestroyNotify)vb_disk_def_free);
  def->controllers = g_ptr_array_new_with_free_func((GDestroyNotify)vb_controller_def_free);
  def->nets = g_ptr_array_new_with_free_func((GDestroyNotify)vb_net_def_free);
  def->inputs = g_ptr_array_new_with_free_func((GDestroyNotify)vb_input_def_free);
  def->serials = g_ptr_array_new_with_free_func((GDestroyNotify)vb_serial_def_free);
  def->consoles = g_ptr_array_new_with_free_func((GDestroyNotify)vb_serial_def_free);
  def->channels = g_ptr_array_new_with_free_func((GDestroyNotify)vb_channel_def_free);
  def->graphics = g_ptr_array_new_with_free_func((GDestroyNotify)vb_graphics_def_free);
  def->sounds = g_ptr_array_new_with_free_func((GDestroyNotify)vb_sound_def_free);
  def->audios = g_ptr_array_new_with_free_func(g_free);
  def->videos = g_ptr_array_new_with_free_func((GDestroyNotify)vb_video_def_free);
  def->redirdevs = g_ptr_array_new_with_free_func((GDestroyNotify)vb_redirdev_def_free);
  def->hubs = g_ptr_array_new_with_free_func((GDestroyNotify)vb_hub_def_free);
  def->rngs = g_ptr_array_new_with_free_func((GDestroyNotify)vb_rng_def_free);
  def->panics = g_ptr_array_new_with_free_func((GDestroyNotify)vb_panic_def_free);
  def->seclabels = g_ptr_array_new_with_free_func((GDestroyNotify)vb_seclabel_def_free);
  def->qemu.env = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_env_free);
  def->qemu.deprecation = VB_ABSENT;
  def->qemu.overrides = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_override_free);
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
  g_strfreev(def->metadata);
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
  g_clear_pointer(&def->disks, g_ptr_array_unref);
  g_clear_pointer(&def->controllers, g_ptr_array_unref);
  g_clear_pointer(&def->nets, g_ptr_array_unref);
  g_clear_pointer(&def->inputs, g_ptr_array_unref);
  g_clear_pointer(&def->serials, g_ptr_array_unref);
  g_clear_pointer(&def->consoles, g_ptr_array_unref);
  g_clear_pointer(&def->channels, g_ptr_array_unref);
  g_clear_pointer(&def->graphics, g_ptr_array_unref);
  g_clear_pointer(&def->sounds, g_ptr_array_unref);
  g_clear_pointer(&def->audios, g_ptr_array_unref);
  g_clear_pointer(&def->videos, g_ptr_array_unref);
  g_clear_pointer(&def->redirdevs, g_ptr_array_unref);
  g_clear_pointer(&def->hubs, g_ptr_array_unref);
  vb_watchdog_def_free(def->watchdog);
  vb_memballoon_def_free(def->memballoon);
  g_clear_pointer(&def->rngs, g_ptr_array_unref);
  g_clear_pointer(&def->panics, g_ptr_array_unref);
  g_clear_pointer(&def->seclabels, g_ptr_array_unref);
  g_strfreev(def->qemu.args);
  g_clear_pointer(&def->qemu.env, g_ptr_array_unref);
  g_strfreev(def->qemu.caps_add);
  g_strfreev(def->qemu.caps_del);
  g_clear_pointer(&def->qemu.overrides, g_ptr_array_unref);
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
