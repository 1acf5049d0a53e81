/* vb-qemu-command-disk.c: disks: the block backend (-blockdev storage and format nodes, or
 * -drive on a QEMU without blockdev) and the guest device on its bus.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-address.h"
#include "vb-qemu-command-private.h"

/* What each cache mode means to QEMU: host page cache bypassed, flushes ignored, and whether
 * the guest sees a volatile write cache. */
typedef struct {
  gboolean direct;
  gboolean no_flush;
  gboolean write_cache;
} CacheMode;

static const CacheMode cache_modes[] = {
    [1] = {TRUE, FALSE, TRUE},   /* none */
    [2] = {FALSE, FALSE, FALSE}, /* writethrough */
    [3] = {FALSE, FALSE, TRUE},  /* writeback */
    [4] = {TRUE, FALSE, FALSE},  /* directsync */
    [5] = {FALSE, TRUE, TRUE},   /* unsafe */
};

static const char *
storage_driver(const VbDiskDef *disk)
{
  if (disk->type == VB_DISK_TYPE_BLOCK)
    return disk->device == VB_DISK_DEVICE_CDROM ? "host_cdrom" : "host_device";
  return "file";
}

static gboolean
has_cache_mode(const VbDiskDef *disk)
{
  /* 'default' leaves QEMU's own choice */
  return disk->driver_cache > 0;
}

static void
add_cache(VbQemuProps *props, const VbDiskDef *disk)
{
  const CacheMode *mode;
  VbQemuProps *cache;

  if (!has_cache_mode(disk))
    return;
  mode = &cache_modes[disk->driver_cache];
  cache = vb_qemu_props_new();
  vb_qemu_props_add_bool(cache, "direct", mode->direct);
  vb_qemu_props_add_bool(cache, "no-flush", mode->no_flush);
  vb_qemu_props_add_object(props, "cache", cache);
}

static const char *
format_name(const VbDiskDef *disk)
{
  return disk->driver_format == VB_ABSENT ? "raw" : vb_disk_format_names[disk->driver_format];
}

/* -blockdev: a protocol node for the file or device, and a format node on top. Returns the node
 * the guest device uses. */
static char *
build_blockdev(VbQemuBuild *b, const VbDiskDef *disk, guint number)
{
  g_autofree char *storage = g_strdup_printf("libvirt-%u-storage", number);
  char *format = g_strdup_printf("libvirt-%u-format", number);
  VbQemuProps *file = vb_qemu_props_new();
  VbQemuProps *top = vb_qemu_props_new();

  vb_qemu_props_add_string(file, "driver", storage_driver(disk));
  vb_qemu_props_add_string(file, "filename", disk->source);
  vb_qemu_props_add_string(file, "node-name", storage);
  if (disk->driver_io != VB_ABSENT)
    vb_qemu_props_add_string(file, "aio", vb_disk_io_names[disk->driver_io]);
  add_cache(file, disk);
  vb_qemu_props_add_bool(file, "auto-read-only", TRUE);
  if (disk->driver_discard != VB_ABSENT)
    vb_qemu_props_add_string(file, "discard", vb_disk_discard_names[disk->driver_discard]);
  vb_qemu_build_blockdev(b, file);

  vb_qemu_props_add_string(top, "node-name", format);
  vb_qemu_props_add_bool(top, "read-only", disk->readonly);
  if (disk->driver_discard != VB_ABSENT)
    vb_qemu_props_add_string(top, "discard", vb_disk_discard_names[disk->driver_discard]);
  add_cache(top, disk);
  vb_qemu_props_add_string(top, "driver", format_name(disk));
  vb_qemu_props_add_string(top, "file", storage);
  vb_qemu_build_blockdev(b, top);
  return format;
}

/* -drive if=none for a QEMU without -blockdev (or with it taken away by <qemu:del>). */
static char *
build_drive(VbQemuBuild *b, const VbDiskDef *disk)
{
  char *id = g_strdup_printf("drive-%s", vb_qemu_device_id(&disk->info));
  g_autoptr(GString) drive = g_string_new("file=");

  vb_qemu_keyval_append(drive, disk->source);
  g_string_append_printf(drive, ",format=%s,if=none,id=", format_name(disk));
  vb_qemu_keyval_append(drive, id);
  if (disk->readonly)
    g_string_append(drive, ",readonly=on");
  if (has_cache_mode(disk))
    g_string_append_printf(drive, ",cache=%s", vb_disk_cache_names[disk->driver_cache]);
  if (disk->driver_discard != VB_ABSENT)
    g_string_append_printf(drive, ",discard=%s", vb_disk_discard_names[disk->driver_discard]);
  if (disk->driver_io != VB_ABSENT)
    g_string_append_printf(drive, ",aio=%s", vb_disk_io_names[disk->driver_io]);
  vb_qemu_build_arg(b, "-drive", drive->str);
  return id;
}

/* The guest-side device and where it plugs in. */
static gboolean
disk_device(
    VbQemuBuild *b, const VbDiskDef *disk, const char *what, VbQemuProps **out, GError **error)
{
  const VbDeviceAddress *a = &disk->info.address;
  gboolean cdrom = disk->device == VB_DISK_DEVICE_CDROM;
  const char *driver;
  VbQemuProps *props;

  switch (disk->target_bus) {
  case VB_DISK_BUS_VIRTIO:
    if (cdrom) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, disk, NULL,
                          "a CD-ROM cannot be on the virtio bus; use 'sata', 'scsi' or 'ide'");
      return FALSE;
    }
    driver = "virtio-blk-pci";
    break;
  case VB_DISK_BUS_USB:
    /* usb-storage makes its own SCSI disk, always a hard disk: a CD-ROM is a SCSI CD-ROM on a
     * bulk-only USB device */
    driver = cdrom ? "scsi-cd" : "usb-storage";
    if (cdrom && !vb_qemu_build_need_device(b, "usb-bot", what, error))
      return FALSE;
    break;
  case VB_DISK_BUS_SCSI:
    driver = cdrom ? "scsi-cd" : "scsi-hd";
    break;
  case VB_DISK_BUS_IDE:
    if (b->q35) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, disk, "target/@bus",
                          "the machine %s has no IDE bus; use 'sata'",
                          b->config->defaults->machine);
      return FALSE;
    }
    driver = cdrom ? "ide-cd" : "ide-hd";
    break;
  case VB_DISK_BUS_SATA:
    driver = cdrom ? "ide-cd" : "ide-hd";
    break;
  case VB_DISK_BUS_FDC:
  default:
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, disk, NULL,
                        "floppy disks are not supported by virtbus's command line builder");
    return FALSE;
  }
  if (!vb_qemu_build_need_device(b, driver, what, error))
    return FALSE;
  props = vb_qemu_device_new(driver, NULL);
  switch (disk->target_bus) {
  case VB_DISK_BUS_IDE: {
    g_autofree char *bus = g_strdup_printf("ide.%" G_GUINT64_FORMAT, a->bus);

    vb_qemu_props_add_string(props, "bus", bus);
    vb_qemu_props_add_uint(props, "unit", a->unit);
    break;
  }
  case VB_DISK_BUS_SATA: {
    g_autofree char *bus = a->controller == 0 && b->q35
                               ? g_strdup_printf("ide.%" G_GUINT64_FORMAT, a->unit)
                               : g_strdup_printf("sata%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT,
                                                 a->controller, a->unit);

    vb_qemu_props_add_string(props, "bus", bus);
    break;
  }
  case VB_DISK_BUS_SCSI: {
    const VbControllerDef *c = vb_domain_find_controller(b->def, VB_CONTROLLER_SCSI, a->controller);
    g_autofree char *bus = g_strdup_printf("scsi%" G_GUINT64_FORMAT ".0", a->controller);

    vb_qemu_props_add_string(props, "bus", bus);
    if (c != NULL && g_strcmp0(c->model, "virtio-scsi") == 0) {
      vb_qemu_props_add_uint(props, "channel", a->bus);
      vb_qemu_props_add_uint(props, "scsi-id", a->target);
      vb_qemu_props_add_uint(props, "lun", a->unit);
    } else {
      vb_qemu_props_add_uint(props, "scsi-id", a->unit);
    }
    /* the guest sees it in the VPD page: QEMU took it from -drive's id before -blockdev, so
     * libvirt gives it as the drive's old name (or the serial) to keep the guest's view */
    if (disk->serial != NULL) {
      vb_qemu_props_add_string(props, "device_id", disk->serial);
    } else {
      g_autofree char *device_id = g_strconcat("drive-", vb_qemu_device_id(&disk->info), NULL);

      vb_qemu_props_add_string(props, "device_id", device_id);
    }
    break;
  }
  case VB_DISK_BUS_USB:
    if (!vb_qemu_build_has_usb(b)) {
      vb_qemu_props_free(props);
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, disk, NULL,
                          "a USB disk needs a USB controller");
      return FALSE;
    }
    if (cdrom) {
      /* the CD-ROM keeps the disk's id (the drive is its), the USB device is named after it */
      g_autofree char *bot_id = g_strconcat(vb_qemu_device_id(&disk->info), "-bot", NULL);
      g_autofree char *bus = g_strconcat(bot_id, ".0", NULL);
      VbQemuProps *bot = vb_qemu_device_new("usb-bot", bot_id);

      vb_qemu_usb_place(bot, &disk->info);
      vb_qemu_build_device(b, bot);
      vb_qemu_props_add_string(props, "bus", bus);
      vb_qemu_props_add_uint(props, "scsi-id", 0);
      vb_qemu_props_add_uint(props, "lun", 0);
    } else {
      vb_qemu_usb_place(props, &disk->info);
    }
    break;
  case VB_DISK_BUS_VIRTIO:
  default:
    if (!vb_qemu_pci_place(b, props, &disk->info, what, error)) {
      vb_qemu_props_free(props);
      return FALSE;
    }
    break;
  }
  *out = props;
  return TRUE;
}

static gboolean
build_disk(VbQemuBuild *b, const VbDiskDef *disk, guint number, GError **error)
{
  g_autofree char *what = g_strdup_printf("the disk '%s'", disk->target_dev);
  g_autofree char *node = NULL;
  VbQemuProps *props = NULL;
  guint bootindex = vb_qemu_build_bootindex(b, &disk->info);

  if (disk->type == VB_DISK_TYPE_VOLUME) {
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, disk, "@type",
                        "'volume' needs storage pools, which virtbus does not have; give the file "
                        "or device instead");
    return FALSE;
  }
  if (disk->source == NULL && disk->device == VB_DISK_DEVICE_DISK) {
    vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, disk, NULL,
                        "a hard disk needs a <source>");
    return FALSE;
  }
  if (!disk_device(b, disk, what, &props, error))
    return FALSE;
  if (disk->source != NULL)
    node =
        vb_qemu_build_has(b, "blockdev") ? build_blockdev(b, disk, number) : build_drive(b, disk);
  if (node != NULL)
    vb_qemu_props_add_string(props, "drive", node);
  vb_qemu_props_add_string(props, "id", vb_qemu_device_id(&disk->info));
  if (bootindex > 0)
    vb_qemu_props_add_uint(props, "bootindex", bootindex);
  if (disk->shareable)
    vb_qemu_props_add_bool(props, "share-rw", TRUE);
  if (disk->serial != NULL)
    vb_qemu_props_add_string(props, "serial", disk->serial);
  if (has_cache_mode(disk) && node != NULL && vb_qemu_build_has(b, "blockdev"))
    /* an OnOffAuto property: QEMU wants the string */
    vb_qemu_props_add_string(props, "write-cache",
                             cache_modes[disk->driver_cache].write_cache ? "on" : "off");
  vb_qemu_build_device(b, props);
  return TRUE;
}

gboolean
vb_qemu_build_disks(VbQemuBuild *b, GError **error)
{
  const GPtrArray *disks = b->def->disks;

  for (guint i = 0; i < disks->len; i++) {
    /* numbered from the last, as libvirt's node names are */
    if (!build_disk(b, disks->pdata[i], disks->len - i, error))
      return FALSE;
  }
  return TRUE;
}
