/* vb-verbs-events.c: the verbs that wait for what happens: `event` (Connect.DomainEvent, the
 * lifecycle) and `qemu-monitor-event` (Monitor.Event, QEMU's own events, after Watch).
 * Without --loop each leaves after the first event; --timeout N leaves after N seconds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "vb-error.h"
#include "vb-verbs.h"

typedef struct {
  VbClient *client;
  gboolean json;
  gboolean loop;
  guint seen;
  gboolean expired;
} Listen;

static gboolean
on_expired(gpointer data)
{
  ((Listen *)data)->expired = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
parse_listen(
    int *argc, char ***argv, guint positional, Listen *listen, guint *timeout, GError **error)
{
  int seconds = 0;
  const GOptionEntry entries[] = {
      {"loop", 0, 0, G_OPTION_ARG_NONE, &listen->loop, "keep waiting after the first", NULL},
      {"timeout", 0, 0, G_OPTION_ARG_INT, &seconds, "leave after N seconds", "N"},
      G_OPTION_ENTRY_NULL};

  if (!vb_verb_parse(argc, argv, entries, positional, error))
    return FALSE;
  if (!vb_verb_check_timeout(seconds, error))
    return FALSE;
  *timeout = (guint)seconds;
  return TRUE;
}

/* Runs until the first event (or for ever with --loop), or until the timeout. */
static void
listen_run(Listen *listen, guint timeout)
{
  guint source = timeout > 0 ? g_timeout_add_seconds(timeout, on_expired, listen) : 0;

  while (!listen->expired && (listen->loop || listen->seen == 0))
    g_main_context_iteration(NULL, TRUE);
  if (source != 0 && !listen->expired)
    g_source_remove(source);
}

static void
on_domain_event(GDBusConnection *connection,
                const char *sender,
                const char *path,
                const char *iface,
                const char *signal,
                GVariant *parameters,
                gpointer data)
{
  Listen *listen = data;
  const char *domain_path = NULL, *event = NULL, *detail = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDBusDomain) domain = NULL;
  const char *name;

  if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(oss)")))
    return;
  g_variant_get(parameters, "(&o&s&s)", &domain_path, &event, &detail);
  domain = vb_client_domain(listen->client, domain_path, &error);
  name = domain != NULL && vb_dbus_domain_get_name(domain) != NULL ? vb_dbus_domain_get_name(domain)
                                                                   : domain_path;
  if (listen->json)
    vb_print_json_strings(FALSE, "domain", name, "event", event, "detail", detail, NULL);
  else
    g_print("event 'lifecycle' for domain '%s': %s %s\n", name, event, detail);
  listen->seen++;
}

gboolean
vb_verb_event(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  Listen listen = {ctx->client, ctx->json, FALSE, 0, FALSE};
  guint timeout = 0, subscription;

  if (!parse_listen(&argc, &argv, 0, &listen, &timeout, error))
    return FALSE;
  subscription = g_dbus_connection_signal_subscribe(
      ctx->client->connection, ctx->client->name, "org.virtbus.Virtbus1.Connect", "DomainEvent",
      "/org/virtbus/Virtbus1", NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_domain_event, &listen, NULL);
  listen_run(&listen, timeout);
  g_dbus_connection_signal_unsubscribe(ctx->client->connection, subscription);
  /* JSON: one object a line, nothing else */
  if (!ctx->json)
    g_print("events received: %u\n", listen.seen);
  return TRUE;
}

static void
on_monitor_event(GDBusConnection *connection,
                 const char *sender,
                 const char *path,
                 const char *iface,
                 const char *signal,
                 GVariant *parameters,
                 gpointer data)
{
  Listen *listen = data;
  const char *name = NULL, *json = NULL;
  gint64 timestamp = 0;

  if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssx)")))
    return;
  g_variant_get(parameters, "(&s&sx)", &name, &json, &timestamp);
  if (listen->json) {
    g_autoptr(JsonBuilder) builder = json_builder_new();
    /* QEMU's data as it sent it: JSON already, checked by the daemon */
    g_autoptr(JsonNode) payload = json[0] != '\0' ? json_from_string(json, NULL) : NULL;

    json_builder_begin_object(builder);
    json_builder_set_member_name(builder, "event");
    json_builder_add_string_value(builder, name);
    json_builder_set_member_name(builder, "timestamp_usec");
    json_builder_add_int_value(builder, timestamp);
    json_builder_set_member_name(builder, "data");
    if (payload != NULL)
      json_builder_add_value(builder, g_steal_pointer(&payload));
    else
      json_builder_add_null_value(builder);
    json_builder_end_object(builder);
    vb_print_json(builder, FALSE);
  } else
    g_print("event %s at %" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT " for domain: %s\n", name,
            timestamp / G_USEC_PER_SEC, timestamp % G_USEC_PER_SEC, json);
  listen->seen++;
}

gboolean
vb_verb_monitor_event(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  Listen listen = {ctx->client, ctx->json, FALSE, 0, FALSE};
  g_autofree char *path = NULL;
  g_autoptr(VbDBusMonitor) monitor = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint timeout = 0, subscription;

  if (!parse_listen(&argc, &argv, 1, &listen, &timeout, error) ||
      (path = vb_client_lookup(ctx->client, argv[1], error)) == NULL ||
      (monitor = vb_client_monitor(ctx->client, path, error)) == NULL)
    return FALSE;
  /* subscribed before Watch: nothing sent after it is missed */
  subscription = g_dbus_connection_signal_subscribe(
      ctx->client->connection, ctx->client->name, "org.virtbus.Virtbus1.Monitor", "Event", path,
      NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_monitor_event, &listen, NULL);
  reply =
      vb_client_call(ctx->client, monitor, "Watch", g_variant_new("(a{sv})", NULL), NULL, error);
  if (reply != NULL)
    listen_run(&listen, timeout);
  g_dbus_connection_signal_unsubscribe(ctx->client->connection, subscription);
  if (reply == NULL)
    return FALSE;
  /* JSON: one object a line, nothing else */
  if (!ctx->json)
    g_print("events received: %u\n", listen.seen);
  return TRUE;
}
