/* vb-qemu-command-chardev.c: character devices: serial ports, consoles, virtio channels and
 * USB redirection, each a -chardev backend plus the device that uses it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-qemu-command-private.h"

/* The spicevmc name SPICE expects for each use. */
#define SPICE_VDAGENT "vdagent"
#define SPICE_USBREDIR "usbredir"

/* -chardev for @source with the id "char<alias>"; @socket_name names the socket virtbus makes
 * in the domain's run directory when a bound UNIX socket has no path. */
static gboolean
build_backend(VbQemuBuild *b,
              const VbChrSource *source,
              const char *alias,
              const char *socket_name,
              const char *spice_name,
              GError **error)
{
  g_autoptr(GString) out = g_string_new(NULL);
  g_autofree char *path = NULL;

  switch (source->type) {
  case VB_CHR_PTY:
    g_string_append(out, "pty");
    break;
  case VB_CHR_NULL:
    g_string_append(out, "null");
    break;
  case VB_CHR_FILE:
    g_string_append(out, "file");
    break;
  case VB_CHR_UNIX:
    g_string_append(out, "socket");
    break;
  case VB_CHR_SPICEVMC:
  default:
    g_string_append(out, "spicevmc");
    break;
  }
  g_string_append_printf(out, ",id=char%s", alias);
  switch (source->type) {
  case VB_CHR_FILE:
    g_string_append(out, ",path=");
    vb_qemu_keyval_append(out, source->path);
    if (source->append != VB_ABSENT)
      g_string_append_printf(out, ",append=%s", source->append ? "on" : "off");
    break;
  case VB_CHR_UNIX:
    path = source->path != NULL ? g_strdup(source->path)
                                : vb_qemu_build_socket_path(b, socket_name, error);
    if (path == NULL)
      return FALSE;
    g_string_append(out, ",path=");
    vb_qemu_keyval_append(out, path);
    if (source->unix_mode == 0)
      g_string_append(out, ",server=on,wait=off");
    break;
  case VB_CHR_SPICEVMC:
    g_string_append_printf(out, ",name=%s", spice_name);
    break;
  case VB_CHR_PTY:
  case VB_CHR_NULL:
  default:
    break;
  }
  vb_qemu_build_arg(b, "-chardev", out->str);
  return TRUE;
}

static gboolean
build_serial(VbQemuBuild *b, const VbSerialDef *serial, guint index, GError **error)
{
  const char *alias = vb_qemu_device_id(&serial->info);
  g_autofree char *chardev = g_strdup_printf("char%s", alias);
  g_autofree char *what = g_strdup_printf("the serial port '%s'", alias);
  gint type = serial->target_type;
  const char *driver;
  VbQemuProps *props;

  if (type == VB_ABSENT || type == VB_CONSOLE_TARGET_SERIAL)
    type = VB_SERIAL_TARGET_ISA;
  driver = type == VB_SERIAL_TARGET_ISA   ? "isa-serial"
           : type == VB_SERIAL_TARGET_USB ? "usb-serial"
                                          : "pci-serial";
  if (!vb_qemu_build_need_device(b, driver, what, error) ||
      !build_backend(b, &serial->source, alias, NULL, NULL, error))
    return FALSE;
  props = vb_qemu_device_new(driver, NULL);
  vb_qemu_props_add_string(props, "chardev", chardev);
  vb_qemu_props_add_string(props, "id", alias);
  if (type == VB_SERIAL_TARGET_ISA) {
    vb_qemu_props_add_uint(props, "index",
                           serial->target_port >= 0 ? (guint64)serial->target_port : index);
  } else if (type == VB_SERIAL_TARGET_USB) {
    vb_qemu_usb_place(props, &serial->info);
  } else if (!vb_qemu_pci_place(b, props, &serial->info, what, error)) {
    vb_qemu_props_free(props);
    return FALSE;
  }
  vb_qemu_build_device(b, props);
  return TRUE;
}

/* A port on the first virtio-serial bus, numbered from 1 (port 0 is the console's). */
static void
add_virtio_port(VbQemuBuild *b,
                const char *driver,
                const VbDeviceInfo *info,
                const char *name,
                guint *next_port)
{
  const VbDeviceAddress *a = &info->address;
  g_autofree char *chardev = g_strdup_printf("char%s", vb_qemu_device_id(info));
  g_autofree char *bus = g_strdup_printf("virtio-serial%" G_GUINT64_FORMAT ".0",
                                         a->type == VB_ADDRESS_VIRTIO_SERIAL ? a->controller : 0);
  VbQemuProps *props = vb_qemu_device_new(driver, NULL);

  /* a console without an address is QEMU's to place, as libvirt leaves it */
  if (a->type == VB_ADDRESS_VIRTIO_SERIAL || next_port != NULL)
    vb_qemu_props_add_string(props, "bus", bus);
  if (a->type == VB_ADDRESS_VIRTIO_SERIAL)
    vb_qemu_props_add_uint(props, "nr", a->port);
  else if (next_port != NULL)
    vb_qemu_props_add_uint(props, "nr", (*next_port)++);
  vb_qemu_props_add_string(props, "chardev", chardev);
  vb_qemu_props_add_string(props, "id", vb_qemu_device_id(info));
  if (name != NULL)
    vb_qemu_props_add_string(props, "name", name);
  vb_qemu_build_device(b, props);
}

static gboolean
build_consoles(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;

  for (guint i = 0; i < def->consoles->len; i++) {
    const VbSerialDef *console = def->consoles->pdata[i];

    if (console->target_type == VB_CONSOLE_TARGET_VIRTIO) {
      if (!build_backend(b, &console->source, vb_qemu_device_id(&console->info), NULL, NULL, error))
        return FALSE;
      add_virtio_port(b, "virtconsole", &console->info, NULL, NULL);
    } else if (i == 0 && def->serials->len == 0) {
      /* a serial console with no <serial>: it is serial port 0 */
      if (!build_serial(b, console, 0, error))
        return FALSE;
    } else if (i > 0) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, console, "target/@type",
                          "only the first console can be a serial port; use type='virtio'");
      return FALSE;
    }
    /* else: the first serial console is <serial> 0 itself */
  }
  return TRUE;
}

static gboolean
build_channels(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;
  guint next_port = 1;

  for (guint i = 0; i < def->channels->len; i++) {
    const VbChannelDef *channel = def->channels->pdata[i];

    if (!build_backend(b, &channel->source, vb_qemu_device_id(&channel->info), channel->target_name,
                       SPICE_VDAGENT, error))
      return FALSE;
    add_virtio_port(b, "virtserialport", &channel->info, channel->target_name, &next_port);
  }
  return TRUE;
}

static gboolean
build_redirdevs(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;
  const VbChrSource spicevmc = {.type = VB_CHR_SPICEVMC, .append = VB_ABSENT};

  for (guint i = 0; i < def->redirdevs->len; i++) {
    const VbRedirdevDef *redir = def->redirdevs->pdata[i];
    const char *alias = vb_qemu_device_id(&redir->info);
    g_autofree char *chardev = g_strdup_printf("char%s", alias);
    VbQemuProps *props;

    if (!vb_qemu_build_has_usb(b)) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, redir, NULL,
                          "USB redirection needs a USB controller");
      return FALSE;
    }
    if (!vb_qemu_build_need_device(b, "usb-redir", "USB redirection", error) ||
        !build_backend(b, &spicevmc, alias, NULL, SPICE_USBREDIR, error))
      return FALSE;
    props = vb_qemu_device_new("usb-redir", NULL);
    vb_qemu_props_add_string(props, "chardev", chardev);
    vb_qemu_props_add_string(props, "id", alias);
    vb_qemu_usb_place(props, &redir->info);
    vb_qemu_build_device(b, props);
  }
  return TRUE;
}

gboolean
vb_qemu_build_chardevs(VbQemuBuild *b, GError **error)
{
  for (guint i = 0; i < b->def->serials->len; i++) {
    if (!build_serial(b, b->def->serials->pdata[i], i, error))
      return FALSE;
  }
  return build_consoles(b, error) && build_channels(b, error) && build_redirdevs(b, error);
}
