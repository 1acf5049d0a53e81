/* vb-domain.c: the Domain object (vb-domain.h). Each handler validates its options, asks the
 * authority, then queues the driver's operation and completes the call with its result
 * (STYLE.md §8).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gunixfdlist.h>

#include "vb-bus-options.h"
#include "vb-domain.h"
#include "vb-error.h"

struct _VbDomain {
  VbDBusDomainSkeleton parent_instance;
  VbDaemon *daemon; /* (unowned): the daemon outlives its objects */
  VbDomainObj *obj; /* (owned) */
  gulong changed_handler;
};

static void vb_domain_iface_init(VbDBusDomainIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(VbDomain,
                              vb_domain,
                              VB_DBUS_TYPE_DOMAIN_SKELETON,
                              G_IMPLEMENT_INTERFACE(VB_DBUS_TYPE_DOMAIN, vb_domain_iface_init))

static void
vb_domain_finalize(GObject *object)
{
  VbDomain *self = VB_DOMAIN(object);

  g_clear_signal_handler(&self->changed_handler, self->obj);
  g_object_unref(self->obj);
  G_OBJECT_CLASS(vb_domain_parent_class)->finalize(object);
}

static void
vb_domain_class_init(VbDomainClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = vb_domain_finalize;
}

static void
vb_domain_init(VbDomain *self)
{
}

void
vb_domain_update(VbDomain *self)
{
  VbDBusDomain *iface = VB_DBUS_DOMAIN(self);
  VbDomainObj *obj = self->obj;
  const VbDomainDef *def = vb_domain_obj_get_def(obj);
  const GPtrArray *taints = vb_domain_obj_get_taints(obj);
  g_autoptr(GPtrArray) names = g_ptr_array_new();

  /* a domain the driver has let go of keeps what it last showed */
  if (def == NULL)
    return;
  for (guint i = 0; i < taints->len; i++)
    g_ptr_array_add(names, taints->pdata[i]);
  g_ptr_array_add(names, NULL);
  vb_dbus_domain_set_name(iface, vb_domain_obj_get_name(obj));
  vb_dbus_domain_set_uuid(iface, vb_domain_obj_get_uuid(obj));
  vb_dbus_domain_set_title(iface, def->title != NULL ? def->title : "");
  vb_dbus_domain_set_id(iface, (gint)vb_domain_obj_get_id(obj));
  vb_dbus_domain_set_state(iface, vb_domain_state_names[vb_domain_obj_get_state(obj)]);
  vb_dbus_domain_set_state_reason(iface, vb_domain_obj_get_state_reason(obj));
  vb_dbus_domain_set_active(iface, vb_domain_obj_is_active(obj));
  vb_dbus_domain_set_persistent(iface, vb_domain_obj_is_persistent(obj));
  vb_dbus_domain_set_autostart(iface, vb_domain_obj_get_autostart(obj));
  vb_dbus_domain_set_vcpus(iface, def->vcpus_current != 0 ? def->vcpus_current : def->vcpus);
  vb_dbus_domain_set_memory_ki_b(iface, def->memory_kib);
  vb_dbus_domain_set_tainted(iface, (const char *const *)names->pdata);
  g_dbus_interface_skeleton_flush(G_DBUS_INTERFACE_SKELETON(self));
}

static void
on_changed(VbDomainObj *obj, gpointer user_data)
{
  vb_domain_update(VB_DOMAIN(user_data));
}

VbDomain *
vb_domain_new(VbDaemon *daemon, VbDomainObj *obj)
{
  VbDomain *self = g_object_new(VB_TYPE_DOMAIN, NULL);

  self->daemon = daemon;
  self->obj = g_object_ref(obj);
  self->changed_handler = g_signal_connect(obj, "changed", G_CALLBACK(on_changed), self);
  vb_domain_update(self);
  return self;
}

VbDomainObj *
vb_domain_get_obj(VbDomain *self)
{
  return self->obj;
}

/* -- one call ------------------------------------------------------------------------------- */

/* What runs once the caller is authorised: the driver's operation, finishing @call. */
typedef struct _DomainCall DomainCall;
typedef void (*DomainRun)(DomainCall *call);

struct _DomainCall {
  VbDomain *domain;                  /* (owned) */
  GDBusMethodInvocation *invocation; /* (owned) until completed */
  GVariant *options;                 /* (owned) */
  DomainRun run;
  gboolean autostart; /* SetAutostart's argument */
  char *device;       /* OpenConsole's argument */
};

static void
domain_call_free(DomainCall *call)
{
  g_clear_object(&call->domain);
  g_clear_object(&call->invocation);
  g_clear_pointer(&call->options, g_variant_unref);
  g_free(call->device);
  g_free(call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DomainCall, domain_call_free)

static void
fail(DomainCall *call, GError *error)
{
  vb_bus_return_error(g_steal_pointer(&call->invocation), error);
}

static void
on_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DomainCall) call = user_data;
  GError *error = NULL;

  if (!vb_authority_check_finish(VB_AUTHORITY(source), result, &error)) {
    fail(call, error);
    return;
  }
  {
    DomainRun run = call->run;

    run(g_steal_pointer(&call));
  }
}

/* Validates @options against @known, then authorises and runs @run with the call. */
static gboolean
begin_full(VbDomain *self,
           GDBusMethodInvocation *invocation,
           GVariant *options,
           const VbOptionSpec *known,
           DomainRun run,
           gboolean autostart,
           const char *device)
{
  g_autoptr(DomainCall) call = g_new0(DomainCall, 1);
  GError *error = NULL;

  call->domain = g_object_ref(self);
  call->invocation = g_object_ref(invocation);
  call->options = g_variant_ref(options);
  call->run = run;
  call->autostart = autostart;
  call->device = g_strdup(device);
  if (!vb_daemon_authorize(self->daemon, invocation, options, known, self->obj, on_authorized, call,
                           &error))
    fail(call, error);
  else
    call = NULL; /* the authority's callback has it now */
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
begin(VbDomain *self,
      GDBusMethodInvocation *invocation,
      GVariant *options,
      const VbOptionSpec *known,
      DomainRun run)
{
  return begin_full(self, invocation, options, known, run, FALSE, NULL);
}

static const VbOptionSpec no_options[] = {{NULL, NULL}};

/* -- the operations that reply nothing -------------------------------------------------------- */

static void
on_operation_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DomainCall) call = user_data;
  GError *error = NULL;

  if (!vb_driver_operation_finish(VB_DRIVER(source), result, &error)) {
    fail(call, error);
    return;
  }
  g_dbus_method_invocation_return_value(g_steal_pointer(&call->invocation), NULL);
}

#define DRIVER(call) vb_daemon_get_driver((call)->domain->daemon)

static void
run_start(DomainCall *call)
{
  VbStartFlags flags =
      vb_bus_option_bool(call->options, "paused") ? VB_START_PAUSED : VB_START_NONE;

  vb_driver_start_async(DRIVER(call), call->domain->obj, flags, NULL, on_operation_done, call);
}

static void
run_shutdown(DomainCall *call)
{
  vb_driver_shutdown_async(DRIVER(call), call->domain->obj, NULL, on_operation_done, call);
}

static void
run_reboot(DomainCall *call)
{
  vb_driver_reboot_async(DRIVER(call), call->domain->obj, NULL, on_operation_done, call);
}

static void
run_reset(DomainCall *call)
{
  vb_driver_reset_async(DRIVER(call), call->domain->obj, NULL, on_operation_done, call);
}

static void
run_destroy(DomainCall *call)
{
  VbDestroyFlags flags =
      vb_bus_option_bool(call->options, "graceful") ? VB_DESTROY_GRACEFUL : VB_DESTROY_NONE;

  vb_driver_destroy_async(DRIVER(call), call->domain->obj, flags, NULL, on_operation_done, call);
}

static void
run_suspend(DomainCall *call)
{
  vb_driver_suspend_async(DRIVER(call), call->domain->obj, NULL, on_operation_done, call);
}

static void
run_resume(DomainCall *call)
{
  vb_driver_resume_async(DRIVER(call), call->domain->obj, NULL, on_operation_done, call);
}

static void
run_undefine(DomainCall *call)
{
  vb_driver_undefine_async(DRIVER(call), call->domain->obj, NULL, on_operation_done, call);
}

static void
run_set_autostart(DomainCall *call)
{
  vb_driver_set_autostart_async(DRIVER(call), call->domain->obj, call->autostart, NULL,
                                on_operation_done, call);
}

static gboolean
handle_start(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const VbOptionSpec known[] = {{"paused", "b"}, {NULL, NULL}};

  return begin(VB_DOMAIN(iface), invocation, options, known, run_start);
}

static gboolean
handle_shutdown(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_shutdown);
}

static gboolean
handle_reboot(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_reboot);
}

static gboolean
handle_reset(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_reset);
}

static gboolean
handle_destroy(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const VbOptionSpec known[] = {{"graceful", "b"}, {NULL, NULL}};

  return begin(VB_DOMAIN(iface), invocation, options, known, run_destroy);
}

static gboolean
handle_suspend(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_suspend);
}

static gboolean
handle_resume(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_resume);
}

static gboolean
handle_undefine(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_undefine);
}

static gboolean
handle_set_autostart(VbDBusDomain *iface,
                     GDBusMethodInvocation *invocation,
                     gboolean autostart,
                     GVariant *options)
{
  VbDomain *self = VB_DOMAIN(iface);

  /* a change that changes nothing replies at once, without asking polkit (STYLE.md §6) */
  if (vb_domain_obj_get_autostart(self->obj) == autostart &&
      vb_domain_obj_is_persistent(self->obj) && g_variant_n_children(options) == 0) {
    vb_dbus_domain_complete_set_autostart(iface, invocation);
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  }
  return begin_full(self, invocation, options, no_options, run_set_autostart, autostart, NULL);
}

/* -- the queries --------------------------------------------------------------------------- */

static void
run_get_xml(DomainCall *call)
{
  G_GNUC_UNUSED g_autoptr(DomainCall) owned = call;
  VbDomainXmlFlags flags =
      vb_bus_option_bool(call->options, "inactive") ? VB_DOMAIN_XML_INACTIVE : VB_DOMAIN_XML_LIVE;
  g_autofree char *xml = NULL;
  GError *error = NULL;

  if (vb_bus_option_bool(call->options, "secure"))
    flags |= VB_DOMAIN_XML_SECURE;
  xml = vb_domain_obj_get_xml(call->domain->obj, flags, &error);
  if (xml == NULL) {
    fail(call, error);
    return;
  }
  vb_dbus_domain_complete_get_xmldesc(VB_DBUS_DOMAIN(call->domain),
                                      g_steal_pointer(&call->invocation), xml);
}

static gboolean
handle_get_xml(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  static const VbOptionSpec known[] = {{"inactive", "b"}, {"secure", "b"}, {NULL, NULL}};

  return begin(VB_DOMAIN(iface), invocation, options, known, run_get_xml);
}

static void
on_stats(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DomainCall) call = user_data;
  g_autoptr(GVariant) stats = NULL;
  GError *error = NULL;

  stats = vb_driver_get_stats_finish(VB_DRIVER(source), result, &error);
  if (stats == NULL) {
    fail(call, error);
    return;
  }
  vb_dbus_domain_complete_get_stats(VB_DBUS_DOMAIN(call->domain),
                                    g_steal_pointer(&call->invocation), stats);
}

static void
run_get_stats(DomainCall *call)
{
  vb_driver_get_stats_async(DRIVER(call), call->domain->obj, NULL, on_stats, call);
}

static gboolean
handle_get_stats(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_get_stats);
}

/* -- console, display, screenshot ----------------------------------------------------------- */

static void
complete_with_fd(DomainCall *call, int fd, gboolean console)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new_from_array(&fd, 1); /* takes @fd */

  if (console)
    vb_dbus_domain_complete_open_console(VB_DBUS_DOMAIN(call->domain),
                                         g_steal_pointer(&call->invocation), fds,
                                         g_variant_new_handle(0));
  else
    vb_dbus_domain_complete_open_graphics(VB_DBUS_DOMAIN(call->domain),
                                          g_steal_pointer(&call->invocation), fds,
                                          g_variant_new_handle(0));
}

static void
on_console(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DomainCall) call = user_data;
  GError *error = NULL;
  int fd = vb_driver_open_console_finish(VB_DRIVER(source), result, &error);

  if (fd < 0) {
    fail(call, error);
    return;
  }
  complete_with_fd(call, fd, TRUE);
}

static void
run_open_console(DomainCall *call)
{
  vb_driver_open_console_async(DRIVER(call), call->domain->obj, call->device, NULL, on_console,
                               call);
}

static gboolean
handle_open_console(VbDBusDomain *iface,
                    GDBusMethodInvocation *invocation,
                    GUnixFDList *fds,
                    const char *device,
                    GVariant *options)
{
  return begin_full(VB_DOMAIN(iface), invocation, options, no_options, run_open_console, FALSE,
                    device);
}

static void
on_graphics(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DomainCall) call = user_data;
  GError *error = NULL;
  int fd = vb_driver_open_graphics_finish(VB_DRIVER(source), result, &error);

  if (fd < 0) {
    fail(call, error);
    return;
  }
  complete_with_fd(call, fd, FALSE);
}

static void
run_open_graphics(DomainCall *call)
{
  vb_driver_open_graphics_async(DRIVER(call), call->domain->obj, NULL, on_graphics, call);
}

static gboolean
handle_open_graphics(VbDBusDomain *iface,
                     GDBusMethodInvocation *invocation,
                     GUnixFDList *fds,
                     GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_open_graphics);
}

static void
on_screenshot(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DomainCall) call = user_data;
  g_autoptr(GBytes) png = NULL;
  GError *error = NULL;

  png = vb_driver_screenshot_finish(VB_DRIVER(source), result, &error);
  if (png == NULL) {
    fail(call, error);
    return;
  }
  vb_dbus_domain_complete_screenshot(
      VB_DBUS_DOMAIN(call->domain), g_steal_pointer(&call->invocation),
      g_variant_new_from_bytes(G_VARIANT_TYPE_BYTESTRING, png, TRUE));
}

static void
run_screenshot(DomainCall *call)
{
  vb_driver_screenshot_async(DRIVER(call), call->domain->obj, NULL, on_screenshot, call);
}

static gboolean
handle_screenshot(VbDBusDomain *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  return begin(VB_DOMAIN(iface), invocation, options, no_options, run_screenshot);
}

static void
vb_domain_iface_init(VbDBusDomainIface *iface)
{
  iface->handle_open_console = handle_open_console;
  iface->handle_open_graphics = handle_open_graphics;
  iface->handle_screenshot = handle_screenshot;
  iface->handle_start = handle_start;
  iface->handle_shutdown = handle_shutdown;
  iface->handle_reboot = handle_reboot;
  iface->handle_reset = handle_reset;
  iface->handle_destroy = handle_destroy;
  iface->handle_suspend = handle_suspend;
  iface->handle_resume = handle_resume;
  iface->handle_undefine = handle_undefine;
  iface->handle_set_autostart = handle_set_autostart;
  iface->handle_get_xmldesc = handle_get_xml;
  iface->handle_get_stats = handle_get_stats;
}
