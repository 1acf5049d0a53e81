/* vb-verbs-connect.c: the verbs about the instance rather than one domain: list, define,
 * create, capabilities, the native conversions, version, uri.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "vb-error.h"
#include "vb-verbs.h"

/* The contents of FILE ("-": standard input). */
static char *
read_input(const char *file, GError **error)
{
  char *text = NULL;

  if (g_str_equal(file, "-")) {
    g_autoptr(GInputStream) in = g_unix_input_stream_new(0, FALSE);
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();

    if (g_output_stream_splice(out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0 ||
        !g_output_stream_write_all(out, "", 1, NULL, NULL, error))
      return NULL;
    return g_memory_output_stream_steal_data(G_MEMORY_OUTPUT_STREAM(out));
  }
  if (!g_file_get_contents(file, &text, NULL, error))
    return NULL;
  return text;
}

void
vb_print_json(JsonBuilder *builder, gboolean pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new();
  g_autoptr(JsonNode) root = json_builder_get_root(builder);
  g_autofree char *text = NULL;

  json_generator_set_root(generator, root);
  json_generator_set_pretty(generator, pretty);
  text = json_generator_to_data(generator, NULL);
  g_print("%s\n", text);
}

void
vb_json_add_domain(JsonBuilder *json, VbDBusDomain *domain)
{
  json_builder_set_member_name(json, "id");
  if (vb_dbus_domain_get_id(domain) < 0)
    json_builder_add_null_value(json);
  else
    json_builder_add_int_value(json, vb_dbus_domain_get_id(domain));
  json_builder_set_member_name(json, "name");
  json_builder_add_string_value(json, vb_dbus_domain_get_name(domain));
  json_builder_set_member_name(json, "uuid");
  json_builder_add_string_value(json, vb_dbus_domain_get_uuid(domain));
  json_builder_set_member_name(json, "state");
  json_builder_add_string_value(json, vb_dbus_domain_get_state(domain));
}

void
vb_print_json_strings(gboolean pretty, const char *key, ...)
{
  g_autoptr(JsonBuilder) json = json_builder_new();
  va_list args;

  json_builder_begin_object(json);
  va_start(args, key);
  for (; key != NULL; key = va_arg(args, const char *)) {
    json_builder_set_member_name(json, key);
    json_builder_add_string_value(json, va_arg(args, const char *));
  }
  va_end(args);
  json_builder_end_object(json);
  vb_print_json(json, pretty);
}

gboolean
vb_verb_list(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  gboolean all = FALSE, inactive = FALSE, names = FALSE, uuids = FALSE;
  const GOptionEntry entries[] = {
      {"all", 0, 0, G_OPTION_ARG_NONE, &all, "running and shut off domains", NULL},
      {"inactive", 0, 0, G_OPTION_ARG_NONE, &inactive, "shut off domains only", NULL},
      {"name", 0, 0, G_OPTION_ARG_NONE, &names, "names only, one a line", NULL},
      {"uuid", 0, 0, G_OPTION_ARG_NONE, &uuids, "UUIDs only, one a line", NULL},
      G_OPTION_ENTRY_NULL};
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func(g_object_unref);
  g_autoptr(JsonBuilder) json = json_builder_new();
  GVariantBuilder options;
  const char *path;

  if (!vb_verb_parse(&argc, &argv, entries, 0, error))
    return FALSE;
  g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&options, "{sv}", "state",
                        g_variant_new_string(inactive ? "inactive"
                                             : all    ? "all"
                                                      : "active"));
  reply = vb_client_call(ctx->client, ctx->client->connect, "ListDomains",
                         g_variant_new("(a{sv})", &options), NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get(reply, "(ao)", &iter);
  while (g_variant_iter_next(iter, "&o", &path)) {
    VbDBusDomain *domain = vb_client_domain(ctx->client, path, error);

    if (domain == NULL)
      return FALSE;
    g_ptr_array_add(domains, domain);
  }
  if (ctx->json) {
    json_builder_begin_array(json);
    for (guint i = 0; i < domains->len; i++) {
      VbDBusDomain *domain = domains->pdata[i];

      json_builder_begin_object(json);
      vb_json_add_domain(json, domain);
      json_builder_end_object(json);
    }
    json_builder_end_array(json);
    vb_print_json(json, TRUE);
    return TRUE;
  }
  if (names || uuids) {
    for (guint i = 0; i < domains->len; i++)
      g_print("%s\n", names ? vb_dbus_domain_get_name(domains->pdata[i])
                            : vb_dbus_domain_get_uuid(domains->pdata[i]));
    return TRUE;
  }
  {
    guint width = 4;

    for (guint i = 0; i < domains->len; i++)
      width = MAX(width, (guint)strlen(vb_dbus_domain_get_name(domains->pdata[i])));
    g_autofree char *rule = g_strnfill(width + 19, '-');

    g_print(" %-4s %-*s   %s\n", "Id", width, "Name", "State");
    g_print("%s\n", rule);
    for (guint i = 0; i < domains->len; i++) {
      VbDBusDomain *domain = domains->pdata[i];
      g_autofree char *id = vb_dbus_domain_get_id(domain) < 0
                                ? g_strdup("-")
                                : g_strdup_printf("%d", vb_dbus_domain_get_id(domain));
      const char *state = vb_dbus_domain_get_state(domain);

      g_print(" %-4s %-*s   %s\n", id, width, vb_dbus_domain_get_name(domain),
              g_str_equal(state, "shutoff") ? "shut off" : state);
    }
    g_print("\n");
  }
  return TRUE;
}

static gboolean
define_or_create(
    VbVerbContext *ctx, const char *method, const char *file, GVariant *options, GError **error)
{
  g_autofree char *xml = read_input(file, error);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(VbDBusDomain) domain = NULL;
  const char *path = NULL;

  if (xml == NULL)
    return FALSE;
  reply = vb_client_call(ctx->client, ctx->client->connect, method,
                         g_variant_new("(s@a{sv})", xml, options), NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get(reply, "(&o)", &path);
  if ((domain = vb_client_domain(ctx->client, path, error)) == NULL)
    return FALSE;
  g_print("Domain '%s' %s from %s\n\n", vb_dbus_domain_get_name(domain),
          g_str_equal(method, "DefineXML") ? "defined" : "created", file);
  return TRUE;
}

gboolean
vb_verb_define(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  if (!vb_verb_parse(&argc, &argv, NULL, 1, error))
    return FALSE;
  return define_or_create(ctx, "DefineXML", argv[1], g_variant_new("a{sv}", NULL), error);
}

gboolean
vb_verb_create(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  gboolean paused = FALSE, autodestroy = FALSE;
  const GOptionEntry entries[] = {
      {"paused", 0, 0, G_OPTION_ARG_NONE, &paused, "leave the CPUs stopped", NULL},
      {"autodestroy", 0, 0, G_OPTION_ARG_NONE, &autodestroy,
       "destroy the domain when this command exits", NULL},
      G_OPTION_ENTRY_NULL};
  GVariantBuilder options;

  if (!vb_verb_parse(&argc, &argv, entries, 1, error))
    return FALSE;
  g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
  if (paused)
    g_variant_builder_add(&options, "{sv}", "paused", g_variant_new_boolean(TRUE));
  if (autodestroy)
    g_variant_builder_add(&options, "{sv}", "autodestroy", g_variant_new_boolean(TRUE));
  return define_or_create(ctx, "CreateXML", argv[1], g_variant_builder_end(&options), error);
}

gboolean
vb_print_string_reply(
    VbVerbContext *ctx, gpointer proxy, const char *method, GVariant *parameters, GError **error)
{
  g_autoptr(GVariant) reply = vb_client_call(ctx->client, proxy, method, parameters, NULL, error);
  const char *text = NULL;

  if (reply == NULL)
    return FALSE;
  g_variant_get(reply, "(&s)", &text);
  g_print("%s%s", text, g_str_has_suffix(text, "\n") ? "" : "\n");
  return TRUE;
}

gboolean
vb_verb_capabilities(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  if (!vb_verb_parse(&argc, &argv, NULL, 0, error))
    return FALSE;
  return vb_print_string_reply(ctx, ctx->client->connect, "GetCapabilities",
                               g_variant_new("(a{sv})", NULL), error);
}

static gboolean
convert(VbVerbContext *ctx, const char *method, int argc, char **argv, GError **error)
{
  g_autofree char *input = NULL;

  if (!vb_verb_parse(&argc, &argv, NULL, 2, error))
    return FALSE;
  if ((input = read_input(argv[2], error)) == NULL)
    return FALSE;
  return vb_print_string_reply(ctx, ctx->client->connect, method,
                               g_variant_new("(ssa{sv})", argv[1], input, NULL), error);
}

gboolean
vb_verb_to_native(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  return convert(ctx, "DomainXMLToNative", argc, argv, error);
}

gboolean
vb_verb_from_native(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  return convert(ctx, "DomainXMLFromNative", argc, argv, error);
}

gboolean
vb_verb_version(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  VbDBusConnect *connect = ctx->client->connect;

  if (!vb_verb_parse(&argc, &argv, NULL, 0, error))
    return FALSE;
  if (ctx->json) {
    g_autoptr(JsonBuilder) json = json_builder_new();

    json_builder_begin_object(json);
    json_builder_set_member_name(json, "client");
    json_builder_add_string_value(json, PACKAGE_VERSION);
    json_builder_set_member_name(json, "daemon");
    json_builder_add_string_value(json, vb_dbus_connect_get_daemon_version(connect));
    json_builder_set_member_name(json, "hypervisor");
    json_builder_add_string_value(json, vb_dbus_connect_get_hypervisor_version(connect));
    json_builder_end_object(json);
    vb_print_json(json, TRUE);
    return TRUE;
  }
  g_print("Compiled against library: virtbus %s\n", PACKAGE_VERSION);
  g_print("Using API: QEMU %u\n", vb_dbus_connect_get_version(connect));
  g_print("Running against daemon: %s\n", vb_dbus_connect_get_daemon_version(connect));
  if (vb_dbus_connect_get_hypervisor_version(connect)[0] != '\0')
    g_print("Running hypervisor: QEMU %s\n", vb_dbus_connect_get_hypervisor_version(connect));
  return TRUE;
}

gboolean
vb_verb_uri(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  if (!vb_verb_parse(&argc, &argv, NULL, 0, error))
    return FALSE;
  if (ctx->json)
    vb_print_json_strings(TRUE, "uri", vb_dbus_connect_get_uri(ctx->client->connect), NULL);
  else
    g_print("%s\n", vb_dbus_connect_get_uri(ctx->client->connect));
  return TRUE;
}
