/* vb-daemon.c: the driver's objects on the bus (vb-daemon.h): the object manager, Connect, a
 * Domain object per domain as the driver adds and removes them, Connect.DomainEvent for each
 * driver event, and autodestroy bound to a caller's unique name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-bus-options.h"
#include "vb-connect.h"
#include "vb-daemon.h"
#include "vb-domain.h"
#include "vb-error.h"
#include "vb-monitor.h"

struct _VbDaemon {
  GObject parent_instance;
  VbDriver *driver;
  GDBusConnection *connection;
  GDBusObjectManagerServer *manager;
  VbAuthority *authority;
  VbConnect *connect;
  GHashTable *objects; /* VbDomainObj → VbDBusObjectSkeleton */
  GHashTable *owners;  /* unique name → watch id, for autodestroy */
  GVariant *all_paths; /* (nullable): "ao" of every domain by name, until one comes or goes */
  gulong handlers[3];
};

G_DEFINE_FINAL_TYPE(VbDaemon, vb_daemon, G_TYPE_OBJECT)

static void
unwatch(gpointer id)
{
  g_bus_unwatch_name(GPOINTER_TO_UINT(id));
}

static void
vb_daemon_dispose(GObject *object)
{
  VbDaemon *self = VB_DAEMON(object);

  for (guint i = 0; i < G_N_ELEMENTS(self->handlers); i++)
    g_clear_signal_handler(&self->handlers[i], self->driver);
  g_clear_pointer(&self->owners, g_hash_table_unref);
  g_clear_pointer(&self->all_paths, g_variant_unref);
  g_clear_pointer(&self->objects, g_hash_table_unref);
  if (self->manager != NULL)
    g_dbus_object_manager_server_set_connection(self->manager, NULL);
  g_clear_object(&self->manager);
  if (self->connect != NULL)
    g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->connect));
  g_clear_object(&self->connect);
  g_clear_object(&self->authority);
  g_clear_object(&self->connection);
  g_clear_object(&self->driver);
  G_OBJECT_CLASS(vb_daemon_parent_class)->dispose(object);
}

static void
vb_daemon_class_init(VbDaemonClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = vb_daemon_dispose;
}

static void
vb_daemon_init(VbDaemon *self)
{
  self->objects = g_hash_table_new_full(NULL, NULL, NULL, g_object_unref);
  self->owners = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, unwatch);
}

char *
vb_daemon_domain_path(VbDomainObj *domain)
{
  g_autoptr(GString) path = g_string_new(VB_BUS_ROOT_PATH "/domain/");

  for (const char *c = vb_domain_obj_get_uuid(domain); *c != '\0'; c++) {
    if (*c != '-')
      g_string_append_c(path, *c);
  }
  return g_string_free(g_steal_pointer(&path), FALSE);
}

/* The Monitor interface is on a domain's object while it runs (InterfacesAdded/Removed). */
static void
sync_monitor(VbDaemon *self, VbDomainObj *domain)
{
  VbDBusObjectSkeleton *object = g_hash_table_lookup(self->objects, domain);
  g_autoptr(VbDBusMonitor) monitor = NULL;

  if (object == NULL)
    return;
  monitor = vb_dbus_object_get_monitor(VB_DBUS_OBJECT(object));
  if (vb_domain_obj_is_active(domain) && monitor == NULL) {
    g_autoptr(VbMonitor) added = vb_monitor_new(self, domain);

    vb_dbus_object_skeleton_set_monitor(object, VB_DBUS_MONITOR(added));
  } else if (!vb_domain_obj_is_active(domain) && monitor != NULL) {
    vb_dbus_object_skeleton_set_monitor(object, NULL);
  }
}

static void
on_domain_changed(VbDomainObj *domain, gpointer user_data)
{
  sync_monitor(VB_DAEMON(user_data), domain);
}

static void
on_domain_added(VbDriver *driver, VbDomainObj *domain, gpointer user_data)
{
  VbDaemon *self = user_data;
  g_autofree char *path = vb_daemon_domain_path(domain);
  VbDBusObjectSkeleton *object = vb_dbus_object_skeleton_new(path);
  g_autoptr(VbDomain) iface = vb_domain_new(self, domain);

  vb_dbus_object_skeleton_set_domain(object, VB_DBUS_DOMAIN(iface));
  g_hash_table_insert(self->objects, domain, object);
  g_clear_pointer(&self->all_paths, g_variant_unref);
  sync_monitor(self, domain);
  g_signal_connect_object(domain, "changed", G_CALLBACK(on_domain_changed), self, 0);
  g_dbus_object_manager_server_export(self->manager, G_DBUS_OBJECT_SKELETON(object));
}

static void
on_domain_removed(VbDriver *driver, VbDomainObj *domain, gpointer user_data)
{
  VbDaemon *self = user_data;
  g_autofree char *path = vb_daemon_domain_path(domain);

  g_dbus_object_manager_server_unexport(self->manager, path);
  g_hash_table_remove(self->objects, domain);
  g_clear_pointer(&self->all_paths, g_variant_unref);
}

static void
on_domain_event(
    VbDriver *driver, VbDomainObj *domain, gint event, const char *detail, gpointer user_data)
{
  VbDaemon *self = user_data;
  g_autofree char *path = vb_daemon_domain_path(domain);
  VbDBusObjectSkeleton *object = g_hash_table_lookup(self->objects, domain);

  /* the properties first, then the signal that tells of them */
  if (object != NULL) {
    g_autoptr(VbDBusDomain) iface = vb_dbus_object_get_domain(VB_DBUS_OBJECT(object));

    vb_domain_update(VB_DOMAIN(iface));
  }
  g_debug("%s: event %s %s", vb_domain_obj_get_name(domain), vb_domain_event_names[event], detail);
  vb_dbus_connect_emit_domain_event(VB_DBUS_CONNECT(self->connect), path,
                                    vb_domain_event_names[event], detail);
}

VbDaemon *
vb_daemon_new(VbDriver *driver, GDBusConnection *connection, VbAuthorityMode mode, const char *uri)
{
  VbDaemon *self = g_object_new(VB_TYPE_DAEMON, NULL);
  g_autoptr(GPtrArray) domains = NULL;
  g_autoptr(GError) error = NULL;

  self->driver = g_object_ref(driver);
  self->connection = g_object_ref(connection);
  self->authority = vb_authority_new(mode, connection);
  self->manager = g_dbus_object_manager_server_new(VB_BUS_ROOT_PATH);
  self->connect = vb_connect_new(self, uri);
  /* Connect sits beside the ObjectManager on its own path: the manager exports only the
   * objects below it */
  if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->connect), connection,
                                        VB_BUS_ROOT_PATH, &error))
    g_warning("cannot export %s: %s", VB_BUS_ROOT_PATH, error->message);
  domains = vb_driver_list_domains(driver);
  for (guint i = 0; i < domains->len; i++)
    on_domain_added(driver, domains->pdata[i], self);
  self->handlers[0] = g_signal_connect(driver, "domain-added", G_CALLBACK(on_domain_added), self);
  self->handlers[1] =
      g_signal_connect(driver, "domain-removed", G_CALLBACK(on_domain_removed), self);
  self->handlers[2] = g_signal_connect(driver, "domain-event", G_CALLBACK(on_domain_event), self);
  g_dbus_object_manager_server_set_connection(self->manager, connection);
  return self;
}

/* (transfer none): "ao", every domain's path by name; kept until a domain comes or goes, so
 * that ListDomains with 1000 domains costs little more than with none */
GVariant *
vb_daemon_get_all_paths(VbDaemon *self)
{
  if (self->all_paths == NULL) {
    g_autoptr(GPtrArray) domains = vb_driver_list_domains(self->driver);
    GVariantBuilder builder;

    g_variant_builder_init(&builder, G_VARIANT_TYPE_OBJECT_PATH_ARRAY);
    for (guint i = 0; i < domains->len; i++) {
      VbDBusObjectSkeleton *object = g_hash_table_lookup(self->objects, domains->pdata[i]);

      if (object != NULL)
        g_variant_builder_add(&builder, "o", g_dbus_object_get_object_path(G_DBUS_OBJECT(object)));
    }
    self->all_paths = g_variant_ref_sink(g_variant_builder_end(&builder));
  }
  return self->all_paths;
}

VbDriver *
vb_daemon_get_driver(VbDaemon *self)
{
  return self->driver;
}

VbAuthority *
vb_daemon_get_authority(VbDaemon *self)
{
  return self->authority;
}

GDBusConnection *
vb_daemon_get_connection(VbDaemon *self)
{
  return self->connection;
}

static void
on_owner_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  VbDaemon *self = user_data;
  g_autofree char *owner = g_strdup(name);

  vb_driver_owner_gone(self->driver, owner);
  g_hash_table_remove(self->owners, owner);
}

void
vb_daemon_bind_autodestroy(VbDaemon *self, VbDomainObj *domain, const char *owner)
{
  vb_driver_set_autodestroy(self->driver, domain, owner);
  if (!g_hash_table_contains(self->owners, owner)) {
    guint id =
        g_bus_watch_name_on_connection(self->connection, owner, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                       on_owner_vanished, self, NULL);

    g_hash_table_insert(self->owners, g_strdup(owner), GUINT_TO_POINTER(id));
  }
}

/**
 * vb_daemon_authorize:
 * @domain: (nullable): the domain the call is about, for polkit's details
 * @callback: called with the authority's answer (vb_authority_check_finish()); gets @user_data
 *
 * The start of every handler (STYLE.md §8): @options checked against @known, then the
 * caller authorised for the method's action from the one table. Returns FALSE (and sets
 * @error, keeping @user_data the caller's) when the options are wrong.
 */
gboolean
vb_daemon_authorize(VbDaemon *self,
                    GDBusMethodInvocation *invocation,
                    GVariant *options,
                    const VbOptionSpec *known,
                    VbDomainObj *domain,
                    GAsyncReadyCallback callback,
                    gpointer user_data,
                    GError **error)
{
  const char *method = g_dbus_method_invocation_get_method_name(invocation);

  if (!vb_bus_check_options(options, method, known, error))
    return FALSE;
  vb_authority_check_async(
      self->authority, invocation,
      vb_authority_action_for(g_dbus_method_invocation_get_interface_name(invocation), method,
                              vb_bus_option_bool(options, "secure")),
      domain != NULL ? vb_domain_obj_get_name(domain) : NULL,
      domain != NULL ? vb_domain_obj_get_uuid(domain) : NULL, NULL, callback, user_data);
  return TRUE;
}

void
vb_bus_return_error(GDBusMethodInvocation *invocation, GError *error)
{
  g_autoptr(GError) owned = error;

  vb_error_shorten(owned);
  g_debug("%s.%s from %s: %s", g_dbus_method_invocation_get_interface_name(invocation),
          g_dbus_method_invocation_get_method_name(invocation),
          g_dbus_method_invocation_get_sender(invocation), owned->message);
  g_dbus_method_invocation_take_error(invocation, vb_error_to_dbus(owned));
}
