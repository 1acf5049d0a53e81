/* vb-domain-state.h: the states a domain is in, the reasons it is in them, and the driver
 * events a change of state emits (docs/lifecycle.md has the table).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* As libvirt names them (DESIGN.md §3 "State"). */
typedef enum {
  VB_DOMAIN_SHUTOFF,
  VB_DOMAIN_RUNNING,
  VB_DOMAIN_PAUSED,
  VB_DOMAIN_SHUTDOWN, /* the guest is shutting down, or has and QEMU still runs */
  VB_DOMAIN_CRASHED,  /* the guest panicked and on_crash is preserve */
  VB_DOMAIN_PMSUSPENDED,
} VbDomainState;
#define VB_DOMAIN_STATE_N (VB_DOMAIN_PMSUSPENDED + 1)

extern const char *const vb_domain_state_names[];
gboolean vb_domain_state_from_string(const char *name, VbDomainState *out);

/* Driver events (DESIGN.md §3 DomainEvent); each comes with a detail string. */
typedef enum {
  VB_DOMAIN_EVENT_DEFINED,
  VB_DOMAIN_EVENT_UNDEFINED,
  VB_DOMAIN_EVENT_STARTED,
  VB_DOMAIN_EVENT_SUSPENDED,
  VB_DOMAIN_EVENT_RESUMED,
  VB_DOMAIN_EVENT_STOPPED,
  VB_DOMAIN_EVENT_SHUTDOWN,
  VB_DOMAIN_EVENT_CRASHED,
} VbDomainEvent;
#define VB_DOMAIN_EVENT_N (VB_DOMAIN_EVENT_CRASHED + 1)

extern const char *const vb_domain_event_names[];

G_END_DECLS
