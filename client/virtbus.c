/* virtbus.c: the command-line client: global options, the verb table, and errors turned into
 * a message and an exit code (virtbus(1) lists them):
 *   0 done, 1 failed, 2 invalid input (usage, InvalidArgs, InvalidXML, InvalidConfig,
 *   NotSupported), 3 no such domain, 4 refused (AccessDenied, authentication needed or
 *   dismissed).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-verbs.h"

enum {
  EXIT_DONE = 0,
  EXIT_FAILED = 1,
  EXIT_INVALID = 2,
  EXIT_NOT_FOUND = 3,
  EXIT_REFUSED = 4,
};

const VbVerb vb_verbs[] = {
    {"list", "[--all|--inactive] [--name|--uuid]", "list domains", vb_verb_list},
    {"define", "FILE", "define a persistent domain from its XML", vb_verb_define},
    {"undefine", "DOM", "remove a domain's config", vb_verb_simple},
    {"create", "FILE [--paused] [--autodestroy]", "start a transient domain", vb_verb_create},
    {"start", "DOM [--paused] [--console [--until TEXT [--timeout N]]]", "start a defined domain",
     vb_verb_start},
    {"shutdown", "DOM [--wait [--timeout N]]", "ask the guest to power off", vb_verb_shutdown},
    {"reboot", "DOM", "ask the guest to reboot", vb_verb_simple},
    {"reset", "DOM", "reset the virtual machine", vb_verb_simple},
    {"destroy", "DOM [--graceful]", "stop QEMU at once", vb_verb_simple},
    {"suspend", "DOM", "stop the virtual CPUs", vb_verb_simple},
    {"resume", "DOM", "start the virtual CPUs again", vb_verb_simple},
    {"autostart", "DOM [--disable]", "start the domain with the daemon", vb_verb_autostart},
    {"dominfo", "DOM", "what a domain is and how it runs", vb_verb_dominfo},
    {"domstate", "DOM [--reason]", "a domain's state", vb_verb_domstate},
    {"domstats", "DOM", "a running domain's statistics", vb_verb_domstats},
    {"dumpxml", "DOM [--inactive] [--security-info]", "a domain's XML", vb_verb_dumpxml},
    {"edit", "DOM", "edit the config in $EDITOR and define it again", vb_verb_edit},
    {"console", "DOM [--until TEXT [--timeout N]]", "the guest's serial console", vb_verb_console},
    {"screenshot", "DOM FILE", "save the screen as PNG", vb_verb_screenshot},
    {"vncdisplay", "DOM", "the VNC display's address", vb_verb_vncdisplay},
    {"capabilities", "", "the host's and emulators' capabilities", vb_verb_capabilities},
    {"domxml-to-native", "qemu-argv FILE", "domain XML to a QEMU command line", vb_verb_to_native},
    {"domxml-from-native", "qemu-argv FILE", "a QEMU command line to domain XML",
     vb_verb_from_native},
    {"qemu-monitor-command", "DOM [--hmp] CMD", "send QEMU a monitor command (taints)",
     vb_verb_monitor_command},
    {"qemu-monitor-event", "DOM [--loop] [--timeout N]", "print QEMU's events",
     vb_verb_monitor_event},
    {"event", "[--loop] [--timeout N]", "print lifecycle events", vb_verb_event},
    {"version", "", "client, daemon and hypervisor versions", vb_verb_version},
    {"uri", "", "the URI of the connection", vb_verb_uri},
    {NULL, NULL, NULL, NULL},
};

gboolean
vb_verb_parse(
    int *argc, char ***argv, const GOptionEntry *entries, guint positional, GError **error)
{
  g_autofree char *parameter = g_strdup_printf("%s", (*argv)[0]);
  g_autoptr(GOptionContext) context = g_option_context_new(NULL);
  g_autoptr(GError) local = NULL;

  g_option_context_set_help_enabled(context, TRUE);
  if (entries != NULL)
    g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, argc, argv, &local)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s: %s", parameter, local->message);
    return FALSE;
  }
  if ((guint)*argc != positional + 1) {
    for (guint i = 0; vb_verbs[i].name != NULL; i++)
      if (g_str_equal(vb_verbs[i].name, parameter))
        g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "usage: virtbus %s %s", parameter,
                    vb_verbs[i].args);
    return FALSE;
  }
  return TRUE;
}

gboolean
vb_verb_check_timeout(int timeout, GError **error)
{
  if (timeout >= 0)
    return TRUE;
  g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "--timeout %d: not a number of seconds",
              timeout);
  return FALSE;
}

static int
exit_code(const GError *error)
{
  if (error->domain != VB_ERROR)
    return EXIT_FAILED;
  switch (error->code) {
  case VB_ERROR_INVALID_ARGS:
  case VB_ERROR_INVALID_XML:
  case VB_ERROR_INVALID_CONFIG:
  case VB_ERROR_NOT_SUPPORTED:
    return EXIT_INVALID;
  case VB_ERROR_NO_SUCH_DOMAIN:
    return EXIT_NOT_FOUND;
  case VB_ERROR_ACCESS_DENIED:
  case VB_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED:
  case VB_ERROR_AUTHORIZATION_DISMISSED:
    return EXIT_REFUSED;
  default:
    return EXIT_FAILED;
  }
}

static void
print_help(void)
{
  g_print("Usage: virtbus [-c URI] [--json] [--no-interactive] VERB [ARGUMENTS]\n\n"
          "  -c, --connect URI   qemu:///system, qemu:///session or qemu:///embed?root=/DIR\n"
          "                      (default: $VIRTBUS_DEFAULT_URI, else system for root,\n"
          "                      session for others)\n"
          "  --json              read verbs print JSON\n"
          "  --no-interactive    never let polkit ask for a password\n\n"
          "Verbs:\n");
  for (guint i = 0; vb_verbs[i].name != NULL; i++) {
    g_autofree char *synopsis = g_strdup_printf("%s %s", vb_verbs[i].name, vb_verbs[i].args);

    g_print("  %-44s %s\n", synopsis, vb_verbs[i].summary);
  }
}

/* Only our own messages go to stderr, as "virtbus: …", and debug ones with --debug. */
static GLogWriterOutput
write_log(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  gboolean debug = *(gboolean *)data;
  const char *message = NULL;

  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO | G_LOG_LEVEL_MESSAGE)) && !debug)
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal(fields[i].key, "MESSAGE"))
      message = fields[i].value;
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return g_log_writer_standard_streams(level, fields, n_fields, data);
  fprintf(stderr, "virtbus: %s\n", message != NULL ? message : "");
  return G_LOG_WRITER_HANDLED;
}

int
main(int argc, char **argv)
{
  g_autofree char *uri = NULL;
  gboolean json = FALSE, no_interactive = FALSE, debug = FALSE, version = FALSE;
  const GOptionEntry entries[] = {
      {"connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "the instance", "URI"},
      {"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
      {"no-interactive", 0, 0, G_OPTION_ARG_NONE, &no_interactive, "no polkit prompts", NULL},
      {"debug", 0, 0, G_OPTION_ARG_NONE, &debug, "debug messages", NULL},
      {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "the client's version", NULL},
      G_OPTION_ENTRY_NULL};
  g_autoptr(GOptionContext) context = g_option_context_new("VERB [ARGUMENTS]");
  g_autoptr(GError) error = NULL;
  g_autoptr(VbClient) client = NULL;
  VbVerbContext ctx = {NULL, FALSE};
  const VbVerb *verb = NULL;

  setlocale(LC_ALL, "");
  g_log_set_writer_func(write_log, &debug, NULL);
  g_option_context_add_main_entries(context, entries, NULL);
  /* options after the verb are the verb's */
  g_option_context_set_strict_posix(context, TRUE);
  g_option_context_set_help_enabled(context, FALSE);
  if (argc > 1 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") ||
                   g_str_equal(argv[1], "help"))) {
    print_help();
    return EXIT_DONE;
  }
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    g_printerr("virtbus: %s (try virtbus --help)\n", error->message);
    return EXIT_INVALID;
  }
  if (version) {
    g_print("%s\n", PACKAGE_VERSION);
    return EXIT_DONE;
  }
  if (argc < 2) {
    print_help();
    return EXIT_INVALID;
  }
  for (guint i = 0; vb_verbs[i].name != NULL && verb == NULL; i++)
    if (g_str_equal(vb_verbs[i].name, argv[1]))
      verb = &vb_verbs[i];
  if (verb == NULL) {
    g_printerr("virtbus: unknown verb '%s' (try virtbus --help)\n", argv[1]);
    return EXIT_INVALID;
  }
  client = vb_client_open(uri, !no_interactive && isatty(STDIN_FILENO), &error);
  if (client != NULL) {
    ctx.client = client;
    ctx.json = json;
    if (verb->run(&ctx, argc - 1, argv + 1, &error))
      return EXIT_DONE;
  }
  g_printerr("virtbus: %s\n", error->message);
  return exit_code(error);
}
