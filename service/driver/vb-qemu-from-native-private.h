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
  char *target;
  char *format; /* (nullable) */
  gboolean readonly;
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
  GPtrArray *disks;        /* (element-type VbImportDisk) */
  GHashTable *drives;      /* id → VbImportDisk (borrowed from disks), for -drive if=none */
  GHashTable *blockdevs;   /* node-name → JsonObject of the -blockdev */
  GHashTable *netdevs;     /* id → VbImportBackend */
  GPtrArray *nics;         /* (element-type VbImportNic) */
  GPtrArray *net_backends; /* -net user/tap, paired with -net nic in order */
  char *vnc;               /* (nullable): the -vnc value */
  GPtrArray *serials;      /* (element-type utf8): pty, null, file:PATH */
  gboolean tablet;
  GPtrArray *env;       /* (element-type utf8): NAME=VALUE to keep */
  guint next_letter[3]; /* per bus family: ide, virtio, scsi */
} VbImport;

gboolean vb_qemu_import_write(VbImport *im, VbXmlWriter *w, GError **error);

G_END_DECLS
