/* vb-domain-disk.c: <disk>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

/* Values libvirt accepts that virtbus does not implement: NotSupported, not InvalidConfig. */
static const char *const other_disk_types[] = {"dir", "network", "nvme", "vhostuser", NULL};
static const char *const other_disk_devices[] = {"lun", NULL};
static const char *const other_disk_buses[] = {"xen", "uml", "sd", NULL};
static const char *const other_disk_formats[] = {"auto", "bochs", "cloop", "dmg",  "iso", "qcow",
                                                 "qed",  "vmdk",  "vpc",   "vhdx", "fat", "vdi",
                                                 "luks", "ploop", "cow",   "dir",  NULL};
static const char *const other_disk_io[] = {NULL};

/* The bus a target name implies when <target> has none, as libvirt picks it. */
static gint
bus_for_target(const char *dev)
{
  if (g_str_has_prefix(dev, "hd"))
    return VB_DISK_BUS_IDE;
  if (g_str_has_prefix(dev, "sd"))
    return VB_DISK_BUS_SCSI;
  if (g_str_has_prefix(dev, "vd"))
    return VB_DISK_BUS_VIRTIO;
  if (g_str_has_prefix(dev, "fd"))
    return VB_DISK_BUS_FDC;
  return VB_ABSENT;
}

static gboolean
parse_driver(VbDiskDef *disk, xmlNode *node, GError **error)
{
  const char *name;

  if (node == NULL)
    return TRUE;
  disk->has_driver = TRUE;
  name = vb_xml_attr(node, "name");
  if (name != NULL && !g_str_equal(name, "qemu")) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "name",
                     "'%s' is not a QEMU disk driver (allowed: 'qemu')", name);
    return FALSE;
  }
  disk->driver_name = g_strdup(name);
  return vb_xml_attr_enum_subset(node, "type", vb_disk_format_names, other_disk_formats,
                                 &disk->driver_format, error) &&
         vb_xml_attr_enum(node, "cache", vb_disk_cache_names, &disk->driver_cache, error) &&
         vb_xml_attr_enum(node, "discard", vb_disk_discard_names, &disk->driver_discard, error) &&
         vb_xml_attr_enum_subset(node, "io", vb_disk_io_names, other_disk_io, &disk->driver_io,
                                 error);
}

static gboolean
parse_source(VbDiskDef *disk, xmlNode *node, GError **error)
{
  if (node == NULL)
    return TRUE;
  if (!vb_device_seclabels_parse(disk->seclabels, node, error))
    return FALSE;
  switch (disk->type) {
  case VB_DISK_TYPE_FILE:
    disk->source = g_strdup(vb_xml_attr(node, "file"));
    break;
  case VB_DISK_TYPE_BLOCK:
    disk->source = g_strdup(vb_xml_attr(node, "dev"));
    break;
  case VB_DISK_TYPE_VOLUME:
    /* Kept so that such definitions load (the reference's HVF example has one); starting
     * one fails: virtbus provides no storage pools. */
    disk->source_pool = g_strdup(vb_xml_attr(node, "pool"));
    disk->source_volume = g_strdup(vb_xml_attr(node, "volume"));
    if (disk->source_pool == NULL || disk->source_volume == NULL) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "a volume source needs 'pool' and 'volume'");
      return FALSE;
    }
    return TRUE;
  default:
    break;
  }
  if (disk->source != NULL && !g_path_is_absolute(disk->source)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node,
                     disk->type == VB_DISK_TYPE_FILE ? "file" : "dev",
                     "'%s' is not an absolute path", disk->source);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_disk(VbDomainDef *def, VbDiskDef *disk, xmlNode *node, GHashTable *targets, GError **error)
{
  gint type = VB_DISK_TYPE_FILE, device = VB_DISK_DEVICE_DISK, bus = VB_ABSENT;
  xmlNode *target;
  const char *dev;

  if (!vb_xml_attr_enum_subset(node, "type", vb_disk_type_names, other_disk_types, &type, error) ||
      !vb_xml_attr_enum_subset(node, "device", vb_disk_device_names, other_disk_devices, &device,
                               error))
    return FALSE;
  disk->type = (VbDiskType)type;
  disk->device = (VbDiskDevice)device;
  if (!parse_driver(disk, vb_xml_child(node, "driver"), error) ||
      !parse_source(disk, vb_xml_child(node, "source"), error))
    return FALSE;

  target = vb_xml_child(node, "target");
  dev = target != NULL ? vb_xml_attr(target, "dev") : NULL;
  if (dev == NULL || *dev == '\0') {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, target != NULL ? target : node, NULL,
                     "a disk needs <target dev='…'/>");
    return FALSE;
  }
  disk->target_dev = g_strdup(dev);
  if (!vb_xml_attr_enum_subset(target, "bus", vb_disk_bus_names, other_disk_buses, &bus, error))
    return FALSE;
  if (bus == VB_ABSENT)
    bus = bus_for_target(dev);
  if (bus == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, target, NULL,
                     "no bus given and none implied by the name '%s' (hd, sd, vd, fd)", dev);
    return FALSE;
  }
  disk->target_bus = (VbDiskBus)bus;

  /* A cdrom is read-only whatever the XML says, and libvirt shows it so. */
  disk->readonly = vb_xml_child(node, "readonly") != NULL || disk->device == VB_DISK_DEVICE_CDROM;
  disk->shareable = vb_xml_child(node, "shareable") != NULL;
  disk->serial = vb_xml_child_text(node, "serial");
  if (!vb_device_info_parse(node, &disk->info, TRUE, error))
    return FALSE;

  if (!g_hash_table_add(targets, disk->target_dev)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, target, "dev",
                     "the target '%s' is used by two disks", disk->target_dev);
    return FALSE;
  }
  return TRUE;
}

/**
 * vb_domain_def_add_disk:
 * @disk: (transfer full)
 *
 * Adds @disk where libvirt keeps it: among the disks of its bus by target name (vda before
 * vdb, whatever the document's order), otherwise at the end. <boot dev='hd'/> boots the first.
 */
void
vb_domain_def_add_disk(VbDomainDef *def, VbDiskDef *disk)
{
  gint insert_at = -1;
  gint64 index = vb_disk_name_index(disk->target_dev);

  for (gint i = (gint)def->disks->len - 1; i >= 0; i--) {
    const VbDiskDef *current = def->disks->pdata[i];

    if (current->target_bus != disk->target_bus)
      continue;
    if (vb_disk_name_index(current->target_dev) > index)
      insert_at = i;
    else if (insert_at == -1)
      insert_at = i + 1;
  }
  if (insert_at < 0)
    g_ptr_array_add(def->disks, disk);
  else
    g_ptr_array_insert(def->disks, insert_at, disk);
}

gboolean
vb_domain_parse_disks(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "disk");
  g_autoptr(GHashTable) targets = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) in_order = NULL;

  for (guint i = 0; i < nodes->len; i++) {
    VbDiskDef *disk = vb_disk_def_new(VB_DISK_TYPE_FILE, VB_DISK_DEVICE_DISK);

    g_ptr_array_add(def->disks, disk);
    if (!parse_disk(def, disk, nodes->pdata[i], targets, error))
      return FALSE;
  }
  in_order = g_steal_pointer(&def->disks);
  def->disks = g_ptr_array_new_with_free_func((GDestroyNotify)vb_disk_def_free);
  g_ptr_array_set_free_func(in_order, NULL);
  for (guint i = 0; i < in_order->len; i++)
    vb_domain_def_add_disk(def, in_order->pdata[i]);
  return TRUE;
}

void
vb_domain_format_disks(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];

    vb_xml_writer_start(w, "disk");
    vb_xml_writer_attr(w, "type", vb_disk_type_names[disk->type]);
    vb_xml_writer_attr(w, "device", vb_disk_device_names[disk->device]);
    if (disk->has_driver) {
      vb_xml_writer_start(w, "driver");
      vb_xml_writer_attr(w, "name", disk->driver_name);
      vb_xml_writer_attr_enum(w, "type", vb_disk_format_names, disk->driver_format);
      /* cache='default' is no cache mode at all: libvirt does not write it either */
      if (disk->driver_cache > 0)
        vb_xml_writer_attr_enum(w, "cache", vb_disk_cache_names, disk->driver_cache);
      vb_xml_writer_attr_enum(w, "io", vb_disk_io_names, disk->driver_io);
      vb_xml_writer_attr_enum(w, "discard", vb_disk_discard_names, disk->driver_discard);
      vb_xml_writer_end(w);
    }
    if (disk->source != NULL || disk->source_pool != NULL || disk->seclabels->len > 0) {
      vb_xml_writer_start(w, "source");
      if (disk->type == VB_DISK_TYPE_FILE)
        vb_xml_writer_attr(w, "file", disk->source);
      else if (disk->type == VB_DISK_TYPE_BLOCK)
        vb_xml_writer_attr(w, "dev", disk->source);
      vb_xml_writer_attr(w, "pool", disk->source_pool);
      vb_xml_writer_attr(w, "volume", disk->source_volume);
      vb_device_seclabels_format(w, disk->seclabels);
      vb_xml_writer_end(w);
    }
    vb_xml_writer_start(w, "target");
    vb_xml_writer_attr(w, "dev", disk->target_dev);
    vb_xml_writer_attr(w, "bus", vb_disk_bus_names[disk->target_bus]);
    vb_xml_writer_end(w);
    vb_device_boot_format(w, &disk->info);
    if (disk->readonly) {
      vb_xml_writer_start(w, "readonly");
      vb_xml_writer_end(w);
    }
    if (disk->shareable) {
      vb_xml_writer_start(w, "shareable");
      vb_xml_writer_end(w);
    }
    vb_xml_writer_element_text(w, "serial", disk->serial);
    vb_device_info_format(w, &disk->info, flags);
    vb_xml_writer_end(w);
  }
}
