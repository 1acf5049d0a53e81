/* vb-qemu-command-display.c: what the user sees and hears: VNC and SPICE, video devices,
 * sound devices and their -audiodev backends.
 *
 * A port chosen at start (autoport) is written into the definition by the launcher before it
 * builds; a definition that still has none (export) shows qemu.conf's first display port.
 * Passwords never reach the command line: they are set over the monitor before the guest runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-address.h"
#include "vb-qemu-command-private.h"

#define VNC_PORT_BASE 5900

static const VbGraphicsListen *
first_listen(const VbGraphicsDef *g)
{
  return g->listens->len > 0 ? g->listens->pdata[0] : NULL;
}

/**
 * vb_qemu_display_tcp_address:
 *
 * Returns: (nullable): the address QEMU listens on for @g over TCP (its listen's, else
 *   qemu.conf's), or NULL when the display is on a UNIX socket or has no listener
 */
const char *
vb_qemu_display_tcp_address(const VbQemuConf *conf, const VbGraphicsDef *g)
{
  const VbGraphicsListen *listen = first_listen(g);

  if (listen != NULL && listen->type != VB_LISTEN_ADDRESS)
    return NULL;
  if (listen != NULL && listen->address != NULL)
    return listen->address;
  if (g->type == VB_GRAPHICS_VNC)
    return conf->vnc_auto_unix_socket ? NULL : conf->vnc_listen;
  return conf->spice_listen;
}

static gint64
display_port(const VbQemuBuild *b, const VbGraphicsDef *g)
{
  return g->port > 0 ? g->port : (gint64)b->config->conf->remote_display_port_min;
}

static void
add_password_setup(VbQemuBuild *b, const char *protocol, const char *password)
{
  VbQemuProps *arguments = vb_qemu_props_new();

  vb_qemu_props_add_string(arguments, "protocol", protocol);
  vb_qemu_props_add_string(arguments, "password", password);
  vb_qemu_build_setup(b, "set_password", arguments, "password");
}

static void
append_host(GString *out, const char *address)
{
  if (strchr(address, ':') != NULL)
    g_string_append_printf(out, "[%s]", address);
  else
    g_string_append(out, address);
}

static gboolean
build_vnc(VbQemuBuild *b, const VbGraphicsDef *g, GError **error)
{
  const VbQemuConf *conf = b->config->conf;
  const VbGraphicsListen *listen = first_listen(g);
  g_autoptr(GString) vnc = g_string_new(NULL);
  gint64 port = display_port(b, g);
  const char *address = vb_qemu_display_tcp_address(conf, g);

  if (!vb_qemu_build_has(b, "vnc")) {
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, g, NULL, "%s was built without VNC",
                        vb_qemu_caps_get_binary(b->caps));
    return FALSE;
  }
  if (listen != NULL && listen->type == VB_LISTEN_NONE) {
    g_string_append(vnc, "none");
  } else if (address == NULL) {
    g_autofree char *path = listen != NULL && listen->socket != NULL
                                ? g_strdup(listen->socket)
                                : vb_qemu_build_socket_path(b, "vnc.sock", error);

    if (path == NULL)
      return FALSE;
    g_string_append(vnc, "unix:");
    vb_qemu_keyval_append(vnc, path);
  } else {
    if (port < VNC_PORT_BASE || port > G_MAXUINT16) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, g, "@port",
                          "%" G_GINT64_FORMAT " is not a VNC port (5900 to 65535)", port);
      return FALSE;
    }
    append_host(vnc, address);
    g_string_append_printf(vnc, ":%" G_GINT64_FORMAT, port - VNC_PORT_BASE);
  }
  if (g->passwd != NULL) {
    g_string_append(vnc, ",password=on");
    add_password_setup(b, "vnc", g->passwd);
  }
  vb_qemu_build_arg(b, "-vnc", vnc->str);
  if (g->keymap != NULL)
    vb_qemu_build_arg(b, "-k", g->keymap);
  return TRUE;
}

static gboolean
build_spice(VbQemuBuild *b, const VbGraphicsDef *g, GError **error)
{
  const VbQemuConf *conf = b->config->conf;
  const VbGraphicsListen *listen = first_listen(g);
  g_autoptr(GString) spice = g_string_new(NULL);

  if (!vb_qemu_build_has(b, "spice")) {
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, g, NULL, "%s was built without SPICE",
                        vb_qemu_caps_get_binary(b->caps));
    return FALSE;
  }
  if (listen != NULL && listen->type == VB_LISTEN_NONE) {
    vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, g, "listen/@type",
                        "'none' is for local OpenGL displays, which virtbus does not offer");
    return FALSE;
  }
  if (g->tls_port > 0 && !conf->spice_tls) {
    vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, g, "@tlsPort",
                        "TLS is off in %s (spice_tls = 0)", conf->filename);
    return FALSE;
  }
  if (listen != NULL && listen->type == VB_LISTEN_SOCKET) {
    g_autofree char *path = listen->socket != NULL
                                ? g_strdup(listen->socket)
                                : vb_qemu_build_socket_path(b, "spice.sock", error);

    if (path == NULL)
      return FALSE;
    g_string_append(spice, "unix=on,addr=");
    vb_qemu_keyval_append(spice, path);
  } else {
    g_string_append_printf(spice, "port=%" G_GINT64_FORMAT, display_port(b, g));
    if (g->tls_port > 0)
      g_string_append_printf(spice, ",tls-port=%" G_GINT64_FORMAT, g->tls_port);
    g_string_append(spice, ",addr=");
    vb_qemu_keyval_append(spice, vb_qemu_display_tcp_address(conf, g));
  }
  if (g->passwd != NULL)
    add_password_setup(b, "spice", g->passwd);
  else
    g_string_append(spice, ",disable-ticketing=on");
  if (g->image_compression != VB_ABSENT)
    g_string_append_printf(spice, ",image-compression=%s",
                           vb_spice_image_compression_names[g->image_compression]);
  g_string_append(spice, ",seamless-migration=on");
  vb_qemu_build_arg(b, "-spice", spice->str);
  return TRUE;
}

static const char *
video_driver(gint model, gboolean primary)
{
  switch (model) {
  case VB_VIDEO_VGA:
    return "VGA";
  case VB_VIDEO_CIRRUS:
    return "cirrus-vga";
  case VB_VIDEO_VIRTIO:
    return primary ? "virtio-vga" : "virtio-gpu-pci";
  case VB_VIDEO_QXL:
    return primary ? "qxl-vga" : "qxl";
  case VB_VIDEO_BOCHS:
    return "bochs-display";
  case VB_VIDEO_NONE:
  default:
    return NULL;
  }
}

static gboolean
build_video(VbQemuBuild *b, const VbVideoDef *video, guint index, GError **error)
{
  const VbDomainDef *def = b->def;
  g_autofree char *what = NULL;
  gint model = video->model;
  const char *driver;
  VbQemuProps *props;

  if (model == VB_ABSENT)
    model = vb_domain_default_video_model(def);
  driver = video_driver(model, index == 0);
  if (driver == NULL)
    return TRUE;
  what = g_strdup_printf("the video device '%s'", vb_video_model_names[model]);
  if (!vb_qemu_build_need_device(b, driver, what, error))
    return FALSE;
  props = vb_qemu_device_new(driver, vb_qemu_device_id(&video->info));
  if (model == VB_VIDEO_QXL) {
    if (video->ram >= 0)
      vb_qemu_props_add_uint(props, "ram_size", (guint64)video->ram * 1024);
    if (video->vram >= 0)
      vb_qemu_props_add_uint(props, "vram_size", (guint64)video->vram * 1024);
  }
  /* as libvirt: QXL's VGA memory is its vgamem, plain VGA's and bochs' their vram */
  if (video->vgamem >= 0 && model == VB_VIDEO_QXL)
    vb_qemu_props_add_uint(props, "vgamem_mb", (guint64)video->vgamem / 1024);
  if (video->vram >= 0 && model == VB_VIDEO_VGA)
    vb_qemu_props_add_uint(props, "vgamem_mb", (guint64)video->vram / 1024);
  if (video->vram >= 0 && model == VB_VIDEO_BOCHS)
    vb_qemu_props_add_uint(props, "vgamem", (guint64)video->vram * 1024);
  if (video->heads >= 0 && (model == VB_VIDEO_QXL || model == VB_VIDEO_VIRTIO))
    vb_qemu_props_add_uint(props, "max_outputs", (guint64)video->heads);
  if (!vb_qemu_build_pci_device(b, props, &video->info, what, error))
    return FALSE;
  return TRUE;
}

/* -audiodev: each <audio>, or one of libvirt's choosing (spice with SPICE, else none). */
static void
build_audiodevs(VbQemuBuild *b)
{
  const VbDomainDef *def = b->def;

  if (vb_qemu_caps_get_version(b->caps) < VB_QEMU_VERSION(4, 0, 0))
    return;
  if (def->audios->len == 0) {
    const char *driver = vb_domain_has_spice(def) ? "spice" : "none";

    vb_qemu_build_argf(b, "-audiodev", "id=audio1,driver=%s", driver);
    b->audiodev = g_strdup("audio1");
    return;
  }
  for (guint i = 0; i < def->audios->len; i++) {
    const VbAudioDef *audio = def->audios->pdata[i];

    vb_qemu_build_argf(b, "-audiodev", "id=audio%" G_GUINT64_FORMAT ",driver=%s", audio->id,
                       vb_audio_type_names[audio->type]);
    if (i == 0)
      b->audiodev = g_strdup_printf("audio%" G_GUINT64_FORMAT, audio->id);
  }
}

static gboolean
build_sound(VbQemuBuild *b, const VbSoundDef *sound, GError **error)
{
  static const char *const drivers[] = {"ich9-intel-hda", "intel-hda", "AC97", "ES1370",
                                        "usb-audio"};
  const char *driver = drivers[sound->model];
  const char *alias = vb_qemu_device_id(&sound->info);
  g_autofree char *what =
      g_strdup_printf("the sound device '%s'", vb_sound_model_names[sound->model]);
  g_autofree char *audiodev = sound->audio_id > 0
                                  ? g_strdup_printf("audio%" G_GUINT64_FORMAT, sound->audio_id)
                                  : g_strdup(b->audiodev);
  gboolean hda = sound->model == VB_SOUND_ICH9 || sound->model == VB_SOUND_ICH6;
  VbQemuProps *props;

  if (!vb_qemu_build_need_device(b, driver, what, error) ||
      (hda && !vb_qemu_build_need_device(b, "hda-duplex", what, error)))
    return FALSE;
  props = vb_qemu_device_new(driver, alias);
  if (!hda && audiodev != NULL)
    vb_qemu_props_add_string(props, "audiodev", audiodev);
  if (sound->model == VB_SOUND_USB) {
    vb_qemu_usb_place(props, &sound->info);
  } else if (!vb_qemu_pci_place(b, props, &sound->info, what, error)) {
    vb_qemu_props_free(props);
    return FALSE;
  }
  vb_qemu_build_device(b, props);
  if (hda) {
    g_autofree char *codec = g_strdup_printf("%s-codec0", alias);
    g_autofree char *bus = g_strdup_printf("%s.0", alias);

    props = vb_qemu_device_new("hda-duplex", codec);
    vb_qemu_props_add_string(props, "bus", bus);
    vb_qemu_props_add_uint(props, "cad", 0);
    if (audiodev != NULL)
      vb_qemu_props_add_string(props, "audiodev", audiodev);
    vb_qemu_build_device(b, props);
  }
  return TRUE;
}

gboolean
vb_qemu_build_display(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;

  build_audiodevs(b);
  for (guint i = 0; i < def->graphics->len; i++) {
    const VbGraphicsDef *g = def->graphics->pdata[i];

    if (!(g->type == VB_GRAPHICS_VNC ? build_vnc(b, g, error) : build_spice(b, g, error)))
      return FALSE;
  }
  for (guint i = 0; i < def->videos->len; i++) {
    if (!build_video(b, def->videos->pdata[i], i, error))
      return FALSE;
  }
  for (guint i = 0; i < def->sounds->len; i++) {
    if (!build_sound(b, def->sounds->pdata[i], error))
      return FALSE;
  }
  return TRUE;
}
