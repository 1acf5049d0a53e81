/* vb-qemu-process.c: a running QEMU: its exit (seen through a pidfd, whoever its parent is),
 * its monitor's events turned into states (docs/lifecycle.md), the operations on it, and the
 * reconnect to one an earlier driver started.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vb-cgroup.h"
#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-json.h"
#include "vb-security.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* How long a destroy waits after SIGKILL: the kernel ends a killed process at once, unless it
 * is stuck in the kernel (a dead NFS server), which no wait would cure. */
#define KILL_TIMEOUT_MS 5000

VbQemuProcess *
vb_qemu_process_new(GPid pid, guint64 start_time, int pidfd)
{
  VbQemuProcess *self = g_new0(VbQemuProcess, 1);

  self->pid = pid;
  self->start_time = start_time;
  self->pidfd = pidfd;
  self->exit_waiters = g_ptr_array_new();
  return self;
}

static void
finish_waiters(VbQemuProcess *self, const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer(&self->exit_waiters);

  self->exit_waiters = g_ptr_array_new();
  for (guint i = 0; i < waiters->len; i++) {
    g_autoptr(GTask) task = waiters->pdata[i];

    if (error != NULL)
      g_task_return_error(task, g_error_copy(error));
    else
      g_task_return_boolean(task, TRUE);
  }
}

static void
detach_monitor(VbQemuProcess *self)
{
  if (self->qmp == NULL)
    return;
  g_clear_signal_handler(&self->event_handler, self->qmp);
  g_clear_signal_handler(&self->closed_handler, self->qmp);
  vb_qmp_close(self->qmp);
  g_clear_object(&self->qmp);
}

/* Forgets the process, which may run on (the driver is being dropped) or be gone. */
/* No more log capping: QEMU is gone, or the process is freed. The monitor names the domain
 * unowned, so it must not outlive the domain's hold on the process. */
static void
drop_log_monitor(VbQemuProcess *self)
{
  if (self->log_monitor == NULL)
    return;
  g_file_monitor_cancel(self->log_monitor);
  g_signal_handlers_disconnect_matched(self->log_monitor, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                       self);
  g_clear_object(&self->log_monitor);
}

void
vb_qemu_process_free(VbQemuProcess *self)
{
  g_autoptr(GError) error =
      g_error_new_literal(VB_ERROR, VB_ERROR_FAILED, "the driver let go of the domain");

  if (self->exit_source != NULL) {
    g_source_destroy(self->exit_source);
    g_source_unref(self->exit_source);
  }
  finish_waiters(self, error);
  g_ptr_array_unref(self->exit_waiters);
  drop_log_monitor(self);
  detach_monitor(self);
  if (self->pidfd >= 0)
    close(self->pidfd);
  g_clear_object(&self->subprocess);
  g_free(self->monitor_path);
  g_free(self->run_dir);
  g_free(self->log_path);
  g_free(self);
}

void
vb_qemu_process_kill(VbQemuProcess *self, int signal)
{
  if (self->exited)
    return;
  if (syscall(SYS_pidfd_send_signal, self->pidfd, signal, NULL, 0) != 0 && errno != ESRCH)
    g_warning("cannot signal QEMU (pid %d): %s", (int)self->pid, g_strerror(errno));
}

/* -- stop: what a QEMU that went away leaves ------------------------------------------- */

typedef struct {
  char *run_dir;
  char *monitor_path;
  char *log_path;
  char *line;
  VbQemuConf *conf;     /* (owned) */
  VbSecurityHost *host; /* (owned) */
  VbDomainDef *live;    /* (owned): what QEMU ran with: the files to give back */
  gint64 id;            /* the domain's while it ran: its cgroup's name */
  gboolean forget;      /* a transient domain's end: its AppArmor profile goes too */
} StopFiles;

static void
stop_files_free(StopFiles *files)
{
  g_free(files->run_dir);
  g_free(files->monitor_path);
  g_free(files->log_path);
  g_free(files->line);
  vb_qemu_conf_unref(files->conf);
  vb_security_host_unref(files->host);
  vb_domain_def_free(files->live);
  g_free(files);
}

static void
stop_files_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  StopFiles *files = data;
  /* found here, not on the main context: finding it reads /proc */
  g_autoptr(VbCgroup) cgroup = vb_cgroup_new(files->conf, files->id, files->live->name);

  vb_qemu_remove_run_dir(files->run_dir, files->monitor_path);
  vb_security_restore(files->host, files->conf, files->live);
  if (files->forget)
    vb_security_forget(files->host, files->live);
  vb_cgroup_remove(cgroup);
  vb_domain_log_append(files->log_path, files->line);
  g_task_return_boolean(task, TRUE);
}

/* The stop's files are done: whoever waits for the stop (a destroy) learns of it now, when
 * the images are their owners' again. */
static void
on_stop_cleaned(GObject *source, GAsyncResult *result, gpointer user_data)
{
  VbQemuProcess *process = user_data;

  finish_waiters(process, NULL);
  vb_qemu_process_free(process);
}

/* QEMU is gone: the domain shuts off with the reason its exit cause gives. */
static void
stopped(VbDomainObj *domain)
{
  G_GNUC_UNUSED g_autoptr(VbDomainObj) hold = g_object_ref(domain);
  VbQemuProcess *process = domain->process;
  g_autoptr(GTask) cleanup = g_task_new(NULL, NULL, on_stop_cleaned, process);
  StopFiles *files = g_new0(StopFiles, 1);
  const char *reason = "crashed";
  gint event = VB_DOMAIN_EVENT_CRASHED;
  const char *detail = "qemu-exited";

  switch (process->exit_cause) {
  case VB_EXIT_DESTROYED:
    reason = "destroyed", event = VB_DOMAIN_EVENT_STOPPED, detail = "destroyed";
    break;
  case VB_EXIT_SHUTDOWN:
    reason = "shutdown", event = VB_DOMAIN_EVENT_STOPPED, detail = "shutdown";
    break;
  case VB_EXIT_CRASHED:
    reason = "crashed", event = VB_DOMAIN_EVENT_STOPPED, detail = "crashed";
    break;
  case VB_EXIT_DAEMON:
    reason = "daemon-lost", event = VB_DOMAIN_EVENT_STOPPED, detail = "daemon-lost";
    break;
  case VB_EXIT_FAILED:
    reason = "failed", event = VB_DOMAIN_EVENT_STOPPED, detail = "failed";
    break;
  case VB_EXIT_UNEXPECTED:
  default:
    if (process->shutdown_seen)
      reason = "shutdown", event = VB_DOMAIN_EVENT_STOPPED, detail = "shutdown";
    break;
  }
  g_message("%s: QEMU (pid %d) is gone: shut off (%s)", domain->name, (int)process->pid, reason);
  files->run_dir = g_strdup(process->run_dir);
  files->conf = vb_qemu_conf_ref(vb_driver_get_conf(domain->driver));
  files->live = vb_domain_def_copy(domain->live);
  files->host = vb_security_host_ref(domain->driver->security);
  files->id = domain->id;
  files->forget = domain->def == NULL;
  files->monitor_path = g_strdup(process->monitor_path);
  files->log_path = g_strdup(process->log_path);
  files->line =
      vb_domain_log_line("QEMU (pid %d) is gone: shut off (%s)", (int)process->pid, reason);
  g_task_set_task_data(cleanup, files, (GDestroyNotify)stop_files_free);
  /* the process outlives the domain's hold on it until the files are done: its log monitor
   * (which names the domain) goes now, before the stop's own line lands in the log */
  drop_log_monitor(process);
  g_task_run_in_thread(cleanup, stop_files_thread);

  domain->process = NULL;
  domain->id = -1;
  g_ptr_array_set_size(domain->taints, 0);
  if (domain->def != NULL)
    g_clear_pointer(&domain->live, vb_domain_def_free);
  else
    domain->live->id = -1;
  g_clear_pointer(&domain->autodestroy_owner, g_free);
  vb_domain_obj_set_state(domain, VB_DOMAIN_SHUTOFF, reason, event, detail);
  /* the process (and its waiters) go once the files are given back: on_stop_cleaned() */
  if (domain->def == NULL)
    vb_driver_remove_domain(domain->driver, domain);
}

static gboolean
on_pidfd(int fd, GIOCondition condition, gpointer user_data)
{
  VbDomainObj *domain = VB_DOMAIN_OBJ(user_data);
  VbQemuProcess *process = domain->process;
  siginfo_t info = {0};

  g_source_unref(process->exit_source);
  process->exit_source = NULL;
  process->exited = TRUE;
  /* a QEMU this driver did not spawn may still be our child (a subreaper inherits the
   * orphans of a driver process that died): reap it; GSubprocess reaps its own */
  if (process->subprocess == NULL)
    waitid((idtype_t)P_PIDFD, (id_t)process->pidfd, &info, WEXITED | WNOHANG);
  if (domain->state == VB_DOMAIN_SHUTOFF) {
    /* a start in progress: it sees the exit through its waits (or the monitor's end of file)
     * and frees the process itself, maybe from inside this call: nothing here after it */
    finish_waiters(process, NULL);
    return G_SOURCE_REMOVE;
  }
  detach_monitor(process);
  stopped(domain);
  return G_SOURCE_REMOVE;
}

static void
log_cap_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (!vb_domain_log_cap(data, &error) && error != NULL) {
    g_task_return_error(task, error);
    return;
  }
  g_task_return_boolean(task, TRUE);
}

static void
on_log_capped(GObject *source, GAsyncResult *result, gpointer user_data)
{
  VbDomainObj *domain = VB_DOMAIN_OBJ(source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error))
    g_message("%s: %s", domain->name, error->message);
  if (domain->process != NULL)
    domain->process->log_capping = FALSE;
}

static void
on_log_changed(
    GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer user_data)
{
  VbQemuProcess *process = user_data;
  VbDomainObj *domain = g_object_get_data(G_OBJECT(monitor), "vb-domain");
  g_autoptr(GTask) task = NULL;

  if (event != G_FILE_MONITOR_EVENT_CHANGED || process->log_capping)
    return;
  process->log_capping = TRUE;
  task = g_task_new(domain, NULL, on_log_capped, NULL);
  g_task_set_task_data(task, g_strdup(process->log_path), g_free);
  g_task_run_in_thread(task, log_cap_thread);
}

/* Watches for QEMU's exit, and its log's growth, on the thread-default main context. */
void
vb_qemu_process_watch(VbDomainObj *domain)
{
  VbQemuProcess *process = domain->process;
  g_autoptr(GFile) log = g_file_new_for_path(process->log_path);

  process->log_monitor = g_file_monitor_file(log, G_FILE_MONITOR_NONE, NULL, NULL);
  if (process->log_monitor != NULL) {
    g_object_set_data(G_OBJECT(process->log_monitor), "vb-domain", domain);
    g_signal_connect(process->log_monitor, "changed", G_CALLBACK(on_log_changed), process);
  }

  process->exit_source = g_unix_fd_source_new(process->pidfd, G_IO_IN);
  g_source_set_callback(process->exit_source, G_SOURCE_FUNC(on_pidfd), domain, NULL);
  g_source_attach(process->exit_source, g_main_context_get_thread_default());
}

/* -- waiting for the exit ---------------------------------------------------------------- */

typedef struct {
  VbQemuProcess *process; /* (unowned): the waiter is removed before the process is freed */
  guint timeout_id;
  guint timeout_ms;
} ExitWait;

static gboolean
on_wait_timeout(gpointer user_data)
{
  GTask *task = user_data;
  ExitWait *wait = g_task_get_task_data(task);

  wait->timeout_id = 0;
  if (g_ptr_array_remove(wait->process->exit_waiters, task)) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_TIMEOUT,
                            "QEMU (pid %d) did not exit within %u ms", (int)wait->process->pid,
                            wait->timeout_ms);
    g_object_unref(task);
  }
  return G_SOURCE_REMOVE;
}

static void
exit_wait_free(ExitWait *wait)
{
  if (wait->timeout_id != 0)
    g_source_remove(wait->timeout_id);
  g_free(wait);
}

/* Finishes once the domain's QEMU is gone (and the domain shows it), or with a Timeout. */
void
vb_qemu_process_wait_async(VbDomainObj *domain,
                           guint timeout_ms,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task = g_task_new(domain, cancellable, callback, user_data);
  VbQemuProcess *process = domain->process;
  ExitWait *wait;

  if (process == NULL || process->exited) {
    g_task_return_boolean(task, TRUE);
    g_object_unref(task);
    return;
  }
  wait = g_new0(ExitWait, 1);
  wait->process = process;
  wait->timeout_ms = timeout_ms;
  wait->timeout_id = g_timeout_add(timeout_ms, on_wait_timeout, task);
  g_task_set_task_data(task, wait, (GDestroyNotify)exit_wait_free);
  g_ptr_array_add(process->exit_waiters, task);
}

gboolean
vb_qemu_process_wait_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

/* -- stopping: destroy, and the power-off that follows a guest's shutdown ------------------- */

typedef struct {
  VbExitCause cause;
  gboolean graceful;
  gboolean killed;
} Terminate;

static void
on_terminated(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  VbDomainObj *domain = VB_DOMAIN_OBJ(source);
  Terminate *terminate = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;

  if (vb_qemu_process_wait_finish(result, &error)) {
    g_task_return_boolean(task, TRUE);
    return;
  }
  if (terminate->graceful || terminate->killed || domain->process == NULL) {
    g_task_return_new_error(
        task, VB_ERROR, VB_ERROR_TIMEOUT, "domain '%s': %s%s", domain->name, error->message,
        terminate->graceful ? " after SIGTERM (a graceful destroy does not kill)"
                            : " after SIGKILL");
    return;
  }
  terminate->killed = TRUE;
  vb_qemu_process_kill(domain->process, SIGKILL);
  vb_qemu_process_wait_async(domain, KILL_TIMEOUT_MS, NULL, on_terminated, g_object_ref(task));
}

/* SIGTERM (QEMU stops the guest and exits), and SIGKILL after VB_DESTROY_TERM_TIMEOUT_MS. */
static void
terminate(VbDomainObj *domain, GTask *task, VbExitCause cause, gboolean graceful)
{
  Terminate *data = g_new0(Terminate, 1);

  if (domain->process == NULL) {
    g_task_return_boolean(task, TRUE);
    g_free(data);
    return;
  }
  data->cause = cause;
  data->graceful = graceful;
  g_task_set_task_data(task, data, g_free);
  domain->process->exit_cause = cause;
  vb_qemu_process_kill(domain->process, SIGTERM);
  vb_qemu_process_wait_async(domain, VB_DESTROY_TERM_TIMEOUT_MS, NULL, on_terminated,
                             g_object_ref(task));
}

static gboolean
check_running(VbDomainObj *domain, GTask *task)
{
  if (domain->process == NULL || domain->state == VB_DOMAIN_SHUTOFF) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_INVALID_STATE, "domain '%s' is not running",
                            domain->name);
    return FALSE;
  }
  return TRUE;
}

void
vb_domain_destroy_job(VbDomainObj *domain, GTask *task)
{
  VbDestroyFlags flags = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(task), "vb-destroy-flags"));

  /* a start this destroy cancelled left the domain shut off: what the destroy was for */
  if (domain->process == NULL && g_object_get_data(G_OBJECT(task), "vb-preempted") != NULL) {
    g_task_return_boolean(task, TRUE);
    return;
  }
  if (!check_running(domain, task))
    return;
  terminate(domain, task, VB_EXIT_DESTROYED, (flags & VB_DESTROY_GRACEFUL) != 0);
}

static void
on_internal_job_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *name = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error))
    g_warning("%s: %s", name, error->message);
}

static void
power_off_job(VbDomainObj *domain, GTask *task)
{
  VbExitCause cause = (VbExitCause)GPOINTER_TO_INT(g_object_get_data(G_OBJECT(task), "vb-cause"));

  terminate(domain, task, cause, FALSE);
}

/* The on_* action "destroy": QEMU is stopped as a job of the domain, after the one running. */
static void
queue_power_off(VbDomainObj *domain, VbExitCause cause)
{
  g_autoptr(GTask) task =
      g_task_new(domain->driver, NULL, on_internal_job_done, g_strdup(domain->name));

  g_object_set_data(G_OBJECT(task), "vb-cause", GINT_TO_POINTER(cause));
  vb_domain_job_enqueue(domain, task, power_off_job, FALSE);
}

/* -- monitor commands ------------------------------------------------------------------- */

static void
on_command_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) reply = NULL;
  GError *error = NULL;

  reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);
  if (reply == NULL)
    g_task_return_error(task, error);
  else
    g_task_return_boolean(task, TRUE);
}

/* Runs @command on the domain's monitor as the job @task, which it finishes. */
static void
execute_job(VbDomainObj *domain, GTask *task, const char *command)
{
  if (!check_running(domain, task))
    return;
  if (domain->process->qmp == NULL || !vb_qmp_is_ready(domain->process->qmp)) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_MONITOR_ERROR,
                            "domain '%s': QEMU's monitor is not connected", domain->name);
    return;
  }
  vb_qmp_execute_async(domain->process->qmp, command, NULL, NULL, 0, VB_MONITOR_COMMAND_TIMEOUT_MS,
                       vb_domain_job_get_cancellable(domain), on_command_done, g_object_ref(task));
}

void
vb_domain_shutdown_job(VbDomainObj *domain, GTask *task)
{
  execute_job(domain, task, "system_powerdown");
}

void
vb_domain_reboot_job(VbDomainObj *domain, GTask *task)
{
  if (!check_running(domain, task))
    return;
  domain->process->fake_reboot = TRUE;
  execute_job(domain, task, "system_powerdown");
}

void
vb_domain_reset_job(VbDomainObj *domain, GTask *task)
{
  execute_job(domain, task, "system_reset");
}

void
vb_domain_suspend_job(VbDomainObj *domain, GTask *task)
{
  if (!check_running(domain, task))
    return;
  if (domain->state == VB_DOMAIN_PAUSED) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_INVALID_STATE, "domain '%s' is already paused",
                            domain->name);
    return;
  }
  domain->process->pause_requested = TRUE;
  execute_job(domain, task, "stop");
}

void
vb_domain_resume_job(VbDomainObj *domain, GTask *task)
{
  if (!check_running(domain, task))
    return;
  if (domain->state != VB_DOMAIN_PAUSED) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_INVALID_STATE, "domain '%s' is not paused",
                            domain->name);
    return;
  }
  execute_job(domain, task, "cont");
}

/* system_reset then cont, for on_* = restart and the fake reboot: the guest boots again in
 * the same QEMU. Runs outside the job queue, from the event: QEMU is already stopped. */
static void
on_restart_cont(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *name = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);

  if (reply != NULL)
    json_node_unref(reply);
  else
    g_message("%s: the guest's restart failed: %s", name, error->message);
}

static void
restart_guest(VbDomainObj *domain)
{
  VbQmp *qmp = domain->process->qmp;

  domain->process->restarting = TRUE;
  vb_qmp_execute_async(qmp, "system_reset", NULL, NULL, 0, VB_MONITOR_COMMAND_TIMEOUT_MS, NULL,
                       on_restart_cont, g_strdup(domain->name));
  vb_qmp_execute_async(qmp, "cont", NULL, NULL, 0, VB_MONITOR_COMMAND_TIMEOUT_MS, NULL,
                       on_restart_cont, g_strdup(domain->name));
}

/* -- events ------------------------------------------------------------------------------- */

static VbLifecycleAction
action_of(VbLifecycleAction action)
{
  switch (action) {
  case VB_LIFECYCLE_RESTART:
  case VB_LIFECYCLE_RENAME_RESTART:
  case VB_LIFECYCLE_COREDUMP_RESTART:
    return VB_LIFECYCLE_RESTART;
  case VB_LIFECYCLE_PRESERVE:
    return VB_LIFECYCLE_PRESERVE;
  case VB_LIFECYCLE_DESTROY:
  case VB_LIFECYCLE_COREDUMP_DESTROY:
  default:
    return VB_LIFECYCLE_DESTROY;
  }
}

/* SHUTDOWN: the guest powered off (or reset with on_reboot=destroy, which gives -no-reboot),
 * or the host asked QEMU to quit. -no-shutdown keeps QEMU, stopped, for the on_* action. */
static void
on_shutdown(VbDomainObj *domain, JsonObject *data)
{
  VbQemuProcess *process = domain->process;
  static const VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "the SHUTDOWN event"};
  const char *reason = NULL;
  gboolean guest = FALSE;
  gboolean reset;
  VbLifecycleAction action;

  /* a member of the wrong type is as good as missing: the shutdown happened all the same */
  vb_json_get_string(&scope, data, "reason", FALSE, &reason, NULL);
  vb_json_get_bool(&scope, data, "guest", FALSE, &guest, NULL);
  reset = g_strcmp0(reason, "guest-reset") == 0;
  action = action_of(reset ? domain->live->on_reboot : domain->live->on_poweroff);

  /* a panic: GUEST_PANICKED came first and its on_crash decides */
  if (g_strcmp0(reason, "guest-panic") == 0)
    return;
  if (process->exit_cause == VB_EXIT_DESTROYED || process->exit_cause == VB_EXIT_FAILED ||
      g_strcmp0(reason, "host-signal") == 0) {
    /* our own SIGTERM: the exit says what it was */
    process->shutdown_seen = process->exit_cause == VB_EXIT_UNEXPECTED;
    return;
  }
  if (process->fake_reboot && !reset) {
    process->fake_reboot = FALSE;
    restart_guest(domain);
    return;
  }
  process->shutdown_seen = TRUE;
  vb_domain_obj_set_state(domain, VB_DOMAIN_SHUTDOWN, "user", VB_DOMAIN_EVENT_SHUTDOWN,
                          guest ? "guest" : "host");
  switch (action) {
  case VB_LIFECYCLE_RESTART:
    process->shutdown_seen = FALSE;
    restart_guest(domain);
    vb_domain_obj_set_state(domain, VB_DOMAIN_RUNNING, "booted", VB_DOMAIN_EVENT_RESUMED,
                            "unpaused");
    break;
  case VB_LIFECYCLE_PRESERVE:
    break;
  case VB_LIFECYCLE_DESTROY:
  default:
    queue_power_off(domain, VB_EXIT_SHUTDOWN);
    break;
  }
}

/* GUEST_PANICKED (pvpanic): QEMU stops the guest (-action panic=pause for preserve, else its
 * default power-off, kept by -no-shutdown), and on_crash decides. */
static void
on_panicked(VbDomainObj *domain)
{
  vb_domain_obj_set_state(domain, VB_DOMAIN_CRASHED, "panicked", VB_DOMAIN_EVENT_CRASHED,
                          "panicked");
  switch (action_of(domain->live->on_crash)) {
  case VB_LIFECYCLE_RESTART:
    restart_guest(domain);
    vb_domain_obj_set_state(domain, VB_DOMAIN_RUNNING, "crashed", VB_DOMAIN_EVENT_RESUMED,
                            "unpaused");
    break;
  case VB_LIFECYCLE_PRESERVE:
    break;
  case VB_LIFECYCLE_DESTROY:
  default:
    queue_power_off(domain, VB_EXIT_CRASHED);
    break;
  }
}

static void
on_monitor_event(
    VbQmp *qmp, const char *name, JsonObject *data, gint64 timestamp, gpointer user_data)
{
  VbDomainObj *domain = VB_DOMAIN_OBJ(user_data);
  VbQemuProcess *process = domain->process;

  if (process == NULL)
    return;
  g_debug("%s: QMP event %s", domain->name, name);
  vb_domain_obj_monitor_event(domain, name, data, timestamp);
  /* a start in progress sets the state itself once it is done */
  if (domain->state == VB_DOMAIN_SHUTOFF)
    return;
  if (g_str_equal(name, "SHUTDOWN")) {
    on_shutdown(domain, data);
  } else if (g_str_equal(name, "STOP")) {
    gboolean requested = process->pause_requested;

    process->pause_requested = FALSE;
    if (domain->state == VB_DOMAIN_RUNNING && !process->shutdown_seen && !process->restarting)
      vb_domain_obj_set_state(domain, VB_DOMAIN_PAUSED, requested ? "user" : "unknown",
                              VB_DOMAIN_EVENT_SUSPENDED, "paused");
  } else if (g_str_equal(name, "RESUME")) {
    process->restarting = FALSE;
    if (domain->state == VB_DOMAIN_PAUSED || domain->state == VB_DOMAIN_CRASHED ||
        domain->state == VB_DOMAIN_SHUTDOWN) {
      process->shutdown_seen = FALSE;
      vb_domain_obj_set_state(domain, VB_DOMAIN_RUNNING, "unpaused", VB_DOMAIN_EVENT_RESUMED,
                              "unpaused");
    }
  } else if (g_str_equal(name, "GUEST_PANICKED")) {
    on_panicked(domain);
  }
}

static void
on_monitor_closed(VbQmp *qmp, GError *reason, gpointer user_data)
{
  VbDomainObj *domain = VB_DOMAIN_OBJ(user_data);

  /* the exit (the pidfd) says what happened; a monitor that closes while QEMU runs on leaves
   * a domain no one can control: it is logged, and Destroy still works through the pidfd */
  if (domain->process != NULL && !domain->process->exited)
    g_message("%s: QEMU's monitor closed: %s", domain->name, reason != NULL ? reason->message : "");
}

void
vb_qemu_process_attach_monitor(VbDomainObj *domain, VbQmp *qmp)
{
  VbQemuProcess *process = domain->process;

  process->qmp = qmp;
  process->event_handler = g_signal_connect(qmp, "event", G_CALLBACK(on_monitor_event), domain);
  process->closed_handler = g_signal_connect(qmp, "closed", G_CALLBACK(on_monitor_closed), domain);
}

/* -- reconnect ---------------------------------------------------------------------------- */

/* A reconnect waits for the greeting as a start does: a QEMU that does not answer is killed. */
typedef struct {
  VbDomainObj *domain; /* (owned) */
  GCancellable *cancellable;
  guint timeout_id;
} Reconnect;

static void
reconnect_free(Reconnect *reconnect)
{
  if (reconnect->timeout_id != 0)
    g_source_remove(reconnect->timeout_id);
  g_object_unref(reconnect->cancellable);
  g_object_unref(reconnect->domain);
  g_free(reconnect);
}

static gboolean
on_reconnect_timeout(gpointer user_data)
{
  Reconnect *reconnect = user_data;

  reconnect->timeout_id = 0;
  g_cancellable_cancel(reconnect->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_reconnect_status(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  VbDomainObj *domain = ((Reconnect *)g_task_get_task_data(task))->domain;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);
  static const VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "QEMU's reply to 'query-status'"};
  JsonObject *object =
      reply != NULL && JSON_NODE_HOLDS_OBJECT(reply) ? json_node_get_object(reply) : NULL;
  const char *status = NULL;

  if (domain->process == NULL || domain->process->exited) {
    g_task_return_boolean(task, TRUE);
    return;
  }
  if (object != NULL)
    vb_json_get_string(&scope, object, "status", TRUE, &status, error == NULL ? &error : NULL);
  if (status == NULL) {
    g_message("%s: reconnect: query-status: %s", domain->name,
              error != NULL ? error->message : "no status in the reply");
    domain->process->exit_cause = VB_EXIT_DAEMON;
    vb_qemu_process_kill(domain->process, SIGKILL);
  } else if (g_str_equal(status, "running")) {
    if (domain->state != VB_DOMAIN_RUNNING)
      vb_domain_obj_set_state(domain, VB_DOMAIN_RUNNING, "unpaused", VB_DOMAIN_EVENT_RESUMED,
                              "unpaused");
  } else if (g_str_equal(status, "shutdown")) {
    /* the guest powered off while no driver ran: its on_poweroff now */
    g_autoptr(JsonObject) data = json_object_new();

    json_object_set_boolean_member(data, "guest", TRUE);
    json_object_set_string_member(data, "reason", "guest-shutdown");
    on_shutdown(domain, data);
  } else if (g_str_equal(status, "guest-panicked")) {
    if (domain->state != VB_DOMAIN_CRASHED)
      on_panicked(domain);
  } else if (domain->state == VB_DOMAIN_RUNNING) {
    vb_domain_obj_set_state(domain, VB_DOMAIN_PAUSED, "unknown", VB_DOMAIN_EVENT_SUSPENDED,
                            "paused");
  }
  g_task_return_boolean(task, TRUE);
}

static void
on_reconnect_handshake(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  VbDomainObj *domain = ((Reconnect *)g_task_get_task_data(task))->domain;
  g_autoptr(GError) error = NULL;

  if (domain->process == NULL || domain->process->exited) {
    g_task_return_boolean(task, TRUE);
    return;
  }
  if (!vb_qmp_handshake_finish(VB_QMP(source), result, &error)) {
    g_message("%s: reconnect: %s: QEMU is killed", domain->name, error->message);
    domain->process->exit_cause = VB_EXIT_DAEMON;
    vb_qemu_process_kill(domain->process, SIGKILL);
    g_task_return_boolean(task, TRUE);
    return;
  }
  vb_qmp_execute_async(VB_QMP(source), "query-status", NULL, NULL, 0, VB_MONITOR_COMMAND_TIMEOUT_MS,
                       NULL, on_reconnect_status, g_object_ref(task));
}

/**
 * vb_qemu_process_reconnect:
 * @status: (transfer none): what the status file said; its live definition is taken
 * @task: finishes TRUE once the domain shows what its QEMU is doing (or that it is gone)
 *
 * Takes over the QEMU an earlier driver started: the same pid and start time, or the domain is
 * shut off (reason crashed: it died while no driver ran).
 */
void
vb_qemu_process_reconnect(VbDomainObj *domain, VbDomainStatus *status, GTask *task)
{
  guint64 start_time = 0;
  int pidfd = -1;
  g_autoptr(GError) error = NULL;
  Reconnect *reconnect = g_new0(Reconnect, 1);
  VbQmp *qmp;

  reconnect->domain = g_object_ref(domain);
  reconnect->cancellable = g_cancellable_new();
  g_task_set_task_data(task, reconnect, (GDestroyNotify)reconnect_free);
  g_clear_pointer(&domain->live, vb_domain_def_free);
  domain->live = g_steal_pointer(&status->live);
  domain->id = domain->live->id;
  for (guint i = 0; i < status->taints->len; i++)
    g_ptr_array_add(domain->taints, g_strdup(status->taints->pdata[i]));
  if (vb_proc_start_time(status->pid, &start_time) && start_time == status->start_time)
    pidfd = (int)syscall(SYS_pidfd_open, status->pid, 0);
  domain->process = vb_qemu_process_new(status->pid, status->start_time, pidfd);
  domain->process->monitor_path = g_strdup(status->monitor_path);
  domain->process->run_dir = g_strdup(status->run_dir);
  domain->process->log_path = g_strdup(status->log_path);
  domain->process->log_offset = status->log_offset;
  domain->state = status->state;
  domain->reason = g_intern_string(status->reason);
  if (pidfd < 0) {
    g_message("%s: QEMU (pid %d) died while no driver ran", domain->name, (int)status->pid);
    domain->process->exited = TRUE;
    domain->process->exit_cause = VB_EXIT_UNEXPECTED;
    stopped(domain);
    g_task_return_boolean(task, TRUE);
    return;
  }
  vb_qemu_process_watch(domain);
  qmp = vb_qmp_new_for_path(status->monitor_path, g_main_context_get_thread_default(), &error);
  if (qmp == NULL) {
    g_message("%s: reconnect: %s: QEMU is killed", domain->name, error->message);
    domain->process->exit_cause = VB_EXIT_DAEMON;
    vb_qemu_process_kill(domain->process, SIGKILL);
    g_task_return_boolean(task, TRUE);
    return;
  }
  vb_qemu_process_attach_monitor(domain, qmp);
  reconnect->timeout_id =
      g_timeout_add(VB_START_MONITOR_TIMEOUT_MS, on_reconnect_timeout, reconnect);
  vb_qmp_handshake_async(qmp, reconnect->cancellable, on_reconnect_handshake, g_object_ref(task));
}
