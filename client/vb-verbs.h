/* vb-verbs.h: the client's verbs. Each takes its own arguments (argv[0] is the verb), prints
 * what it has to say, and returns FALSE with @error set when it failed; virtbus.c turns the
 * error into a message and an exit code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "vb-client.h"

G_BEGIN_DECLS

typedef struct {
  VbClient *client;
  gboolean json; /* --json: one JSON document on stdout for the read verbs */
} VbVerbContext;

typedef gboolean (*VbVerbFunc)(VbVerbContext *ctx, int argc, char **argv, GError **error);

typedef struct {
  const char *name;
  const char *args;    /* the synopsis after the verb */
  const char *summary; /* one line */
  VbVerbFunc run;
} VbVerb;

/* (array zero-terminated=1) */
extern const VbVerb vb_verbs[];

/* Parses a verb's options; @usage_args as in VbVerb. FALSE (with a usage error) on a bad
 * option or when the positional arguments are not @positional. */
gboolean vb_verb_parse(
    int *argc, char ***argv, const GOptionEntry *entries, guint positional, GError **error);

/* --timeout N: FALSE (InvalidArgs) for a negative N */
gboolean vb_verb_check_timeout(int timeout, GError **error);

/* JSON out: a domain's id (null when off), name, UUID and state, as members of the open object */
void vb_json_add_domain(JsonBuilder *json, VbDBusDomain *domain);
/* JSON out: @builder's document; an object of string members (key, value, …, NULL). */
void vb_print_json(JsonBuilder *builder, gboolean pretty);
void vb_print_json_strings(gboolean pretty, const char *key, ...) G_GNUC_NULL_TERMINATED;

/* Calls @method, whose answer is one string, and prints it (with a final newline). */
gboolean vb_print_string_reply(
    VbVerbContext *ctx, gpointer proxy, const char *method, GVariant *parameters, GError **error);

/* vb-verbs-connect.c */
gboolean vb_verb_list(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_define(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_create(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_capabilities(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_to_native(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_from_native(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_version(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_uri(VbVerbContext *ctx, int argc, char **argv, GError **error);

/* vb-verbs-domain.c */
gboolean vb_verb_start(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_simple(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_shutdown(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_autostart(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_dominfo(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_domstate(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_dumpxml(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_screenshot(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_monitor_command(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_domstats(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_vncdisplay(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_edit(VbVerbContext *ctx, int argc, char **argv, GError **error);

/* vb-verbs-events.c */
gboolean vb_verb_event(VbVerbContext *ctx, int argc, char **argv, GError **error);
gboolean vb_verb_monitor_event(VbVerbContext *ctx, int argc, char **argv, GError **error);

/* vb-console.c */
gboolean vb_verb_console(VbVerbContext *ctx, int argc, char **argv, GError **error);
/* Copies the console on @fd to stdout (and a TTY's keys to it) until Ctrl+], the end of
 * the console, or @until (nullable) is seen; @timeout_s 0 waits for ever. */
gboolean vb_console_run(int fd, const char *until, guint timeout_s, GError **error);
/* OpenConsole on @domain's first console: the fd (owned by the caller), or -1. */
int vb_console_open(VbVerbContext *ctx, VbDBusDomain *domain, GError **error);

G_END_DECLS
