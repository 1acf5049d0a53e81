/* vb-qemu-from-native-disk.c: domxml-from-native's disks: -hda…, -cdrom, -drive, and the
 * disk -devices with the -blockdev nodes behind them, each with the target, address and
 * driver settings that build it again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-qemu-from-native-private.h"
#include "vb-qemu-props.h"

/* Disk names have one letter after their prefix here: hda…hdz, vda…, sda…. */
#define LETTERS 26

/* The next free name on a bus family: hda…, vda…, sda…. */
static char *
next_target(VbImport *im, VbDiskBus bus, gint index)
{
  guint family = bus == VB_DISK_BUS_VIRTIO ? 1 : bus == VB_DISK_BUS_IDE ? 0 : 2;
  const char *prefix = family == 1 ? "vd" : family == 2 ? "sd" : "hd";
  guint n = index >= 0 ? (guint)index : im->next_letter[family];

  if (n >= LETTERS)
    return NULL;
  im->next_letter[family] = MAX(im->next_letter[family], n + 1);
  return g_strdup_printf("%s%c", prefix, 'a' + n);
}

/* A disk of @source: a block device under /dev, else a file. */
static VbDiskDef *
new_disk(VbImport *im, const char *source, VbDiskBus bus, gboolean cdrom)
{
  VbDiskDef *disk = vb_disk_def_new(
      source != NULL && g_str_has_prefix(source, "/dev/") ? VB_DISK_TYPE_BLOCK : VB_DISK_TYPE_FILE,
      cdrom ? VB_DISK_DEVICE_CDROM : VB_DISK_DEVICE_DISK);

  disk->source = g_strdup(source);
  disk->target_bus = bus;
  disk->readonly = cdrom;
  g_ptr_array_add(im->def->disks, disk);
  return disk;
}

/* -hdX, -cdrom and a bare image: an IDE disk at @index. */
gboolean
vb_qemu_import_add_disk(
    VbImport *im, const char *source, VbDiskBus bus, gint index, gboolean cdrom, GError **error)
{
  VbDiskDef *disk = new_disk(im, source, bus, cdrom);

  disk->target_dev = next_target(im, bus, index);
  if (disk->target_dev == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "more than %d '%s' disks", LETTERS,
                vb_disk_bus_names[bus]);
    return FALSE;
  }
  return TRUE;
}

/* One of the <driver> settings, from QEMU's name for it. */
static gboolean
driver_setting(const char *option,
               const char *key,
               const char *value,
               const char *const *names,
               gint *out,
               VbDiskDef *disk,
               GError **error)
{
  if (value == NULL)
    return TRUE;
  disk->has_driver = TRUE;
  g_free(disk->driver_name);
  disk->driver_name = g_strdup("qemu");
  return vb_qemu_import_name(option, key, value, names, out, error);
}

gboolean
vb_qemu_import_drive(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "file");
  const char *iface = g_hash_table_lookup(props, "if");
  const char *index = g_hash_table_lookup(props, "index");
  const char *media = g_hash_table_lookup(props, "media");
  const char *id = g_hash_table_lookup(props, "id");
  gboolean cdrom = g_strcmp0(media, "cdrom") == 0;
  VbDiskBus bus = VB_DISK_BUS_IDE;
  VbDiskDef *disk;

  if (iface == NULL)
    iface = "ide";
  if (g_str_equal(iface, "virtio"))
    bus = VB_DISK_BUS_VIRTIO;
  else if (g_str_equal(iface, "scsi"))
    bus = VB_DISK_BUS_SCSI;
  else if (!g_str_equal(iface, "ide") && !g_str_equal(iface, "none")) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-drive if=%s: domxml-from-native reads if=ide, virtio, scsi and none", iface);
    return FALSE;
  }
  disk = new_disk(im, g_hash_table_lookup(props, "file"), bus, cdrom);
  disk->readonly = cdrom || g_strcmp0(g_hash_table_lookup(props, "readonly"), "on") == 0;
  if (!driver_setting("-drive", "format", g_hash_table_lookup(props, "format"),
                      vb_disk_format_names, &disk->driver_format, disk, error) ||
      !driver_setting("-drive", "cache", g_hash_table_lookup(props, "cache"), vb_disk_cache_names,
                      &disk->driver_cache, disk, error) ||
      !driver_setting("-drive", "aio", g_hash_table_lookup(props, "aio"), vb_disk_io_names,
                      &disk->driver_io, disk, error) ||
      !driver_setting("-drive", "discard", g_hash_table_lookup(props, "discard"),
                      vb_disk_discard_names, &disk->driver_discard, disk, error))
    return FALSE;
  if (g_str_equal(iface, "none")) {
    g_hash_table_add(im->unclaimed, disk); /* its -device decides the bus */
  } else {
    guint64 number = 0;

    if (index != NULL && !g_ascii_string_to_unsigned(index, 10, 0, LETTERS - 1, &number, NULL)) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-drive index=%s: domxml-from-native reads indexes 0 to %d", index, LETTERS - 1);
      return FALSE;
    }
    disk->target_dev = next_target(im, bus, index != NULL ? (gint)number : -1);
    if (disk->target_dev == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-drive if=%s: more than %d disks on that bus", iface, LETTERS);
      return FALSE;
    }
  }
  if (id != NULL)
    g_hash_table_replace(im->drives, g_strdup(id), disk);
  return TRUE;
}

/* The cache mode whose host-cache, flush and guest write-cache settings these are. */
static const char *
cache_mode(GHashTable *node, const char *write_cache)
{
  static const struct {
    const char *name;
    const char *direct, *no_flush, *write_cache;
  } modes[] = {
      {"none", "on", "off", "on"},       {"writethrough", "off", "off", "off"},
      {"writeback", "off", "off", "on"}, {"directsync", "on", "off", "off"},
      {"unsafe", "off", "on", "on"},
  };
  const char *direct = g_hash_table_lookup(node, "cache.direct");
  const char *no_flush = g_hash_table_lookup(node, "cache.no-flush");

  if (direct == NULL || no_flush == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS(modes); i++) {
    if (g_str_equal(direct, modes[i].direct) && g_str_equal(no_flush, modes[i].no_flush) &&
        g_strcmp0(write_cache, modes[i].write_cache) == 0)
      return modes[i].name;
  }
  return NULL;
}

/* A disk from a -blockdev format node and the storage node under it (or one storage node). */
static VbDiskDef *
blockdev_disk(VbImport *im, GHashTable *blockdev, GHashTable *device, GError **error)
{
  const char *file = g_hash_table_lookup(blockdev, "file");
  GHashTable *storage = file != NULL ? g_hash_table_lookup(im->blockdevs, file) : NULL;
  GHashTable *protocol = storage != NULL ? storage : blockdev;
  const char *driver = g_hash_table_lookup(protocol, "driver");
  VbDiskDef *disk = new_disk(im, g_hash_table_lookup(protocol, "filename"), VB_DISK_BUS_IDE, FALSE);

  disk->type = g_str_has_prefix(driver != NULL ? driver : "", "host_") ? VB_DISK_TYPE_BLOCK
                                                                       : VB_DISK_TYPE_FILE;
  disk->readonly = g_strcmp0(g_hash_table_lookup(blockdev, "read-only"), "on") == 0;
  if ((storage != NULL &&
       !driver_setting("-blockdev", "driver", g_hash_table_lookup(blockdev, "driver"),
                       vb_disk_format_names, &disk->driver_format, disk, error)) ||
      !driver_setting("-blockdev", "cache",
                      cache_mode(blockdev, g_hash_table_lookup(device, "write-cache")),
                      vb_disk_cache_names, &disk->driver_cache, disk, error) ||
      !driver_setting("-blockdev", "aio", g_hash_table_lookup(protocol, "aio"), vb_disk_io_names,
                      &disk->driver_io, disk, error) ||
      !driver_setting("-blockdev", "discard", g_hash_table_lookup(protocol, "discard"),
                      vb_disk_discard_names, &disk->driver_discard, disk, error))
    return NULL;
  return disk;
}

/* The disk behind a -device's drive=: a -drive id, or a -blockdev format node and its file; a
 * new empty one without drive=. Its target is settled by the caller. */
static VbDiskDef *
drive_of(VbImport *im, GHashTable *device, VbDiskBus bus, gboolean cdrom, GError **error)
{
  const char *node = g_hash_table_lookup(device, "drive");
  VbDiskDef *disk = node != NULL ? g_hash_table_lookup(im->drives, node) : NULL;

  if (disk != NULL && !g_hash_table_contains(im->unclaimed, disk)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device: the -drive '%s' has a bus of its own (if=%s); give it if=none", node,
                vb_disk_bus_names[disk->target_bus]);
    return NULL;
  }
  if (disk != NULL) {
    g_hash_table_remove(im->unclaimed, disk);
  } else if (node != NULL) {
    GHashTable *blockdev = g_hash_table_lookup(im->blockdevs, node);

    if (blockdev == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "-device: drive '%s' is neither a -drive id nor a -blockdev node-name", node);
      return NULL;
    }
    disk = blockdev_disk(im, blockdev, device, error);
    if (disk == NULL)
      return NULL;
  } else {
    disk = new_disk(im, NULL, bus, cdrom);
  }
  disk->target_bus = bus;
  disk->device = cdrom ? VB_DISK_DEVICE_CDROM : VB_DISK_DEVICE_DISK;
  disk->readonly = disk->readonly || cdrom;
  return disk;
}

/* A drive address from an id "BUSC-B-U" or "scsiC-B-T-U", as virtbus names disks. */
static gboolean
drive_address(const char *id, const char *prefix, VbDeviceAddress *address)
{
  guint64 n[4] = {0};
  guint count = 0;
  g_auto(GStrv) parts = NULL;

  if (id == NULL || !g_str_has_prefix(id, prefix))
    return FALSE;
  parts = g_strsplit(id + strlen(prefix), "-", -1);
  for (; parts[count] != NULL; count++) {
    if (count == 4 || !g_ascii_string_to_unsigned(parts[count], 10, 0, 1000, &n[count], NULL))
      return FALSE;
  }
  if (count != (g_str_equal(prefix, "scsi") ? 4u : 3u))
    return FALSE;
  address->type = VB_ADDRESS_DRIVE;
  address->controller = n[0];
  address->bus = n[1];
  address->target = count == 4 ? n[2] : 0;
  address->unit = count == 4 ? n[3] : n[2];
  return TRUE;
}

/* -device for a disk: its target and address from the id virtbus gives (the next free name
 * when the id is another's), boot order, serial, sharing. */
gboolean
vb_qemu_import_disk_device(VbImport *im, GHashTable *props, const char *driver, GError **error)
{
  VbDiskBus bus = g_str_has_prefix(driver, "virtio-blk") ? VB_DISK_BUS_VIRTIO
                  : g_str_has_prefix(driver, "ide-")     ? VB_DISK_BUS_IDE
                  : g_str_has_prefix(driver, "scsi-")    ? VB_DISK_BUS_SCSI
                                                         : VB_DISK_BUS_USB;
  const char *id = g_hash_table_lookup(props, "id");
  const char *on_bus = g_hash_table_lookup(props, "bus");
  g_autofree char *option = g_strdup_printf("-device %s", driver);
  g_autofree char *bot = NULL;
  const char *usb_port = NULL;
  gint64 boot_order = 0;
  gint64 index = -1;
  gboolean addressed = FALSE;
  VbDiskDef *disk;

  /* q35's AHCI is QEMU's "ide" bus; its disks are SATA */
  if (bus == VB_DISK_BUS_IDE && id != NULL && g_str_has_prefix(id, "sata"))
    bus = VB_DISK_BUS_SATA;
  /* a scsi-cd on a usb-bot's bus is a USB CD-ROM */
  if (g_str_equal(driver, "scsi-cd") && on_bus != NULL && g_str_has_suffix(on_bus, ".0")) {
    bot = g_strndup(on_bus, strlen(on_bus) - 2);
    usb_port = g_hash_table_lookup(im->usb_bots, bot);
    if (usb_port != NULL)
      bus = VB_DISK_BUS_USB;
  } else if (bus == VB_DISK_BUS_USB) {
    usb_port = g_hash_table_lookup(props, "port");
  }
  disk = drive_of(im, props, bus, g_str_has_suffix(driver, "-cd"), error);
  if (disk == NULL)
    return FALSE;
  if (bus == VB_DISK_BUS_VIRTIO)
    index = vb_qemu_import_id_number(id, "virtio-disk");
  else if (bus == VB_DISK_BUS_USB)
    index = vb_qemu_import_id_number(id, "usb-disk");
  else
    addressed = drive_address(id, vb_disk_bus_names[bus], &disk->info.address);
  if (index >= 0 && index < LETTERS) {
    disk->target_dev =
        g_strdup_printf("%s%c", bus == VB_DISK_BUS_VIRTIO ? "vd" : "sd", (char)('a' + index));
  } else if (!addressed) {
    disk->target_dev = next_target(im, bus, -1);
    if (disk->target_dev == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "more than %d '%s' disks", LETTERS,
                  vb_disk_bus_names[bus]);
      return FALSE;
    }
  } else if (bus == VB_DISK_BUS_IDE) {
    /* ide0-B-U is hd + letter 2B+U, the name libvirt gives it */
    guint64 n = disk->info.address.bus * 2 + disk->info.address.unit;

    disk->target_dev = g_strdup_printf("hd%c", (char)('a' + MIN(n, LETTERS - 1)));
  }
  if (usb_port != NULL && *usb_port != '\0') {
    disk->info.address.type = VB_ADDRESS_USB;
    disk->info.address.bus = 0;
    disk->info.address.usb_port = g_strdup(usb_port);
  } else if (!addressed && !vb_qemu_import_pci_address(props, &disk->info, error)) {
    return FALSE;
  }
  if (!vb_qemu_import_count(option, props, "bootindex", G_MAXINT32, &boot_order, error))
    return FALSE;
  disk->info.boot_order = (guint64)boot_order;
  g_free(disk->serial);
  disk->serial = g_strdup(g_hash_table_lookup(props, "serial"));
  disk->shareable = g_strcmp0(g_hash_table_lookup(props, "share-rw"), "on") == 0;
  return TRUE;
}

/* Disks with a drive address and no name yet get the first free "sd" name (the address, not
 * the name, sets their alias); an -drive if=none no -device used is an error. */
gboolean
vb_qemu_import_settle_disks(VbImport *im, GError **error)
{
  GPtrArray *disks = im->def->disks;
  g_autoptr(GHashTable) taken = g_hash_table_new(g_str_hash, g_str_equal);

  for (guint i = 0; i < disks->len; i++) {
    const VbDiskDef *disk = disks->pdata[i];

    if (g_hash_table_contains(im->unclaimed, disk)) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "-drive file=%s,if=none is used by no -device",
                  disk->source != NULL ? disk->source : "");
      return FALSE;
    }
    if (disk->target_dev != NULL)
      g_hash_table_add(taken, disk->target_dev);
  }
  for (guint i = 0, letter = 0; i < disks->len; i++) {
    VbDiskDef *disk = disks->pdata[i];

    while (disk->target_dev == NULL && letter < LETTERS) {
      g_autofree char *name = g_strdup_printf("sd%c", (char)('a' + letter++));

      if (!g_hash_table_contains(taken, name))
        disk->target_dev = g_steal_pointer(&name);
    }
    if (disk->target_dev == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "more than %d 'sd' disks", LETTERS);
      return FALSE;
    }
  }
  return TRUE;
}
