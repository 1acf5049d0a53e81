/* vb-qemu-command-private.h: the state of one command build, shared by the files that each
 * build one family of devices.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-error.h"
#include "vb-firmware.h"
#include "vb-qemu-command.h"
#include "vb-qemu-props.h"
#include "vb-qemu-version.h"

G_BEGIN_DECLS

#define VB_PCI_SLOTS 32

/* One PCI bus a device can sit on: bus 0 is the machine's root, the others are <controller
 * type='pci'> by index. */
typedef struct {
  gboolean exists;
  char *id;                  /* (owned): QEMU's name: "pci.0", "pcie.0", "pci.3" */
  guint8 used[VB_PCI_SLOTS]; /* a bit per function */
} VbPciBus;

typedef struct {
  const VbDomainDef *def;
  const VbQemuCommandConfig *config;
  const VbQemuCaps *caps;
  VbQemuCommand *cmd;
  gboolean q35;
  gboolean kvm;
  GHashTable *caps_added;   /* (element-type utf8 utf8): <qemu:add> */
  GHashTable *caps_removed; /* (element-type utf8 utf8): <qemu:del> */

  /* -device entries are kept as properties until the end, for <qemu:override>. */
  GPtrArray *devices;  /* (element-type VbQemuProps) */
  GArray *device_args; /* (element-type guint): their index in cmd->args */

  GHashTable *bootindex; /* (element-type VbDeviceInfo guint): from <boot> */
  GPtrArray *buses;      /* (element-type VbPciBus): by controller index */
  guint next_fd;
  char *audiodev; /* (nullable): the id sound devices use */

  /* The firmware the command loads: <loader>'s, or the descriptor <os firmware> chose. */
  const char *loader;        /* (nullable): none, QEMU's own BIOS */
  const char *loader_format; /* "raw" or "qcow2" */
  gboolean loader_pflash;    /* pflash units, else -bios */
  gboolean loader_readonly;
  gboolean loader_secure; /* variables guarded by SMM */

  GError *failed; /* (nullable) (owned): a value the command line cannot carry */
} VbQemuBuild;

gboolean vb_qemu_build_has(const VbQemuBuild *b, const char *flag);
void vb_qemu_build_arg(VbQemuBuild *b, const char *option, const char *value);
void vb_qemu_build_argf(VbQemuBuild *b, const char *option, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
void vb_qemu_build_device(VbQemuBuild *b, VbQemuProps *props);
void vb_qemu_build_blockdev(VbQemuBuild *b, VbQemuProps *props);
void vb_qemu_build_setup(VbQemuBuild *b,
                         const char *execute,
                         VbQemuProps *arguments,
                         const char *secret);
char *vb_qemu_build_json(VbQemuBuild *b, const VbQemuProps *props);
void vb_qemu_build_error(const VbQemuBuild *b,
                         GError **error,
                         VbError code,
                         gconstpointer device,
                         const char *below,
                         const char *format,
                         ...) G_GNUC_PRINTF(6, 7);
VbQemuFdRequest *vb_qemu_build_request_fd(VbQemuBuild *b, VbQemuFdKind kind);
VbQemuProps *vb_qemu_device_new(const char *driver, const char *id);
const char *vb_qemu_device_id(const VbDeviceInfo *info);
gboolean vb_qemu_build_need_device(const VbQemuBuild *b,
                                   const char *driver,
                                   const char *what,
                                   GError **error);
char *vb_qemu_build_socket_path(VbQemuBuild *b, const char *name, GError **error);

/* PCI addresses, as the definition fixes them (vb-qemu-command-pci.c). */
gboolean vb_qemu_pci_prepare(VbQemuBuild *b, GError **error);
gboolean vb_qemu_pci_place(
    VbQemuBuild *b, VbQemuProps *props, const VbDeviceInfo *info, const char *what, GError **error);
void vb_qemu_pci_clear(VbQemuBuild *b);
void vb_qemu_usb_place(VbQemuProps *props, const VbDeviceInfo *info);
gboolean vb_qemu_build_pci_device(
    VbQemuBuild *b, VbQemuProps *props, const VbDeviceInfo *info, const char *what, GError **error);

void vb_qemu_build_env(VbQemuBuild *b, const char *name, const char *value);

/* Machine-wide options (vb-qemu-command-machine.c). */
gboolean vb_qemu_build_accelerator(VbQemuBuild *b, GError **error);
gboolean vb_qemu_build_firmware(VbQemuBuild *b, GError **error);
void vb_qemu_build_machine(VbQemuBuild *b);
gboolean vb_qemu_build_cpu(VbQemuBuild *b, GError **error);
void vb_qemu_build_memory_and_cpus(VbQemuBuild *b);
gboolean vb_qemu_build_clock(VbQemuBuild *b, GError **error);
void vb_qemu_build_boot(VbQemuBuild *b);
void vb_qemu_build_pm(VbQemuBuild *b);
gboolean vb_qemu_build_pit(VbQemuBuild *b, GError **error);
gboolean vb_qemu_build_lifecycle(VbQemuBuild *b, GError **error);

/* The qemu namespace (vb-qemu-command-namespace.c). */
gboolean vb_qemu_build_caps_changes(VbQemuBuild *b, GError **error);
void vb_qemu_build_compat(VbQemuBuild *b);
void vb_qemu_build_namespace_args(VbQemuBuild *b);
gboolean vb_qemu_build_finish_devices(VbQemuBuild *b, GError **error);

/* The device families. */
gboolean vb_qemu_build_controllers(VbQemuBuild *b, GError **error);
gboolean vb_qemu_build_disks(VbQemuBuild *b, GError **error);
gboolean vb_qemu_build_nets(VbQemuBuild *b, GError **error);
gboolean vb_qemu_build_display(VbQemuBuild *b, GError **error);
gboolean vb_qemu_build_chardevs(VbQemuBuild *b, GError **error);
gboolean vb_qemu_build_small_devices(VbQemuBuild *b, GError **error);

/* Boot order: the bootindex a device gets, 0 for none. */
guint vb_qemu_build_bootindex(const VbQemuBuild *b, const VbDeviceInfo *info);

const char *vb_qemu_usb_controller_driver(const VbQemuBuild *b, const VbControllerDef *c);
gboolean vb_qemu_build_has_usb(const VbQemuBuild *b);
gboolean vb_qemu_build_needs_virtio_serial(const VbQemuBuild *b);

G_END_DECLS
