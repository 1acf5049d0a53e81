/* vb-qemu-native.c: the "qemu-argv" native format: a command as one shell line (export), and
 * the per-line form the golden tests keep.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-qemu-command.h"

/* Characters a POSIX shell reads literally outside quotes. */
#define SHELL_SAFE                                                                                 \
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"                                 \
  "@%+=:,./-_"

static void
append_quoted(GString *out, const char *word)
{
  if (*word != '\0' && strspn(word, SHELL_SAFE) == strlen(word)) {
    g_string_append(out, word);
    return;
  }
  g_string_append_c(out, '\'');
  for (const char *c = word; *c != '\0'; c++) {
    if (*c == '\'')
      g_string_append(out, "'\\''");
    else
      g_string_append_c(out, *c);
  }
  g_string_append_c(out, '\'');
}

/* NAME=value with the value quoted, so the shell assigns it. */
static void
append_env(GString *out, const char *assignment)
{
  const char *equals = strchr(assignment, '=');

  g_string_append_len(out, assignment, equals - assignment + 1);
  append_quoted(out, equals + 1);
}

/* The environment and the binary, each followed by @separator's. */
static void
append_env_and_binary(GString *out, const VbQemuCommand *self, const char *separator)
{
  for (guint i = 0; i < self->env->len; i++) {
    append_env(out, self->env->pdata[i]);
    g_string_append(out, separator);
  }
  append_quoted(out, self->binary);
}

/**
 * vb_qemu_command_to_native:
 *
 * Returns: the environment, the binary and the arguments as one shell line, as
 *   domxml-to-native shows them
 */
char *
vb_qemu_command_to_native(const VbQemuCommand *self)
{
  GString *out = g_string_new(NULL);

  append_env_and_binary(out, self, " ");
  for (guint i = 0; i < self->args->len; i++) {
    g_string_append_c(out, ' ');
    append_quoted(out, self->args->pdata[i]);
  }
  return g_string_free(out, FALSE);
}

/**
 * vb_qemu_command_to_lines:
 *
 * Returns: the same as vb_qemu_command_to_native(), one environment variable or option with
 *   its value per line, joined with " \", as libvirt's argv test files are; then what the
 *   launcher provides (fds, the firmware's variable store, monitor commands) as comments
 */
char *
vb_qemu_command_to_lines(const VbQemuCommand *self)
{
  GString *out = g_string_new(NULL);

  append_env_and_binary(out, self, " \\\n");
  for (guint i = 0; i < self->args->len; i++) {
    const char *arg = self->args->pdata[i];
    const char *next = i + 1 < self->args->len ? self->args->pdata[i + 1] : NULL;

    g_string_append(out, " \\\n");
    append_quoted(out, arg);
    if (arg[0] == '-' && next != NULL && next[0] != '-') {
      g_string_append_c(out, ' ');
      append_quoted(out, next);
      i++;
    }
  }
  g_string_append_c(out, '\n');
  for (guint i = 0; i < self->fds->len; i++) {
    static const char *const kinds[] = {
        [VB_QEMU_FD_MONITOR] = "monitor",
        [VB_QEMU_FD_TAP] = "tap",
        [VB_QEMU_FD_BRIDGE_HELPER] = "bridge-helper",
    };
    G_STATIC_ASSERT(G_N_ELEMENTS(kinds) == VB_QEMU_FD_BRIDGE_HELPER + 1);
    const VbQemuFdRequest *request = self->fds->pdata[i];

    g_string_append_printf(out, "# fd %d: %s", request->fd, kinds[request->kind]);
    if (request->alias != NULL)
      g_string_append_printf(out, " for %s", request->alias);
    if (request->bridge != NULL)
      g_string_append_printf(out, " on %s", request->bridge);
    if (request->ifname != NULL)
      g_string_append_printf(out, " named %s", request->ifname);
    g_string_append_c(out, '\n');
  }
  if (self->nvram != NULL)
    g_string_append_printf(out, "# nvram: %s%s%s\n", self->nvram,
                           self->nvram_template != NULL ? " from " : "",
                           self->nvram_template != NULL ? self->nvram_template : "");
  for (guint i = 0; i < self->setup->len; i++) {
    /* a password stays out of files and logs */
    g_autofree char *command = vb_qemu_monitor_command_to_redacted(self->setup->pdata[i]);

    g_string_append_printf(out, "# before cont: %s\n", command);
  }
  for (guint i = 0; i < self->taints->len; i++)
    g_string_append_printf(out, "# taint: %s\n", (const char *)self->taints->pdata[i]);
  return g_string_free(out, FALSE);
}
