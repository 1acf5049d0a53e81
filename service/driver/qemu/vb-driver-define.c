/* vb-driver-define.c: what changes a domain's config: define (checked as a start would be,
 * written atomically), create (a transient domain, started at once), undefine and autostart.
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
#include <unistd.h>

#include "vb-domain-prepare.h"
#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-file.h"
#include "vb-firmware.h"
#include "vb-qemu-command.h"

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
  vb_driver_show_domain(self, domain);
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
      .default_bridge = vb_host_default_bridge(),
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
  /* the guest's hardware is fixed now, and stored with the definition */
  if (!vb_domain_prepare_define(checking->def, checking->defaults, &error) ||
      !vb_qemu_command_check(checking->def, &config, &error)) {
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
  vb_security_fill_default_model(VB_DRIVER(g_task_get_source_object(task))->security,
                                 checking->def);
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
  vb_driver_show_domain(self, define->domain);
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
  char *config;         /* (nullable): removed */
  char *autostart;      /* (nullable): removed, or made when @target is set */
  char *target;         /* (nullable) */
  VbSecurityHost *host; /* (owned) (nullable): with @def, its AppArmor profile removed */
  VbDomainDef *def;     /* (owned) (nullable) */
} ConfigFiles;

static void
config_files_free(ConfigFiles *files)
{
  g_free(files->config);
  g_free(files->autostart);
  g_free(files->target);
  g_clear_pointer(&files->host, vb_security_host_unref);
  g_clear_pointer(&files->def, vb_domain_def_free);
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
  if (files->def != NULL)
    vb_security_forget(files->host, files->def);
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

void
vb_domain_undefine_job(VbDomainObj *domain, GTask *task)
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
  /* a running domain keeps its profile until it stops (then as a transient one) */
  if (domain->state == VB_DOMAIN_SHUTOFF) {
    files->host = vb_security_host_ref(domain->driver->security);
    files->def = vb_domain_def_copy(domain->def);
  }
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

void
vb_domain_autostart_job(VbDomainObj *domain, GTask *task)
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
