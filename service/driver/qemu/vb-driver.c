/* vb-driver.c: the driver of one instance: the domain table (by name, UUID and id), opening
 * (configs read, running domains reconnected, autostart), define, create and undefine, and
 * the entry points that queue an operation as a job of its domain.
 *
 * A domain being defined or created for the first time is in the table already, "pending"
 * (invisible to lookups and lists), so that a second define of the same name waits for the
 * first in the domain's job queue instead of racing it to the disk.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-file.h"
#include "vb-firmware.h"
#include "vb-qemu-command.h"

enum {
  SIGNAL_DOMAIN_ADDED,
  SIGNAL_DOMAIN_REMOVED,
  SIGNAL_DOMAIN_EVENT,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(VbDriver, vb_driver, G_TYPE_OBJECT)

static void
vb_driver_dispose(GObject *object)
{
  VbDriver *self = VB_DRIVER(object);

  GHashTableIter iter;
  gpointer value;

  /* the QEMU processes run on: the next driver opened on this instance reconnects them */
  g_hash_table_iter_init(&iter, self->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    vb_domain_obj_detach(value);
  g_hash_table_remove_all(self->by_uuid);
  g_hash_table_remove_all(self->pending);
  g_hash_table_remove_all(self->by_name);
  g_clear_object(&self->caps);
  G_OBJECT_CLASS(vb_driver_parent_class)->dispose(object);
}

static void
vb_driver_finalize(GObject *object)
{
  VbDriver *self = VB_DRIVER(object);

  g_hash_table_unref(self->by_name);
  g_hash_table_unref(self->by_uuid);
  g_hash_table_unref(self->pending);
  g_ptr_array_unref(self->load_errors);
  g_clear_pointer(&self->paths, vb_paths_unref);
  g_clear_pointer(&self->conf, vb_qemu_conf_unref);
  g_main_context_unref(self->context);
  G_OBJECT_CLASS(vb_driver_parent_class)->finalize(object);
}

static void
vb_driver_class_init(VbDriverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);

  object_class->dispose = vb_driver_dispose;
  object_class->finalize = vb_driver_finalize;
  /**
   * VbDriver::domain-added:
   * @domain: a domain newly in the table (defined, created, or found at open)
   */
  signals[SIGNAL_DOMAIN_ADDED] =
      g_signal_new("domain-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 1, VB_TYPE_DOMAIN_OBJ);
  /**
   * VbDriver::domain-removed:
   * @domain: a domain gone from the table (undefined while shut off, a transient one stopped)
   */
  signals[SIGNAL_DOMAIN_REMOVED] =
      g_signal_new("domain-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 1, VB_TYPE_DOMAIN_OBJ);
  /**
   * VbDriver::domain-event:
   * @domain: the domain
   * @event: a VbDomainEvent
   * @detail: what kind of it ("booted", "destroyed", …: docs/lifecycle.md)
   *
   * One per change of a domain's life, after the domain shows the change.
   */
  signals[SIGNAL_DOMAIN_EVENT] =
      g_signal_new("domain-event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 3, VB_TYPE_DOMAIN_OBJ, G_TYPE_INT, G_TYPE_STRING);
}

static void
vb_driver_init(VbDriver *self)
{
  self->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
  self->by_uuid = g_hash_table_new(g_str_hash, g_str_equal);
  self->pending = g_hash_table_new(NULL, NULL);
  self->load_errors = g_ptr_array_new_with_free_func(g_free);
  self->next_id = 1;
}

/* -- the table -------------------------------------------------------------------------- */

VbPaths *
vb_driver_get_paths(VbDriver *self)
{
  return self->paths;
}

VbQemuConf *
vb_driver_get_conf(VbDriver *self)
{
  return self->conf;
}

VbCapabilities *
vb_driver_get_capabilities(VbDriver *self)
{
  return self->caps;
}

const GPtrArray *
vb_driver_get_load_errors(VbDriver *self)
{
  return self->load_errors;
}

GMainContext *
vb_driver_get_context(VbDriver *self)
{
  return self->context;
}

gint64
vb_driver_allocate_id(VbDriver *self)
{
  return self->next_id++;
}

/* Only the test suite sets it: a crash between a config's write and its rename. */
void
vb_driver_set_write_hook(VbDriver *self, VbFileHook hook, gpointer data)
{
  self->write_hook = hook;
  self->write_hook_data = data;
}

char *
vb_driver_config_path(VbDriver *self, const char *name)
{
  g_autofree char *file = g_strconcat(name, ".xml", NULL);

  return g_build_filename(vb_paths_get(self->paths, VB_PATH_CONFIG_DIR), file, NULL);
}

char *
vb_driver_autostart_path(VbDriver *self, const char *name)
{
  g_autofree char *file = g_strconcat(name, ".xml", NULL);

  return g_build_filename(vb_paths_get(self->paths, VB_PATH_AUTOSTART_DIR), file, NULL);
}

char *
vb_driver_status_path(VbDriver *self, const char *name)
{
  g_autofree char *file = g_strconcat(name, ".xml", NULL);

  return g_build_filename(vb_paths_get(self->paths, VB_PATH_RUN_DIR), file, NULL);
}

char *
vb_driver_log_path(VbDriver *self, const char *name)
{
  g_autofree char *file = g_strconcat(name, ".log", NULL);

  return g_build_filename(vb_paths_get(self->paths, VB_PATH_LOG_DIR), file, NULL);
}

void
vb_driver_add_domain(VbDriver *self, VbDomainObj *domain, gboolean pending)
{
  g_hash_table_insert(self->by_name, g_strdup(domain->name), domain);
  g_hash_table_insert(self->by_uuid, domain->uuid, domain);
  if (pending)
    g_hash_table_add(self->pending, domain);
  else
    g_signal_emit(self, signals[SIGNAL_DOMAIN_ADDED], 0, domain);
}

/* A pending domain is shown: its define or create succeeded. */
static void
show_domain(VbDriver *self, VbDomainObj *domain)
{
  if (g_hash_table_remove(self->pending, domain))
    g_signal_emit(self, signals[SIGNAL_DOMAIN_ADDED], 0, domain);
}

void
vb_driver_remove_domain(VbDriver *self, VbDomainObj *domain)
{
  G_GNUC_UNUSED g_autoptr(VbDomainObj) hold = g_object_ref(domain);
  gboolean shown = !g_hash_table_remove(self->pending, domain);

  if (domain->removed)
    return;
  domain->removed = TRUE;
  g_hash_table_remove(self->by_uuid, domain->uuid);
  g_hash_table_remove(self->by_name, domain->name);
  if (shown)
    g_signal_emit(self, signals[SIGNAL_DOMAIN_REMOVED], 0, domain);
}

void
vb_driver_emit_event(VbDriver *self, VbDomainObj *domain, VbDomainEvent event, const char *detail)
{
  if (g_hash_table_contains(self->pending, domain))
    return;
  g_signal_emit(self, signals[SIGNAL_DOMAIN_EVENT], 0, domain, (gint)event, detail);
}

static VbDomainObj *
shown(VbDriver *self, VbDomainObj *domain)
{
  return domain != NULL && !g_hash_table_contains(self->pending, domain) ? domain : NULL;
}

VbDomainObj *
vb_driver_lookup_by_name(VbDriver *self, const char *name)
{
  return shown(self, g_hash_table_lookup(self->by_name, name));
}

VbDomainObj *
vb_driver_lookup_by_uuid(VbDriver *self, const char *uuid)
{
  guint8 bytes[16];
  char canonical[37];

  /* any spelling libvirt accepts (upper case, without dashes) finds the domain */
  if (!vb_parse_uuid(uuid, bytes))
    return NULL;
  g_snprintf(canonical, sizeof canonical,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
             bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
             bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return shown(self, g_hash_table_lookup(self->by_uuid, canonical));
}

VbDomainObj *
vb_driver_lookup_by_id(VbDriver *self, gint64 id)
{
  GHashTableIter iter;
  gpointer value;

  if (id <= 0)
    return NULL;
  g_hash_table_iter_init(&iter, self->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    if (VB_DOMAIN_OBJ(value)->id == id)
      return shown(self, value);
  }
  return NULL;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp((*(VbDomainObj *const *)a)->name, (*(VbDomainObj *const *)b)->name);
}

GPtrArray *
vb_driver_list_domains(VbDriver *self)
{
  GPtrArray *list = g_ptr_array_new_full(g_hash_table_size(self->by_name), g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    if (!g_hash_table_contains(self->pending, value))
      g_ptr_array_add(list, g_object_ref(value));
  }
  g_ptr_array_sort(list, compare_names);
  return list;
}

/* -- define ------------------------------------------------------------------------------- */

typedef struct {
  VbDomainObj *domain; /* (owned) */
  VbDomainDef *def;    /* (owned) (nullable): the new config, until it is the domain's */
  char *path;
  char *xml; /* what is written */
  VbFileHook hook;
  gpointer hook_data;
  VbStartFlags flags; /* create */
} Define;

static void
define_free(Define *define)
{
  g_clear_object(&define->domain);
  g_clear_pointer(&define->def, vb_domain_def_free);
  g_free(define->path);
  g_free(define->xml);
  g_free(define);
}

/* The clash rules of DESIGN.md §3: a name is one UUID and a UUID one name. */
static gboolean
check_clash(VbDriver *self, const VbDomainDef *def, VbDomainObj **existing, GError **error)
{
  g_autofree char *uuid = vb_domain_def_get_uuid_string(def);
  VbDomainObj *by_name = g_hash_table_lookup(self->by_name, def->name);
  VbDomainObj *by_uuid = g_hash_table_lookup(self->by_uuid, uuid);

  if (by_name != NULL && g_strcmp0(by_name->uuid, uuid) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_DOMAIN_EXISTS, "domain '%s' already exists with UUID %s",
                def->name, by_name->uuid);
    return FALSE;
  }
  if (by_uuid != NULL && g_strcmp0(by_uuid->name, def->name) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_DOMAIN_EXISTS,
                "domain '%s' already has UUID %s (a define cannot rename it)", by_uuid->name, uuid);
    return FALSE;
  }
  *existing = by_name;
  return TRUE;
}

static void
write_config_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Define *define = data;
  GError *error = NULL;

  if (!vb_file_replace_full(define->path, define->xml, -1, 0600, define->hook, define->hook_data,
                            &error)) {
    g_task_return_error(task, error);
    return;
  }
  g_task_return_boolean(task, TRUE);
}

static void
on_config_written(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  VbDriver *self = g_task_get_source_object(task);
  Define *define = g_task_get_task_data(task);
  VbDomainObj *domain = define->domain;
  gboolean was_pending = g_hash_table_contains(self->pending, domain);
  GError *error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    if (was_pending)
      vb_driver_remove_domain(self, domain);
    g_task_return_error(task, error);
    return;
  }
  g_clear_pointer(&domain->def, vb_domain_def_free);
  domain->def = g_steal_pointer(&define->def);
  show_domain(self, domain);
  vb_domain_obj_changed(domain);
  vb_driver_emit_event(self, domain, VB_DOMAIN_EVENT_DEFINED, was_pending ? "added" : "updated");
  g_task_return_boolean(task, TRUE);
}

static void
define_job(VbDomainObj *domain, GTask *task)
{
  Define *define = g_task_get_task_data(task);
  g_autoptr(GTask) write = g_task_new(NULL, NULL, on_config_written, g_object_ref(task));

  g_task_set_task_data(write, define, NULL);
  g_task_run_in_thread(write, write_config_thread);
}

static void
on_define_job_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Define *define = g_task_get_task_data(G_TASK(result));
  GError *error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error))
    g_task_return_error(task, error);
  else
    g_task_return_pointer(task, g_object_ref(define->domain), g_object_unref);
}

typedef struct {
  VbDomainDef *def;
  gboolean transient;
  VbStartFlags flags;
  VbDomainDefaults *defaults;
  VbQemuConf *conf;
  VbPaths *paths;
} Checking;

static void
checking_free(Checking *checking)
{
  g_clear_pointer(&checking->def, vb_domain_def_free);
  g_clear_pointer(&checking->defaults, vb_domain_defaults_free);
  vb_qemu_conf_unref(checking->conf);
  vb_paths_unref(checking->paths);
  g_free(checking);
}

static void create_job(VbDomainObj *domain, GTask *task);

/* The definition is valid and virtbus can run it: queue the write (or the create). */
/* (worker) What a start would refuse for a reason known now (DESIGN.md §4): the command is
 * built without side effects, with the firmware descriptors read from the disk. */
static void
check_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Checking *checking = data;
  VbQemuConf *conf = checking->conf;
  gboolean system = conf->instance == VB_INSTANCE_SYSTEM;
  g_autoptr(GPtrArray) firmware = NULL;
  GError *error = NULL;
  VbQemuCommandConfig config = {
      .defaults = checking->defaults,
      .conf = conf,
      .paths = checking->paths,
      .id = -1,
      /* as libvirt, a 'kvm' domain is refused where KVM is not usable, with the reason */
      .kvm_usable =
          vb_host_kvm_usable(system ? conf->uid : geteuid(), system ? conf->gid : getegid()),
      .privileged = geteuid() == 0,
      .now = g_get_real_time() / G_USEC_PER_SEC,
  };

  if (checking->def->os.firmware != VB_ABSENT) {
    g_auto(GStrv) dirs = vb_firmware_search_dirs(conf->instance);

    firmware = vb_firmware_load((const char *const *)dirs, &error);
    if (firmware == NULL) {
      g_task_return_error(task, error);
      return;
    }
    config.firmware = firmware;
  }
  if (!vb_qemu_command_check(checking->def, &config, &error)) {
    g_task_return_error(task, error);
    return;
  }
  g_task_return_boolean(task, TRUE);
}

static void on_define_checked(GObject *source, GAsyncResult *result, gpointer user_data);

static void
on_define_resolved(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Checking *checking = g_task_get_task_data(task);
  g_autoptr(GTask) check = NULL;
  GError *error = NULL;

  checking->defaults = vb_capabilities_resolve_finish(VB_CAPABILITIES(source), result, &error);
  if (checking->defaults == NULL) {
    g_task_return_error(task, error);
    return;
  }
  check = g_task_new(NULL, NULL, on_define_checked, g_object_ref(task));
  g_task_set_task_data(check, checking, NULL);
  g_task_run_in_thread(check, check_thread);
}

static void
on_define_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  VbDriver *self = g_task_get_source_object(task);
  Checking *checking = g_task_get_task_data(task);
  GError *error = NULL;
  VbDomainObj *existing = NULL;
  Define *define;
  GTask *job;

  if (!g_task_propagate_boolean(G_TASK(result), &error) ||
      !check_clash(self, checking->def, &existing, &error)) {
    vb_error_shorten(error);
    g_task_return_error(task, error);
    return;
  }
  if (checking->transient && existing != NULL) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_DOMAIN_EXISTS,
                            "domain '%s' is already defined: start it instead",
                            checking->def->name);
    return;
  }
  define = g_new0(Define, 1);
  define->flags = checking->flags;
  if (existing == NULL) {
    existing = vb_domain_obj_new(self, vb_domain_def_copy(checking->def), !checking->transient);
    vb_driver_add_domain(self, existing, TRUE);
  }
  define->domain = g_object_ref(existing);
  define->hook = self->write_hook;
  define->hook_data = self->write_hook_data;
  if (!checking->transient) {
    define->path = vb_driver_config_path(self, checking->def->name);
    define->xml =
        vb_domain_def_format(checking->def, VB_DOMAIN_XML_INACTIVE | VB_DOMAIN_XML_SECURE, &error);
    if (define->xml == NULL) {
      if (g_hash_table_contains(self->pending, existing))
        vb_driver_remove_domain(self, existing);
      define_free(define);
      g_task_return_error(task, error);
      return;
    }
  }
  define->def = g_steal_pointer(&checking->def);
  job = g_task_new(self, g_task_get_cancellable(task), on_define_job_done, g_object_ref(task));
  g_task_set_task_data(job, define, (GDestroyNotify)define_free);
  vb_domain_job_enqueue(existing, job, checking->transient ? create_job : define_job, FALSE);
  g_object_unref(job);
}

static void
parse_and_check(
    VbDriver *self, GTask *task, const char *xml, gboolean transient, VbStartFlags flags)
{
  Checking *checking = g_new0(Checking, 1);
  GError *error = NULL;

  checking->transient = transient;
  checking->flags = flags;
  checking->conf = vb_qemu_conf_ref(self->conf);
  checking->paths = vb_paths_ref(self->paths);
  g_task_set_task_data(task, checking, (GDestroyNotify)checking_free);
  checking->def = vb_domain_def_parse(xml, strlen(xml), &error);
  if (checking->def == NULL) {
    vb_error_shorten(error);
    g_task_return_error(task, error);
    return;
  }
  vb_capabilities_resolve_async(self->caps, checking->def->os.arch, checking->def->os.machine,
                                checking->def->emulator, g_task_get_cancellable(task),
                                on_define_resolved, g_object_ref(task));
}

void
vb_driver_define_xml_async(VbDriver *self,
                           const char *xml,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

  g_task_set_source_tag(task, vb_driver_define_xml_async);
  parse_and_check(self, task, xml, FALSE, VB_START_NONE);
}

VbDomainObj *
vb_driver_define_xml_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* -- create (transient) ------------------------------------------------------------------- */

static void
on_created(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) job = user_data;
  VbDriver *self = g_task_get_source_object(job);
  Define *define = g_task_get_task_data(job);
  GError *error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    vb_driver_remove_domain(self, define->domain);
    g_task_return_error(job, error);
    return;
  }
  show_domain(self, define->domain);
  vb_driver_emit_event(self, define->domain, VB_DOMAIN_EVENT_STARTED,
                       define->domain->state == VB_DOMAIN_PAUSED ? "paused" : "booted");
  g_task_return_boolean(job, TRUE);
}

/* The start of a transient domain, inside its create job. */
static void
create_job(VbDomainObj *domain, GTask *job)
{
  Define *define = g_task_get_task_data(job);
  /* a task of its own: the launch keeps its data on it */
  g_autoptr(GTask) start = g_task_new(domain->driver, NULL, on_created, g_object_ref(job));

  g_clear_pointer(&define->def, vb_domain_def_free);
  vb_qemu_launch(domain, define->flags, start);
}

void
vb_driver_create_xml_async(VbDriver *self,
                           const char *xml,
                           VbStartFlags flags,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

  g_task_set_source_tag(task, vb_driver_create_xml_async);
  parse_and_check(self, task, xml, TRUE, flags);
}

VbDomainObj *
vb_driver_create_xml_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* -- undefine and autostart --------------------------------------------------------------- */

typedef struct {
  char *config;    /* (nullable): removed */
  char *autostart; /* (nullable): removed, or made when @target is set */
  char *target;    /* (nullable) */
} ConfigFiles;

static void
config_files_free(ConfigFiles *files)
{
  g_free(files->config);
  g_free(files->autostart);
  g_free(files->target);
  g_free(files);
}

static gboolean
remove_file(const char *path, GError **error)
{
  if (path != NULL && g_unlink(path) != 0 && errno != ENOENT) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot remove %s: %s", path, g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

static void
config_files_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ConfigFiles *files = data;
  GError *error = NULL;

  /* the autostart link first: a crash in between leaves a config without autostart, never an
   * autostart link to nothing */
  if (!remove_file(files->autostart, &error) || !remove_file(files->config, &error)) {
    g_task_return_error(task, error);
    return;
  }
  if (files->target != NULL) {
    g_autofree char *dir = g_path_get_dirname(files->autostart);

    if (g_mkdir_with_parents(dir, 0755) != 0 || symlink(files->target, files->autostart) != 0) {
      int saved = errno;

      g_task_return_new_error(task, VB_ERROR, VB_ERROR_FAILED, "cannot make %s: %s",
                              files->autostart, g_strerror(saved));
      return;
    }
  }
  g_task_return_boolean(task, TRUE);
}

static void
on_undefined(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  VbDomainObj *domain = g_task_get_task_data(task);
  VbDriver *self = domain->driver;
  GError *error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    g_task_return_error(task, error);
    return;
  }
  domain->autostart = FALSE;
  if (domain->state == VB_DOMAIN_SHUTOFF) {
    /* the event shows the domain as it was; then it leaves the table */
    vb_driver_emit_event(self, domain, VB_DOMAIN_EVENT_UNDEFINED, "removed");
    vb_driver_remove_domain(self, domain);
  } else {
    /* it runs on as a transient domain, gone when it stops */
    g_clear_pointer(&domain->def, vb_domain_def_free);
    vb_domain_obj_save_status(domain);
    vb_domain_obj_changed(domain);
    vb_driver_emit_event(self, domain, VB_DOMAIN_EVENT_UNDEFINED, "removed");
  }
  g_task_return_boolean(task, TRUE);
}

static void
undefine_job(VbDomainObj *domain, GTask *task)
{
  g_autoptr(GTask) io = NULL;
  ConfigFiles *files;

  if (domain->def == NULL) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_INVALID_STATE,
                            "domain '%s' is transient: there is no config to undefine",
                            domain->name);
    return;
  }
  files = g_new0(ConfigFiles, 1);
  files->config = vb_driver_config_path(domain->driver, domain->name);
  files->autostart = vb_driver_autostart_path(domain->driver, domain->name);
  io = g_task_new(NULL, NULL, on_undefined, g_object_ref(task));
  g_task_set_task_data(io, files, (GDestroyNotify)config_files_free);
  g_task_set_task_data(task, g_object_ref(domain), g_object_unref);
  g_task_run_in_thread(io, config_files_thread);
}

static void
on_autostart_set(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  VbDomainObj *domain = g_task_get_task_data(task);
  ConfigFiles *files = g_task_get_task_data(G_TASK(result));
  GError *error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    g_task_return_error(task, error);
    return;
  }
  domain->autostart = files->target != NULL;
  vb_domain_obj_changed(domain);
  g_task_return_boolean(task, TRUE);
}

static void
autostart_job(VbDomainObj *domain, GTask *task)
{
  gboolean autostart = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(task), "vb-autostart"));
  g_autoptr(GTask) io = NULL;
  ConfigFiles *files;

  if (domain->def == NULL) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_INVALID_STATE,
                            "domain '%s' is transient: only a defined domain starts by itself",
                            domain->name);
    return;
  }
  files = g_new0(ConfigFiles, 1);
  files->autostart = vb_driver_autostart_path(domain->driver, domain->name);
  if (autostart)
    files->target = vb_driver_config_path(domain->driver, domain->name);
  io = g_task_new(NULL, NULL, on_autostart_set, g_object_ref(task));
  g_task_set_task_data(io, files, (GDestroyNotify)config_files_free);
  g_task_set_task_data(task, g_object_ref(domain), g_object_unref);
  g_task_run_in_thread(io, config_files_thread);
}

/* -- the operations on one domain ----------------------------------------------------------- */

void
vb_domain_start_job(VbDomainObj *domain, GTask *task)
{
  VbStartFlags flags = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(task), "vb-start-flags"));

  vb_qemu_launch(domain, flags, task);
}

static void
queue(VbDriver *self,
      VbDomainObj *domain,
      VbJobFunc func,
      gboolean first,
      const char *key,
      guint value,
      GCancellable *cancellable,
      GAsyncReadyCallback callback,
      gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

  g_task_set_source_tag(task, queue);
  if (key != NULL)
    g_object_set_data(G_OBJECT(task), key, GUINT_TO_POINTER(value));
  if (domain->removed) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_NO_SUCH_DOMAIN, "domain '%s' no longer exists",
                            domain->name);
    return;
  }
  vb_domain_job_enqueue(domain, task, func, first);
}

void
vb_driver_undefine_async(VbDriver *self,
                         VbDomainObj *domain,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  queue(self, domain, undefine_job, FALSE, NULL, 0, cancellable, callback, user_data);
}

void
vb_driver_start_async(VbDriver *self,
                      VbDomainObj *domain,
                      VbStartFlags flags,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  queue(self, domain, vb_domain_start_job, FALSE, "vb-start-flags", flags, cancellable, callback,
        user_data);
}

void
vb_driver_shutdown_async(VbDriver *self,
                         VbDomainObj *domain,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  queue(self, domain, vb_domain_shutdown_job, FALSE, NULL, 0, cancellable, callback, user_data);
}

void
vb_driver_reboot_async(VbDriver *self,
                       VbDomainObj *domain,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  queue(self, domain, vb_domain_reboot_job, FALSE, NULL, 0, cancellable, callback, user_data);
}

void
vb_driver_reset_async(VbDriver *self,
                      VbDomainObj *domain,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  queue(self, domain, vb_domain_reset_job, FALSE, NULL, 0, cancellable, callback, user_data);
}

void
vb_driver_suspend_async(VbDriver *self,
                        VbDomainObj *domain,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  queue(self, domain, vb_domain_suspend_job, FALSE, NULL, 0, cancellable, callback, user_data);
}

void
vb_driver_resume_async(VbDriver *self,
                       VbDomainObj *domain,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  queue(self, domain, vb_domain_resume_job, FALSE, NULL, 0, cancellable, callback, user_data);
}

void
vb_driver_destroy_async(VbDriver *self,
                        VbDomainObj *domain,
                        VbDestroyFlags flags,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  queue(self, domain, vb_domain_destroy_job, TRUE, "vb-destroy-flags", flags, cancellable, callback,
        user_data);
}

void
vb_driver_set_autostart_async(VbDriver *self,
                              VbDomainObj *domain,
                              gboolean autostart,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  queue(self, domain, autostart_job, FALSE, "vb-autostart", autostart ? 1 : 0, cancellable,
        callback, user_data);
}

gboolean
vb_driver_operation_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

/* -- autodestroy -------------------------------------------------------------------------- */

void
vb_driver_set_autodestroy(VbDriver *self, VbDomainObj *domain, const char *owner)
{
  g_free(domain->autodestroy_owner);
  domain->autodestroy_owner = g_strdup(owner);
}

static void
on_autodestroyed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *name = user_data;
  g_autoptr(GError) error = NULL;

  if (!vb_driver_operation_finish(VB_DRIVER(source), result, &error))
    g_warning("%s: autodestroy: %s", name, error->message);
}

void
vb_driver_owner_gone(VbDriver *self, const char *owner)
{
  g_autoptr(GPtrArray) domains = vb_driver_list_domains(self);

  for (guint i = 0; i < domains->len; i++) {
    VbDomainObj *domain = domains->pdata[i];

    if (g_strcmp0(domain->autodestroy_owner, owner) == 0) {
      g_message("%s: its owner %s is gone: destroying it", domain->name, owner);
      g_clear_pointer(&domain->autodestroy_owner, g_free);
      vb_driver_destroy_async(self, domain, VB_DESTROY_NONE, NULL, on_autodestroyed,
                              g_strdup(domain->name));
    }
  }
}
