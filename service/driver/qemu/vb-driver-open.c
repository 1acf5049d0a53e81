/* vb-driver-open.c: opening the driver of an instance. A worker reads the directories (each
 * config a file `<name>.xml`, autostart links, the status files of running domains); the main
 * context then fills the table, reconnects every running domain, returns the driver and starts
 * the autostart domains, in parallel. A file that cannot be read is reported with its name and
 * skipped: one broken config never keeps the others from loading.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vb-driver-private.h"
#include "vb-error.h"

typedef struct {
  VbPaths *paths;
  VbQemuConf *conf;
  VbSecurityHost *security; /* (owned) (nullable): made by the worker */
  GPtrArray *defs;          /* (element-type VbDomainDef) */
  GPtrArray *statuses;      /* (element-type VbDomainStatus) */
  GHashTable *autostart;    /* names */
  GPtrArray *errors;        /* (element-type utf8) */
  VbDriver *driver;         /* (owned) (nullable): once made, on the main context */
  int lock_fd;              /* the instance's lock, until the driver holds it */
  gboolean autostart_due;   /* the first open since the run directory was emptied (a boot) */
  guint reconnecting;
} Load;

static void
load_free(Load *load)
{
  vb_paths_unref(load->paths);
  vb_qemu_conf_unref(load->conf);
  vb_security_host_unref(load->security);
  g_ptr_array_unref(load->defs);
  g_ptr_array_unref(load->statuses);
  g_hash_table_unref(load->autostart);
  g_ptr_array_unref(load->errors);
  g_clear_object(&load->driver);
  if (load->lock_fd >= 0)
    close(load->lock_fd);
  g_free(load);
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the "*.xml" files in @dir, sorted; temporary files (".name.xml.XXXXXX") left
 * by a crash in the middle of a write are removed. */
static GPtrArray *
xml_files(const char *dir)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GDir) handle = g_dir_open(dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name(handle)) != NULL) {
    if (name[0] == '.' && strstr(name, ".xml.") != NULL) {
      g_autofree char *path = g_build_filename(dir, name, NULL);

      g_unlink(path);
    } else if (name[0] != '.' && g_str_has_suffix(name, ".xml")) {
      g_ptr_array_add(names, g_strdup(name));
    }
  }
  g_ptr_array_sort(names, compare_strings);
  return names;
}

static char *
read_file(const char *path, gsize *length, GError **error)
{
  char *text = NULL;

  if (!g_file_get_contents(path, &text, length, error))
    return NULL;
  return text;
}

/* One config read and parsed: its definition, or why not ("PATH: why"). */
typedef struct {
  const char *dir;
  GPtrArray *files; /* the config names */
  VbDomainDef **defs;
  char **errors;
  gint next; /* (atomic): the next file to take */
} Parse;

static void
parse_one(Parse *parse, guint i)
{
  const char *file = parse->files->pdata[i];
  g_autofree char *path = g_build_filename(parse->dir, file, NULL);
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  VbDomainDef *def = NULL;

  if ((text = read_file(path, &length, &local)) != NULL)
    def = vb_domain_def_parse(text, length, &local);
  if (def != NULL &&
      (strlen(def->name) + 4 != strlen(file) || !g_str_has_prefix(file, def->name))) {
    g_set_error(&local, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "it defines the domain '%s', whose config is %s.xml", def->name, def->name);
    g_clear_pointer(&def, vb_domain_def_free);
  }
  if (def == NULL) {
    vb_error_shorten(local);
    parse->errors[i] = g_strdup_printf("%s: %s", path, local->message);
    return;
  }
  parse->defs[i] = def;
}

static gpointer
parse_thread(gpointer data)
{
  Parse *parse = data;
  guint i;

  while ((i = (guint)g_atomic_int_add(&parse->next, 1)) < parse->files->len)
    parse_one(parse, i);
  return NULL;
}

/* The configs are parsed on every CPU (up to 4): with a thousand domains, parsing is most of
 * a start-up, and the daemon answers nothing until it is done. */
#define VB_LOAD_THREADS_MAX 4

static void
parse_configs(Load *load, const char *config_dir)
{
  g_autoptr(GPtrArray) configs = xml_files(config_dir);
  Parse parse = {config_dir, configs, g_new0(VbDomainDef *, configs->len + 1),
                 g_new0(char *, configs->len + 1), 0};
  guint helpers = MIN((guint)g_get_num_processors(), VB_LOAD_THREADS_MAX) - 1;
  GThread *threads[VB_LOAD_THREADS_MAX];
  guint started = 0;

  /* a few configs are not worth a thread */
  if (configs->len < 64)
    helpers = 0;
  for (guint t = 0; t < helpers; t++) {
    g_autoptr(GError) error = NULL;

    threads[started] = g_thread_try_new("vb-load", parse_thread, &parse, &error);
    if (threads[started] == NULL) {
      g_debug("no parse thread: %s", error->message);
      break;
    }
    started++;
  }
  parse_thread(&parse);
  for (guint t = 0; t < started; t++)
    g_thread_join(threads[t]);
  /* in the order of the names, as one thread would have done */
  for (guint i = 0; i < configs->len; i++) {
    if (parse.defs[i] != NULL)
      g_ptr_array_add(load->defs, parse.defs[i]);
    else
      g_ptr_array_add(load->errors, parse.errors[i]);
  }
  g_free(parse.defs);
  g_free(parse.errors);
}

/* One driver per instance: two would both reconnect the same QEMU monitors and write the same
 * status files. The lock goes with the process (flock), so a crash leaves nothing to clean. */
static int
lock_instance(VbPaths *paths, GError **error)
{
  g_autofree char *path =
      g_build_filename(vb_paths_get(paths, VB_PATH_RUN_DIR), "driver.pid", NULL);
  g_autofree char *pid = NULL;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot open %s: %s", path, g_strerror(errno));
    return -1;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    g_autofree char *holder = NULL;

    g_file_get_contents(path, &holder, NULL, NULL);
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
                "the instance at %s is in use by process %s (a virtbusd, or a client of its "
                "qemu:///embed URI): one driver at a time",
                vb_paths_get_root(paths) != NULL ? vb_paths_get_root(paths) : path,
                holder != NULL && holder[0] != '\0' ? g_strstrip(holder) : "?");
    close(fd);
    return -1;
  }
  pid = g_strdup_printf("%d\n", (int)getpid());
  if (ftruncate(fd, 0) != 0 || write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid))
    g_debug("%s: %s", path, g_strerror(errno));
  return fd;
}

static void
load_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Load *load = data;
  const char *config_dir = vb_paths_get(load->paths, VB_PATH_CONFIG_DIR);
  const char *run_dir = vb_paths_get(load->paths, VB_PATH_RUN_DIR);
  g_autoptr(GPtrArray) statuses = NULL;
  GError *error = NULL;

  if (!vb_paths_ensure_all(load->paths, &error) ||
      (load->lock_fd = lock_instance(load->paths, &error)) < 0 ||
      (load->security = vb_security_host_new(load->conf, load->paths, &error)) == NULL) {
    g_task_return_error(task, error);
    return;
  }
  /* autostart is once per boot, as libvirt's: not at each open (each command of a client of
   * qemu:///embed opens the driver), but at the first since the run directory was emptied */
  {
    g_autofree char *marker = g_build_filename(run_dir, "autostarted", NULL);

    if (!g_file_test(marker, G_FILE_TEST_EXISTS)) {
      load->autostart_due = TRUE;
      if (!g_file_set_contents(marker, "", 0, &error)) {
        g_debug("%s", error->message);
        g_clear_error(&error);
      }
    }
  }
  parse_configs(load, config_dir);
  {
    const char *autostart_dir = vb_paths_get(load->paths, VB_PATH_AUTOSTART_DIR);
    g_autoptr(GPtrArray) links = xml_files(autostart_dir);

    for (guint i = 0; i < links->len; i++) {
      const char *file = links->pdata[i];

      g_hash_table_add(load->autostart, g_strndup(file, strlen(file) - 4));
    }
  }
  statuses = xml_files(run_dir);
  for (guint i = 0; i < statuses->len; i++) {
    g_autofree char *path = g_build_filename(run_dir, (const char *)statuses->pdata[i], NULL);
    g_autoptr(GError) local = NULL;
    g_autofree char *text = NULL;
    gsize length = 0;
    VbDomainStatus *status = NULL;

    if ((text = read_file(path, &length, &local)) != NULL)
      status = vb_domain_status_parse(text, length, &local);
    if (status == NULL) {
      vb_error_shorten(local);
      g_ptr_array_add(load->errors, g_strdup_printf("%s: %s", path, local->message));
      /* a status no driver can use again: QEMU, if it runs, is out of our reach */
      g_unlink(path);
      continue;
    }
    g_ptr_array_add(load->statuses, status);
  }
  g_task_return_boolean(task, TRUE);
}

static void
on_autostarted(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *name = user_data;
  g_autoptr(GError) error = NULL;

  if (!vb_driver_operation_finish(VB_DRIVER(source), result, &error))
    g_warning("%s: autostart: %s", name, error->message);
}

static void
finish_open(GTask *task)
{
  Load *load = g_task_get_task_data(task);
  VbDriver *driver = load->driver;
  g_autoptr(GPtrArray) domains = vb_driver_list_domains(driver);

  g_task_return_pointer(task, g_object_ref(driver), g_object_unref);
  for (guint i = 0; i < domains->len; i++) {
    VbDomainObj *domain = domains->pdata[i];

    if (load->autostart_due && domain->autostart && domain->state == VB_DOMAIN_SHUTOFF) {
      g_message("%s: autostart", domain->name);
      vb_driver_start_async(driver, domain, VB_START_NONE, NULL, on_autostarted,
                            g_strdup(domain->name));
    }
  }
}

static void
on_reconnected(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data(task);

  g_task_propagate_boolean(G_TASK(result), NULL);
  if (--load->reconnecting == 0)
    finish_open(task);
}

/* Whether @path is strictly inside @dir, with no ".." on the way. */
static gboolean
below(const char *path, const char *dir)
{
  gsize n = strlen(dir);

  return g_str_has_prefix(path, dir) && path[n] == '/' && path[n + 1] != '\0' &&
         strstr(path + n, "/..") == NULL;
}

static void
reconnect(GTask *task, VbDomainStatus *status)
{
  Load *load = g_task_get_task_data(task);
  VbDriver *driver = load->driver;
  g_autofree char *uuid = vb_domain_def_get_uuid_string(status->live);
  VbDomainObj *domain = g_hash_table_lookup(driver->by_name, status->live->name);
  g_autoptr(GTask) reconnect = NULL;
  const char *run = vb_paths_get(driver->paths, VB_PATH_RUN_DIR);

  /* what a stop removes must be the domain's own: a status file that points elsewhere is
   * not followed */
  if (!below(status->run_dir, run) || !below(status->monitor_path, status->run_dir)) {
    g_ptr_array_add(driver->load_errors,
                    g_strdup_printf("domain '%s': its status names a runtime directory (%s) or "
                                    "monitor (%s) outside %s: not reconnected",
                                    status->live->name, status->run_dir, status->monitor_path,
                                    run));
    return;
  }
  /* the log is where this driver keeps it, whatever the file says */
  g_free(status->log_path);
  status->log_path = vb_driver_log_path(driver, status->live->name);
  if (domain != NULL && g_strcmp0(domain->uuid, uuid) != 0) {
    g_ptr_array_add(driver->load_errors,
                    g_strdup_printf("domain '%s' runs with UUID %s, but its config has %s: the "
                                    "running one is not managed",
                                    status->live->name, uuid, domain->uuid));
    return;
  }
  if (domain == NULL) {
    /* a transient domain, or one undefined while no driver ran */
    domain = vb_domain_obj_new(driver, vb_domain_def_copy(status->live), FALSE);
    vb_driver_add_domain(driver, domain, FALSE);
  }
  driver->next_id = MAX(driver->next_id, status->live->id + 1);
  load->reconnecting++;
  reconnect = g_task_new(driver, NULL, on_reconnected, g_object_ref(task));
  vb_qemu_process_reconnect(domain, status, reconnect);
}

static void
on_loaded(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data(task);
  VbDriver *driver;
  GError *error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    g_task_return_error(task, error);
    return;
  }
  driver = load->driver = g_object_new(VB_TYPE_DRIVER, NULL);
  driver->paths = vb_paths_ref(load->paths);
  driver->conf = vb_qemu_conf_ref(load->conf);
  driver->security = g_steal_pointer(&load->security);
  driver->caps = vb_capabilities_new(load->paths, load->conf);
  vb_capabilities_set_security(driver->caps, driver->security);
  driver->context = g_main_context_ref_thread_default();
  driver->lock_fd = load->lock_fd;
  load->lock_fd = -1;
  for (guint i = 0; i < load->errors->len; i++) {
    g_message("%s", (const char *)load->errors->pdata[i]);
    g_ptr_array_add(driver->load_errors, g_strdup(load->errors->pdata[i]));
  }
  for (guint i = 0; i < load->defs->len; i++) {
    VbDomainDef *def = load->defs->pdata[i];
    g_autofree char *uuid = vb_domain_def_get_uuid_string(def);
    VbDomainObj *other = g_hash_table_lookup(driver->by_uuid, uuid);
    VbDomainObj *domain;

    if (other != NULL) {
      g_autofree char *line =
          g_strdup_printf("%s.xml: domain '%s' has the UUID of domain '%s': skipped", def->name,
                          def->name, other->name);

      g_message("%s", line);
      g_ptr_array_add(driver->load_errors, g_steal_pointer(&line));
      continue;
    }
    load->defs->pdata[i] = NULL;
    domain = vb_domain_obj_new(driver, def, TRUE);
    domain->autostart = g_hash_table_contains(load->autostart, def->name);
    vb_driver_add_domain(driver, domain, FALSE);
  }
  /* one reference for the loop: reconnects that finish at once do not end the open early */
  load->reconnecting = 1;
  for (guint i = 0; i < load->statuses->len; i++)
    reconnect(task, load->statuses->pdata[i]);
  if (--load->reconnecting == 0)
    finish_open(task);
}

/**
 * vb_driver_open_async:
 *
 * Opens the driver of the instance @paths name, with its qemu.conf @conf. The process becomes
 * a child subreaper, so that the QEMU processes an earlier driver in a process that died
 * started are reaped here.
 */
void
vb_driver_open_async(VbPaths *paths,
                     VbQemuConf *conf,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
  g_autoptr(GTask) io = NULL;
  Load *load = g_new0(Load, 1);

  load->lock_fd = -1;

  g_task_set_source_tag(task, vb_driver_open_async);
  load->paths = vb_paths_ref(paths);
  load->conf = vb_qemu_conf_ref(conf);
  load->defs = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_def_free);
  load->statuses = g_ptr_array_new_with_free_func((GDestroyNotify)vb_domain_status_free);
  load->autostart = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  load->errors = g_ptr_array_new_with_free_func(g_free);
  g_task_set_task_data(task, load, (GDestroyNotify)load_free);
  /* the worker parses XML: libxml2 is set up here, on the calling thread, first */
  xmlInitParser();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    g_debug("PR_SET_CHILD_SUBREAPER: %s", g_strerror(errno));
  io = g_task_new(NULL, cancellable, on_loaded, g_object_ref(task));
  g_task_set_task_data(io, load, NULL);
  g_task_run_in_thread(io, load_thread);
}

VbDriver *
vb_driver_open_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer(G_TASK(result), error);
}
