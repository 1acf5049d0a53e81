/* vb-qemu-from-native-private.h: domxml-from-native's state while it reads a command line:
 * the definition being filled, and what the options refer to each other by (ids, node names)
 * until every option is read.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-domain-def.h"

G_BEGIN_DECLS

/* A network backend (-netdev, -net user/tap, -nic): what an <interface> gets from it. */
typedef struct {
  VbNetType type; /* user, bridge or ethernet */
  char *bridge;   /* (nullable) */
  char *ifname;   /* (nullable) */
} VbImportBackend;

typedef struct {
  VbDomainDef *def; /* (owned): what the options said so far, in the model every domain uses */

  /* What the devices refer to, by id or node name. */
  GHashTable *drives;      /* -drive id → its VbDiskDef (in def->disks) */
  GHashTable *unclaimed;   /* (element-type VbDiskDef): -drive if=none no -device used yet */
  GHashTable *blockdevs;   /* node-name → the -blockdev's properties */
  GHashTable *netdevs;     /* -netdev id → VbImportBackend */
  GPtrArray *net_backends; /* -net user/tap, paired with the -net nics in order */
  GHashTable *unpaired;    /* (element-type VbNetDef): -net nics, their backend still to come */
  GHashTable *chardevs;    /* id → properties, "backend" holding the type */
  GHashTable *objects;     /* id → properties, "qom-type" holding the type */
  GHashTable *globals;     /* -global DRIVER.PROPERTY → value */
  GHashTable *machine;     /* -machine, its first value as "type" */
  GHashTable *usb_bots;    /* usb-bot id → its USB port ("" for none): a USB CD-ROM's device */

  /* Options read at the end, since others may come after them. */
  GPtrArray *serial_options; /* (element-type VbSerialDef): -serial, before the -device ones */
  char *vnc, *spice, *keymap;
  char *rtc;             /* (nullable): the last -rtc */
  char *watchdog_action; /* (nullable) */
  char *panic_action;    /* (nullable): -action panic= */
  gboolean acpi, no_reboot, tablet;
  /* -nodefaults: the line lists every device, so what it lacks is "none" */
  gboolean nodefaults, has_usb;
  guint next_letter[3]; /* per bus family: ide, virtio, scsi */
} VbImport;

/* vb-qemu-from-native.c */
gint64 vb_qemu_import_id_number(const char *id, const char *prefix);
gboolean vb_qemu_import_count(const char *option,
                              GHashTable *props,
                              const char *key,
                              gint64 max,
                              gint64 *out,
                              GError **error);
gboolean vb_qemu_import_name(const char *option,
                             const char *key,
                             const char *value,
                             const char *const *names,
                             gint *out,
                             GError **error);

/* vb-qemu-from-native-machine.c: everything outside <devices>, and the displays */
gboolean vb_qemu_import_memory(VbImport *im, const char *value, GError **error);
gboolean vb_qemu_import_smp(VbImport *im, const char *value, GError **error);
gboolean vb_qemu_import_cpu(VbImport *im, const char *value, GError **error);
gboolean vb_qemu_import_boot(VbImport *im, const char *value, GError **error);
void vb_qemu_import_machine(VbImport *im, const char *value);
gboolean vb_qemu_import_finish_machine(VbImport *im, GError **error);
gboolean vb_qemu_import_finish_displays(VbImport *im, GError **error);

/* vb-qemu-from-native-net.c */
void vb_qemu_import_backend_free(VbImportBackend *backend);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbImportBackend, vb_qemu_import_backend_free)
gboolean vb_qemu_import_netdev(VbImport *im, const char *value, GError **error);
gboolean vb_qemu_import_net(VbImport *im, const char *value, GError **error);
gboolean vb_qemu_import_nic(VbImport *im, const char *value, GError **error);
gboolean
vb_qemu_import_nic_device(VbImport *im, GHashTable *props, const char *driver, GError **error);
void vb_qemu_import_pair_nics(VbImport *im);

/* vb-qemu-from-native-disk.c */
gboolean vb_qemu_import_add_disk(
    VbImport *im, const char *source, VbDiskBus bus, gint index, gboolean cdrom, GError **error);
gboolean vb_qemu_import_drive(VbImport *im, const char *value, GError **error);
gboolean
vb_qemu_import_disk_device(VbImport *im, GHashTable *props, const char *driver, GError **error);
gboolean vb_qemu_import_settle_disks(VbImport *im, GError **error);

/* vb-qemu-from-native-device.c */
gboolean vb_qemu_import_pci_address(GHashTable *props, VbDeviceInfo *info, GError **error);
gboolean vb_qemu_import_serial_option(VbImport *im, const char *value, GError **error);
gboolean vb_qemu_import_other_device(VbImport *im, GHashTable *props, GError **error);
void vb_qemu_import_finish_devices(VbImport *im);

G_END_DECLS
