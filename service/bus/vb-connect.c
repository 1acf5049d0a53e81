/* vb-connect.c: the Connect object (vb-connect.h): listing and looking up domains, define
 * and create, capabilities and the native conversions. Each handler validates its options,
 * asks the authority, then calls the driver (STYLE.md §8).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-bus-options.h"
#include "vb-connect.h"
#include "vb-error.h"

struct _VbConnect {
  VbDBusConnectSkeleton parent_instance;
  VbDaemon *daemon; /* (unowned) */
};

static void vb_connect_iface_init(VbDBusConnectIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(VbConnect,
                              vb_connect,
                              VB_DBUS_TYPE_CONNECT_SKELETON,
                              G_IMPLEMENT_INTERFACE(VB_DBUS_TYPE_CONNECT, vb_connect_iface_init))

static void
vb_connect_class_init(VbConnectClass *klass)
{
}

static void
vb_connect_init(VbConnect *self)
{
}

/* HypervisorVersion: the default emulator's QEMU, known once its capabilities are (a probe
 * the first time, in the background: calls are answered meanwhile). */
static void
on_hypervisor_version(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(VbConnect) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  version = vb_driver_get_hypervisor_version_finish(VB_DRIVER(source), result, &error);
  if (version == NULL) {
    g_message("no default emulator: %s", error->message);
    return;
  }
  vb_dbus_connect_set_hypervisor_version(VB_DBUS_CONNECT(self), version);
  g_dbus_interface_skeleton_flush(G_DBUS_INTERFACE_SKELETON(self));
}

VbConnect *
vb_connect_new(VbDaemon *daemon, const char *uri)
{
  VbConnect *self = g_object_new(VB_TYPE_CONNECT, NULL);
  VbDriver *driver = vb_daemon_get_driver(daemon);
  g_auto(GStrv) models = vb_driver_get_security_models(driver);

  self->daemon = daemon;
  vb_dbus_connect_set_version(VB_DBUS_CONNECT(self), 1);
  vb_dbus_connect_set_uri(VB_DBUS_CONNECT(self), uri);
  vb_dbus_connect_set_instance(
      VB_DBUS_CONNECT(self),
      vb_instance_kind_to_string(vb_paths_get_instance(vb_driver_get_paths(driver))));
  vb_dbus_connect_set_hostname(VB_DBUS_CONNECT(self), g_get_host_name());
  vb_dbus_connect_set_daemon_version(VB_DBUS_CONNECT(self), PACKAGE_VERSION);
  vb_dbus_connect_set_hypervisor_version(VB_DBUS_CONNECT(self), "");
  vb_dbus_connect_set_security_models(VB_DBUS_CONNECT(self), (const char *const *)models);
  vb_driver_get_hypervisor_version_async(driver, NULL, on_hypervisor_version, g_object_ref(self));
  return self;
}

/* -- one call ------------------------------------------------------------------------------ */

typedef struct _ConnectCall ConnectCall;
typedef void (*ConnectRun)(ConnectCall *call);

struct _ConnectCall {
  VbConnect *connect;                /* (owned) */
  GDBusMethodInvocation *invocation; /* (owned) until completed */
  GVariant *options;                 /* (owned) */
  ConnectRun run;
  char *text;  /* (nullable): the XML, name, UUID or native line the method takes */
  char *text2; /* (nullable): the native format */
  gint64 id;
};

static void
connect_call_free(ConnectCall *call)
{
  g_clear_object(&call->connect);
  g_clear_object(&call->invocation);
  g_clear_pointer(&call->options, g_variant_unref);
  g_free(call->text);
  g_free(call->text2);
  g_free(call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ConnectCall, connect_call_free)

#define DRIVER(call) vb_daemon_get_driver((call)->connect->daemon)
#define IFACE(call) VB_DBUS_CONNECT((call)->connect)

static void
fail(ConnectCall *call, GError *error)
{
  vb_bus_return_error(g_steal_pointer(&call->invocation), error);
}

static void
on_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ConnectCall) call = user_data;
  GError *error = NULL;

  if (!vb_authority_check_finish(VB_AUTHORITY(source), result, &error)) {
    fail(call, error);
    return;
  }
  {
    ConnectRun run = call->run;

    run(g_steal_pointer(&call));
  }
}

static gboolean
begin(VbConnect *self,
      GDBusMethodInvocation *invocation,
      GVariant *options,
      const VbOptionSpec *known,
      ConnectRun run,
      const char *text,
      const char *text2,
      gint64 id)
{
  g_autoptr(ConnectCall) call = g_new0(ConnectCall, 1);
  GError *error = NULL;

  call->connect = g_object_ref(self);
  call->invocation = g_object_ref(invocation);
  call->options = g_variant_ref(options);
  call->run = run;
  call->text = g_strdup(text);
  call->text2 = g_strdup(text2);
  call->id = id;
  if (!vb_daemon_authorize(self->daemon, invocation, options, known, NULL, on_authorized, call,
                           &error))
    fail(call, error);
  else
    call = NULL; /* the authority's callback has it now */
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static const VbOptionSpec no_options[] = {{NULL, NULL}};

/* -- domains ------------------------------------------------------------------------------- */

static void
run_list(ConnectCall *call)
{
  G_GNUC_UNUSED g_autoptr(ConnectCall) owned = call;
  g_autoptr(GPtrArray) domains = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  const char *state = vb_bus_option_string(call->options, "state");
  gboolean persistent = FALSE;
  gboolean filter_persistent = g_variant_lookup(call->options, "persistent", "b", &persistent);

  if ((state == NULL || g_str_equal(state, "all")) && !filter_persistent) {
    GVariant *all = vb_daemon_get_all_paths(call->connect->daemon);

    g_dbus_method_invocation_return_value(g_steal_pointer(&call->invocation),
                                          g_variant_new_tuple(&all, 1));
    return;
  }
  if (state != NULL && !g_str_equal(state, "all") && !g_str_equal(state, "active") &&
      !g_str_equal(state, "inactive")) {
    fail(call, g_error_new(VB_ERROR, VB_ERROR_INVALID_ARGS,
                           "ListDomains: option 'state' is '%s', not 'all', 'active' or 'inactive'",
                           state));
    return;
  }
  /* a filter: the table, sorted by name, walked now (the unfiltered list is cached) */
  domains = vb_driver_list_domains(DRIVER(call));
  paths = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < domains->len; i++) {
    VbDomainObj *domain = domains->pdata[i];
    gboolean active = vb_domain_obj_is_active(domain);

    if ((g_strcmp0(state, "active") == 0 && !active) ||
        (g_strcmp0(state, "inactive") == 0 && active))
      continue;
    if (filter_persistent && vb_domain_obj_is_persistent(domain) != persistent)
      continue;
    g_ptr_array_add(paths, vb_daemon_domain_path(domain));
  }
  g_ptr_array_add(paths, NULL);
  vb_dbus_connect_complete_list_domains(IFACE(call), g_steal_pointer(&call->invocation),
                                        (const char *const *)paths->pdata);
}

static gboolean
handle_list(VbDBusConnect *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const VbOptionSpec known[] = {{"state", "s"}, {"persistent", "b"}, {NULL, NULL}};

  return begin(VB_CONNECT(iface), invocation, options, known, run_list, NULL, NULL, 0);
}

static void
reply_domain(ConnectCall *call, VbDomainObj *domain, const char *what)
{
  g_autofree char *path = NULL;

  if (domain == NULL) {
    fail(call, g_error_new(VB_ERROR, VB_ERROR_NO_SUCH_DOMAIN, "no domain with %s", what));
    return;
  }
  path = vb_daemon_domain_path(domain);
  g_dbus_method_invocation_return_value(g_steal_pointer(&call->invocation),
                                        g_variant_new("(o)", path));
}

static void
run_lookup_name(ConnectCall *call)
{
  G_GNUC_UNUSED g_autoptr(ConnectCall) owned = call;
  g_autofree char *what = g_strdup_printf("name '%s'", call->text);

  reply_domain(call, vb_driver_lookup_by_name(DRIVER(call), call->text), what);
}

static void
run_lookup_uuid(ConnectCall *call)
{
  G_GNUC_UNUSED g_autoptr(ConnectCall) owned = call;
  g_autofree char *what = g_strdup_printf("UUID '%s'", call->text);

  reply_domain(call, vb_driver_lookup_by_uuid(DRIVER(call), call->text), what);
}

static void
run_lookup_id(ConnectCall *call)
{
  G_GNUC_UNUSED g_autoptr(ConnectCall) owned = call;
  g_autofree char *what = g_strdup_printf("id %" G_GINT64_FORMAT, call->id);

  reply_domain(call, vb_driver_lookup_by_id(DRIVER(call), call->id), what);
}

static gboolean
handle_lookup_name(VbDBusConnect *iface,
                   GDBusMethodInvocation *invocation,
                   const char *name,
                   GVariant *options)
{
  return begin(VB_CONNECT(iface), invocation, options, no_options, run_lookup_name, name, NULL, 0);
}

static gboolean
handle_lookup_uuid(VbDBusConnect *iface,
                   GDBusMethodInvocation *invocation,
                   const char *uuid,
                   GVariant *options)
{
  return begin(VB_CONNECT(iface), invocation, options, no_options, run_lookup_uuid, uuid, NULL, 0);
}

static gboolean
handle_lookup_id(VbDBusConnect *iface,
                 GDBusMethodInvocation *invocation,
                 gint id,
                 GVariant *options)
{
  return begin(VB_CONNECT(iface), invocation, options, no_options, run_lookup_id, NULL, NULL, id);
}

static void
on_defined(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ConnectCall) call = user_data;
  g_autoptr(VbDomainObj) domain = NULL;
  GError *error = NULL;

  domain = vb_driver_define_xml_finish(VB_DRIVER(source), result, &error);
  if (domain == NULL) {
    fail(call, error);
    return;
  }
  reply_domain(call, domain, "that name");
}

static void
run_define(ConnectCall *call)
{
  vb_driver_define_xml_async(DRIVER(call), call->text, NULL, on_defined, call);
}

static gboolean
handle_define(VbDBusConnect *iface,
              GDBusMethodInvocation *invocation,
              const char *xml,
              GVariant *options)
{
  return begin(VB_CONNECT(iface), invocation, options, no_options, run_define, xml, NULL, 0);
}

static void
on_created(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ConnectCall) call = user_data;
  g_autoptr(VbDomainObj) domain = NULL;
  GError *error = NULL;

  domain = vb_driver_create_xml_finish(VB_DRIVER(source), result, &error);
  if (domain == NULL) {
    fail(call, error);
    return;
  }
  if (vb_bus_option_bool(call->options, "autodestroy"))
    vb_daemon_bind_autodestroy(call->connect->daemon, domain,
                               g_dbus_method_invocation_get_sender(call->invocation));
  reply_domain(call, domain, "that name");
}

static void
run_create(ConnectCall *call)
{
  VbStartFlags flags =
      vb_bus_option_bool(call->options, "paused") ? VB_START_PAUSED : VB_START_NONE;

  /* a peer-to-peer connection (the client's embedded instance) has no one who could leave */
  if (vb_bus_option_bool(call->options, "autodestroy") &&
      g_dbus_method_invocation_get_sender(call->invocation) == NULL) {
    G_GNUC_UNUSED g_autoptr(ConnectCall) owned = call;

    fail(call, g_error_new(VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                           "CreateXML: option 'autodestroy' needs a caller that can leave the "
                           "bus; this connection is the embedded instance of a command that "
                           "would destroy the domain as it exits"));
    return;
  }
  vb_driver_create_xml_async(DRIVER(call), call->text, flags, NULL, on_created, call);
}

static gboolean
handle_create(VbDBusConnect *iface,
              GDBusMethodInvocation *invocation,
              const char *xml,
              GVariant *options)
{
  static const VbOptionSpec known[] = {{"paused", "b"}, {"autodestroy", "b"}, {NULL, NULL}};

  return begin(VB_CONNECT(iface), invocation, options, known, run_create, xml, NULL, 0);
}

/* -- capabilities and conversions ------------------------------------------------------------ */

static void
on_capabilities(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ConnectCall) call = user_data;
  g_autofree char *xml = NULL;
  GError *error = NULL;

  xml = vb_driver_get_capabilities_xml_finish(VB_DRIVER(source), result, &error);
  if (xml == NULL) {
    fail(call, error);
    return;
  }
  vb_dbus_connect_complete_get_capabilities(IFACE(call), g_steal_pointer(&call->invocation), xml);
}

static void
run_capabilities(ConnectCall *call)
{
  vb_driver_get_capabilities_xml_async(DRIVER(call), NULL, on_capabilities, call);
}

static gboolean
handle_capabilities(VbDBusConnect *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_CONNECT(iface), invocation, options, no_options, run_capabilities, NULL, NULL, 0);
}

static void
on_native(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ConnectCall) call = user_data;
  g_autofree char *native = NULL;
  GError *error = NULL;

  native = vb_driver_xml_to_native_finish(VB_DRIVER(source), result, &error);
  if (native == NULL) {
    fail(call, error);
    return;
  }
  vb_dbus_connect_complete_domain_xmlto_native(IFACE(call), g_steal_pointer(&call->invocation),
                                               native);
}

static void
run_to_native(ConnectCall *call)
{
  vb_driver_xml_to_native_async(DRIVER(call), call->text2, call->text, NULL, on_native, call);
}

static gboolean
handle_to_native(VbDBusConnect *iface,
                 GDBusMethodInvocation *invocation,
                 const char *format,
                 const char *xml,
                 GVariant *options)
{
  return begin(VB_CONNECT(iface), invocation, options, no_options, run_to_native, xml, format, 0);
}

static void
run_from_native(ConnectCall *call)
{
  G_GNUC_UNUSED g_autoptr(ConnectCall) owned = call;
  g_autofree char *xml = NULL;
  GError *error = NULL;

  xml = vb_driver_xml_from_native(DRIVER(call), call->text2, call->text, &error);
  if (xml == NULL) {
    fail(call, error);
    return;
  }
  vb_dbus_connect_complete_domain_xmlfrom_native(IFACE(call), g_steal_pointer(&call->invocation),
                                                 xml);
}

static gboolean
handle_from_native(VbDBusConnect *iface,
                   GDBusMethodInvocation *invocation,
                   const char *format,
                   const char *native,
                   GVariant *options)
{
  return begin(VB_CONNECT(iface), invocation, options, no_options, run_from_native, native, format,
               0);
}

static void
vb_connect_iface_init(VbDBusConnectIface *iface)
{
  iface->handle_list_domains = handle_list;
  iface->handle_lookup_by_name = handle_lookup_name;
  iface->handle_lookup_by_uuid = handle_lookup_uuid;
  iface->handle_lookup_by_id = handle_lookup_id;
  iface->handle_define_xml = handle_define;
  iface->handle_create_xml = handle_create;
  iface->handle_get_capabilities = handle_capabilities;
  iface->handle_domain_xmlto_native = handle_to_native;
  iface->handle_domain_xmlfrom_native = handle_from_native;
}
