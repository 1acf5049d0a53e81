/* vb-firmware.h: QEMU's firmware descriptors (docs/interop/firmware.json in QEMU), and the
 * choice of one for <os firmware='efi|bios'>.
 *
 * Reading the descriptor directories is I/O and belongs off the main loop; parsing one
 * descriptor and choosing among those read are pure, so the command builder can choose
 * deterministically from what it is given.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-domain-def.h"
#include "vb-instance.h"

G_BEGIN_DECLS

/* The descriptor features virtbus matches on; others are read and ignored. */
typedef enum {
  VB_FIRMWARE_ACPI_S3 = 1 << 0,
  VB_FIRMWARE_ACPI_S4 = 1 << 1,
  VB_FIRMWARE_SECURE_BOOT = 1 << 2,
  VB_FIRMWARE_ENROLLED_KEYS = 1 << 3,
  VB_FIRMWARE_REQUIRES_SMM = 1 << 4,
} VbFirmwareFeatures;

typedef enum {
  VB_FIRMWARE_DEVICE_OTHER,  /* "kernel", or one this version does not know: never chosen */
  VB_FIRMWARE_DEVICE_FLASH,  /* pflash: the code, and a per-domain copy of the variables */
  VB_FIRMWARE_DEVICE_MEMORY, /* one image loaded with -bios */
} VbFirmwareDevice;

typedef struct {
  char *arch;     /* (owned): QEMU's name, e.g. "x86_64", "i386" */
  GStrv machines; /* (owned): glob patterns over canonical machine names */
} VbFirmwareTarget;

typedef struct {
  char *name;    /* (owned): the file name, which overriding and priority go by */
  char *path;    /* (owned): where it was read, for messages */
  gboolean uefi; /* interface-types has "uefi" */
  gboolean bios; /* interface-types has "bios" */
  VbFirmwareDevice device;
  gboolean usable;         /* a mapping virtbus can run: split or stateless flash, raw or qcow2 */
  char *executable;        /* (owned) (nullable) */
  char *executable_format; /* (owned) (nullable): "raw" or "qcow2" */
  char *nvram_template;    /* (owned) (nullable): absent for stateless flash */
  char *nvram_template_format; /* (owned) (nullable) */
  GPtrArray *targets;          /* (owned) (element-type VbFirmwareTarget) */
  guint features;              /* VbFirmwareFeatures */
} VbFirmware;

VbFirmware *vb_firmware_parse(const char *path, const char *text, gssize length, GError **error);
void vb_firmware_free(VbFirmware *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbFirmware, vb_firmware_free)

GStrv vb_firmware_search_dirs(VbInstanceKind instance);
GPtrArray *vb_firmware_load(const char *const *dirs, GError **error);

const VbFirmware *vb_firmware_select(const GPtrArray *firmware,
                                     const VbDomainDef *def,
                                     const char *arch,
                                     const char *machine,
                                     GError **error);

G_END_DECLS
