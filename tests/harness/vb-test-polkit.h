/* vb-test-polkit.h: a private "system" bus whose policy includes the shipped
 * data/dbus-1/system.d file, the real polkitd on it (in mount and pid namespaces of its own,
 * with the project's .policy and a rules file for a throwaway group bind-mounted over polkit's
 * directories: nothing is installed on the host), virtbusd --polkit on an embedded root, and a
 * throwaway unprivileged user to call as. Root only; every process and account made is removed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-test-bus.h"

G_BEGIN_DECLS

typedef struct {
  VbTestBus *bus;       /* the bus, virtbusd, and root's proxies */
  GSubprocess *polkitd; /* the unshare that holds it */
  char *user;           /* the throwaway user */
  char *group;          /* the throwaway group the rules file grants org.virtbus.* */
} VbTestPolkit;

/* NULL (test skipped) when not root or polkitd is missing. */
VbTestPolkit *vb_test_polkit_new(void);
/* @polkit FALSE: the same bus and user, no polkitd, virtbusd without --polkit (same uid only). */
VbTestPolkit *vb_test_polkit_new_full(gboolean polkit);
void vb_test_polkit_free(VbTestPolkit *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbTestPolkit, vb_test_polkit_free)

void vb_test_polkit_join_group(VbTestPolkit *self);

/* Runs gdbus as the throwaway user: "call -o PATH -m METHOD ARGS…" on the test's bus.
 * Returns whether it succeeded; @output gets its stdout, or the D-Bus error it printed. */
gboolean vb_test_polkit_call_as_user(VbTestPolkit *self,
                                     const char *path,
                                     const char *method,
                                     const char *const *args,
                                     char **output);

/* Runs tests/harness/vb-test-polkit-agent as the throwaway user: it registers a polkit agent
 * that dismisses every authentication, then calls METHOD (one empty a{sv}) allowing interaction.
 * @output gets what it printed: "ok" or "ERROR-NAME: message", then "asked: ACTION" lines. */
void vb_test_polkit_call_with_agent(VbTestPolkit *self,
                                    const char *path,
                                    const char *method,
                                    char **output);

G_END_DECLS
