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

void
vb_qemu_import_disk_free(VbImportDisk *disk)
{
  g_free(disk->type);
  g_free(disk->device);
  g_free(disk->source);
  g_free(disk->bus);
  g_free(disk->target);
  g_free(disk->format);
  g_free(disk->cache);
  g_free(disk->io);
  g_free(disk->discard);
  g_free(disk->serial);
  g_free(disk->boot_order);
  g_free(disk->address);
  g_free(disk);
}

/* The next free name on a bus family: hda…, vda…, sda…. */
static char *
next_target(VbImport *im, const char *bus, gint index)
{
  guint family = g_str_equal(bus, "virtio") ? 1 : g_str_equal(bus, "ide") ? 0 : 2;
  const char *prefix = family == 1 ? "vd" : family == 2 ? "sd" : "hd";
  guint n = index >= 0 ? (guint)index : im->next_letter[family];

  if (n >= 26)
    return NULL;
  im->next_letter[family] = MAX(im->next_letter[family], n + 1);
  return g_strdup_printf("%s%c", prefix, 'a' + n);
}

VbImportDisk *
vb_qemu_import_add_disk(
    VbImport *im, const char *source, const char *bus, gint index, gboolean cdrom, GError **error)
{
  VbImportDisk *disk = g_new0(VbImportDisk, 1);

  disk->source = g_strdup(source);
  disk->type = g_strdup(source != NULL && g_str_has_prefix(source, "/dev/") ? "block" : "file");
  disk->device = g_strdup(cdrom ? "cdrom" : "disk");
  disk->bus = g_strdup(bus);
  disk->readonly = cdrom;
  disk->target = next_target(im, bus, index);
  g_ptr_array_add(im->disks, disk);
  if (disk->target == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "more than 26 '%s' disks", bus);
    return NULL;
  }
  return disk;
}

gboolean
vb_qemu_import_drive(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "file");
  const char *iface = g_hash_table_lookup(props, "if");
  const char *index = g_hash_table_lookup(props, "index");
  const char *media = g_hash_table_lookup(props, "media");
  const char *id = g_hash_table_lookup(props, "id");
  const char *bus;
  VbImportDisk *disk;

  if (iface == NULL)
    iface = "ide";
  if (g_str_equal(iface, "none"))
    bus = "pending"; /* its -device decides */
  else if (g_str_equal(iface, "ide") || g_str_equal(iface, "virtio") || g_str_equal(iface, "scsi"))
    bus = iface;
  else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-drive if=%s: domxml-from-native reads if=ide, virtio, scsi and none", iface);
    return FALSE;
  }
  disk = g_new0(VbImportDisk, 1);
  disk->source = g_strdup(g_hash_table_lookup(props, "file"));
  disk->type =
      g_strdup(disk->source != NULL && g_str_has_prefix(disk->source, "/dev/") ? "block" : "file");
  disk->device = g_strdup(g_strcmp0(media, "cdrom") == 0 ? "cdrom" : "disk");
  disk->bus = g_strdup(bus);
  disk->format = g_strdup(g_hash_table_lookup(props, "format"));
  disk->readonly = g_strcmp0(g_hash_table_lookup(props, "readonly"), "on") == 0 ||
                   g_strcmp0(media, "cdrom") == 0;
  disk->cache = g_strdup(g_hash_table_lookup(props, "cache"));
  disk->discard = g_strdup(g_hash_table_lookup(props, "discard"));
  disk->io = g_strdup(g_hash_table_lookup(props, "aio"));
  g_ptr_array_add(im->disks, disk);
  if (!g_str_equal(bus, "pending")) {
    guint64 number = 0;

    if (index != NULL && !g_ascii_string_to_unsigned(index, 10, 0, 25, &number, NULL)) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-drive index=%s: domxml-from-native reads indexes 0 to 25", index);
      return FALSE;
    }
    disk->target = next_target(im, bus, index != NULL ? (gint)number : -1);
    if (disk->target == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "-drive if=%s: more than 26 disks on that bus", bus);
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

/* The disk behind a -device's drive=: a -drive id, or a -blockdev format node and its file; a
 * new empty one without drive=. Its target is settled by the caller. */
static VbImportDisk *
drive_of(VbImport *im, GHashTable *device, const char *bus, gboolean cdrom, GError **error)
{
  const char *node = g_hash_table_lookup(device, "drive");
  VbImportDisk *disk = node != NULL ? g_hash_table_lookup(im->drives, node) : NULL;
  GHashTable *blockdev;
  const char *file;
  GHashTable *storage;
  GHashTable *protocol;

  if (disk != NULL && disk->target != NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device: the -drive '%s' has a bus of its own (if=%s); give it if=none", node,
                disk->bus);
    return NULL;
  }
  if (disk == NULL && node != NULL) {
    blockdev = g_hash_table_lookup(im->blockdevs, node);
    if (blockdev == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "-device: drive '%s' is neither a -drive id nor a -blockdev node-name", node);
      return NULL;
    }
    file = g_hash_table_lookup(blockdev, "file");
    storage = file != NULL ? g_hash_table_lookup(im->blockdevs, file) : NULL;
    protocol = storage != NULL ? storage : blockdev;
    disk = g_new0(VbImportDisk, 1);
    g_ptr_array_add(im->disks, disk);
    disk->source = g_strdup(g_hash_table_lookup(protocol, "filename"));
    disk->type = g_strdup(g_str_has_prefix(g_hash_table_lookup(protocol, "driver") != NULL
                                               ? g_hash_table_lookup(protocol, "driver")
                                               : "",
                                           "host_")
                              ? "block"
                              : "file");
    if (storage != NULL)
      disk->format = g_strdup(g_hash_table_lookup(blockdev, "driver"));
    disk->readonly = g_strcmp0(g_hash_table_lookup(blockdev, "read-only"), "on") == 0;
    disk->io = g_strdup(g_hash_table_lookup(protocol, "aio"));
    disk->discard = g_strdup(g_hash_table_lookup(protocol, "discard"));
    disk->cache = g_strdup(cache_mode(blockdev, g_hash_table_lookup(device, "write-cache")));
  } else if (disk == NULL) {
    disk = g_new0(VbImportDisk, 1);
    g_ptr_array_add(im->disks, disk);
    disk->type = g_strdup("file");
  }
  g_free(disk->bus);
  disk->bus = g_strdup(bus);
  g_free(disk->device);
  disk->device = g_strdup(cdrom ? "cdrom" : "disk");
  disk->readonly = disk->readonly || cdrom;
  return disk;
}

/* A drive address from an id "BUSC-B-U" or "scsiC-B-T-U", as virtbus names disks. */
static char *
drive_address(const char *id, const char *bus)
{
  g_autofree char *prefix = g_strconcat(bus, NULL);
  guint64 n[4] = {0};
  guint count = 0;
  g_auto(GStrv) parts = NULL;

  if (id == NULL || !g_str_has_prefix(id, prefix))
    return NULL;
  parts = g_strsplit(id + strlen(prefix), "-", -1);
  for (; parts[count] != NULL; count++) {
    if (count == 4 || !g_ascii_string_to_unsigned(parts[count], 10, 0, 1000, &n[count], NULL))
      return NULL;
  }
  if (count != (g_str_equal(bus, "scsi") ? 4u : 3u))
    return NULL;
  if (count == 3) {
    n[3] = n[2];
    n[2] = 0;
  }
  return g_strdup_printf("<address type='drive' controller='%" G_GUINT64_FORMAT
                         "' bus='%" G_GUINT64_FORMAT "' target='%" G_GUINT64_FORMAT
                         "' unit='%" G_GUINT64_FORMAT "'/>",
                         n[0], n[1], n[2], n[3]);
}

/* -device for a disk: its target and address from the id virtbus gives (the next free name
 * when the id is another's), boot order, serial, sharing. */
gboolean
vb_qemu_import_disk_device(VbImport *im, GHashTable *props, const char *driver, GError **error)
{
  const char *bus = g_str_has_prefix(driver, "virtio-blk") ? "virtio"
                    : g_str_has_prefix(driver, "ide-")     ? "ide"
                    : g_str_has_prefix(driver, "scsi-")    ? "scsi"
                                                           : "usb";
  const char *id = g_hash_table_lookup(props, "id");
  VbImportDisk *disk = NULL;
  gint64 index = -1;

  /* q35's AHCI is QEMU's "ide" bus; its disks are SATA */
  if (g_str_equal(bus, "ide") && id != NULL && g_str_has_prefix(id, "sata"))
    bus = "sata";
  disk = drive_of(im, props, bus, g_str_has_suffix(driver, "-cd"), error);
  if (disk == NULL)
    return FALSE;
  if (g_str_equal(bus, "virtio"))
    index = vb_qemu_import_id_number(id, "virtio-disk");
  else if (g_str_equal(bus, "usb"))
    index = vb_qemu_import_id_number(id, "usb-disk");
  else
    disk->address = drive_address(id, bus);
  if (index >= 0 && index < 26) {
    disk->target =
        g_strdup_printf("%s%c", g_str_equal(bus, "virtio") ? "vd" : "sd", (char)('a' + index));
  } else if (disk->address == NULL) {
    disk->target = next_target(im, bus, -1);
    if (disk->target == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "more than 26 '%s' disks", bus);
      return FALSE;
    }
  } else if (g_str_equal(bus, "ide")) {
    /* ide0-B-U is hd + letter 2B+U, the name libvirt gives it */
    g_auto(GStrv) parts = g_strsplit(id, "-", -1);
    guint64 n = g_ascii_strtoull(parts[1], NULL, 10) * 2 + g_ascii_strtoull(parts[2], NULL, 10);

    disk->target = g_strdup_printf("hd%c", (char)('a' + MIN(n, 25)));
  }
  if (disk->address == NULL && !vb_qemu_import_address_xml(props, &disk->address, error))
    return FALSE;
  disk->boot_order = g_strdup(g_hash_table_lookup(props, "bootindex"));
  disk->serial = g_strdup(g_hash_table_lookup(props, "serial"));
  disk->shareable = g_strcmp0(g_hash_table_lookup(props, "share-rw"), "on") == 0;
  return TRUE;
}

/* Disks with a drive address and no name yet get the first free "sd" name (the address, not
 * the name, sets their alias); an -drive if=none no -device used is an error. */
gboolean
vb_qemu_import_settle_disks(VbImport *im, GError **error)
{
  g_autoptr(GHashTable) taken = g_hash_table_new(g_str_hash, g_str_equal);

  for (guint i = 0; i < im->disks->len; i++) {
    const VbImportDisk *disk = im->disks->pdata[i];

    if (g_str_equal(disk->bus, "pending")) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "-drive file=%s,if=none is used by no -device",
                  disk->source != NULL ? disk->source : "");
      return FALSE;
    }
    if (disk->target != NULL)
      g_hash_table_add(taken, disk->target);
  }
  /* disks with a drive address: the first free "sd" name (the address sets the alias) */
  for (guint i = 0, letter = 0; i < im->disks->len; i++) {
    VbImportDisk *disk = im->disks->pdata[i];

    while (disk->target == NULL && letter < 26) {
      g_autofree char *name = g_strdup_printf("sd%c", (char)('a' + letter++));

      if (!g_hash_table_contains(taken, name))
        disk->target = g_steal_pointer(&name);
    }
    if (disk->target == NULL) {
      g_set_error_literal(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "more than 26 'sd' disks");
      return FALSE;
    }
  }
  return TRUE;
}
