/* vb-qemu-launch.c: start, from a definition to a running QEMU (DESIGN.md §5).
 *
 *   resolve   the arch, machine and emulator, from the capabilities (a probe only the first time)
 *   prepare   (worker) firmware descriptors, the command, the domain's directories, its NVRAM
 *             from the template, the log and its header, the monitor's listening socket, TAPs
 *   spawn     QEMU paused (-S), in a session of its own so it outlives us, fds passed, no shell
 *   monitor   the greeting and qmp_capabilities, within VB_START_MONITOR_TIMEOUT_MS
 *   setup     the command's monitor commands, real secrets sent (the log has them redacted)
 *   cont      unless the start is paused
 *
 * Any failure kills QEMU, removes what the start made and names the step; once QEMU ran, the
 * error also quotes the last lines it wrote to the log (its own message for a missing image).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "vb-cgroup.h"
#include "vb-domain-prepare.h"
#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-firmware.h"
#include "vb-security.h"

typedef struct {
  VbDomainObj *domain; /* (owned) */
  VbStartFlags flags;
  VbDomainDef *def; /* (owned): the live copy being started */
  VbDomainDefaults *defaults;
  VbPaths *paths;
  VbQemuConf *conf;
  VbSecurityHost *host; /* (owned): the driver's */
  gint64 id;
  char *log_path;
  const char *step; /* what the start is doing, for the error */
  VbStartHook hook; /* tests only (vb_driver_set_start_hook()) */
  gpointer hook_data;

  /* made by prepare */
  VbQemuCommand *cmd;
  VbSecurityStart *security; /* (nullable): what confines QEMU, undone if the start fails */
  VbCgroup *cgroup;          /* (nullable): the domain's, removed if the start fails */
  struct {
    const VbSecurityChild *security;
    char *const *cgroup_procs;
  } child; /* what the child does before exec: pointers into the two above */
  int monitor_fd;
  int log_fd;
  gint64 log_offset;
  GArray *fds; /* (element-type int): for cmd->fds, in order; -1 for the monitor's */

  GCancellable *cancellable; /* cancelled by the job's and by the greeting's timeout */
  GCancellable *job_cancellable;
  gulong job_handler;
  guint timeout_id;
  gboolean timed_out;
  guint next_setup;
  GError *error;    /* (nullable): why the start failed, while it cleans up */
  gboolean spawned; /* QEMU ran: its log has something to say */
} Launch;

static void
close_fd(int *fd)
{
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

static void
launch_free(Launch *launch)
{
  if (launch->timeout_id != 0)
    g_source_remove(launch->timeout_id);
  g_clear_object(&launch->domain);
  g_clear_pointer(&launch->def, vb_domain_def_free);
  g_clear_pointer(&launch->defaults, vb_domain_defaults_free);
  g_clear_pointer(&launch->paths, vb_paths_unref);
  g_clear_pointer(&launch->conf, vb_qemu_conf_unref);
  g_clear_pointer(&launch->host, vb_security_host_unref);
  g_free(launch->log_path);
  g_clear_pointer(&launch->cmd, vb_qemu_command_free);
  g_clear_pointer(&launch->security, vb_security_start_free);
  g_clear_pointer(&launch->cgroup, vb_cgroup_free);
  close_fd(&launch->monitor_fd);
  close_fd(&launch->log_fd);
  if (launch->fds != NULL) {
    for (guint i = 0; i < launch->fds->len; i++)
      close_fd(&g_array_index(launch->fds, int, i));
    g_array_unref(launch->fds);
  }
  if (launch->job_handler != 0)
    g_cancellable_disconnect(launch->job_cancellable, launch->job_handler);
  g_clear_object(&launch->job_cancellable);
  g_clear_object(&launch->cancellable);
  g_clear_error(&launch->error);
  g_free(launch);
}

/* -- failure ----------------------------------------------------------------------------- */

static void
remove_tree(const char *path)
{
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *child = g_build_filename(path, name, NULL);

    if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
      remove_tree(child);
    else
      g_unlink(child);
  }
  g_rmdir(path);
}

/**
 * vb_qemu_remove_run_dir:
 *
 * Removes the domain's runtime directory (its monitor socket and every socket QEMU made in
 * it). Blocking: for worker threads.
 */
void
vb_qemu_remove_run_dir(const char *run_dir, const char *monitor_path)
{
  if (monitor_path != NULL)
    g_unlink(monitor_path);
  if (run_dir != NULL)
    remove_tree(run_dir);
}

/* launch->step is done: a test's injected failure, if any, comes here. */
static gboolean
step_done(Launch *launch, GError **error)
{
  return launch->hook == NULL || launch->hook(launch->step, launch->hook_data, error);
}

static void on_exit_waited(GObject *source, GAsyncResult *result, gpointer user_data);
static void finish_failure(GTask *task);
static gboolean finish_failure_idle(gpointer user_data);

/* The start failed at launch->step: QEMU (if it runs) is killed, what the start made is
 * removed, and the error is returned with the step and the end of QEMU's log. */
static void
fail(GTask *task, GError *error)
{
  Launch *launch = g_task_get_task_data(task);
  VbQemuProcess *process = launch->domain->process;

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_clear_error(&error);
    error = launch->timed_out ? g_error_new(VB_ERROR, VB_ERROR_TIMEOUT,
                                            "QEMU did not answer on its monitor within %d s",
                                            VB_START_MONITOR_TIMEOUT_MS / 1000)
                              : g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                    "cancelled (the domain is being destroyed)");
  }
  launch->error = error;
  if (process != NULL && !process->exited) {
    process->exit_cause = VB_EXIT_FAILED;
    vb_qemu_process_kill(process, SIGKILL);
    vb_qemu_process_wait_async(launch->domain, VB_DESTROY_TERM_TIMEOUT_MS, NULL, on_exit_waited,
                               g_object_ref(task));
    return;
  }
  /* never from inside the call that failed (a monitor callback, the exit handler): the
   * process it frees may still be in use there */
  g_idle_add_full(G_PRIORITY_DEFAULT, finish_failure_idle, g_object_ref(task), g_object_unref);
}

/* (worker) The end of QEMU's log into the error, the failure into the log, and the domain's
 * runtime files removed: all disk work, off the main context. */
static void
remove_leftovers_thread(GTask *cleanup, gpointer source, gpointer data, GCancellable *cancellable)
{
  Launch *launch = data;

  if (launch->spawned) {
    g_autofree char *tail =
        vb_domain_log_tail(launch->log_path, launch->log_offset, VB_DOMAIN_LOG_TAIL_LINES);

    if (tail != NULL) {
      char *message = g_strdup_printf("%s; QEMU's log: %s", launch->error->message, tail);

      g_free(launch->error->message);
      launch->error->message = message;
    }
  }
  vb_error_shorten(launch->error);
  /* QEMU is gone (or never ran): its files go back to their owners, once */
  if (launch->security != NULL)
    vb_security_start_undo(launch->security);
  if (launch->cgroup != NULL)
    vb_cgroup_remove(launch->cgroup);
  if (launch->cmd != NULL)
    vb_qemu_remove_run_dir(launch->cmd->run_dir, launch->cmd->monitor_path);
  if (launch->log_offset > 0) {
    g_autofree char *line = vb_domain_log_line("start failed: %s", launch->error->message);

    vb_domain_log_append(launch->log_path, line);
  }
  g_task_return_boolean(cleanup, TRUE);
}

static void
leftovers_removed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Launch *launch = g_task_get_task_data(task);

  g_message("%s", launch->error->message);
  vb_domain_obj_set_state(launch->domain, VB_DOMAIN_SHUTOFF, "failed", -1, NULL);
  g_task_return_error(task, g_steal_pointer(&launch->error));
}

static void
finish_failure(GTask *task)
{
  Launch *launch = g_task_get_task_data(task);
  VbDomainObj *domain = launch->domain;
  g_autoptr(GTask) cleanup = NULL;

  if (domain->process != NULL) {
    launch->spawned = TRUE;
    g_clear_pointer(&domain->process, vb_qemu_process_free);
  }
  domain->starting = NULL;
  g_prefix_error(&launch->error, "cannot start domain '%s': %s: ", domain->name, launch->step);
  cleanup = g_task_new(NULL, NULL, leftovers_removed, g_object_ref(task));
  g_task_set_task_data(cleanup, launch, NULL);
  g_task_run_in_thread(cleanup, remove_leftovers_thread);
}

static void
on_exit_waited(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  vb_qemu_process_wait_finish(result, NULL);
  finish_failure(task);
}

static gboolean
finish_failure_idle(gpointer user_data)
{
  finish_failure(G_TASK(user_data));
  return G_SOURCE_REMOVE;
}

/* -- running ------------------------------------------------------------------------------ */

static void
on_status_written(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_propagate_boolean(G_TASK(result), NULL);
  g_task_return_boolean(task, TRUE);
}

static void
started(GTask *task)
{
  Launch *launch = g_task_get_task_data(task);
  VbDomainObj *domain = launch->domain;
  gboolean paused = (launch->flags & VB_START_PAUSED) != 0;

  if (launch->timeout_id != 0) {
    g_source_remove(launch->timeout_id);
    launch->timeout_id = 0;
  }
  g_clear_pointer(&domain->live, vb_domain_def_free);
  domain->starting = NULL;
  domain->live = g_steal_pointer(&launch->def);
  domain->live->id = launch->id;
  domain->id = launch->id;
  g_ptr_array_set_size(domain->taints, 0);
  for (guint i = 0; i < launch->cmd->taints->len; i++)
    g_ptr_array_add(domain->taints, g_strdup(launch->cmd->taints->pdata[i]));
  if (paused)
    vb_domain_obj_set_state(domain, VB_DOMAIN_PAUSED, "user", VB_DOMAIN_EVENT_STARTED, "paused");
  else
    vb_domain_obj_set_state(domain, VB_DOMAIN_RUNNING, "booted", VB_DOMAIN_EVENT_STARTED, "booted");
  vb_domain_obj_flush_status_async(domain, on_status_written, g_object_ref(task));
}

static void run_setup(GTask *task);

static void
on_setup_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) reply = NULL;
  GError *error = NULL;

  reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);
  if (reply == NULL) {
    fail(task, error);
    return;
  }
  run_setup(task);
}

/* The command's monitor commands in order, then 'cont' unless paused. */
static void
run_setup(GTask *task)
{
  Launch *launch = g_task_get_task_data(task);
  VbQmp *qmp = launch->domain->process->qmp;

  if (launch->next_setup < launch->cmd->setup->len) {
    const VbQemuMonitorCommand *command = launch->cmd->setup->pdata[launch->next_setup++];

    launch->step = "sending the monitor setup commands";
    vb_qmp_execute_async(qmp, command->execute, command->arguments, NULL, 0,
                         VB_MONITOR_COMMAND_TIMEOUT_MS, launch->cancellable, on_setup_done,
                         g_object_ref(task));
    return;
  }
  if ((launch->flags & VB_START_PAUSED) == 0 && launch->next_setup == launch->cmd->setup->len) {
    launch->next_setup++;
    launch->step = "starting the CPUs";
    vb_qmp_execute_async(qmp, "cont", NULL, NULL, 0, VB_MONITOR_COMMAND_TIMEOUT_MS,
                         launch->cancellable, on_setup_done, g_object_ref(task));
    return;
  }
  started(task);
}

static void
on_handshake(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!vb_qmp_handshake_finish(VB_QMP(source), result, &error)) {
    fail(task, error);
    return;
  }
  run_setup(task);
}

static gboolean
on_greeting_timeout(gpointer user_data)
{
  Launch *launch = user_data;

  launch->timeout_id = 0;
  launch->timed_out = TRUE;
  g_cancellable_cancel(launch->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_job_cancelled(GCancellable *job, gpointer user_data)
{
  g_cancellable_cancel(G_CANCELLABLE(user_data));
}

/* -- spawn -------------------------------------------------------------------------------- */

/* In the child, before exec: a session of its own, so that QEMU outlives the daemon and a
 * signal to the daemon's process group does not reach it; then QEMU's user and capabilities
 * (vb-security.h, step 3). Async-signal-safe only. */
static void
child_setup(gpointer data)
{
  const Launch *launch = data;

  setsid();
  /* the cgroup first, while the child may still write there */
  vb_cgroup_child_join(launch->child.cgroup_procs);
  if (launch->child.security != NULL)
    vb_security_child_setup(launch->child.security);
}

static void
spawn(GTask *task)
{
  Launch *launch = g_task_get_task_data(task);
  VbDomainObj *domain = launch->domain;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
  g_auto(GStrv) argv = vb_qemu_command_get_argv(launch->cmd);
  g_auto(GStrv) envp = vb_qemu_command_get_envp(launch->cmd);
  g_autoptr(GSubprocess) subprocess = NULL;
  GError *error = NULL;
  GPid pid;
  guint64 start_time = 0;
  int pidfd, stderr_fd;
  VbQmp *qmp;

  launch->step = "spawning QEMU";
  stderr_fd = fcntl(launch->log_fd, F_DUPFD_CLOEXEC, 3);
  g_subprocess_launcher_take_stdout_fd(launcher, launch->log_fd);
  launch->log_fd = -1;
  g_subprocess_launcher_take_stderr_fd(launcher, stderr_fd);
  g_subprocess_launcher_take_fd(launcher, launch->monitor_fd, VB_QEMU_MONITOR_FD);
  launch->monitor_fd = -1;
  for (guint i = 0; i < launch->cmd->fds->len; i++) {
    const VbQemuFdRequest *request = launch->cmd->fds->pdata[i];
    int *fd = &g_array_index(launch->fds, int, i);

    if (*fd >= 0) {
      g_subprocess_launcher_take_fd(launcher, *fd, request->fd);
      *fd = -1;
    }
  }
  g_subprocess_launcher_set_environ(launcher, envp);
  launch->child.security =
      launch->security != NULL ? vb_security_start_get_child(launch->security) : NULL;
  launch->child.cgroup_procs = launch->cgroup != NULL ? vb_cgroup_get_procs(launch->cgroup) : NULL;
  g_subprocess_launcher_set_child_setup(launcher, child_setup, launch, NULL);
  subprocess = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv, &error);
  if (subprocess == NULL) {
    fail(task, error);
    return;
  }
  if (g_subprocess_get_identifier(subprocess) == NULL) {
    /* gone already, reaped: it failed before exec (confining it) or at once; its log says */
    launch->spawned = TRUE;
    fail(task, g_error_new_literal(VB_ERROR, VB_ERROR_QEMU_FAILED, "QEMU exited at once"));
    return;
  }
  pid = (GPid)atoi(g_subprocess_get_identifier(subprocess));
  pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    int saved = errno;

    g_subprocess_force_exit(subprocess);
    fail(task, g_error_new(VB_ERROR, VB_ERROR_FAILED, "pidfd_open: %s", g_strerror(saved)));
    return;
  }
  vb_proc_start_time(pid, &start_time);
  domain->process = vb_qemu_process_new(pid, start_time, pidfd);
  domain->process->subprocess = g_steal_pointer(&subprocess);
  domain->process->monitor_path = g_strdup(launch->cmd->monitor_path);
  domain->process->run_dir = g_strdup(launch->cmd->run_dir);
  domain->process->log_path = g_strdup(launch->log_path);
  domain->process->log_offset = launch->log_offset;
  vb_qemu_process_watch(domain);
  if (!step_done(launch, &error)) {
    fail(task, error);
    return;
  }

  launch->step = "waiting for QEMU's monitor";
  qmp = vb_qmp_new_for_path(launch->cmd->monitor_path, g_main_context_get_thread_default(), &error);
  if (qmp == NULL) {
    fail(task, error);
    return;
  }
  vb_qemu_process_attach_monitor(domain, qmp);
  launch->timeout_id = g_timeout_add(VB_START_MONITOR_TIMEOUT_MS, on_greeting_timeout, launch);
  vb_qmp_handshake_async(qmp, launch->cancellable, on_handshake, g_object_ref(task));
}

/* -- prepare (worker) --------------------------------------------------------------------- */

static gboolean
listen_monitor(Launch *launch, GError **error)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  const char *path = launch->cmd->monitor_path;
  int fd;

  if (strlen(path) >= sizeof addr.sun_path) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "the monitor socket path '%s' is longer than %d bytes", path,
                VB_UNIX_SOCKET_PATH_MAX);
    return FALSE;
  }
  g_strlcpy(addr.sun_path, path, sizeof addr.sun_path);
  g_unlink(path);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 1) != 0) {
    int saved = errno;

    if (fd >= 0)
      close(fd);
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot listen on %s: %s", path,
                g_strerror(saved));
    return FALSE;
  }
  launch->monitor_fd = fd;
  return TRUE;
}

static gboolean
make_dir(const char *path, GError **error)
{
  if (g_mkdir_with_parents(path, 0700) != 0) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot make %s: %s", path, g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

/* The firmware's variable store: a copy of its template, made at the first start only. */
static gboolean
make_nvram(const VbQemuCommand *cmd, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  if (cmd->nvram == NULL || cmd->nvram_template == NULL ||
      g_file_test(cmd->nvram, G_FILE_TEST_EXISTS))
    return TRUE;
  dir = g_path_get_dirname(cmd->nvram);
  if (!make_dir(dir, error))
    return FALSE;
  if (!g_file_get_contents(cmd->nvram_template, &text, &length, error)) {
    g_prefix_error(error, "the NVRAM template: ");
    return FALSE;
  }
  return vb_file_replace(cmd->nvram, text, (gssize)length, 0600, error);
}

static char *
log_header(const Launch *launch)
{
  g_autofree char *native = vb_qemu_command_to_native(launch->cmd);
  g_autoptr(GString) header = g_string_new(NULL);
  g_autofree char *first =
      vb_domain_log_line("starting domain '%s' (id %" G_GINT64_FORMAT ", virtbus %s)",
                         launch->def->name, launch->id, PACKAGE_VERSION);
  g_autofree char *command = vb_domain_log_line("command line: %s", native);

  g_string_append(header, first);
  g_string_append(header, command);
  for (guint i = 0; i < launch->cmd->setup->len; i++) {
    g_autofree char *text = vb_qemu_monitor_command_to_redacted(launch->cmd->setup->pdata[i]);
    g_autofree char *line = vb_domain_log_line("monitor setup: %s", text);

    g_string_append(header, line);
  }
  for (guint i = 0; i < launch->cmd->taints->len; i++) {
    g_autofree char *line =
        vb_domain_log_line("tainted: %s", (const char *)launch->cmd->taints->pdata[i]);

    g_string_append(header, line);
  }
  return g_string_free(g_steal_pointer(&header), FALSE);
}

static gboolean
open_fds(Launch *launch, GError **error)
{
  launch->fds = g_array_new(FALSE, FALSE, sizeof(int));
  for (guint i = 0; i < launch->cmd->fds->len; i++) {
    const VbQemuFdRequest *request = launch->cmd->fds->pdata[i];
    int fd = -1;

    if (request->kind != VB_QEMU_FD_MONITOR && !vb_qemu_tap_open(request, &fd, error))
      return FALSE;
    g_array_append_val(launch->fds, fd);
  }
  return TRUE;
}

static void
prepare_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Launch *launch = data;
  gboolean system = launch->conf->instance == VB_INSTANCE_SYSTEM;
  g_auto(GStrv) firmware_dirs = vb_firmware_search_dirs(launch->conf->instance);
  g_autoptr(GPtrArray) firmware = NULL;
  g_autofree char *header = NULL;
  GError *error = NULL;
  VbQemuCommandConfig config = {
      .defaults = launch->defaults,
      .conf = launch->conf,
      .paths = launch->paths,
      .id = launch->id,
      .kvm_usable = vb_host_kvm_usable(system ? launch->conf->uid : geteuid(),
                                       system ? launch->conf->gid : getegid()),
      .privileged = geteuid() == 0,
      .now = g_get_real_time() / G_USEC_PER_SEC,
      .default_bridge = vb_host_default_bridge(),
  };

  launch->step = "reading the firmware descriptors";
  if (launch->def->os.firmware != VB_ABSENT) {
    firmware = vb_firmware_load((const char *const *)firmware_dirs, &error);
    if (firmware == NULL) {
      g_task_return_error(task, error);
      return;
    }
    config.firmware = firmware;
  }
  launch->step = "building the command line";
  if (!vb_domain_prepare_start(launch->def, launch->defaults, &error) ||
      (launch->cmd = vb_qemu_command_build(launch->def, &config, &error)) == NULL) {
    g_task_return_error(task, error);
    return;
  }
  launch->step = "making the domain's directories";
  if (!make_dir(vb_paths_get(launch->paths, VB_PATH_LOG_DIR), &error) ||
      !make_dir(launch->cmd->run_dir, &error) || !make_dir(launch->cmd->lib_dir, &error)) {
    g_task_return_error(task, error);
    return;
  }
  launch->step = "making the NVRAM file";
  if (!make_nvram(launch->cmd, &error)) {
    g_task_return_error(task, error);
    return;
  }
  launch->step = "giving QEMU its files";
  {
    const char *own_dirs[] = {launch->cmd->run_dir, launch->cmd->lib_dir, NULL};
    const char *own_files[] = {launch->cmd->nvram, NULL};

    launch->security =
        vb_security_start_new(launch->host, launch->conf, launch->def, own_dirs, own_files, &error);
    if (launch->security == NULL || !vb_security_start_prepare(launch->security, &error) ||
        !step_done(launch, &error)) {
      g_task_return_error(task, error);
      return;
    }
  }
  launch->step = "making the domain's cgroup";
  launch->cgroup = vb_cgroup_new(launch->conf, launch->id, launch->def->name);
  if (!vb_cgroup_create(launch->cgroup, launch->def, &error)) {
    g_clear_pointer(&launch->cgroup, vb_cgroup_free);
    g_task_return_error(task, error);
    return;
  }
  if (!step_done(launch, &error)) {
    g_task_return_error(task, error);
    return;
  }
  launch->step = "opening the domain log";
  header = log_header(launch);
  launch->log_fd = vb_domain_log_open(launch->log_path, header, &launch->log_offset, &error);
  if (launch->log_fd < 0) {
    g_task_return_error(task, error);
    return;
  }
  launch->step = "creating the monitor socket";
  if (!listen_monitor(launch, &error)) {
    g_task_return_error(task, error);
    return;
  }
  launch->step = "opening the network devices";
  if (!open_fds(launch, &error)) {
    g_task_return_error(task, error);
    return;
  }
  g_task_return_boolean(task, TRUE);
}

static void
on_prepared(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Launch *launch = g_task_get_task_data(task);
  GError *error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    fail(task, error);
    return;
  }
  if (g_cancellable_set_error_if_cancelled(launch->cancellable, &error)) {
    fail(task, error);
    return;
  }
  spawn(task);
}

/* On the main context, with the domain's `starting` set: its labels, none another running or
 * starting domain holds (vb-security.h, step 0). */
static gboolean
assign_labels(Launch *launch, GError **error)
{
  VbDriver *driver = launch->domain->driver;
  g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) domains = vb_driver_list_domains(driver);

  for (guint i = 0; i < domains->len; i++) {
    VbDomainObj *other = domains->pdata[i];

    if (other == launch->domain)
      continue;
    if (other->process != NULL)
      vb_security_collect_labels(used, other->live);
    vb_security_collect_labels(used, other->starting);
  }
  return vb_security_assign_labels(launch->host, launch->conf, launch->def, used, error);
}

static void
on_resolved(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Launch *launch = g_task_get_task_data(task);
  g_autoptr(GTask) prepare = NULL;
  GError *error = NULL;

  launch->defaults = vb_capabilities_resolve_finish(VB_CAPABILITIES(source), result, &error);
  if (launch->defaults == NULL) {
    fail(task, error);
    return;
  }
  launch->step = "choosing the display ports";
  launch->domain->starting = launch->def;
  if (!vb_qemu_ports_assign(launch->domain, launch->def, &error)) {
    fail(task, error);
    return;
  }
  launch->step = "choosing the security labels";
  if (!assign_labels(launch, &error) || !step_done(launch, &error)) {
    fail(task, error);
    return;
  }
  launch->id = vb_driver_allocate_id(launch->domain->driver);
  launch->log_path = vb_driver_log_path(launch->domain->driver, launch->def->name);
  prepare = g_task_new(NULL, launch->cancellable, on_prepared, g_object_ref(task));
  /* the worker reads only what the launch owns: its copy of the definition, the refcounted
   * read-only configuration, paths and capabilities */
  g_task_set_task_data(prepare, launch, NULL);
  g_task_run_in_thread(prepare, prepare_thread);
}

/**
 * vb_qemu_launch:
 * @task: the start job's task; returns TRUE once the domain runs (or is paused)
 *
 * Starts @domain from its persistent definition (or, for a transient domain being created,
 * the one it was created with).
 */
void
vb_qemu_launch(VbDomainObj *domain, VbStartFlags flags, GTask *task)
{
  VbDriver *driver = domain->driver;
  Launch *launch;
  const VbDomainDef *from = domain->def != NULL ? domain->def : domain->live;

  if (domain->state != VB_DOMAIN_SHUTOFF) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_INVALID_STATE,
                            "domain '%s' is already running", domain->name);
    return;
  }
  launch = g_new0(Launch, 1);
  launch->domain = g_object_ref(domain);
  launch->flags = flags;
  launch->def = vb_domain_def_copy(from);
  launch->paths = vb_paths_ref(vb_driver_get_paths(driver));
  launch->conf = vb_qemu_conf_ref(vb_driver_get_conf(driver));
  launch->host = vb_security_host_ref(driver->security);
  launch->hook = driver->start_hook;
  launch->hook_data = driver->start_hook_data;
  launch->monitor_fd = -1;
  launch->log_fd = -1;
  launch->step = "reading the emulator's capabilities";
  launch->cancellable = g_cancellable_new();
  launch->job_cancellable = g_object_ref(vb_domain_job_get_cancellable(domain));
  launch->job_handler = g_cancellable_connect(launch->job_cancellable, G_CALLBACK(on_job_cancelled),
                                              g_object_ref(launch->cancellable), g_object_unref);
  g_task_set_task_data(task, launch, (GDestroyNotify)launch_free);
  vb_capabilities_resolve_async(vb_driver_get_capabilities(driver), launch->def->os.arch,
                                launch->def->os.machine, launch->def->emulator, launch->cancellable,
                                on_resolved, g_object_ref(task));
}
