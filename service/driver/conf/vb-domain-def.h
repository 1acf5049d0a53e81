/* vb-domain-def.h: the domain model, libvirt's domain XML as one C structure tree.
 *
 * Every field is what the XML said, after post-parse defaults (UUID, MACs, aliases). Optional
 * attributes that libvirt formats only when given are kept as tri-states (VB_ABSENT, 0, 1) or
 * NULL strings, so formatting reproduces exactly what was defined.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A tri-state or enum attribute that was not given. */
#define VB_ABSENT (-1)

#define VB_QEMU_NAMESPACE "http://libvirt.org/schemas/domain/qemu/1.0"

typedef enum {
  VB_VIRT_QEMU,
  VB_VIRT_KVM,
  VB_VIRT_HVF,
} VbVirtType;
#define VB_VIRT_N (VB_VIRT_HVF + 1)

typedef enum {
  VB_LIFECYCLE_DESTROY,
  VB_LIFECYCLE_RESTART,
  VB_LIFECYCLE_PRESERVE,
  VB_LIFECYCLE_RENAME_RESTART,
  VB_LIFECYCLE_COREDUMP_DESTROY,
  VB_LIFECYCLE_COREDUMP_RESTART,
} VbLifecycleAction;
#define VB_LIFECYCLE_N (VB_LIFECYCLE_COREDUMP_RESTART + 1)

typedef enum {
  VB_BOOT_FD,
  VB_BOOT_HD,
  VB_BOOT_CDROM,
  VB_BOOT_NETWORK,
} VbBootDev;
#define VB_BOOT_N (VB_BOOT_NETWORK + 1)

typedef struct {
  char *type;              /* (owned): "hvm" */
  char *arch;              /* (owned) (nullable) */
  char *machine;           /* (owned) (nullable) */
  GArray *boot_devs;       /* (owned) (element-type VbBootDev) */
  gint bootmenu;           /* VB_ABSENT, 0, 1 */
  gint64 bootmenu_timeout; /* -1 when absent, else ms */
  char *kernel;            /* (owned) (nullable) */
  char *initrd;            /* (owned) (nullable) */
  char *cmdline;           /* (owned) (nullable) */
  char *loader;            /* (owned) (nullable) */
  gint loader_readonly;    /* VB_ABSENT, 0, 1 */
  gint loader_type;        /* VB_ABSENT, VbLoaderType */
  gint loader_secure;      /* VB_ABSENT, 0, 1 */
  char *nvram;             /* (owned) (nullable) */
  char *nvram_template;    /* (owned) (nullable) */
  gint firmware;           /* VB_ABSENT, VbFirmwareKind: firmware chosen by virtbus at start */
  gint fw_secure_boot;     /* <firmware><feature name='secure-boot'>: VB_ABSENT, 0, 1 */
  gint fw_enrolled_keys;   /* <firmware><feature name='enrolled-keys'>: VB_ABSENT, 0, 1 */
} VbOsDef;

typedef enum {
  VB_LOADER_ROM,
  VB_LOADER_PFLASH,
} VbLoaderType;
#define VB_LOADER_N (VB_LOADER_PFLASH + 1)

/* In vb_firmware_names[] order. */
typedef enum {
  VB_FIRMWARE_EFI,
  VB_FIRMWARE_BIOS,
} VbFirmwareKind;
#define VB_FIRMWARE_N (VB_FIRMWARE_BIOS + 1)

/* Hyper-V enlightenments, in libvirt's formatting order. */
typedef enum {
  VB_HYPERV_RELAXED,
  VB_HYPERV_VAPIC,
  VB_HYPERV_SPINLOCKS,
  VB_HYPERV_VPINDEX,
  VB_HYPERV_RUNTIME,
  VB_HYPERV_SYNIC,
  VB_HYPERV_STIMER,
  VB_HYPERV_RESET,
  VB_HYPERV_VENDOR_ID,
  VB_HYPERV_FREQUENCIES,
  VB_HYPERV_REENLIGHTENMENT,
  VB_HYPERV_TLBFLUSH,
  VB_HYPERV_IPI,
  VB_HYPERV_EVMCS,
  VB_HYPERV_AVIC,
  VB_HYPERV_EMSR_BITMAP,
  VB_HYPERV_XMM_INPUT,
} VbHypervFeature;
#define VB_HYPERV_N_FEATURES (VB_HYPERV_XMM_INPUT + 1)

typedef struct {
  gboolean acpi;
  gboolean apic;
  gint apic_eoi; /* VB_ABSENT, 0 (off), 1 (on) */
  gboolean pae;
  gint vmport; /* VB_ABSENT, 0 (off), 1 (on) */
  gint smm;    /* VB_ABSENT, 0 (off), 1 (on) */
  gboolean hyperv;
  gint hyperv_mode;                        /* VB_ABSENT, VbHypervMode */
  gint hyperv_state[VB_HYPERV_N_FEATURES]; /* VB_ABSENT, 0 (off), 1 (on) */
  guint64 hyperv_spinlock_retries;         /* 0 when not given */
  gint hyperv_stimer_direct;               /* VB_ABSENT, 0, 1 */
  char *hyperv_vendor_id;                  /* (owned) (nullable) */
} VbFeatures;

typedef enum {
  VB_HYPERV_MODE_CUSTOM,
  VB_HYPERV_MODE_PASSTHROUGH,
} VbHypervMode;
#define VB_HYPERV_MODE_N (VB_HYPERV_MODE_PASSTHROUGH + 1)

typedef enum {
  VB_CPU_MODE_CUSTOM,
  VB_CPU_MODE_HOST_MODEL,
  VB_CPU_MODE_HOST_PASSTHROUGH,
  VB_CPU_MODE_MAXIMUM,
} VbCpuMode;
#define VB_CPU_MODE_N (VB_CPU_MODE_MAXIMUM + 1)

typedef struct {
  char *name;  /* (owned) */
  gint policy; /* VB_ABSENT, VbCpuFeaturePolicy */
} VbCpuFeature;

typedef enum {
  VB_CPU_FEATURE_FORCE,
  VB_CPU_FEATURE_REQUIRE,
  VB_CPU_FEATURE_OPTIONAL,
  VB_CPU_FEATURE_DISABLE,
  VB_CPU_FEATURE_FORBID,
} VbCpuFeaturePolicy;
#define VB_CPU_FEATURE_N (VB_CPU_FEATURE_FORBID + 1)

typedef struct {
  gint mode;                           /* VB_ABSENT, VbCpuMode */
  gint match;                          /* VB_ABSENT, exact|minimum|strict */
  gint check;                          /* VB_ABSENT, none|partial|full */
  gint migratable;                     /* VB_ABSENT, 0 (off), 1 (on) */
  char *model;                         /* (owned) (nullable) */
  gint model_fallback;                 /* VB_ABSENT, allow|forbid */
  char *vendor;                        /* (owned) (nullable) */
  guint sockets, dies, cores, threads; /* 0 when no <topology> */
  gboolean has_topology;
  GPtrArray *features; /* (owned) (element-type VbCpuFeature) */
} VbCpuDef;

typedef enum {
  VB_CLOCK_UTC,
  VB_CLOCK_LOCALTIME,
  VB_CLOCK_VARIABLE,
  VB_CLOCK_TIMEZONE,
} VbClockOffset;
#define VB_CLOCK_N (VB_CLOCK_TIMEZONE + 1)

typedef enum {
  VB_TIMER_PLATFORM,
  VB_TIMER_PIT,
  VB_TIMER_RTC,
  VB_TIMER_HPET,
  VB_TIMER_TSC,
  VB_TIMER_KVMCLOCK,
  VB_TIMER_HYPERVCLOCK,
  VB_TIMER_ARMVTIMER,
} VbTimerName;
#define VB_TIMER_N (VB_TIMER_ARMVTIMER + 1)

typedef struct {
  VbTimerName name;
  gint present;    /* VB_ABSENT, 0, 1 */
  gint tickpolicy; /* VB_ABSENT, delay|catchup|merge|discard */
  gint track;      /* VB_ABSENT, boot|guest|wall|realtime */
} VbTimer;

typedef struct {
  VbClockOffset offset;
  gint64 adjustment; /* seconds, variable only */
  gboolean has_adjustment;
  gboolean adjustment_reset; /* adjustment='reset' (utc, localtime) */
  gint basis;                /* VB_ABSENT, utc|localtime (variable only) */
  char *timezone;            /* (owned) (nullable) */
  GPtrArray *timers;         /* (owned) (element-type VbTimer) */
} VbClockDef;

typedef enum {
  VB_ADDRESS_PCI,
  VB_ADDRESS_DRIVE,
  VB_ADDRESS_USB,
  VB_ADDRESS_VIRTIO_SERIAL,
  VB_ADDRESS_ISA,
} VbAddressType;
#define VB_ADDRESS_N (VB_ADDRESS_ISA + 1)

/* Where a device sits on its bus; which fields count depends on the type. */
typedef struct {
  gint type;                           /* VB_ABSENT, VbAddressType */
  guint64 domain, bus, slot, function; /* pci; bus also for drive, usb, virtio-serial */
  gint multifunction;                  /* pci: VB_ABSENT, 0 (off), 1 (on) */
  guint64 controller, target, unit;    /* drive; controller also for virtio-serial */
  guint64 port;                        /* virtio-serial */
  char *usb_port;                      /* (owned) (nullable): usb, e.g. "1.2" */
  gint64 iobase, irq;                  /* isa; -1 when not given */
} VbDeviceAddress;

/* What every device has besides its own settings. */
typedef struct {
  char *alias;          /* (owned) (nullable): a user alias (ua-*), kept in every view */
  char *assigned_alias; /* (owned) (nullable): libvirt's name, shown in the live view only */
  VbDeviceAddress address;
  guint64 boot_order; /* 0 when not given */
} VbDeviceInfo;

typedef enum {
  VB_SECLABEL_DYNAMIC,
  VB_SECLABEL_STATIC,
  VB_SECLABEL_NONE,
} VbSeclabelType;
#define VB_SECLABEL_N (VB_SECLABEL_NONE + 1)

typedef enum {
  VB_SECMODEL_SELINUX,
  VB_SECMODEL_APPARMOR,
  VB_SECMODEL_DAC,
  VB_SECMODEL_NONE,
} VbSecModel;
#define VB_SECMODEL_N (VB_SECMODEL_NONE + 1)

/* A domain <seclabel>: how one security driver confines the QEMU process. */
typedef struct {
  VbSeclabelType type;
  gint model; /* VB_ABSENT (the active driver decides), VbSecModel */
  gboolean relabel;
  char *label;      /* (owned) (nullable): static: given; dynamic: assigned, live view only */
  char *imagelabel; /* (owned) (nullable): assigned at start, live view only */
  char *baselabel;  /* (owned) (nullable): dynamic only */
} VbSeclabelDef;

/* A per-device <seclabel> inside a disk's <source>: an override of the domain's. */
typedef struct {
  gint model; /* VB_ABSENT, VbSecModel */
  gboolean relabel;
  char *label; /* (owned) (nullable) */
} VbDeviceSeclabelDef;

typedef enum {
  VB_DISK_TYPE_FILE,
  VB_DISK_TYPE_BLOCK,
  VB_DISK_TYPE_VOLUME,
} VbDiskType;
#define VB_DISK_TYPE_N (VB_DISK_TYPE_VOLUME + 1)

typedef enum {
  VB_DISK_DEVICE_DISK,
  VB_DISK_DEVICE_CDROM,
  VB_DISK_DEVICE_FLOPPY,
} VbDiskDevice;
#define VB_DISK_DEVICE_N (VB_DISK_DEVICE_FLOPPY + 1)

typedef enum {
  VB_DISK_BUS_IDE,
  VB_DISK_BUS_FDC,
  VB_DISK_BUS_SCSI,
  VB_DISK_BUS_VIRTIO,
  VB_DISK_BUS_USB,
  VB_DISK_BUS_SATA,
} VbDiskBus;
#define VB_DISK_BUS_N (VB_DISK_BUS_SATA + 1)

typedef struct {
  VbDeviceInfo info;
  VbDiskType type;
  VbDiskDevice device;
  gboolean has_driver;
  char *driver_name;   /* (owned) (nullable): "qemu" */
  gint driver_format;  /* VB_ABSENT, raw|qcow2 */
  gint driver_cache;   /* VB_ABSENT, default|none|writethrough|writeback|directsync|unsafe */
  gint driver_discard; /* VB_ABSENT, unmap|ignore */
  gint driver_io;      /* VB_ABSENT, threads|native|io_uring */
  char *source;        /* (owned) (nullable): file or block device; NULL for an empty drive */
  char *source_pool;   /* (owned) (nullable): type='volume' */
  char *source_volume; /* (owned) (nullable): type='volume' */
  char *target_dev;    /* (owned) */
  VbDiskBus target_bus;
  gboolean readonly;
  gboolean shareable;
  char *serial;         /* (owned) (nullable) */
  GPtrArray *seclabels; /* (owned) (element-type VbDeviceSeclabelDef) */
} VbDiskDef;

typedef enum {
  VB_CONTROLLER_IDE,
  VB_CONTROLLER_FDC,
  VB_CONTROLLER_SCSI,
  VB_CONTROLLER_SATA,
  VB_CONTROLLER_VIRTIO_SERIAL,
  VB_CONTROLLER_USB,
  VB_CONTROLLER_PCI,
} VbControllerType;
#define VB_CONTROLLER_N (VB_CONTROLLER_PCI + 1)

typedef struct {
  VbDeviceInfo info;
  VbControllerType type;
  guint64 index;
  char *model;              /* (owned) (nullable): one of the type's models */
  gint64 ports;             /* usb, virtio-serial; -1 when not given */
  gint64 vectors;           /* virtio-serial; -1 when not given */
  char *model_name;         /* (owned) (nullable): pci <model name=…> */
  gint64 target_chassis;    /* pci <target>; -1 when not given */
  gint64 target_chassis_nr; /* pci-bridge <target chassisNr>; -1 when not given */
  gint64 target_port;       /* pci <target>; -1 when not given */
  gint64 master_startport;  /* usb companion <master startport>; -1 when not given */
  gint64 driver_queues, driver_cmd_per_lun, driver_max_sectors; /* -1 when not given */
  gint driver_ioeventfd;                                        /* VB_ABSENT, 0 (off), 1 (on) */
} VbControllerDef;

typedef enum {
  VB_NET_USER,
  VB_NET_NETWORK,
  VB_NET_BRIDGE,
  VB_NET_ETHERNET,
} VbNetType;
#define VB_NET_N (VB_NET_ETHERNET + 1)

typedef struct {
  VbDeviceInfo info;
  VbNetType type;
  guint8 mac[6];
  char *source;     /* (owned) (nullable): network name or bridge */
  char *target_dev; /* (owned) (nullable): ethernet tap name */
  char *model;      /* (owned) (nullable): one of vb_net_model_names */
  gint link_state;  /* VB_ABSENT, 0 (down), 1 (up) */
} VbNetDef;

typedef enum {
  VB_INPUT_MOUSE,
  VB_INPUT_TABLET,
  VB_INPUT_KEYBOARD,
} VbInputType;
#define VB_INPUT_N (VB_INPUT_KEYBOARD + 1)

typedef enum {
  VB_INPUT_BUS_PS2,
  VB_INPUT_BUS_USB,
  VB_INPUT_BUS_VIRTIO,
} VbInputBus;
#define VB_INPUT_BUS_N (VB_INPUT_BUS_VIRTIO + 1)

typedef struct {
  VbDeviceInfo info;
  VbInputType type;
  gint bus; /* VB_ABSENT, VbInputBus */
} VbInputDef;

typedef struct {
  VbDeviceInfo info;
  gboolean none; /* model='none' */
} VbMemballoonDef;

typedef enum {
  VB_GRAPHICS_VNC,
  VB_GRAPHICS_SPICE,
} VbGraphicsType;
#define VB_GRAPHICS_N (VB_GRAPHICS_SPICE + 1)

typedef enum {
  VB_LISTEN_ADDRESS,
  VB_LISTEN_SOCKET,
  VB_LISTEN_NONE,
} VbListenType;
#define VB_LISTEN_N (VB_LISTEN_NONE + 1)

typedef struct {
  VbListenType type;
  char *address; /* (owned) (nullable): address; NULL means qemu.conf's default */
  char *socket;  /* (owned) (nullable): socket */
} VbGraphicsListen;

typedef enum {
  VB_SPICE_IMAGE_AUTO_GLZ,
  VB_SPICE_IMAGE_AUTO_LZ,
  VB_SPICE_IMAGE_QUIC,
  VB_SPICE_IMAGE_GLZ,
  VB_SPICE_IMAGE_LZ,
  VB_SPICE_IMAGE_OFF,
} VbSpiceImageCompression;
#define VB_SPICE_IMAGE_N (VB_SPICE_IMAGE_OFF + 1)

typedef struct {
  VbGraphicsType type;
  gboolean autoport;
  gint64 port;            /* 0 when chosen at start; the live view shows the one in use */
  gint64 tls_port;        /* spice; 0 when none or chosen at start */
  char *keymap;           /* (owned) (nullable) */
  char *passwd;           /* (owned) (nullable): secret, secure view only */
  gint image_compression; /* spice: VB_ABSENT, VbSpiceImageCompression */
  GPtrArray *listens;     /* (owned) (element-type VbGraphicsListen) */
} VbGraphicsDef;

typedef enum {
  VB_VIDEO_VGA,
  VB_VIDEO_CIRRUS,
  VB_VIDEO_VIRTIO,
  VB_VIDEO_QXL,
  VB_VIDEO_BOCHS,
  VB_VIDEO_NONE,
} VbVideoModel;
#define VB_VIDEO_N (VB_VIDEO_NONE + 1)

typedef struct {
  VbDeviceInfo info;
  gint model;               /* VB_ABSENT (the machine's default), VbVideoModel */
  gint64 vram, ram, vgamem; /* KiB; -1 when not given */
  gint64 heads;             /* -1 when not given */
  gint primary;             /* VB_ABSENT, 0, 1 */
} VbVideoDef;

typedef enum {
  VB_SOUND_ICH9,
  VB_SOUND_ICH6,
  VB_SOUND_AC97,
  VB_SOUND_ES1370,
  VB_SOUND_USB,
} VbSoundModel;
#define VB_SOUND_N (VB_SOUND_USB + 1)

typedef struct {
  VbDeviceInfo info;
  VbSoundModel model;
  guint64 audio_id; /* 0 when not given: the first <audio> */
} VbSoundDef;

typedef enum {
  VB_AUDIO_NONE,
  VB_AUDIO_SPICE,
} VbAudioType;
#define VB_AUDIO_N (VB_AUDIO_SPICE + 1)

typedef struct {
  guint64 id; /* from 1 */
  VbAudioType type;
} VbAudioDef;

/* Character devices: the host side ("source") of a serial port, console, channel or
 * redirected USB device. */
typedef enum {
  VB_CHR_PTY,
  VB_CHR_FILE,
  VB_CHR_UNIX,
  VB_CHR_NULL,
  VB_CHR_SPICEVMC,
} VbChrType;
#define VB_CHR_N (VB_CHR_SPICEVMC + 1)

typedef struct {
  VbChrType type;
  char *path;     /* (owned) (nullable): file, unix; pty: assigned at start, live only */
  gint append;    /* file: VB_ABSENT, 0 (off), 1 (on) */
  gint unix_mode; /* unix: VB_ABSENT, bind|connect */
} VbChrSource;

typedef enum {
  VB_SERIAL_TARGET_ISA,
  VB_SERIAL_TARGET_USB,
  VB_SERIAL_TARGET_PCI,
} VbSerialTargetType;
#define VB_SERIAL_TARGET_N (VB_SERIAL_TARGET_PCI + 1)

typedef enum {
  VB_CONSOLE_TARGET_SERIAL,
  VB_CONSOLE_TARGET_VIRTIO,
} VbConsoleTargetType;
#define VB_CONSOLE_TARGET_N (VB_CONSOLE_TARGET_VIRTIO + 1)

typedef struct {
  VbDeviceInfo info;
  VbChrSource source;
  gint target_type;   /* VB_ABSENT, VbSerialTargetType or VbConsoleTargetType */
  gint64 target_port; /* -1 when not given */
  gint target_model;  /* serial: VB_ABSENT, VbSerialTargetType (its model of the same name) */
} VbSerialDef;

typedef struct {
  VbDeviceInfo info;
  VbChrSource source;
  char *target_name; /* (owned) (nullable): the virtio port name */
} VbChannelDef;

typedef struct {
  VbDeviceInfo info; /* bus is always usb, source always spicevmc */
} VbRedirdevDef;

typedef struct {
  VbDeviceInfo info; /* type is always usb: an 8-port USB hub */
} VbHubDef;

typedef struct {
  VbDeviceInfo info;
  char *backend; /* (owned) (nullable): the random source device; NULL means /dev/urandom */
} VbRngDef;

typedef enum {
  VB_PANIC_ISA,
  VB_PANIC_PVPANIC,
  VB_PANIC_HYPERV,
} VbPanicModel;
#define VB_PANIC_N (VB_PANIC_HYPERV + 1)

typedef struct {
  VbDeviceInfo info;
  gint model; /* VB_ABSENT, VbPanicModel */
} VbPanicDef;

typedef enum {
  VB_WATCHDOG_I6300ESB,
  VB_WATCHDOG_IB700,
  VB_WATCHDOG_ITCO,
} VbWatchdogModel;
#define VB_WATCHDOG_MODEL_N (VB_WATCHDOG_ITCO + 1)

typedef enum {
  VB_WATCHDOG_RESET,
  VB_WATCHDOG_SHUTDOWN,
  VB_WATCHDOG_POWEROFF,
  VB_WATCHDOG_PAUSE,
  VB_WATCHDOG_NONE,
  VB_WATCHDOG_INJECT_NMI,
} VbWatchdogAction;
#define VB_WATCHDOG_ACTION_N (VB_WATCHDOG_INJECT_NMI + 1)

typedef struct {
  VbDeviceInfo info;
  VbWatchdogModel model;
  gint action; /* VB_ABSENT, VbWatchdogAction */
} VbWatchdogDef;

/* The qemu namespace (<qemu:commandline> and friends): pass-through that taints the domain. */
typedef struct {
  char *name;  /* (owned) */
  char *value; /* (owned) (nullable) */
} VbQemuEnv;

typedef enum {
  VB_QEMU_PROP_STRING,
  VB_QEMU_PROP_SIGNED,
  VB_QEMU_PROP_UNSIGNED,
  VB_QEMU_PROP_BOOL,
  VB_QEMU_PROP_REMOVE,
} VbQemuPropType;
#define VB_QEMU_PROP_N (VB_QEMU_PROP_REMOVE + 1)

typedef struct {
  char *name; /* (owned) */
  VbQemuPropType type;
  char *value; /* (owned) (nullable): NULL for remove */
} VbQemuProp;

typedef struct {
  char *alias;      /* (owned) */
  GPtrArray *props; /* (owned) (element-type VbQemuProp): <frontend> properties */
} VbQemuOverride;

typedef enum {
  VB_DEPRECATION_NONE,
  VB_DEPRECATION_OMIT,
  VB_DEPRECATION_REJECT,
  VB_DEPRECATION_CRASH,
} VbDeprecationBehavior;
#define VB_DEPRECATION_N (VB_DEPRECATION_CRASH + 1)

typedef struct {
  GStrv args;           /* (owned) (nullable) */
  GPtrArray *env;       /* (owned) (element-type VbQemuEnv) */
  GStrv caps_add;       /* (owned) (nullable) */
  GStrv caps_del;       /* (owned) (nullable) */
  gint deprecation;     /* VB_ABSENT, VbDeprecationBehavior */
  GPtrArray *overrides; /* (owned) (element-type VbQemuOverride) */
} VbQemuNamespace;

typedef struct {
  VbVirtType virt_type;
  gint64 id;  /* -1 unless running: the live view shows it */
  char *name; /* (owned) */
  guint8 uuid[16];
  char *title;       /* (owned) (nullable) */
  char *description; /* (owned) (nullable) */
  GStrv metadata;    /* (owned) (nullable): each child of <metadata>, serialised as read */

  guint64 memory_kib;
  guint64 current_memory_kib;
  guint vcpus;
  guint vcpus_current; /* 0 when not given */
  gint vcpu_placement; /* VB_ABSENT, static|auto */
  char *vcpu_cpuset;   /* (owned) (nullable) */

  VbOsDef os;
  VbFeatures features;
  gboolean has_features;
  VbCpuDef *cpu; /* (owned) (nullable) */
  VbClockDef clock;
  VbLifecycleAction on_poweroff;
  VbLifecycleAction on_reboot;
  VbLifecycleAction on_crash;
  gint pm_suspend_to_mem;  /* VB_ABSENT, 0, 1 */
  gint pm_suspend_to_disk; /* VB_ABSENT, 0, 1 */

  char *emulator;              /* (owned) (nullable) */
  GPtrArray *disks;            /* (owned) (element-type VbDiskDef) */
  GPtrArray *controllers;      /* (owned) (element-type VbControllerDef) */
  GPtrArray *nets;             /* (owned) (element-type VbNetDef) */
  GPtrArray *inputs;           /* (owned) (element-type VbInputDef) */
  GPtrArray *serials;          /* (owned) (element-type VbSerialDef) */
  GPtrArray *consoles;         /* (owned) (element-type VbSerialDef) */
  GPtrArray *channels;         /* (owned) (element-type VbChannelDef) */
  GPtrArray *graphics;         /* (owned) (element-type VbGraphicsDef) */
  GPtrArray *sounds;           /* (owned) (element-type VbSoundDef) */
  GPtrArray *audios;           /* (owned) (element-type VbAudioDef) */
  GPtrArray *videos;           /* (owned) (element-type VbVideoDef) */
  GPtrArray *redirdevs;        /* (owned) (element-type VbRedirdevDef) */
  GPtrArray *hubs;             /* (owned) (element-type VbHubDef) */
  VbWatchdogDef *watchdog;     /* (owned) (nullable) */
  VbMemballoonDef *memballoon; /* (owned) (nullable) */
  GPtrArray *rngs;             /* (owned) (element-type VbRngDef) */
  GPtrArray *panics;           /* (owned) (element-type VbPanicDef) */

  GPtrArray *seclabels; /* (owned) (element-type VbSeclabelDef) */
  VbQemuNamespace qemu; /* empty unless the qemu namespace is used */
} VbDomainDef;

VbDomainDef *vb_domain_def_new(void);
VbDomainDef *vb_domain_def_copy(const VbDomainDef *def);
void vb_domain_def_free(VbDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainDef, vb_domain_def_free)

VbCpuDef *vb_cpu_def_new(void);
void vb_cpu_def_free(VbCpuDef *cpu);
VbCpuDef *vb_cpu_def_copy(const VbCpuDef *cpu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbCpuDef, vb_cpu_def_free)

char *vb_domain_def_get_uuid_string(const VbDomainDef *def);

/* Names as the XML spells them, indexed by the enums above. */
extern const char *const vb_virt_type_names[];
extern const char *const vb_lifecycle_action_names[];
extern const char *const vb_boot_dev_names[];
extern const char *const vb_loader_type_names[];
extern const char *const vb_firmware_names[];
extern const char *const vb_hyperv_feature_names[];
extern const char *const vb_hyperv_mode_names[];
extern const char *const vb_cpu_mode_names[];
extern const char *const vb_cpu_match_names[];
extern const char *const vb_cpu_check_names[];
extern const char *const vb_cpu_fallback_names[];
extern const char *const vb_cpu_feature_policy_names[];
extern const char *const vb_clock_offset_names[];
extern const char *const vb_clock_basis_names[];
extern const char *const vb_timer_names[];
extern const char *const vb_timer_tickpolicy_names[];
extern const char *const vb_timer_track_names[];
extern const char *const vb_vcpu_placement_names[];
extern const char *const vb_address_type_names[];
extern const char *const vb_disk_type_names[];
extern const char *const vb_disk_device_names[];
extern const char *const vb_disk_bus_names[];
extern const char *const vb_disk_format_names[];
extern const char *const vb_disk_cache_names[];
extern const char *const vb_disk_discard_names[];
extern const char *const vb_disk_io_names[];
extern const char *const vb_controller_type_names[];
extern const char *const vb_net_type_names[];
extern const char *const vb_net_model_names[];
extern const char *const vb_input_type_names[];
extern const char *const vb_input_bus_names[];
extern const char *const vb_seclabel_type_names[];
extern const char *const vb_secmodel_names[];
extern const char *const vb_graphics_type_names[];
extern const char *const vb_listen_type_names[];
extern const char *const vb_spice_image_compression_names[];
extern const char *const vb_video_model_names[];
extern const char *const vb_sound_model_names[];
extern const char *const vb_audio_type_names[];
extern const char *const vb_chr_type_names[];
extern const char *const vb_chr_unix_mode_names[];
extern const char *const vb_serial_target_type_names[];
extern const char *const vb_serial_target_model_names[];
extern const char *const vb_console_target_type_names[];
extern const char *const vb_panic_model_names[];
extern const char *const vb_watchdog_model_names[];
extern const char *const vb_watchdog_action_names[];
extern const char *const vb_qemu_prop_type_names[];
extern const char *const vb_deprecation_behavior_names[];
gint vb_names_index(const char *const *names, const char *value);

void vb_device_info_clear(VbDeviceInfo *info);
GPtrArray *vb_domain_def_get_device_infos(const VbDomainDef *def);
char *vb_domain_def_path(const VbDomainDef *def, gconstpointer device, const char *below);
void vb_disk_def_free(VbDiskDef *disk);
void vb_controller_def_free(VbControllerDef *controller);
void vb_net_def_free(VbNetDef *net);
void vb_input_def_free(VbInputDef *input);
void vb_memballoon_def_free(VbMemballoonDef *balloon);
void vb_seclabel_def_free(VbSeclabelDef *seclabel);
void vb_device_seclabel_def_free(VbDeviceSeclabelDef *seclabel);
void vb_graphics_listen_free(VbGraphicsListen *listen);
void vb_graphics_def_free(VbGraphicsDef *graphics);
void vb_video_def_free(VbVideoDef *video);
void vb_sound_def_free(VbSoundDef *sound);
void vb_serial_def_free(VbSerialDef *serial);
void vb_channel_def_free(VbChannelDef *channel);
void vb_redirdev_def_free(VbRedirdevDef *redirdev);
void vb_hub_def_free(VbHubDef *hub);
void vb_rng_def_free(VbRngDef *rng);
void vb_panic_def_free(VbPanicDef *panic);
void vb_watchdog_def_free(VbWatchdogDef *watchdog);
VbQemuOverride *vb_qemu_override_new(const char *alias);

/* vb-domain-def-new.c: each family with nothing optional given */
void vb_device_info_init(VbDeviceInfo *info);
VbDiskDef *vb_disk_def_new(VbDiskType type, VbDiskDevice device);
VbControllerDef *vb_controller_def_new(VbControllerType type, guint64 index);
VbNetDef *vb_net_def_new(VbNetType type);
VbInputDef *vb_input_def_new(VbInputType type);
VbSerialDef *vb_serial_def_new(VbChrType type);
VbChannelDef *vb_channel_def_new(VbChrType type);
VbGraphicsDef *vb_graphics_def_new(VbGraphicsType type);
VbVideoDef *vb_video_def_new(void);
VbSoundDef *vb_sound_def_new(VbSoundModel model);
VbRedirdevDef *vb_redirdev_def_new(void);
VbHubDef *vb_hub_def_new(void);
VbRngDef *vb_rng_def_new(void);
VbPanicDef *vb_panic_def_new(void);
VbWatchdogDef *vb_watchdog_def_new(VbWatchdogModel model);
VbMemballoonDef *vb_memballoon_def_new(gboolean none);
VbTimer *vb_timer_new(VbTimerName name);

/* Where libvirt keeps a new disk or controller in its list (vb-domain-disk.c,
 * vb-domain-controller.c): the order devices are formatted and built in. */
void vb_domain_def_add_disk(VbDomainDef *def, VbDiskDef *disk);
void vb_domain_def_add_controller(VbDomainDef *def, VbControllerDef *controller);

/* vb-domain-interface.c: MAC addresses as libvirt reads and generates them */
gboolean vb_parse_mac(const char *text, guint8 mac[6]);
void vb_domain_def_generate_mac(const VbDomainDef *def, VbNetDef *net);

G_END_DECLS
