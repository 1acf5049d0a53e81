/* vb-domain-state.c: the names of domain states and driver events.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-state.h"

const char *const vb_domain_state_names[] = {
    [VB_DOMAIN_SHUTOFF] = "shutoff", [VB_DOMAIN_RUNNING] = "running",
    [VB_DOMAIN_PAUSED] = "paused",   [VB_DOMAIN_SHUTDOWN] = "shutdown",
    [VB_DOMAIN_CRASHED] = "crashed", [VB_DOMAIN_PMSUSPENDED] = "pmsuspended",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_domain_state_names) == VB_DOMAIN_STATE_N);

const char *const vb_domain_event_names[] = {
    [VB_DOMAIN_EVENT_DEFINED] = "defined",   [VB_DOMAIN_EVENT_UNDEFINED] = "undefined",
    [VB_DOMAIN_EVENT_STARTED] = "started",   [VB_DOMAIN_EVENT_SUSPENDED] = "suspended",
    [VB_DOMAIN_EVENT_RESUMED] = "resumed",   [VB_DOMAIN_EVENT_STOPPED] = "stopped",
    [VB_DOMAIN_EVENT_SHUTDOWN] = "shutdown", [VB_DOMAIN_EVENT_CRASHED] = "crashed",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vb_domain_event_names) == VB_DOMAIN_EVENT_N);

gboolean
vb_domain_state_from_string(const char *name, VbDomainState *out)
{
  for (guint i = 0; i < VB_DOMAIN_STATE_N; i++) {
    if (g_strcmp0(name, vb_domain_state_names[i]) == 0) {
      *out = (VbDomainState)i;
      return TRUE;
    }
  }
  return FALSE;
}
