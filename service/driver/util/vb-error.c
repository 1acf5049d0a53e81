/* vb-error.c: the VB_ERROR domain and its mapping to and from D-Bus error names.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"

typedef struct {
  const char *dbus_name;
  /* TRUE where GLib's own G_DBUS_ERROR already owns the name, so registering it again would
   * clash: those are converted by hand at the boundary instead. */
  gboolean owned_by_gdbus;
} VbErrorName;

static const VbErrorName vb_error_names[] = {
    [VB_ERROR_FAILED] = {"org.virtbus.Virtbus1.Error.Failed", FALSE},
    [VB_ERROR_NO_SUCH_DOMAIN] = {"org.virtbus.Virtbus1.Error.NoSuchDomain", FALSE},
    [VB_ERROR_DOMAIN_EXISTS] = {"org.virtbus.Virtbus1.Error.DomainExists", FALSE},
    [VB_ERROR_INVALID_XML] = {"org.virtbus.Virtbus1.Error.InvalidXML", FALSE},
    [VB_ERROR_INVALID_CONFIG] = {"org.virtbus.Virtbus1.Error.InvalidConfig", FALSE},
    [VB_ERROR_NOT_SUPPORTED] = {"org.virtbus.Virtbus1.Error.NotSupported", FALSE},
    [VB_ERROR_INVALID_STATE] = {"org.virtbus.Virtbus1.Error.InvalidState", FALSE},
    [VB_ERROR_QEMU_FAILED] = {"org.virtbus.Virtbus1.Error.QemuFailed", FALSE},
    [VB_ERROR_MONITOR_ERROR] = {"org.virtbus.Virtbus1.Error.MonitorError", FALSE},
    [VB_ERROR_TIMEOUT] = {"org.virtbus.Virtbus1.Error.Timeout", FALSE},
    [VB_ERROR_AUTHORIZATION_DISMISSED] = {"org.virtbus.Virtbus1.Error.AuthorizationDismissed",
                                          FALSE},
    [VB_ERROR_INVALID_ARGS] = {"org.freedesktop.DBus.Error.InvalidArgs", TRUE},
    [VB_ERROR_ACCESS_DENIED] = {"org.freedesktop.DBus.Error.AccessDenied", TRUE},
    /* GLib 2.74 has no code for this standard name, so it is registered in our domain, as
     * systemd's bus-polkit.c does with its own. */
    [VB_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED] =
        {"org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", FALSE},
};

G_STATIC_ASSERT(G_N_ELEMENTS(vb_error_names) == VB_ERROR_N_ERRORS);

GQuark
vb_error_quark(void)
{
  static gsize quark = 0;

  if (g_once_init_enter(&quark)) {
    GQuark q = g_quark_from_static_string("vb-error-quark");

    for (gsize i = 0; i < G_N_ELEMENTS(vb_error_names); i++) {
      if (!vb_error_names[i].owned_by_gdbus)
        g_dbus_error_register_error(q, (gint)i, vb_error_names[i].dbus_name);
    }
    g_once_init_leave(&quark, q);
  }
  return (GQuark)quark;
}

/**
 * vb_error_get_dbus_name:
 * @code: a #VbError
 *
 * Returns: (transfer none): the D-Bus error name a client sees for @code.
 */
const char *
vb_error_get_dbus_name(VbError code)
{
  g_return_val_if_fail((guint)code < VB_ERROR_N_ERRORS, NULL);
  return vb_error_names[code].dbus_name;
}

static gint
io_error_to_vb(gint code)
{
  switch ((GIOErrorEnum)code) {
  case G_IO_ERROR_INVALID_ARGUMENT:
  case G_IO_ERROR_INVALID_FILENAME:
    return VB_ERROR_INVALID_ARGS;
  case G_IO_ERROR_NOT_SUPPORTED:
    return VB_ERROR_NOT_SUPPORTED;
  case G_IO_ERROR_TIMED_OUT:
    return VB_ERROR_TIMEOUT;
  case G_IO_ERROR_EXISTS:
  case G_IO_ERROR_NOT_FOUND:
  case G_IO_ERROR_PERMISSION_DENIED:
  case G_IO_ERROR_CANCELLED:
  default:
    /* A file that is missing or unreadable is a failure of the operation, not of the caller's
     * D-Bus rights: the message carries the path and the reason. */
    return VB_ERROR_FAILED;
  }
}

/**
 * vb_error_to_dbus:
 * @error: any error raised inside virtbus
 *
 * Converts @error to one a D-Bus reply can carry under a documented name: VB_ERROR codes stay
 * (the three standard names become G_DBUS_ERROR codes), G_IO_ERROR, G_FILE_ERROR,
 * G_DBUS_ERROR and G_SPAWN_ERROR are mapped. Anything else becomes Failed and raises a critical,
 * since it means a code path forgot to convert its own error.
 *
 * Returns: (transfer full): a new error with the same message
 */
GError *
vb_error_to_dbus(const GError *error)
{
  gint code;

  g_return_val_if_fail(error != NULL, NULL);

  if (error->domain == G_DBUS_ERROR)
    return g_error_copy(error);

  if (error->domain == VB_ERROR && (guint)error->code < VB_ERROR_N_ERRORS) {
    code = error->code;
  } else if (error->domain == G_IO_ERROR) {
    code = io_error_to_vb(error->code);
  } else if (error->domain == G_FILE_ERROR || error->domain == G_SPAWN_ERROR) {
    code = VB_ERROR_FAILED;
  } else {
    g_critical("unmapped error %s:%d reached the bus boundary: %s",
               g_quark_to_string(error->domain), error->code, error->message);
    code = VB_ERROR_FAILED;
  }

  switch (code) {
  case VB_ERROR_INVALID_ARGS:
    return g_error_new_literal(G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, error->message);
  case VB_ERROR_ACCESS_DENIED:
    return g_error_new_literal(G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, error->message);
  default:
    return g_error_new_literal(VB_ERROR, code, error->message);
  }
}

/**
 * vb_error_from_dbus:
 * @error: an error from a D-Bus call to virtbusd
 *
 * The client-side inverse of vb_error_to_dbus(): strips the remote prefix and maps the three
 * standard names back to VB_ERROR codes, so callers of the client see one domain whether the
 * driver ran in-process or behind the bus. A name virtbus does not document becomes Failed,
 * keeping the original name in the message.
 *
 * Returns: (transfer full): a new VB_ERROR error
 */
GError *
vb_error_from_dbus(const GError *error)
{
  g_autoptr(GError) copy = NULL;
  g_autofree char *remote_name = NULL;

  g_return_val_if_fail(error != NULL, NULL);

  (void)vb_error_quark(); /* the names must be registered before decoding */
  copy = g_error_copy(error);
  if (g_dbus_error_is_remote_error(copy))
    remote_name = g_dbus_error_get_remote_error(copy);
  g_dbus_error_strip_remote_error(copy);

  if (copy->domain == VB_ERROR)
    return g_steal_pointer(&copy);
  if (copy->domain == G_DBUS_ERROR) {
    switch (copy->code) {
    case G_DBUS_ERROR_INVALID_ARGS:
      return g_error_new_literal(VB_ERROR, VB_ERROR_INVALID_ARGS, copy->message);
    case G_DBUS_ERROR_ACCESS_DENIED:
    case G_DBUS_ERROR_AUTH_FAILED:
      return g_error_new_literal(VB_ERROR, VB_ERROR_ACCESS_DENIED, copy->message);
    case G_DBUS_ERROR_TIMEOUT:
    case G_DBUS_ERROR_TIMED_OUT:
    case G_DBUS_ERROR_NO_REPLY:
      return g_error_new_literal(VB_ERROR, VB_ERROR_TIMEOUT, copy->message);
    default:
      break;
    }
  }
  if (remote_name != NULL)
    return g_error_new(VB_ERROR, VB_ERROR_FAILED, "%s (%s)", copy->message, remote_name);
  return g_error_new_literal(VB_ERROR, VB_ERROR_FAILED, copy->message);
}

/* How much of a long quoted value a message keeps. */
#define QUOTED_KEEP 64
#define QUOTED_MAX 80

/* Appends at most @max bytes of @text, cut at a character boundary. */
static void
append_prefix(GString *out, const char *text, gsize max)
{
  const char *end = text;

  while (*end != '\0' && *end != '\'') {
    const char *next = g_utf8_find_next_char(end, NULL);

    if ((gsize)(next - text) > max)
      break;
    end = next;
  }
  g_string_append_len(out, text, end - text);
}

void
vb_error_shorten(GError *error)
{
  g_autoptr(GString) out = NULL;
  const char *c;

  if (error == NULL || error->message == NULL)
    return;
  out = g_string_sized_new(MIN(strlen(error->message), VB_ERROR_MESSAGE_MAX + 8));
  for (c = error->message; *c != '\0' && out->len < VB_ERROR_MESSAGE_MAX;) {
    const char *close;

    if (*c != '\'' || (close = strchr(c + 1, '\'')) == NULL) {
      g_string_append_c(out, *c++);
      continue;
    }
    g_string_append_c(out, '\'');
    if ((gsize)(close - c - 1) > QUOTED_MAX) {
      append_prefix(out, c + 1, QUOTED_KEEP);
      g_string_append(out, "…");
    } else {
      g_string_append_len(out, c + 1, close - c - 1);
    }
    g_string_append_c(out, '\'');
    c = close + 1;
  }
  if (*c != '\0') {
    /* cut inside a character would leave invalid UTF-8 */
    while (out->len > 0 && ((guchar)out->str[out->len - 1] & 0xC0) == 0x80)
      g_string_truncate(out, out->len - 1);
    if (out->len > 0 && (guchar)out->str[out->len - 1] >= 0xC0)
      g_string_truncate(out, out->len - 1);
    g_string_append(out, "…");
  }
  g_free(error->message);
  error->message = g_string_free(g_steal_pointer(&out), FALSE);
}
