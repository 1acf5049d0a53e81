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

typedef enum {
  VB_LIFECYCLE_DESTROY,
  VB_LIFECYCLE_RESTART,
  VB_LIFECYCLE_PRESERVE,
  VB_LIFECYCLE_RENAME_RESTART,
  VB_LIFECYCLE_COREDUMP_DESTROY,
  VB_LIFECYCLE_COREDUMP_RESTART,
} VbLifecycleAction;

typedef enum {
  VB_BOOT_FD,
  VB_BOOT_HD,
  VB_BOOT_CDROM,
  VB_BOOT_NETWORK,
} VbBootDev;

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
} VbOsDef;

typedef enum {
  VB_LOADER_ROM,
  VB_LOADER_PFLASH,
} VbLoaderType;

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
} VbHypervFeature;
#define VB_HYPERV_N_FEATURES (VB_HYPERV_EVMCS + 1)

typedef struct {
  gboolean acpi;
  gboolean apic;
  gint apic_eoi; /* VB_ABSENT, 0 (off), 1 (on) */
  gboolean pae;
  gint vmport; /* VB_ABSENT, 0 (off), 1 (on) */
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

typedef enum {
  VB_CPU_MODE_CUSTOM,
  VB_CPU_MODE_HOST_MODEL,
  VB_CPU_MODE_HOST_PASSTHROUGH,
  VB_CPU_MODE_MAXIMUM,
} VbCpuMode;

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

typedef struct {
  VbVirtType virt_type;
  char *name; /* (owned) */
  guint8 uuid[16];
  char *title;       /* (owned) (nullable) */
  char *description; /* (owned) (nullable) */
  char *metadata;    /* (owned) (nullable): the children of <metadata>, verbatim XML */

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

  char *emulator; /* (owned) (nullable) */
} VbDomainDef;

VbDomainDef *vb_domain_def_new(void);
void vb_domain_def_free(VbDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainDef, vb_domain_def_free)

VbCpuDef *vb_cpu_def_new(void);
void vb_cpu_def_free(VbCpuDef *cpu);

char *vb_domain_def_get_uuid_string(const VbDomainDef *def);

/* Names as the XML spells them, indexed by the enums above. */
extern const char *const vb_virt_type_names[];
extern const char *const vb_lifecycle_action_names[];
extern const char *const vb_boot_dev_names[];
extern const char *const vb_loader_type_names[];
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

G_END_DECLS
