/* vb-domain-obj.c: one domain of the driver: what it is (its definitions), where it is in its
 * life (state, reason, id), and the one place a change of state is made, which emits the
 * driver event and writes the status file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-file.h"

enum {
  SIGNAL_CHANGED,
  SIGNAL_MONITOR_EVENT,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(VbDomainObj, vb_domain_obj, G_TYPE_OBJECT)

static void
vb_domain_obj_finalize(GObject *object)
{
  VbDomainObj *self = VB_DOMAIN_OBJ(object);

  /* a domain is dropped with its driver while QEMU may run on: that QEMU is found again by
   * the next driver through its status file */
  g_clear_pointer(&self->process, vb_qemu_process_free);
  g_free(self->name);
  g_free(self->status_path);
  g_clear_pointer(&self->status_waiters, g_ptr_array_unref);
  g_clear_pointer(&self->def, vb_domain_def_free);
  g_clear_pointer(&self->live, vb_domain_def_free);
  g_ptr_array_unref(self->taints);
  g_free(self->autodestroy_owner);
  G_OBJECT_CLASS(vb_domain_obj_parent_class)->finalize(object);
}

static void
vb_domain_obj_class_init(VbDomainObjClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = vb_domain_obj_finalize;
  /**
   * VbDomainObj::changed:
   *
   * Emitted once per change of what the domain shows (state, reason, id, definitions,
   * autostart, persistence), after the change is complete.
   */
  signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * VbDomainObj::monitor-event:
   * @name: the QMP event's name
   * @data: its "data" as JSON text ("{}" when it has none)
   * @timestamp: when QEMU sent it, in microseconds since the epoch
   *
   * Every event of the running domain's monitor, for the Monitor interface's watchers.
   */
  signals[SIGNAL_MONITOR_EVENT] =
      g_signal_new("monitor-event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT64);
}

static void
vb_domain_obj_init(VbDomainObj *self)
{
  self->state = VB_DOMAIN_SHUTOFF;
  self->reason = "unknown";
  self->id = -1;
  self->taints = g_ptr_array_new_with_free_func(g_free);
  g_queue_init(&self->jobs);
}

/**
 * vb_domain_obj_new:
 * @def: (transfer full): the definition
 * @persistent: whether @def is the domain's config (else the domain is transient and @def is
 *   only the one it is started with)
 */
VbDomainObj *
vb_domain_obj_new(VbDriver *driver, VbDomainDef *def, gboolean persistent)
{
  VbDomainObj *self = g_object_new(VB_TYPE_DOMAIN_OBJ, NULL);
  g_autofree char *uuid = vb_domain_def_get_uuid_string(def);

  self->driver = driver;
  self->name = g_strdup(def->name);
  self->status_path = vb_driver_status_path(driver, def->name);
  g_strlcpy(self->uuid, uuid, sizeof self->uuid);
  if (persistent)
    self->def = def;
  else
    self->live = def;
  return self;
}

/* The driver lets go of the domain (it is being dropped): the QEMU runs on unwatched, for the
 * next driver to reconnect, and nothing the domain still finishes (a status write) reaches
 * the driver. */
void
vb_domain_obj_detach(VbDomainObj *self)
{
  self->driver = NULL;
  g_clear_pointer(&self->process, vb_qemu_process_free);
}

void
vb_domain_obj_changed(VbDomainObj *self)
{
  g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

/**
 * vb_domain_obj_set_state:
 * @event: a VbDomainEvent to emit, or -1 for none (a change of reason only)
 *
 * The one place a domain changes state: it then shows the change, tells the driver's
 * listeners and writes (or, when shut off, removes) the status file.
 */
void
vb_domain_obj_set_state(
    VbDomainObj *self, VbDomainState state, const char *reason, gint event, const char *detail)
{
  G_GNUC_UNUSED g_autoptr(VbDomainObj) hold = g_object_ref(self);

  self->state = state;
  self->reason = reason;
  g_debug("%s: state %s (%s)", self->name, vb_domain_state_names[state], reason);
  vb_domain_obj_save_status(self);
  vb_domain_obj_changed(self);
  if (event >= 0 && self->driver != NULL)
    vb_driver_emit_event(self->driver, self, (VbDomainEvent)event, detail);
}

void
vb_domain_obj_monitor_event(VbDomainObj *self, const char *name, JsonObject *data, gint64 timestamp)
{
  g_autofree char *text = NULL;

  if (!g_signal_has_handler_pending(self, signals[SIGNAL_MONITOR_EVENT], 0, FALSE))
    return;
  if (data != NULL) {
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), data);

    text = json_to_string(node, FALSE);
  }
  g_signal_emit(self, signals[SIGNAL_MONITOR_EVENT], 0, name, text != NULL ? text : "{}",
                timestamp);
}

/* The status file: written by a worker, one write at a time, the newest state last. */
typedef struct {
  char *path;
  char *text; /* (nullable): NULL removes the file */
} StatusWrite;

static void
status_write_free(StatusWrite *write)
{
  g_free(write->path);
  g_free(write->text);
  g_free(write);
}

static void
status_write_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  StatusWrite *write = data;
  GError *error = NULL;

  if (write->text == NULL) {
    if (g_unlink(write->path) != 0 && errno != ENOENT) {
      int saved = errno;

      g_task_return_new_error(task, VB_ERROR, VB_ERROR_FAILED, "cannot remove %s: %s", write->path,
                              g_strerror(saved));
      return;
    }
  } else if (!vb_file_replace(write->path, write->text, -1, 0600, &error)) {
    g_task_return_error(task, error);
    return;
  }
  g_task_return_boolean(task, TRUE);
}

static void start_status_write(VbDomainObj *self);

static void
status_written(GObject *source, GAsyncResult *result, gpointer user_data)
{
  VbDomainObj *self = VB_DOMAIN_OBJ(source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error))
    g_warning("%s: status file: %s", self->name, error->message);
  self->status_writing = FALSE;
  if (self->status_dirty) {
    start_status_write(self);
    return;
  }
  /* everything asked for is on disk: tell who waits for it */
  {
    g_autoptr(GPtrArray) waiters = g_steal_pointer(&self->status_waiters);

    for (guint i = 0; waiters != NULL && i < waiters->len; i++) {
      g_autoptr(GTask) waiter = waiters->pdata[i];

      g_task_return_boolean(waiter, TRUE);
    }
  }
}

static void
start_status_write(VbDomainObj *self)
{
  g_autoptr(GTask) task = g_task_new(self, NULL, status_written, NULL);
  g_autoptr(GError) error = NULL;
  StatusWrite *write = g_new0(StatusWrite, 1);

  write->path = g_strdup(self->status_path);
  if (self->process != NULL && self->state != VB_DOMAIN_SHUTOFF) {
    write->text = vb_domain_status_format(self, &error);
    if (write->text == NULL) {
      g_warning("%s: status file: %s", self->name, error->message);
      status_write_free(write);
      self->status_dirty = FALSE;
      return;
    }
  }
  self->status_dirty = FALSE;
  self->status_writing = TRUE;
  g_task_set_source_tag(task, start_status_write);
  g_task_set_task_data(task, write, (GDestroyNotify)status_write_free);
  g_task_run_in_thread(task, status_write_thread);
}

/* Finishes once every status write asked for so far is on disk: a start returns only when a
 * daemon that dies right after it would still find the domain. */
void
vb_domain_obj_flush_status_async(VbDomainObj *self,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  GTask *task = g_task_new(self, NULL, callback, user_data);

  if (!self->status_writing && !self->status_dirty) {
    g_task_return_boolean(task, TRUE);
    g_object_unref(task);
    return;
  }
  if (self->status_waiters == NULL)
    self->status_waiters = g_ptr_array_new();
  g_ptr_array_add(self->status_waiters, task);
}

/* Writes the status of a running domain (removes it once shut off), after the write in
 * progress if there is one. */
void
vb_domain_obj_save_status(VbDomainObj *self)
{
  self->status_dirty = TRUE;
  if (!self->status_writing)
    start_status_write(self);
}

const char *
vb_domain_obj_get_name(VbDomainObj *self)
{
  return self->name;
}

const char *
vb_domain_obj_get_uuid(VbDomainObj *self)
{
  return self->uuid;
}

gint64
vb_domain_obj_get_id(VbDomainObj *self)
{
  return self->id;
}

VbDomainState
vb_domain_obj_get_state(VbDomainObj *self)
{
  return self->state;
}

const char *
vb_domain_obj_get_state_reason(VbDomainObj *self)
{
  return self->reason;
}

gboolean
vb_domain_obj_is_active(VbDomainObj *self)
{
  return self->state != VB_DOMAIN_SHUTOFF;
}

gboolean
vb_domain_obj_is_persistent(VbDomainObj *self)
{
  return self->def != NULL;
}

gboolean
vb_domain_obj_get_autostart(VbDomainObj *self)
{
  return self->autostart;
}

const VbDomainDef *
vb_domain_obj_get_def(VbDomainObj *self)
{
  return self->live != NULL ? self->live : self->def;
}

const VbDomainDef *
vb_domain_obj_get_persistent_def(VbDomainObj *self)
{
  return self->def;
}

const GPtrArray *
vb_domain_obj_get_taints(VbDomainObj *self)
{
  return self->taints;
}

GPid
vb_domain_obj_get_pid(VbDomainObj *self)
{
  return self->process != NULL ? self->process->pid : 0;
}

/**
 * vb_domain_obj_get_xml:
 * @flags: VB_DOMAIN_XML_INACTIVE for the persistent config (the live one of a transient
 *   domain, which has no other), VB_DOMAIN_XML_LIVE for what runs
 */
char *
vb_domain_obj_get_xml(VbDomainObj *self, VbDomainXmlFlags flags, GError **error)
{
  const VbDomainDef *def;

  if ((flags & VB_DOMAIN_XML_LIVE) == 0 && self->def != NULL) {
    def = self->def;
  } else if (self->live != NULL) {
    def = self->live;
    flags |= VB_DOMAIN_XML_LIVE;
  } else {
    def = self->def;
    flags &= ~(VbDomainXmlFlags)VB_DOMAIN_XML_LIVE;
  }
  return vb_domain_def_format(def, flags, error);
}
