/* vb-monitor.c: the Monitor object (vb-monitor.h). Command and HumanCommand go through the
 * driver's passthrough (which taints the domain); Watch subscribes the calling connection to
 * Event, sent to it alone, until Unwatch or until it leaves the bus.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-bus-options.h"
#include "vb-error.h"
#include "vb-monitor.h"

struct _VbMonitor {
  VbDBusMonitorSkeleton parent_instance;
  VbDaemon *daemon;     /* (unowned) */
  VbDomainObj *obj;     /* (owned) */
  GHashTable *watchers; /* unique name → name watch id */
  gulong event_handler;
};

static void vb_monitor_iface_init(VbDBusMonitorIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(VbMonitor,
                              vb_monitor,
                              VB_DBUS_TYPE_MONITOR_SKELETON,
                              G_IMPLEMENT_INTERFACE(VB_DBUS_TYPE_MONITOR, vb_monitor_iface_init))

static void
unwatch(gpointer id)
{
  /* 0: the peer of a peer-to-peer connection, whose name nobody watches */
  if (GPOINTER_TO_UINT(id) != 0)
    g_bus_unwatch_name(GPOINTER_TO_UINT(id));
}

static void
vb_monitor_finalize(GObject *object)
{
  VbMonitor *self = VB_MONITOR(object);

  g_clear_signal_handler(&self->event_handler, self->obj);
  g_hash_table_unref(self->watchers);
  g_object_unref(self->obj);
  G_OBJECT_CLASS(vb_monitor_parent_class)->finalize(object);
}

static void
vb_monitor_class_init(VbMonitorClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = vb_monitor_finalize;
}

static void
vb_monitor_init(VbMonitor *self)
{
  self->watchers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, unwatch);
}

/* Each QMP event, to each watcher alone (a unicast signal). */
static void
on_monitor_event(
    VbDomainObj *obj, const char *name, const char *data, gint64 timestamp, gpointer user_data)
{
  VbMonitor *self = user_data;
  GDBusInterfaceSkeleton *skeleton = G_DBUS_INTERFACE_SKELETON(self);
  const char *path = g_dbus_interface_skeleton_get_object_path(skeleton);
  GHashTableIter iter;
  gpointer watcher;

  if (path == NULL)
    return;
  g_hash_table_iter_init(&iter, self->watchers);
  while (g_hash_table_iter_next(&iter, &watcher, NULL)) {
    g_autoptr(GError) error = NULL;

    const char *destination = *(const char *)watcher != '\0' ? watcher : NULL;

    if (!g_dbus_connection_emit_signal(vb_daemon_get_connection(self->daemon), destination, path,
                                       "org.virtbus.Virtbus1.Monitor", "Event",
                                       g_variant_new("(ssx)", name, data, timestamp), &error))
      g_debug("%s: cannot send %s to %s: %s", vb_domain_obj_get_name(self->obj), name,
              (const char *)watcher, error->message);
  }
}

VbMonitor *
vb_monitor_new(VbDaemon *daemon, VbDomainObj *obj)
{
  VbMonitor *self = g_object_new(VB_TYPE_MONITOR, NULL);

  self->daemon = daemon;
  self->obj = g_object_ref(obj);
  self->event_handler = g_signal_connect(obj, "monitor-event", G_CALLBACK(on_monitor_event), self);
  return self;
}

/* -- one call ------------------------------------------------------------------------------- */

typedef enum {
  MONITOR_COMMAND,
  MONITOR_HUMAN,
  MONITOR_WATCH,
  MONITOR_UNWATCH,
} MonitorVerb;

typedef struct {
  VbMonitor *monitor;                /* (owned) */
  GDBusMethodInvocation *invocation; /* (owned) until completed */
  MonitorVerb verb;
  char *command;
} MonitorCall;

static void
monitor_call_free(MonitorCall *call)
{
  g_clear_object(&call->monitor);
  g_clear_object(&call->invocation);
  g_free(call->command);
  g_free(call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MonitorCall, monitor_call_free)

static void
on_command_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MonitorCall) call = user_data;
  g_autofree char *reply = NULL;
  GError *error = NULL;

  reply = vb_driver_monitor_command_finish(VB_DRIVER(source), result, &error);
  if (reply == NULL) {
    vb_bus_return_error(g_steal_pointer(&call->invocation), error);
    return;
  }
  if (call->verb == MONITOR_HUMAN)
    vb_dbus_monitor_complete_human_command(VB_DBUS_MONITOR(call->monitor),
                                           g_steal_pointer(&call->invocation), reply);
  else
    vb_dbus_monitor_complete_command(VB_DBUS_MONITOR(call->monitor),
                                     g_steal_pointer(&call->invocation), reply);
}

static void
on_watcher_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  VbMonitor *self = user_data;
  g_autofree char *watcher = g_strdup(name);

  g_hash_table_remove(self->watchers, watcher);
}

static void
on_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(MonitorCall) call = user_data;
  VbMonitor *self = call->monitor;
  const char *sender = g_dbus_method_invocation_get_sender(call->invocation);
  GError *error = NULL;

  if (!vb_authority_check_finish(VB_AUTHORITY(source), result, &error)) {
    vb_bus_return_error(g_steal_pointer(&call->invocation), error);
    return;
  }
  switch (call->verb) {
  case MONITOR_WATCH:
    if (sender == NULL) {
      /* a peer-to-peer connection (the client's embedded instance): its one peer, "" */
      g_hash_table_insert(self->watchers, g_strdup(""), GUINT_TO_POINTER(0));
    } else if (!g_hash_table_contains(self->watchers, sender)) {
      guint id = g_bus_watch_name_on_connection(vb_daemon_get_connection(self->daemon), sender,
                                                G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                on_watcher_vanished, self, NULL);

      g_hash_table_insert(self->watchers, g_strdup(sender), GUINT_TO_POINTER(id));
    }
    vb_dbus_monitor_complete_watch(VB_DBUS_MONITOR(self), g_steal_pointer(&call->invocation));
    break;
  case MONITOR_UNWATCH:
    g_hash_table_remove(self->watchers, sender != NULL ? sender : "");
    vb_dbus_monitor_complete_unwatch(VB_DBUS_MONITOR(self), g_steal_pointer(&call->invocation));
    break;
  case MONITOR_COMMAND:
  case MONITOR_HUMAN:
  default: {
    MonitorCall *owned = g_steal_pointer(&call);

    vb_driver_monitor_command_async(vb_daemon_get_driver(self->daemon), self->obj, owned->command,
                                    owned->verb == MONITOR_HUMAN, NULL, on_command_done, owned);
    break;
  }
  }
}

static gboolean
begin(VbMonitor *self,
      GDBusMethodInvocation *invocation,
      GVariant *options,
      MonitorVerb verb,
      const char *command)
{
  static const VbOptionSpec no_options[] = {{NULL, NULL}};
  g_autoptr(MonitorCall) call = g_new0(MonitorCall, 1);
  GError *error = NULL;

  call->monitor = g_object_ref(self);
  call->invocation = g_object_ref(invocation);
  call->verb = verb;
  call->command = g_strdup(command);
  if (!vb_daemon_authorize(self->daemon, invocation, options, no_options, self->obj, on_authorized,
                           call, &error))
    vb_bus_return_error(g_steal_pointer(&call->invocation), error);
  else
    call = NULL; /* the authority's callback has it now */
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_command(VbDBusMonitor *iface,
               GDBusMethodInvocation *invocation,
               const char *json,
               GVariant *options)
{
  return begin(VB_MONITOR(iface), invocation, options, MONITOR_COMMAND, json);
}

static gboolean
handle_human_command(VbDBusMonitor *iface,
                     GDBusMethodInvocation *invocation,
                     const char *hmp,
                     GVariant *options)
{
  return begin(VB_MONITOR(iface), invocation, options, MONITOR_HUMAN, hmp);
}

static gboolean
handle_watch(VbDBusMonitor *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_MONITOR(iface), invocation, options, MONITOR_WATCH, NULL);
}

static gboolean
handle_unwatch(VbDBusMonitor *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_MONITOR(iface), invocation, options, MONITOR_UNWATCH, NULL);
}

static void
vb_monitor_iface_init(VbDBusMonitorIface *iface)
{
  iface->handle_command = handle_command;
  iface->handle_human_command = handle_human_command;
  iface->handle_watch = handle_watch;
  iface->handle_unwatch = handle_unwatch;
}
