/* vb-error.h: the one error domain of virtbus, shared by the driver core, the daemon and the
 * client.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define VB_ERROR (vb_error_quark())

/* Keep in step with the name table in vb-error.c (a static assertion checks the count) and with
 * DESIGN.md §3. */
typedef enum {
  VB_ERROR_FAILED,
  VB_ERROR_NO_SUCH_DOMAIN,
  VB_ERROR_DOMAIN_EXISTS,
  VB_ERROR_INVALID_XML,
  VB_ERROR_INVALID_CONFIG,
  VB_ERROR_NOT_SUPPORTED,
  VB_ERROR_INVALID_STATE,
  VB_ERROR_QEMU_FAILED,
  VB_ERROR_MONITOR_ERROR,
  VB_ERROR_TIMEOUT,
  VB_ERROR_AUTHORIZATION_DISMISSED,
  /* The standard D-Bus names below belong to G_DBUS_ERROR on the bus; inside virtbus they are
   * ours so that the driver core needs no D-Bus error domain. vb_error_to_dbus() and
   * vb_error_from_dbus() translate them at the boundary. */
  VB_ERROR_INVALID_ARGS,
  VB_ERROR_ACCESS_DENIED,
  VB_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
} VbError;

#define VB_ERROR_N_ERRORS (VB_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED + 1)

GQuark vb_error_quark(void);

const char *vb_error_get_dbus_name(VbError code);

/* Values quoted in @error's message ('…') longer than a line are cut to a prefix and "…", and
 * the message to at most VB_ERROR_MESSAGE_MAX bytes, so that a 9 MiB value in a definition
 * does not become a 9 MiB error message. NULL is ignored. */
#define VB_ERROR_MESSAGE_MAX 1024
void vb_error_shorten(GError *error);

GError *vb_error_to_dbus(const GError *error);
GError *vb_error_from_dbus(const GError *error);

G_END_DECLS
