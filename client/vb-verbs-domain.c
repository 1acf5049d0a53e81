/* vb-verbs-domain.c: the verbs on one domain (DOM: a name, a UUID or an id): the lifecycle,
 * what it is and how it runs, its XML, its screen and its monitor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-verbs.h"

static VbDBusDomain *
find_domain(VbVerbContext *ctx, const char *dom, GError **error)
{
  g_autofree char *path = vb_client_lookup(ctx->client, dom, error);

  return path != NULL ? vb_client_domain(ctx->client, path, error) : NULL;
}

static gboolean
call_domain(
    VbVerbContext *ctx, VbDBusDomain *domain, const char *method, GVariant *options, GError **error)
{
  g_autoptr(GVariant) reply =
      vb_client_call(ctx->client, domain, method, g_variant_new_tuple(&options, 1), NULL, error);

  return reply != NULL;
}

static GVariant *
flag_options(const char *name, gboolean value)
{
  GVariantBuilder options;

  g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
  if (value)
    g_variant_builder_add(&options, "{sv}", name, g_variant_new_boolean(TRUE));
  return g_variant_builder_end(&options);
}

static void
on_properties_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, gpointer data)
{
  g_main_context_wakeup(NULL);
}

static gboolean
on_deadline(gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits until @domain's State is @state (PropertiesChanged); @timeout_s 0: for ever. */
static gboolean
wait_state(VbDBusDomain *domain, const char *state, guint timeout_s, GError **error)
{
  gboolean expired = FALSE;
  gulong handler =
      g_signal_connect(domain, "g-properties-changed", G_CALLBACK(on_properties_changed), NULL);
  gboolean progress = isatty(STDERR_FILENO);
  gboolean ok = TRUE;
  guint source = 0;

  if (timeout_s > 0)
    source = g_timeout_add_seconds(timeout_s, on_deadline, &expired);
  while (!g_str_equal(vb_dbus_domain_get_state(domain), state)) {
    if (expired) {
      source = 0;
      g_set_error(
          error, VB_ERROR, VB_ERROR_TIMEOUT, "domain '%s' is still %s after %u s (waiting for %s)",
          vb_dbus_domain_get_name(domain), vb_dbus_domain_get_state(domain), timeout_s, state);
      ok = FALSE;
      break;
    }
    if (progress)
      g_printerr("\rWaiting for domain '%s' to be %s (now %s)… ", vb_dbus_domain_get_name(domain),
                 state, vb_dbus_domain_get_state(domain));
    g_main_context_iteration(NULL, TRUE);
  }
  if (progress)
    g_printerr("\r\033[K");
  if (source != 0)
    g_source_remove(source);
  g_signal_handler_disconnect(domain, handler);
  return ok;
}

gboolean
vb_verb_start(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  gboolean paused = FALSE, console = FALSE;
  g_autofree char *until = NULL;
  int timeout = 0;
  const GOptionEntry entries[] = {
      {"paused", 0, 0, G_OPTION_ARG_NONE, &paused, "leave the CPUs stopped", NULL},
      {"console", 0, 0, G_OPTION_ARG_NONE, &console, "attach to the console once started", NULL},
      {"until", 0, 0, G_OPTION_ARG_STRING, &until,
       "with --console: leave once the guest printed TEXT", "TEXT"},
      {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "with --until: give up after N seconds", "N"},
      G_OPTION_ENTRY_NULL};
  g_autoptr(VbDBusDomain) domain = NULL;
  int fd;
  gboolean ok;

  if (!vb_verb_parse(&argc, &argv, entries, 1, error))
    return FALSE;
  if (!vb_verb_check_timeout(timeout, error))
    return FALSE;
  if ((until != NULL || timeout > 0) && !console) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "start: --until and --timeout go with --console");
    return FALSE;
  }
  if ((domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  /* with --console, the CPUs wait until the console is held: nothing the guest says is lost */
  if (!call_domain(ctx, domain, "Start", flag_options("paused", paused || console), error))
    return FALSE;
  if (!console) {
    g_print("Domain '%s' started\n\n", vb_dbus_domain_get_name(domain));
    return TRUE;
  }
  if ((fd = vb_console_open(ctx, domain, error)) < 0)
    return FALSE;
  if (!paused && !call_domain(ctx, domain, "Resume", flag_options(NULL, FALSE), error)) {
    close(fd);
    return FALSE;
  }
  ok = vb_console_run(fd, until, (guint)timeout, error);
  close(fd);
  return ok;
}

/* The verbs that are one call: reboot, reset, destroy, suspend, resume, undefine. */
gboolean
vb_verb_simple(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  static const struct {
    const char *verb, *method, *done;
  } table[] = {
      {"reboot", "Reboot", "is being rebooted"}, {"reset", "Reset", "was reset"},
      {"destroy", "Destroy", "destroyed"},       {"suspend", "Suspend", "suspended"},
      {"resume", "Resume", "resumed"},           {"undefine", "Undefine", "has been undefined"},
  };
  gboolean graceful = FALSE;
  const GOptionEntry destroy_entries[] = {
      {"graceful", 0, 0, G_OPTION_ARG_NONE, &graceful, "SIGTERM only, no SIGKILL", NULL},
      G_OPTION_ENTRY_NULL};
  g_autoptr(VbDBusDomain) domain = NULL;
  gboolean destroy = g_str_equal(argv[0], "destroy");
  guint i = 0;

  while (!g_str_equal(table[i].verb, argv[0]))
    i++;
  if (!vb_verb_parse(&argc, &argv, destroy ? destroy_entries : NULL, 1, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  if (!call_domain(ctx, domain, table[i].method, flag_options("graceful", graceful), error))
    return FALSE;
  g_print("Domain '%s' %s\n\n", vb_dbus_domain_get_name(domain), table[i].done);
  return TRUE;
}

gboolean
vb_verb_shutdown(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  gboolean wait = FALSE;
  int timeout = 0;
  const GOptionEntry entries[] = {
      {"wait", 0, 0, G_OPTION_ARG_NONE, &wait, "return once the domain is shut off", NULL},
      {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "with --wait: give up after N seconds", "N"},
      G_OPTION_ENTRY_NULL};
  g_autoptr(VbDBusDomain) domain = NULL;

  if (!vb_verb_parse(&argc, &argv, entries, 1, error))
    return FALSE;
  if (!vb_verb_check_timeout(timeout, error))
    return FALSE;
  if ((domain = find_domain(ctx, argv[1], error)) == NULL ||
      !call_domain(ctx, domain, "Shutdown", flag_options(NULL, FALSE), error))
    return FALSE;
  if (wait && !wait_state(domain, "shutoff", (guint)timeout, error))
    return FALSE;
  g_print("Domain '%s' %s\n\n", vb_dbus_domain_get_name(domain),
          wait ? "is shut off" : "is being shutdown");
  return TRUE;
}

gboolean
vb_verb_autostart(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  gboolean disable = FALSE;
  const GOptionEntry entries[] = {
      {"disable", 0, 0, G_OPTION_ARG_NONE, &disable, "do not start it with the daemon", NULL},
      G_OPTION_ENTRY_NULL};
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (!vb_verb_parse(&argc, &argv, entries, 1, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  reply = vb_client_call(ctx->client, domain, "SetAutostart",
                         g_variant_new("(ba{sv})", !disable, NULL), NULL, error);
  if (reply == NULL)
    return FALSE;
  g_print("Domain '%s' %s\n\n", vb_dbus_domain_get_name(domain),
          disable ? "unmarked as autostarted" : "marked as autostarted");
  return TRUE;
}

static const char *
state_words(const char *state)
{
  return g_str_equal(state, "shutoff") ? "shut off" : state;
}

gboolean
vb_verb_dominfo(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autofree char *id = NULL;

  if (!vb_verb_parse(&argc, &argv, NULL, 1, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  if (ctx->json) {
    g_autoptr(JsonBuilder) json = json_builder_new();
    const char *const *taints = vb_dbus_domain_get_tainted(domain);

    json_builder_begin_object(json);
    vb_json_add_domain(json, domain);
    json_builder_set_member_name(json, "reason");
    json_builder_add_string_value(json, vb_dbus_domain_get_state_reason(domain));
    json_builder_set_member_name(json, "vcpus");
    json_builder_add_int_value(json, vb_dbus_domain_get_vcpus(domain));
    json_builder_set_member_name(json, "memory_kib");
    json_builder_add_int_value(json, (gint64)vb_dbus_domain_get_memory_ki_b(domain));
    json_builder_set_member_name(json, "persistent");
    json_builder_add_boolean_value(json, vb_dbus_domain_get_persistent(domain));
    json_builder_set_member_name(json, "autostart");
    json_builder_add_boolean_value(json, vb_dbus_domain_get_autostart(domain));
    json_builder_set_member_name(json, "tainted");
    json_builder_begin_array(json);
    for (guint i = 0; taints != NULL && taints[i] != NULL; i++)
      json_builder_add_string_value(json, taints[i]);
    json_builder_end_array(json);
    json_builder_end_object(json);
    vb_print_json(json, TRUE);
    return TRUE;
  }
  id = vb_dbus_domain_get_id(domain) < 0 ? g_strdup("-")
                                         : g_strdup_printf("%d", vb_dbus_domain_get_id(domain));
  g_print("%-15s %s\n", "Id:", id);
  g_print("%-15s %s\n", "Name:", vb_dbus_domain_get_name(domain));
  g_print("%-15s %s\n", "UUID:", vb_dbus_domain_get_uuid(domain));
  g_print("%-15s %s\n", "OS Type:", "hvm");
  g_print("%-15s %s\n", "State:", state_words(vb_dbus_domain_get_state(domain)));
  g_print("%-15s %u\n", "CPU(s):", vb_dbus_domain_get_vcpus(domain));
  g_print("%-15s %" G_GUINT64_FORMAT " KiB\n",
          "Max memory:", vb_dbus_domain_get_memory_ki_b(domain));
  g_print("%-15s %" G_GUINT64_FORMAT " KiB\n",
          "Used memory:", vb_dbus_domain_get_memory_ki_b(domain));
  g_print("%-15s %s\n", "Persistent:", vb_dbus_domain_get_persistent(domain) ? "yes" : "no");
  g_print("%-15s %s\n", "Autostart:", vb_dbus_domain_get_autostart(domain) ? "enable" : "disable");
  g_print("%-15s %s\n", "Managed save:", "no");
  {
    const char *const *models = vb_dbus_connect_get_security_models(ctx->client->connect);

    g_print("%-15s %s\n",
            "Security model:", models != NULL && models[0] != NULL ? models[0] : "none");
    g_print("%-15s %s\n", "Security DOI:", "0");
  }
  g_print("\n");
  return TRUE;
}

gboolean
vb_verb_domstate(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  gboolean reason = FALSE;
  const GOptionEntry entries[] = {
      {"reason", 0, 0, G_OPTION_ARG_NONE, &reason, "say why, too", NULL}, G_OPTION_ENTRY_NULL};
  g_autoptr(VbDBusDomain) domain = NULL;

  if (!vb_verb_parse(&argc, &argv, entries, 1, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  if (ctx->json)
    vb_print_json_strings(TRUE, "state", vb_dbus_domain_get_state(domain), "reason",
                          vb_dbus_domain_get_state_reason(domain), NULL);
  else if (reason)
    g_print("%s (%s)\n\n", state_words(vb_dbus_domain_get_state(domain)),
            vb_dbus_domain_get_state_reason(domain));
  else
    g_print("%s\n\n", state_words(vb_dbus_domain_get_state(domain)));
  return TRUE;
}

gboolean
vb_verb_dumpxml(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  gboolean inactive = FALSE, secure = FALSE;
  const GOptionEntry entries[] = {
      {"inactive", 0, 0, G_OPTION_ARG_NONE, &inactive, "the config for the next start", NULL},
      {"security-info", 0, 0, G_OPTION_ARG_NONE, &secure, "include passwords and keys", NULL},
      G_OPTION_ENTRY_NULL};
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder options;
  const char *xml = NULL;

  if (!vb_verb_parse(&argc, &argv, entries, 1, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
  if (inactive)
    g_variant_builder_add(&options, "{sv}", "inactive", g_variant_new_boolean(TRUE));
  if (secure)
    g_variant_builder_add(&options, "{sv}", "secure", g_variant_new_boolean(TRUE));
  reply = vb_client_call(ctx->client, domain, "GetXMLDesc", g_variant_new("(a{sv})", &options),
                         NULL, error);
  if (reply == NULL)
    return FALSE;
  g_variant_get(reply, "(&s)", &xml);
  g_print("%s", xml);
  return TRUE;
}

gboolean
vb_verb_screenshot(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) png = NULL;
  const guint8 *bytes;
  gsize length = 0;

  if (!vb_verb_parse(&argc, &argv, NULL, 2, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  reply = vb_client_call(ctx->client, domain, "Screenshot", g_variant_new("(a{sv})", NULL), NULL,
                         error);
  if (reply == NULL)
    return FALSE;
  png = g_variant_get_child_value(reply, 0);
  bytes = g_variant_get_fixed_array(png, &length, 1);
  if (!g_file_set_contents(argv[2], (const char *)bytes, (gssize)length, error))
    return FALSE;
  g_print("Screenshot saved to %s (PNG, %" G_GSIZE_FORMAT " bytes)\n", argv[2], length);
  return TRUE;
}

gboolean
vb_verb_monitor_command(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  gboolean hmp = FALSE;
  const GOptionEntry entries[] = {
      {"hmp", 0, 0, G_OPTION_ARG_NONE, &hmp, "a human monitor command, not QMP JSON", NULL},
      G_OPTION_ENTRY_NULL};
  g_autofree char *path = NULL;
  g_autoptr(VbDBusMonitor) monitor = NULL;

  if (!vb_verb_parse(&argc, &argv, entries, 2, error) ||
      (path = vb_client_lookup(ctx->client, argv[1], error)) == NULL ||
      (monitor = vb_client_monitor(ctx->client, path, error)) == NULL)
    return FALSE;
  return vb_print_string_reply(ctx, monitor, hmp ? "HumanCommand" : "Command",
                               g_variant_new("(sa{sv})", argv[2], NULL), error);
}

gboolean
vb_verb_domstats(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) stats = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (!vb_verb_parse(&argc, &argv, NULL, 1, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  reply =
      vb_client_call(ctx->client, domain, "GetStats", g_variant_new("(a{sv})", NULL), NULL, error);
  if (reply == NULL)
    return FALSE;
  stats = g_variant_get_child_value(reply, 0);
  if (ctx->json) {
    g_autoptr(JsonNode) node = json_gvariant_serialize(stats);
    g_autofree char *text = json_to_string(node, TRUE);

    g_print("%s\n", text);
    return TRUE;
  }
  g_print("Domain: '%s'\n", vb_dbus_domain_get_name(domain));
  g_variant_iter_init(&iter, stats);
  while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
    g_autofree char *shown = g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)
                                 ? g_variant_dup_string(value, NULL)
                                 : g_variant_print(value, FALSE);

    g_print("  %s=%s\n", key, shown);
    g_variant_unref(value);
  }
  g_print("\n");
  return TRUE;
}

/* The live XML's VNC port, as virsh's ":N" (port 5900 + N). */
gboolean
vb_verb_vncdisplay(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  const char *xml = NULL;

  if (!vb_verb_parse(&argc, &argv, NULL, 1, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  if (!vb_dbus_domain_get_active(domain)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_STATE, "domain '%s' is not running",
                vb_dbus_domain_get_name(domain));
    return FALSE;
  }
  reply = vb_client_call(ctx->client, domain, "GetXMLDesc", g_variant_new("(a{sv})", NULL), NULL,
                         error);
  if (reply == NULL)
    return FALSE;
  g_variant_get(reply, "(&s)", &xml);
  regex = g_regex_new("<graphics type='vnc' port='([0-9]+)'[^>]*?(listen='([^']*)')?", 0, 0, NULL);
  if (!g_regex_match(regex, xml, 0, &match)) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "domain '%s' has no VNC display on a TCP port (OpenGraphics reaches a display "
                "without one)",
                vb_dbus_domain_get_name(domain));
    return FALSE;
  }
  {
    g_autofree char *port = g_match_info_fetch(match, 1);
    g_autofree char *listen = g_match_info_fetch(match, 3);
    gint64 number = g_ascii_strtoll(port, NULL, 10);
    const char *host = listen != NULL && listen[0] != '\0' && !g_str_equal(listen, "0.0.0.0")
                           ? listen
                           : "127.0.0.1";
    g_autofree char *display = g_strdup_printf("%s:%" G_GINT64_FORMAT, host, number - 5900);

    if (ctx->json)
      vb_print_json_strings(TRUE, "display", display, "port", port, NULL);
    else
      g_print("%s\n\n", display);
  }
  return TRUE;
}

static char *
run_editor(const char *file, GError **error)
{
  const char *editor = g_getenv("VISUAL");
  g_autofree char *quoted = g_shell_quote(file);
  g_autofree char *command = NULL;
  char *text = NULL;
  int status;

  if (editor == NULL || editor[0] == '\0')
    editor = g_getenv("EDITOR");
  if (editor == NULL || editor[0] == '\0')
    editor = "vi";
  /* through the shell, as $EDITOR may carry arguments; it has our terminal */
  command = g_strdup_printf("%s %s", editor, quoted);
  status = system(command);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "the editor '%s' failed (status %d)", editor,
                status);
    return NULL;
  }
  if (!g_file_get_contents(file, &text, NULL, error))
    return NULL;
  return text;
}

/* edit: the config in $VISUAL/$EDITOR, defined again when changed; a config the service
 * refuses is offered for editing again on a terminal (as virsh). */
gboolean
vb_verb_edit(VbVerbContext *ctx, int argc, char **argv, GError **error)
{
  g_autoptr(VbDBusDomain) domain = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  const char *original = NULL;
  gboolean ok = FALSE;

  if (!vb_verb_parse(&argc, &argv, NULL, 1, error) ||
      (domain = find_domain(ctx, argv[1], error)) == NULL)
    return FALSE;
  reply = vb_client_call(ctx->client, domain, "GetXMLDesc",
                         g_variant_new_parsed("({'inactive': <true>, 'secure': <true>}, )"), NULL,
                         error);
  if (reply == NULL)
    return FALSE;
  g_variant_get(reply, "(&s)", &original);
  if ((dir = g_dir_make_tmp("virtbus-edit-XXXXXX", error)) == NULL)
    return FALSE;
  file = g_strdup_printf("%s/%s.xml", dir, vb_dbus_domain_get_name(domain));
  if (!g_file_set_contents_full(file, original, -1, G_FILE_SET_CONTENTS_NONE, 0600, error))
    goto out;
  for (;;) {
    g_autofree char *edited = run_editor(file, error);
    g_autoptr(GVariant) defined = NULL;
    g_autoptr(GError) refused = NULL;
    char answer[16] = "";

    if (edited == NULL)
      goto out;
    if (g_str_equal(edited, original)) {
      g_print("Domain '%s' XML configuration not changed.\n", vb_dbus_domain_get_name(domain));
      ok = TRUE;
      goto out;
    }
    defined = vb_client_call(ctx->client, ctx->client->connect, "DefineXML",
                             g_variant_new("(sa{sv})", edited, NULL), NULL, &refused);
    if (defined != NULL) {
      g_print("Domain '%s' XML configuration edited.\n", vb_dbus_domain_get_name(domain));
      ok = TRUE;
      goto out;
    }
    if (!isatty(STDIN_FILENO)) {
      g_propagate_error(error, g_steal_pointer(&refused));
      goto out;
    }
    g_printerr("error: %s\nFailed. Try again? [y,n]: ", refused->message);
    if (fgets(answer, sizeof answer, stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y')) {
      g_propagate_error(error, g_steal_pointer(&refused));
      goto out;
    }
  }
out:
  g_unlink(file);
  g_rmdir(dir);
  return ok;
}
