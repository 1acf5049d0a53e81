/* vb-driver-private.h: what the files of the driver share: the domain object's fields, its
 * job queue, the running QEMU process, status files and the domain log.
 *
 *   vb-driver.c         the domain table, its signals, the entry points of the operations
 *   vb-driver-open.c    opening: configs read, status files reconnected, autostart
 *   vb-driver-define.c  define, create, undefine, autostart (the configs)
 *   vb-domain-obj.c         the domain object, its state changes and events
 *   vb-domain-job.c     the per-domain job queue
 *   vb-domain-status.c  the status file of a running domain (restart survival)
 *   vb-domain-log.c     the domain log: header, rotation, the tail quoted in errors
 *   vb-qemu-launch.c    start: from definition to running QEMU
 *   vb-qemu-process.c   a running QEMU: monitor events, stop paths, exit, reconnect
 *   vb-qemu-tap.c       TAP devices the command asks for
 *   vb-qemu-ports.c     display ports chosen at start (autoport)
 *   vb-domain-stats.c   GetStats
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-capabilities.h"
#include "vb-driver.h"
#include "vb-file.h"
#include "vb-qemu-command.h"
#include "vb-qmp.h"
#include "vb-security.h"

G_BEGIN_DECLS

VbCapabilities *vb_driver_get_capabilities(VbDriver *self);

/* How long a start waits for QEMU's monitor greeting, and for each monitor command. */
#define VB_START_MONITOR_TIMEOUT_MS 30000
#define VB_MONITOR_COMMAND_TIMEOUT_MS 30000
/* The log kept per domain before it is rotated to .log.0, at the next start. */
#define VB_DOMAIN_LOG_MAX (1024 * 1024)
/* The lines of the domain log quoted in a start error. */
#define VB_DOMAIN_LOG_TAIL_LINES 8

typedef struct _VbJob VbJob;
typedef void (*VbJobFunc)(VbDomainObj *domain, GTask *task);

/* Why a QEMU that is going away goes: the state and event its exit gives. */
typedef enum {
  VB_EXIT_UNEXPECTED, /* no one asked: a crash */
  VB_EXIT_SHUTDOWN,   /* the guest powered off (or the host asked it to) */
  VB_EXIT_DESTROYED,  /* Destroy */
  VB_EXIT_CRASHED,    /* after a guest panic with on_crash destroy */
  VB_EXIT_FAILED,     /* a start that failed */
  VB_EXIT_DAEMON,     /* reconnect found it unusable and killed it */
} VbExitCause;

typedef struct {
  GPid pid;
  guint64 start_time; /* field 22 of /proc/<pid>/stat: tells a reused pid apart */
  int pidfd;
  GSource *exit_source;      /* the pidfd becoming readable */
  GFileMonitor *log_monitor; /* the log growing: capped (vb_domain_log_cap()) */
  gboolean log_capping;
  GSubprocess *subprocess; /* (nullable): set when this driver spawned it */
  VbQmp *qmp;              /* (nullable) until connected */
  gulong event_handler, closed_handler;
  char *monitor_path;
  char *run_dir; /* the domain's own runtime directory */
  char *log_path;
  gint64 log_offset; /* where this start's QEMU output begins in the log */
  gboolean exited;
  gboolean shutdown_seen; /* QEMU reported SHUTDOWN: its exit is a shutdown */
  gboolean fake_reboot;   /* a Reboot is in progress: reset instead of power-off */
  gboolean pause_requested;
  gboolean restarting; /* a reset and cont are on their way: the STOP before is not a pause */
  VbExitCause exit_cause;
  GPtrArray *exit_waiters; /* (element-type GTask): finished when the process is gone */
} VbQemuProcess;

struct _VbDomainObj {
  GObject parent_instance;
  VbDriver *driver; /* (unowned) (nullable): the driver owns its domains; NULL once it let go */
  char *name;
  char *status_path; /* its status file while it runs */
  char uuid[37];
  VbDomainDef *def;  /* (nullable): the persistent config; NULL for a transient domain */
  VbDomainDef *live; /* (nullable): the running domain's own copy */
  /* (nullable) (unowned): the copy a start in progress launches (its display ports are taken) */
  VbDomainDef *starting;
  gboolean autostart;
  VbDomainState state;
  const char *reason; /* a static string: libvirt's reason name */
  gint64 id;
  GPtrArray *taints; /* (element-type utf8) */
  char *autodestroy_owner;
  gboolean removed; /* no longer in the driver's table */

  GQueue jobs; /* (element-type VbJob): waiting */
  VbJob *job;  /* (nullable): running */

  VbQemuProcess *process; /* (nullable): while QEMU runs */
  gboolean status_writing, status_dirty;
  GPtrArray
      *status_waiters; /* (nullable) (element-type GTask): vb_domain_obj_flush_status_async() */
};

/* vb-driver.c */
/* A test's failure injection: called (on the main context or a worker) once @step of a start
 * is done; a FALSE return fails the start there, as if the step had. */
typedef gboolean (*VbStartHook)(const char *step, gpointer data, GError **error);

struct _VbDriver {
  GObject parent_instance;
  VbPaths *paths;
  VbQemuConf *conf;
  VbCapabilities *caps;
  VbSecurityHost *security; /* what confines QEMU on this host: read once, at open */
  GMainContext *context;
  GHashTable *by_name;    /* name → VbDomainObj (owned) */
  GHashTable *by_uuid;    /* uuid string → VbDomainObj */
  GHashTable *pending;    /* VbDomainObj → itself: defined or created, not yet shown */
  GPtrArray *load_errors; /* (element-type utf8) */
  int lock_fd;            /* the run dir's driver.pid, locked while this driver lives */
  gint64 next_id;
  VbFileHook write_hook; /* tests only: called before a config's rename */
  gpointer write_hook_data;
  VbStartHook start_hook; /* tests only: called after each step of a start */
  gpointer start_hook_data;
};

void vb_driver_add_domain(VbDriver *self, VbDomainObj *domain, gboolean pending);
void vb_driver_show_domain(VbDriver *self, VbDomainObj *domain);

/* vb-driver-define.c */
void vb_domain_undefine_job(VbDomainObj *domain, GTask *task);
void vb_domain_autostart_job(VbDomainObj *domain, GTask *task);
char *vb_driver_autostart_path(VbDriver *self, const char *name);
void vb_driver_set_write_hook(VbDriver *self, VbFileHook hook, gpointer data);
void vb_driver_set_start_hook(VbDriver *self, VbStartHook hook, gpointer data);
void vb_domain_start_job(VbDomainObj *domain, GTask *task);
GMainContext *vb_driver_get_context(VbDriver *self);
gint64 vb_driver_allocate_id(VbDriver *self);
void
vb_driver_emit_event(VbDriver *self, VbDomainObj *domain, VbDomainEvent event, const char *detail);
void vb_driver_remove_domain(VbDriver *self, VbDomainObj *domain);
char *vb_driver_config_path(VbDriver *self, const char *name);
char *vb_driver_status_path(VbDriver *self, const char *name);
char *vb_driver_log_path(VbDriver *self, const char *name);

/* vb-domain-obj.c */
VbDomainObj *vb_domain_obj_new(VbDriver *driver, VbDomainDef *def, gboolean persistent);
void vb_domain_obj_set_state(
    VbDomainObj *self, VbDomainState state, const char *reason, gint event, const char *detail);
void vb_domain_obj_changed(VbDomainObj *self);
void vb_domain_obj_detach(VbDomainObj *self);
void vb_domain_obj_save_status(VbDomainObj *self);
void vb_domain_obj_flush_status_async(VbDomainObj *self,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
void vb_domain_obj_monitor_event(VbDomainObj *self,
                                 const char *name,
                                 JsonObject *data,
                                 gint64 timestamp);

/* vb-domain-job.c */
void vb_domain_job_enqueue(VbDomainObj *self, GTask *task, VbJobFunc func, gboolean first);
GCancellable *vb_domain_job_get_cancellable(VbDomainObj *self);

/* vb-domain-status.c */
typedef struct {
  VbDomainDef *live;
  VbDomainState state;
  char *reason;
  GPid pid;
  guint64 start_time;
  char *monitor_path;
  char *run_dir;
  char *log_path;
  gint64 log_offset;
  gboolean persistent;
  GPtrArray *taints;
} VbDomainStatus;

char *vb_domain_status_format(VbDomainObj *domain, GError **error);
VbDomainStatus *vb_domain_status_parse(const char *xml, gsize length, GError **error);
void vb_domain_status_free(VbDomainStatus *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbDomainStatus, vb_domain_status_free)
gboolean vb_proc_start_time(GPid pid, guint64 *out);

/* vb-domain-log.c */
int vb_domain_log_open(const char *path, const char *header, gint64 *offset, GError **error);
char *vb_domain_log_tail(const char *path, gint64 offset, guint lines);
void vb_domain_log_append(const char *path, const char *line);
void vb_domain_log_append_in_worker(const char *path, const char *line);
gboolean vb_domain_log_cap(const char *path, GError **error);
char *vb_domain_log_line(const char *format, ...) G_GNUC_PRINTF(1, 2);

/* vb-qemu-launch.c */
void vb_qemu_launch(VbDomainObj *domain, VbStartFlags flags, GTask *task);

/* vb-qemu-process.c */
VbQemuProcess *vb_qemu_process_new(GPid pid, guint64 start_time, int pidfd);
void vb_qemu_process_free(VbQemuProcess *self);
void vb_qemu_process_watch(VbDomainObj *domain);
void vb_qemu_process_attach_monitor(VbDomainObj *domain, VbQmp *qmp);
void vb_qemu_process_kill(VbQemuProcess *self, int signal);
void vb_qemu_process_wait_async(VbDomainObj *domain,
                                guint timeout_ms,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean vb_qemu_process_wait_finish(GAsyncResult *result, GError **error);
void vb_qemu_process_reconnect(VbDomainObj *domain, VbDomainStatus *status, GTask *task);
void vb_domain_shutdown_job(VbDomainObj *domain, GTask *task);
void vb_domain_reboot_job(VbDomainObj *domain, GTask *task);
void vb_domain_reset_job(VbDomainObj *domain, GTask *task);
void vb_domain_suspend_job(VbDomainObj *domain, GTask *task);
void vb_domain_resume_job(VbDomainObj *domain, GTask *task);
void vb_domain_destroy_job(VbDomainObj *domain, GTask *task);
void vb_qemu_remove_run_dir(const char *run_dir, const char *monitor_path);

/* vb-qemu-tap.c */
gboolean vb_qemu_tap_open(const VbQemuFdRequest *request, int *fd_out, GError **error);

/* vb-qemu-ports.c */
gboolean vb_qemu_ports_assign(VbDomainObj *domain, VbDomainDef *def, GError **error);

G_END_DECLS
