/* vb-client.c: opening an instance (vb-client.h). The embedded instance runs on a thread of
 * its own, with its own main context: the verbs make synchronous calls, and the service they
 * call must keep running meanwhile.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gunixfdlist.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-client.h"
#include "vb-daemon.h"
#include "vb-error.h"
#include "vb-instance.h"
#include "vb-paths.h"
#include "vb-qemu-conf.h"

/* The driver core opened in this process, and the bus layer over it on one end of a socket
 * pair; the client holds the other end. */
typedef struct {
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  VbInstanceUri *uri;
  GSocketConnection *stream; /* the service's end */
  VbDriver *driver;
  VbDaemon *daemon;
  GDBusConnection *connection;
  /* ready: the objects are exported, or @error says why not */
  GMutex lock;
  GCond cond;
  gboolean ready;
  GError *error;
} Embedded;

static void
embedded_ready(Embedded *embedded, GError *error)
{
  g_mutex_lock(&embedded->lock);
  embedded->ready = TRUE;
  embedded->error = error;
  g_cond_signal(&embedded->cond);
  g_mutex_unlock(&embedded->lock);
}

static void
on_service_connection(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Embedded *embedded = user_data;
  GError *error = NULL;
  g_autofree char *uri = vb_instance_uri_to_string(embedded->uri);

  embedded->connection = g_dbus_connection_new_finish(result, &error);
  if (embedded->connection == NULL) {
    embedded_ready(embedded, error);
    return;
  }
  embedded->daemon =
      vb_daemon_new(embedded->driver, embedded->connection, VB_AUTHORITY_IN_PROCESS, uri);
  embedded_ready(embedded, NULL);
}

static void
on_driver_open(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Embedded *embedded = user_data;
  g_autofree char *guid = g_dbus_generate_guid();
  GError *error = NULL;

  embedded->driver = vb_driver_open_finish(result, &error);
  if (embedded->driver == NULL) {
    embedded_ready(embedded, error);
    return;
  }
  g_dbus_connection_new(G_IO_STREAM(embedded->stream), guid,
                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER |
                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_ALLOW_ANONYMOUS,
                        NULL, NULL, on_service_connection, embedded);
}

static gpointer
embedded_thread(gpointer data)
{
  Embedded *embedded = data;
  g_autoptr(VbPaths) paths = NULL;
  g_autoptr(VbQemuConf) conf = NULL;
  GError *error = NULL;

  g_main_context_push_thread_default(embedded->context);
  paths = vb_paths_new_for_uri(embedded->uri, &error);
  if (paths != NULL)
    conf = vb_qemu_conf_load_for(paths, &error);
  if (conf == NULL) {
    embedded_ready(embedded, error);
  } else {
    vb_driver_open_async(paths, conf, NULL, on_driver_open, embedded);
    g_main_loop_run(embedded->loop);
  }
  /* running domains are left running: the next command finds them again */
  g_clear_object(&embedded->daemon);
  if (embedded->connection != NULL)
    g_dbus_connection_close_sync(embedded->connection, NULL, NULL);
  g_clear_object(&embedded->connection);
  g_clear_object(&embedded->driver);
  while (g_main_context_iteration(embedded->context, FALSE))
    ;
  g_main_context_pop_thread_default(embedded->context);
  return NULL;
}

static void
on_flushed(GObject *source, GAsyncResult *result, gpointer data)
{
  Embedded *embedded = data;

  vb_driver_flush_finish(VB_DRIVER(source), result, NULL);
  g_main_loop_quit(embedded->loop);
}

/* The command is done: what the driver decided goes to disk first, for the next command. */
static gboolean
quit_loop(gpointer data)
{
  Embedded *embedded = data;

  if (embedded->driver != NULL)
    vb_driver_flush_async(embedded->driver, on_flushed, embedded);
  else
    g_main_loop_quit(embedded->loop);
  return G_SOURCE_REMOVE;
}

static void
embedded_free(Embedded *embedded)
{
  if (embedded->thread != NULL) {
    g_main_context_invoke(embedded->context, quit_loop, embedded);
    g_thread_join(embedded->thread);
  }
  g_clear_object(&embedded->stream);
  g_main_loop_unref(embedded->loop);
  g_main_context_unref(embedded->context);
  vb_instance_uri_free(embedded->uri);
  g_clear_error(&embedded->error);
  g_mutex_clear(&embedded->lock);
  g_cond_clear(&embedded->cond);
  g_free(embedded);
}

static GSocketConnection *
socket_end(int fd, GError **error)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd(fd, error);

  if (socket == NULL) {
    close(fd);
    return NULL;
  }
  return g_socket_connection_factory_create_connection(socket);
}

static GDBusConnection *
open_embedded(VbClient *self, VbInstanceUri *uri, GError **error)
{
  Embedded *embedded = g_new0(Embedded, 1);
  g_autoptr(GSocketConnection) mine = NULL;
  GDBusConnection *connection;
  int fds[2];

  embedded->uri = uri;
  embedded->context = g_main_context_new();
  embedded->loop = g_main_loop_new(embedded->context, FALSE);
  g_mutex_init(&embedded->lock);
  g_cond_init(&embedded->cond);
  self->embedded = embedded;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "socketpair: %s", g_strerror(errno));
    return NULL;
  }
  embedded->stream = socket_end(fds[0], error);
  mine = socket_end(fds[1], error);
  if (embedded->stream == NULL || mine == NULL)
    return NULL;
  embedded->thread = g_thread_new("vb-embedded", embedded_thread, embedded);
  /* the handshake needs the service's end to answer: it does, from its thread */
  connection = g_dbus_connection_new_sync(
      G_IO_STREAM(mine), NULL, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, error);
  g_mutex_lock(&embedded->lock);
  while (!embedded->ready)
    g_cond_wait(&embedded->cond, &embedded->lock);
  g_mutex_unlock(&embedded->lock);
  if (embedded->error != NULL) {
    g_clear_error(error);
    g_propagate_error(error, g_steal_pointer(&embedded->error));
    g_clear_object(&connection);
  }
  return connection;
}

static char *
default_uri(void)
{
  const char *env = g_getenv("VIRTBUS_DEFAULT_URI");

  if (env != NULL && env[0] != '\0')
    return g_strdup(env);
  return g_strdup(getuid() == 0 ? "qemu:///system" : "qemu:///session");
}

VbClient *
vb_client_open(const char *uri, gboolean interactive, GError **error)
{
  g_autoptr(VbClient) self = g_new0(VbClient, 1);
  g_autofree char *given = uri != NULL ? g_strdup(uri) : default_uri();
  VbInstanceUri *parsed = vb_instance_uri_parse(given, error);

  if (parsed == NULL)
    return NULL;
  self->uri = vb_instance_uri_to_string(parsed);
  self->interactive = interactive;
  if (parsed->kind == VB_INSTANCE_EMBED) {
    self->connection = open_embedded(self, parsed, error);
  } else {
    GBusType bus = parsed->kind == VB_INSTANCE_SYSTEM ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION;

    vb_instance_uri_free(parsed);
    self->name = VB_BUS_NAME;
    self->connection = g_bus_get_sync(bus, NULL, error);
    if (self->connection == NULL)
      g_prefix_error(error,
                     "cannot reach the %s bus: ", bus == G_BUS_TYPE_SYSTEM ? "system" : "session");
  }
  if (self->connection == NULL)
    return NULL;
  self->connect = vb_dbus_connect_proxy_new_sync(self->connection, G_DBUS_PROXY_FLAGS_NONE,
                                                 self->name, VB_BUS_ROOT_PATH, NULL, error);
  if (self->connect == NULL)
    return NULL;
  return g_steal_pointer(&self);
}

void
vb_client_free(VbClient *self)
{
  if (self == NULL)
    return;
  g_clear_object(&self->connect);
  if (self->connection != NULL && self->embedded != NULL)
    g_dbus_connection_close_sync(self->connection, NULL, NULL);
  g_clear_object(&self->connection);
  if (self->embedded != NULL)
    embedded_free(self->embedded);
  g_free(self->uri);
  g_free(self);
}

typedef struct {
  GVariant *reply;
  GUnixFDList *fds;
  GError *error;
  gboolean done;
  gboolean shown; /* the progress line is on the terminal */
  VbClient *client;
  const char *method;
} Pending;

static void
on_call_done(GObject *source, GAsyncResult *result, gpointer data)
{
  Pending *pending = data;

  pending->reply = g_dbus_proxy_call_with_unix_fd_list_finish(G_DBUS_PROXY(source), &pending->fds,
                                                              result, &pending->error);
  pending->done = TRUE;
}

/* A call that takes a while says so on a terminal: the first one that needs the emulators'
 * capabilities waits for their probe. */
static gboolean
on_slow_call(gpointer data)
{
  Pending *pending = data;
  const char *version = vb_dbus_connect_get_hypervisor_version(pending->client->connect);

  if (version == NULL || version[0] == '\0')
    g_printerr("virtbus: probing QEMU's capabilities (the first time only)…");
  else
    g_printerr("virtbus: waiting for %s…", pending->method);
  pending->shown = TRUE;
  return G_SOURCE_REMOVE;
}

GVariant *
vb_client_call(VbClient *self,
               gpointer proxy,
               const char *method,
               GVariant *parameters,
               GUnixFDList **out_fds,
               GError **error)
{
  Pending pending = {NULL, NULL, NULL, FALSE, FALSE, self, method};
  guint slow = 0;

  g_dbus_proxy_call_with_unix_fd_list(
      G_DBUS_PROXY(proxy), method, parameters,
      self->interactive ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
                        : G_DBUS_CALL_FLAGS_NONE,
      /* a start waits for QEMU, a probe for the emulator: no short D-Bus timeout */
      G_MAXINT, NULL, NULL, on_call_done, &pending);
  if (isatty(STDERR_FILENO))
    slow = g_timeout_add(700, on_slow_call, &pending);
  while (!pending.done)
    g_main_context_iteration(NULL, TRUE);
  if (slow != 0 && !pending.shown)
    g_source_remove(slow);
  if (pending.shown)
    g_printerr("\r\033[K");
  if (out_fds != NULL)
    *out_fds = g_steal_pointer(&pending.fds);
  g_clear_object(&pending.fds);
  if (pending.reply == NULL) {
    g_propagate_error(error, vb_client_error(pending.error));
    g_error_free(pending.error);
  }
  return pending.reply;
}

static gboolean
is_uuid(const char *text)
{
  return g_uuid_string_is_valid(text) ||
         (strlen(text) == 32 && strspn(text, "0123456789abcdefABCDEF") == 32);
}

char *
vb_client_lookup(VbClient *self, const char *dom, GError **error)
{
  g_autoptr(GVariant) options = g_variant_ref_sink(g_variant_new("a{sv}", NULL));
  g_autoptr(GError) local = NULL;
  char *path = NULL;
  char *end = NULL;
  gint64 id = g_ascii_strtoll(dom, &end, 10);

  /* as virsh: an id first, then a UUID, then a name */
  if (dom[0] != '\0' && *end == '\0' && id > 0 && id <= G_MAXINT32 &&
      vb_dbus_connect_call_lookup_by_id_sync(self->connect, (gint)id, options, &path, NULL, &local))
    return path;
  g_clear_error(&local);
  if (is_uuid(dom) &&
      vb_dbus_connect_call_lookup_by_uuid_sync(self->connect, dom, options, &path, NULL, &local))
    return path;
  g_clear_error(&local);
  if (vb_dbus_connect_call_lookup_by_name_sync(self->connect, dom, options, &path, NULL, &local))
    return path;
  g_propagate_error(error, vb_client_error(local));
  return NULL;
}

VbDBusDomain *
vb_client_domain(VbClient *self, const char *path, GError **error)
{
  return vb_dbus_domain_proxy_new_sync(self->connection, G_DBUS_PROXY_FLAGS_NONE, self->name, path,
                                       NULL, error);
}

VbDBusMonitor *
vb_client_monitor(VbClient *self, const char *path, GError **error)
{
  return vb_dbus_monitor_proxy_new_sync(self->connection, G_DBUS_PROXY_FLAGS_NONE, self->name, path,
                                        NULL, error);
}

GError *
vb_client_error(GError *error)
{
  if (error == NULL)
    return NULL;
  return g_dbus_error_is_remote_error(error) ? vb_error_from_dbus(error) : g_error_copy(error);
}
