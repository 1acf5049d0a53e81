/* vb-driver.c: the driver of one instance: the domain table (by name, UUID and id), its
 * signals, and the entry points that queue an operation as a job of its domain. Opening is in
 * vb-driver-open.c, define/create/undefine/autostart (the configs) in vb-driver-define.c.
 * A domain being defined or created is in the table "pending": lookups and lists skip it.
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
  if (self->lock_fd >= 0)
    close(self->lock_fd);
  g_clear_pointer(&self->paths, vb_paths_unref);
  g_clear_pointer(&self->conf, vb_qemu_conf_unref);
  g_clear_pointer(&self->security, vb_security_host_unref);
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
  self->lock_fd = -1;
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

/**
 * vb_driver_get_security_models:
 *
 * The security models in use: the confining one ("selinux", "apparmor" or "none"), then "dac".
 *
 * Returns: (transfer full)
 */
GStrv
vb_driver_get_security_models(VbDriver *self)
{
  return vb_security_host_get_models(self->security);
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

/* Only the test suite sets it: each step of a start failing in turn. */
void
vb_driver_set_start_hook(VbDriver *self, VbStartHook hook, gpointer data)
{
  self->start_hook = hook;
  self->start_hook_data = data;
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
void
vb_driver_show_domain(VbDriver *self, VbDomainObj *domain)
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

static void
on_drained(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  guint *left = g_task_get_task_data(task);

  if (result != NULL)
    g_task_propagate_boolean(G_TASK(result), NULL);
  if (--*left == 0) {
    g_task_return_boolean(task, TRUE);
    g_object_unref(task);
  }
}

static void
on_job_status_flushed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) job = user_data;

  g_task_return_boolean(job, TRUE);
}

/* The last job of a drain: what the jobs before it decided is on disk */
static void
flush_job(VbDomainObj *domain, GTask *job)
{
  vb_domain_obj_flush_status_async(domain, on_job_status_flushed, g_object_ref(job));
}

static void
drain_domain(VbDriver *self, VbDomainObj *domain, GTask *task)
{
  g_autoptr(GTask) job = g_task_new(self, NULL, on_drained, task);
  guint *left = g_task_get_task_data(task);

  (*left)++;
  vb_domain_job_enqueue(domain, job, flush_job, FALSE);
}

/* Waits until what the driver was asked to do is done and on disk: every domain's queued jobs
 * (an autostart, say) finished, then its status file written (or removed, for one that
 * stopped). A process that holds the driver for one command (a client of qemu:///embed) calls
 * this before it lets go, so that no QEMU is left half started and the next command finds all
 * of it. */
void
vb_driver_flush_async(VbDriver *self, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new(self, NULL, callback, user_data);
  guint *left = g_new(guint, 1);
  GHashTableIter iter;
  gpointer value;

  g_task_set_source_tag(task, vb_driver_flush_async);
  /* one for this loop: drains that finish at once do not end it early */
  *left = 1;
  g_task_set_task_data(task, left, g_free);
  /* the table holds the pending domains too (a define or create in progress) */
  g_hash_table_iter_init(&iter, self->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    drain_domain(self, value, task);
  on_drained(NULL, NULL, task);
}

gboolean
vb_driver_flush_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
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
  queue(self, domain, vb_domain_undefine_job, FALSE, NULL, 0, cancellable, callback, user_data);
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
  queue(self, domain, vb_domain_autostart_job, FALSE, "vb-autostart", autostart ? 1 : 0,
        cancellable, callback, user_data);
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
