/* vb-domain-alias.c: the names and places libvirt gives devices after parsing: drive addresses
 * of disks on controllers, and device aliases (virtio-disk0, ide0-0-0, net0, …).
 *
 * Aliases are deterministic, so the live view shows the names QEMU's devices will have, and a
 * config dumped from a running domain reads back: an alias in it is accepted when it is the
 * one virtbus gives that device; otherwise it must be a user alias (ua-…).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

/* Disk name prefixes libvirt knows, longest first. */
static const char *const disk_prefixes[] = {"xvd", "ubd", "hd", "sd", "vd", "fd", NULL};

/**
 * vb_disk_name_index:
 * @name: a target name such as "vda" or "sdaa"
 *
 * Returns: the disk's index (vda 0, vdz 25, vdaa 26, …), or -1 when @name is not a prefix
 *   followed by lower-case letters
 */
gint64
vb_disk_name_index(const char *name)
{
  const char *letters = NULL;
  gint64 index = 0;

  for (guint i = 0; disk_prefixes[i] != NULL && letters == NULL; i++) {
    if (g_str_has_prefix(name, disk_prefixes[i]))
      letters = name + strlen(disk_prefixes[i]);
  }
  if (letters == NULL || *letters == '\0' || strlen(letters) > 6)
    return -1;
  for (const char *c = letters; *c != '\0'; c++) {
    if (*c < 'a' || *c > 'z')
      return -1;
    /* bijective base 26: "a" is 0, "z" 25, "aa" 26 */
    index = (index + (c != letters ? 1 : 0)) * 26 + (*c - 'a');
  }
  return index;
}

/* libvirt's default places on each controller bus: IDE two buses of two units, AHCI six ports,
 * floppy one controller, SCSI seven units per controller (QEMU's narrow layout). */
static void
assign_drive_address(VbDiskDef *disk, guint64 index)
{
  VbDeviceAddress *a = &disk->info.address;

  a->type = VB_ADDRESS_DRIVE;
  a->target = 0;
  switch (disk->target_bus) {
  case VB_DISK_BUS_IDE:
    a->controller = index / 4;
    a->bus = (index % 4) / 2;
    a->unit = index % 2;
    break;
  case VB_DISK_BUS_SATA:
    a->controller = index / 6;
    a->bus = 0;
    a->unit = index % 6;
    break;
  case VB_DISK_BUS_FDC:
    a->controller = 0;
    a->bus = 0;
    a->unit = index;
    break;
  case VB_DISK_BUS_SCSI:
    a->controller = index / 7;
    a->bus = 0;
    a->unit = index % 7;
    break;
  case VB_DISK_BUS_VIRTIO:
  case VB_DISK_BUS_USB:
  default:
    g_assert_not_reached();
  }
}

static gboolean
on_drive_bus(const VbDiskDef *disk)
{
  return disk->target_bus == VB_DISK_BUS_IDE || disk->target_bus == VB_DISK_BUS_SATA ||
         disk->target_bus == VB_DISK_BUS_FDC || disk->target_bus == VB_DISK_BUS_SCSI;
}

static gboolean
assign_disk_addresses(VbDomainDef *def, xmlNode *devices, GError **error)
{
  for (guint i = 0; i < def->disks->len; i++) {
    VbDiskDef *disk = def->disks->pdata[i];
    gint64 index = vb_disk_name_index(disk->target_dev);

    if (index < 0) {
      vb_domain_set_error(error, VB_ERROR_INVALID_CONFIG, devices,
                          "the disk target '%s' is not a disk name (a prefix such as 'vd', 'sd' "
                          "or 'hd', then letters: 'vda', 'sdb', …)",
                          disk->target_dev);
      return FALSE;
    }
    if (on_drive_bus(disk) && disk->info.address.type == VB_ABSENT)
      assign_drive_address(disk, (guint64)index);
  }
  /* drive address → the disk there */
  g_autoptr(GHashTable) taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];
    const VbDeviceAddress *a = &disk->info.address;
    const VbDiskDef *other;
    char *key;

    if (a->type != VB_ADDRESS_DRIVE)
      continue;
    key = g_strdup_printf("%d:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT
                          ":%" G_GUINT64_FORMAT,
                          (int)disk->target_bus, (guint64)a->controller, (guint64)a->bus,
                          (guint64)a->target, (guint64)a->unit);
    other = g_hash_table_lookup(taken, key);
    if (other != NULL) {
      g_free(key);
      vb_domain_set_error(error, VB_ERROR_INVALID_CONFIG, devices,
                          "the disks '%s' and '%s' have the same drive address", other->target_dev,
                          disk->target_dev);
      return FALSE;
    }
    g_hash_table_insert(taken, key, (gpointer)disk);
  }
  return TRUE;
}

/* Whether the SCSI controller @index is an lsilogic one (the model it gets when it has none,
 * or is not there yet: a define adds it as lsilogic). */
static gboolean
scsi_model_is_lsilogic(const VbDomainDef *def, guint64 index)
{
  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];

    if (c->type == VB_CONTROLLER_SCSI && c->index == index)
      return c->model == NULL || g_str_equal(c->model, "lsilogic");
  }
  return TRUE;
}

static char *
disk_alias(const VbDomainDef *def, const VbDiskDef *disk)
{
  const VbDeviceAddress *a = &disk->info.address;

  /* libvirt names a disk of an lsilogic controller (the default model) without its target */
  if (disk->target_bus == VB_DISK_BUS_SCSI && a->type == VB_ADDRESS_DRIVE &&
      scsi_model_is_lsilogic(def, a->controller))
    return g_strdup_printf("scsi%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                           a->controller, a->bus, a->unit);
  if (disk->target_bus == VB_DISK_BUS_SCSI && a->type == VB_ADDRESS_DRIVE)
    return g_strdup_printf("scsi%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
                           "-%" G_GUINT64_FORMAT,
                           a->controller, a->bus, a->target, a->unit);
  if (on_drive_bus(disk) && a->type == VB_ADDRESS_DRIVE)
    return g_strdup_printf("%s%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                           vb_disk_bus_names[disk->target_bus], a->controller, a->bus, a->unit);
  return g_strdup_printf("%s-disk%" G_GINT64_FORMAT, vb_disk_bus_names[disk->target_bus],
                         vb_disk_name_index(disk->target_dev));
}

static char *
controller_alias(const VbDomainDef *def, const VbControllerDef *c)
{
  gboolean q35 = def->os.machine != NULL && strstr(def->os.machine, "q35") != NULL;

  switch (c->type) {
  case VB_CONTROLLER_PCI:
    if (c->index == 0 && g_strcmp0(c->model, "pcie-root") == 0)
      return g_strdup("pcie.0");
    return g_strdup_printf("pci.%" G_GUINT64_FORMAT, c->index);
  case VB_CONTROLLER_IDE:
  case VB_CONTROLLER_USB:
    /* the machine's own IDE, and the first USB bus with its companions, are QEMU's "ide" and
     * "usb" */
    if (c->index == 0)
      return g_strdup(vb_controller_type_names[c->type]);
    break;
  case VB_CONTROLLER_SATA:
    if (c->index == 0 && q35) /* q35's built-in AHCI is called "ide" */
      return g_strdup("ide");
    break;
  case VB_CONTROLLER_FDC:
  case VB_CONTROLLER_SCSI:
  case VB_CONTROLLER_VIRTIO_SERIAL:
  default:
    break;
  }
  return g_strdup_printf("%s%" G_GUINT64_FORMAT, vb_controller_type_names[c->type], c->index);
}

/* Sets @info's assigned alias to @alias (taking it), or fails when the XML gave a different
 * one that is not a user alias. */
static gboolean
give_alias(VbDeviceInfo *info, char *alias, xmlNode *devices, GError **error)
{
  g_autofree char *given = g_steal_pointer(&info->assigned_alias);

  info->assigned_alias = alias;
  if (given != NULL && !g_str_equal(given, alias)) {
    vb_domain_set_error(error, VB_ERROR_INVALID_CONFIG, devices,
                        "the alias '%s' is neither a user alias (they start with 'ua-') nor the "
                        "one virtbus gives this device ('%s')",
                        given, alias);
    return FALSE;
  }
  return TRUE;
}

/* For devices QEMU knows by no alias: only a user alias may be given. */
static gboolean
refuse_given_alias(VbDeviceInfo *info, xmlNode *devices, GError **error)
{
  if (info->assigned_alias == NULL)
    return TRUE;
  vb_domain_set_error(error, VB_ERROR_INVALID_CONFIG, devices,
                      "the alias '%s' is not a user alias: they start with 'ua-'",
                      info->assigned_alias);
  return FALSE;
}

#define GIVE_EACH(array, Type, format)                                                             \
  for (guint i = 0; i < (array)->len; i++) {                                                       \
    Type *device = (array)->pdata[i];                                                              \
    if (!give_alias(&device->info, g_strdup_printf(format, i), devices, error))                    \
      return FALSE;                                                                                \
  }

/**
 * vb_domain_assign_names:
 * @devices: the <devices> element, for error locations
 *
 * Gives drive addresses to disks on controller buses that have none, checks them, and gives
 * every device libvirt's alias.
 */
gboolean
vb_domain_assign_names(VbDomainDef *def, xmlNode *devices, GError **error)
{
  if (!assign_disk_addresses(def, devices, error))
    return FALSE;
  for (guint i = 0; i < def->disks->len; i++) {
    VbDiskDef *disk = def->disks->pdata[i];

    if (!give_alias(&disk->info, disk_alias(def, disk), devices, error))
      return FALSE;
  }
  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];

    /* USB companions are functions of their master's bus, with no QEMU id of their own */
    if (!(c->master_startport >= 0
              ? refuse_given_alias(&c->info, devices, error)
              : give_alias(&c->info, controller_alias(def, c), devices, error)))
      return FALSE;
  }
  GIVE_EACH(def->nets, VbNetDef, "net%u");
  GIVE_EACH(def->serials, VbSerialDef, "serial%u");
  for (guint i = 0; i < def->consoles->len; i++) {
    VbSerialDef *console = def->consoles->pdata[i];
    /* the first serial console is serial port 0 itself, shown twice */
    gboolean is_serial0 =
        i == 0 && console->target_type != VB_CONSOLE_TARGET_VIRTIO && def->serials->len > 0;

    if (!give_alias(&console->info,
                    is_serial0 ? g_strdup("serial0") : g_strdup_printf("console%u", i), devices,
                    error))
      return FALSE;
  }
  GIVE_EACH(def->channels, VbChannelDef, "channel%u");
  GIVE_EACH(def->inputs, VbInputDef, "input%u");
  GIVE_EACH(def->sounds, VbSoundDef, "sound%u");
  GIVE_EACH(def->videos, VbVideoDef, "video%u");
  GIVE_EACH(def->redirdevs, VbRedirdevDef, "redir%u");
  GIVE_EACH(def->hubs, VbHubDef, "hub%u");
  GIVE_EACH(def->rngs, VbRngDef, "rng%u");
  if (def->watchdog != NULL &&
      !give_alias(&def->watchdog->info, g_strdup("watchdog0"), devices, error))
    return FALSE;
  if (def->memballoon != NULL &&
      !(def->memballoon->none
            ? refuse_given_alias(&def->memballoon->info, devices, error)
            : give_alias(&def->memballoon->info, g_strdup("balloon0"), devices, error)))
    return FALSE;
  for (guint i = 0; i < def->panics->len; i++) {
    if (!refuse_given_alias(&((VbPanicDef *)def->panics->pdata[i])->info, devices, error))
      return FALSE;
  }
  return TRUE;
}
