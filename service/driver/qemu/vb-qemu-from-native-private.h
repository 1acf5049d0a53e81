/* vb-qemu-from-native-private.h: what domxml-from-native gathers from a command line
 * (vb-qemu-from-native.c) before it writes it as domain XML (vb-qemu-from-native-xml.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-xml-writer.h"

G_BEGIN_DECLS

typedef struct {
  char *type;   /* "file" or "block" */
  char *device; /* "disk" or "cdrom" */
  char *source; /* (nullable) */
  char *bus;
  char *target; /* (nullable) until settled: an "sd" disk with an address gets the next free */
  char *format; /* (nullable) */
  gboolean readonly;
  /* (nullable): <driver> cache, io and discard, from -blockdev or -drive */
  char *cache, *io, *discard;
  char *serial; /* (nullable) */
  gboolean shareable;
  char *boot_order; /* (nullable): the -device's bootindex */
  char *address;    /* (nullable): <address> as XML, from the -device */
} VbImportDisk;

typedef struct {
  char *type;   /* user, bridge, ethernet */
  char *bridge; /* (nullable) */
  char *ifname; /* (nullable) */
} VbImportBackend;

typedef struct {
  char *model; /* (nullable) */
  char *mac;   /* (nullable) */
  VbImportBackend backend;
  char *boot_order; /* (nullable) */
  char *address;    /* (nullable): <address> as XML */
} VbImportNic;

typedef struct {
  char *name;
  char *uuid;
  char *emulator;
  char *arch;
  char *machine;
  gboolean kvm;
  gboolean acpi;
  gboolean no_reboot;
  guint64 memory_kib;
  char *smp;
  char *cpu;
  GPtrArray *boot; /* (element-type utf8): hd, cdrom, network, fd */
  gboolean bootmenu;
  char *kernel, *initrd, *append;
  char *rtc_base;
  char *rtc_driftfix;      /* (nullable) */
  char *rtc_clock;         /* (nullable) */
  GPtrArray *disks;        /* (element-type VbImportDisk) */
  GHashTable *drives;      /* id → VbImportDisk (borrowed from disks), for -drive if=none */
  GHashTable *blockdevs;   /* node-name → JsonObject of the -blockdev */
  GHashTable *netdevs;     /* id → VbImportBackend */
  GPtrArray *nics;         /* (element-type VbImportNic) */
  GPtrArray *net_backends; /* -net user/tap, paired with -net nic in order */
  char *vnc;               /* (nullable): the -vnc value */
  char *spice;             /* (nullable): the -spice value */
  char *keymap;            /* (nullable): -k */
  GPtrArray *serials;      /* (element-type utf8): pty, null, file:PATH */
  gboolean tablet;
  GPtrArray *env;       /* (element-type utf8): NAME=VALUE to keep */
  guint next_letter[3]; /* per bus family: ide, virtio, scsi */

  /* What the devices refer to, by id: each a table of the option's properties. */
  GHashTable *chardevs;      /* "backend" holds the chardev's type */
  GHashTable *objects;       /* "qom-type" holds the object's type */
  GPtrArray *audios;         /* (element-type utf8): <audio> elements, from -audiodev */
  GPtrArray *devices;        /* (element-type utf8): other <devices> children, in order */
  GHashTable *globals;       /* -global DRIVER.PROPERTY → value */
  GHashTable *machine_props; /* -machine, its first value as "type" */
  char *watchdog_action;     /* (nullable) */
  char *panic_action;        /* (nullable): -action panic= */
  /* -nodefaults: the line lists every device, so what it lacks is "none" */
  gboolean nodefaults;
  gboolean has_usb, has_video, has_balloon;
  guint consoles; /* <console> elements written */
  GError *failed; /* (nullable) (owned): the first fragment XML could not carry */
} VbImport;

gboolean vb_qemu_import_write(VbImport *im, VbXmlWriter *w, GError **error);

/* vb-qemu-from-native-disk.c */
void vb_qemu_import_disk_free(VbImportDisk *disk);
VbImportDisk *vb_qemu_import_add_disk(
    VbImport *im, const char *source, const char *bus, gint index, gboolean cdrom, GError **error);
gboolean vb_qemu_import_drive(VbImport *im, const char *value, GError **error);
gboolean
vb_qemu_import_disk_device(VbImport *im, GHashTable *props, const char *driver, GError **error);
gboolean vb_qemu_import_settle_disks(VbImport *im, GError **error);

/* vb-qemu-from-native-device.c */
gint64 vb_qemu_import_id_number(const char *id, const char *prefix);
gboolean vb_qemu_import_address(VbXmlWriter *w, GHashTable *props, GError **error);
gboolean vb_qemu_import_address_xml(GHashTable *props, char **out, GError **error);
gboolean vb_qemu_import_other_device(VbImport *im, GHashTable *props, GError **error);

G_END_DECLS
