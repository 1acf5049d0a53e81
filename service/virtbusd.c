/* virtbusd: the virtbus D-Bus service.
 *
 *   virtbusd --system                   the system instance, on the system bus, polkit
 *   virtbusd --session                  the user's instance, on the session bus
 *   virtbusd --embed-root DIR           an embedded root, on the session bus or --address ADDR
 *   --polkit                            authorise with polkit (the system instance always does)
 *   --verbose                           debug messages too
 *
 * Logs go to stderr with the journal's priority prefixes (<3> error … <7> debug). SIGTERM and
 * SIGINT end the service cleanly; running domains run on and the next virtbusd takes them over.
 * The exit status is non-zero when the instance cannot be opened or the name cannot be owned.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <stdio.h>
#include <unistd.h>

#include "vb-daemon.h"
#include "vb-error.h"

typedef struct {
  GMainLoop *loop;
  int status;
  gboolean verbose;
  VbDriver *driver;
  VbDaemon *daemon;
  GDBusConnection *connection;
  VbAuthorityMode mode;
  char *uri;
  guint owner_id;
} Service;

static GLogWriterOutput
write_log(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  Service *service = user_data;
  const char *message = NULL;
  int priority = 6;

  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    priority = 3;
  else if (level & G_LOG_LEVEL_WARNING)
    priority = 4;
  else if (level & G_LOG_LEVEL_MESSAGE)
    priority = 5;
  else if (level & G_LOG_LEVEL_DEBUG)
    priority = 7;
  if (priority == 7 && !service->verbose)
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++) {
    if (g_str_equal(fields[i].key, "MESSAGE"))
      message = fields[i].value;
  }
  fprintf(stderr, "<%d>%s\n", priority, message != NULL ? message : "");
  fflush(stderr);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
on_signal(gpointer user_data)
{
  Service *service = user_data;

  g_message("stopping; running domains run on");
  g_main_loop_quit(service->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_name_acquired(GDBusConnection *connection, const char *name, gpointer user_data)
{
  g_message("serving %s as %s", ((Service *)user_data)->uri, name);
}

static void
on_name_lost(GDBusConnection *connection, const char *name, gpointer user_data)
{
  Service *service = user_data;

  g_printerr("<3>cannot own %s on the bus (another virtbusd?)\n", name);
  service->status = 1;
  g_main_loop_quit(service->loop);
}

static void
on_driver_open(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Service *service = user_data;
  g_autoptr(GError) error = NULL;

  service->driver = vb_driver_open_finish(result, &error);
  if (service->driver == NULL) {
    g_printerr("<3>cannot open the instance: %s\n", error->message);
    service->status = 1;
    g_main_loop_quit(service->loop);
    return;
  }
  service->daemon =
      vb_daemon_new(service->driver, service->connection, service->mode, service->uri);
  service->owner_id = g_bus_own_name_on_connection(service->connection, VB_BUS_NAME,
                                                   G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                   on_name_acquired, on_name_lost, service, NULL);
}

int
main(int argc, char **argv)
{
  gboolean system = FALSE, session = FALSE, polkit = FALSE;
  g_autofree char *embed_root = NULL;
  g_autofree char *address = NULL;
  Service service = {.status = 0};
  g_autoptr(GOptionContext) context = g_option_context_new("- the virtbus D-Bus service");
  const GOptionEntry entries[] = {
      {"system", 0, 0, G_OPTION_ARG_NONE, &system, "Serve the system instance (root)", NULL},
      {"session", 0, 0, G_OPTION_ARG_NONE, &session, "Serve the user's session instance", NULL},
      {"embed-root", 0, 0, G_OPTION_ARG_FILENAME, &embed_root, "Serve an embedded root", "DIR"},
      {"address", 0, 0, G_OPTION_ARG_STRING, &address, "The bus to serve on", "ADDR"},
      {"polkit", 0, 0, G_OPTION_ARG_NONE, &polkit,
       "Authorise every call with polkit (as --system does), e.g. for an embedded root served on "
       "the system bus",
       NULL},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &service.verbose, "Log debug messages", NULL},
      {NULL},
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = NULL;
  g_autoptr(VbQemuConf) conf = NULL;

  g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    g_printerr("virtbusd: %s\n", error->message);
    return 2;
  }
  if (system + session + (embed_root != NULL) != 1) {
    g_printerr("virtbusd: give one of --system, --session, --embed-root DIR\n");
    return 2;
  }
  g_log_set_writer_func(write_log, &service, NULL);
  if (system) {
    paths = vb_paths_new_system();
    service.mode = VB_AUTHORITY_POLKIT;
    service.uri = g_strdup("qemu:///system");
  } else if (session) {
    paths = vb_paths_new_session(&error);
    service.mode = VB_AUTHORITY_SAME_UID;
    service.uri = g_strdup("qemu:///session");
  } else {
    paths = vb_paths_new_embed(embed_root, &error);
    service.mode = VB_AUTHORITY_SAME_UID;
    service.uri =
        paths != NULL ? g_strdup_printf("qemu:///embed?root=%s", vb_paths_get_root(paths)) : NULL;
  }
  if (paths == NULL) {
    g_printerr("<3>%s\n", error->message);
    return 1;
  }
  if (polkit)
    service.mode = VB_AUTHORITY_POLKIT;
  conf = vb_qemu_conf_load_for(paths, &error);
  if (conf == NULL) {
    g_printerr("<3>%s\n", error->message);
    return 1;
  }
  if (address != NULL)
    service.connection =
        g_dbus_connection_new_for_address_sync(address,
                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                               NULL, NULL, &error);
  else
    service.connection =
        g_bus_get_sync(system ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION, NULL, &error);
  if (service.connection == NULL) {
    g_printerr("<3>cannot connect to the bus: %s\n", error->message);
    g_free(service.uri);
    return 1;
  }
  g_dbus_connection_set_exit_on_close(service.connection, FALSE);
  service.loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGTERM, on_signal, &service);
  g_unix_signal_add(SIGINT, on_signal, &service);
  vb_driver_open_async(paths, conf, NULL, on_driver_open, &service);
  g_main_loop_run(service.loop);

  if (service.owner_id != 0)
    g_bus_unown_name(service.owner_id);
  g_clear_object(&service.daemon);
  g_clear_object(&service.driver);
  g_dbus_connection_flush_sync(service.connection, NULL, NULL);
  g_clear_object(&service.connection);
  g_main_loop_unref(service.loop);
  g_free(service.uri);
  return service.status;
}
