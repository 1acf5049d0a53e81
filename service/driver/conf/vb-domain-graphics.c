/* vb-domain-graphics.c: what the guest shows and how it is reached: <graphics> (VNC, SPICE)
 * and <video>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

static const char *const other_graphics_types[] = {"sdl",          "rdp",  "desktop",
                                                   "egl-headless", "dbus", NULL};
static const char *const other_listen_types[] = {"network", NULL};
static const char *const other_video_models[] = {"vmvga", "xen",   "vbox", "parallels",
                                                 "gop",   "ramfb", NULL};

/* The first VNC display is port 5900; QEMU cannot address one below it. */
#define VNC_PORT_MIN 5900

static gboolean
parse_port(
    xmlNode *node, const char *name, gint64 min, gint64 *port, gboolean *automatic, GError **error)
{
  const char *text = vb_xml_attr(node, name);
  gint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed(text, 10, -1, 65535, &value, NULL) ||
      (value != -1 && value < min)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, name,
                     "'%s' is not a port (-1 for automatic, or %" G_GINT64_FORMAT " to 65535)",
                     text, min);
    return FALSE;
  }
  if (value == -1)
    *automatic = TRUE; /* libvirt's old spelling of autoport='yes' */
  else
    *port = value;
  return TRUE;
}

static gboolean
parse_listen(VbGraphicsListen *listen, xmlNode *node, GError **error)
{
  gint type = VB_ABSENT;

  if (!vb_xml_attr_enum_subset(node, "type", vb_listen_type_names, other_listen_types, &type,
                               error))
    return FALSE;
  if (type == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "a <listen> needs a type: 'address', 'socket' or 'none'");
    return FALSE;
  }
  listen->type = (VbListenType)type;
  if (listen->type == VB_LISTEN_ADDRESS) {
    listen->address = g_strdup(vb_xml_attr(node, "address"));
    if (listen->address != NULL && *listen->address == '\0') {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "address",
                       "an empty address; leave it out for qemu.conf's default");
      return FALSE;
    }
  } else if (listen->type == VB_LISTEN_SOCKET) {
    listen->socket = g_strdup(vb_xml_attr(node, "socket"));
    if (listen->socket != NULL && !g_path_is_absolute(listen->socket)) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "socket",
                       "'%s' is not an absolute path", listen->socket);
      return FALSE;
    }
  }
  return TRUE;
}

/* <listen> children, and the older listen='…' (and VNC socket='…') attributes, which must
 * agree with the first of them when both are given. */
static gboolean
parse_listens(VbGraphicsDef *graphics, xmlNode *node, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(node, "listen");
  const char *address = vb_xml_attr(node, "listen");
  const char *socket = graphics->type == VB_GRAPHICS_VNC ? vb_xml_attr(node, "socket") : NULL;
  VbGraphicsListen *first;

  for (guint i = 0; i < nodes->len; i++) {
    VbGraphicsListen *listen = g_new0(VbGraphicsListen, 1);

    g_ptr_array_add(graphics->listens, listen);
    if (!parse_listen(listen, nodes->pdata[i], error))
      return FALSE;
  }
  if (graphics->listens->len > 1) {
    vb_xml_set_error(error, VB_ERROR_NOT_SUPPORTED, nodes->pdata[1], NULL,
                     "QEMU serves a display on one <listen> only");
    return FALSE;
  }
  if (address != NULL && socket != NULL) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "socket",
                     "a display listens either on an address or on a socket, not both");
    return FALSE;
  }
  if (graphics->listens->len == 0) {
    /* libvirt's implicit listen: an address, qemu.conf's unless given */
    first = g_new0(VbGraphicsListen, 1);
    first->type = socket != NULL ? VB_LISTEN_SOCKET : VB_LISTEN_ADDRESS;
    first->address = g_strdup(address);
    first->socket = g_strdup(socket);
    g_ptr_array_add(graphics->listens, first);
    if (first->socket != NULL && !g_path_is_absolute(first->socket)) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "socket",
                       "'%s' is not an absolute path", first->socket);
      return FALSE;
    }
    return TRUE;
  }
  first = graphics->listens->pdata[0];
  if (address != NULL &&
      (first->type != VB_LISTEN_ADDRESS || g_strcmp0(first->address, address) != 0)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "listen",
                     "'%s' does not match the address of the first <listen>", address);
    return FALSE;
  }
  if (socket != NULL &&
      (first->type != VB_LISTEN_SOCKET || g_strcmp0(first->socket, socket) != 0)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "socket",
                     "'%s' does not match the socket of the first <listen>", socket);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_graphics(VbGraphicsDef *graphics, xmlNode *node, GError **error)
{
  gint type = VB_ABSENT, autoport = VB_ABSENT;
  gboolean auto_port = FALSE, auto_tls_port = FALSE;
  const char *keymap;
  xmlNode *image;

  if (!vb_xml_attr_enum_subset(node, "type", vb_graphics_type_names, other_graphics_types, &type,
                               error))
    return FALSE;
  if (type == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "a <graphics> needs a type: 'vnc' or 'spice'");
    return FALSE;
  }
  graphics->type = (VbGraphicsType)type;
  if (!parse_port(node, "port", graphics->type == VB_GRAPHICS_VNC ? VNC_PORT_MIN : 1,
                  &graphics->port, &auto_port, error) ||
      (graphics->type == VB_GRAPHICS_SPICE &&
       !parse_port(node, "tlsPort", 1, &graphics->tls_port, &auto_tls_port, error)) ||
      !vb_xml_attr_bool(node, "autoport", "yes", "no", &autoport, error))
    return FALSE;
  if (autoport != VB_ABSENT)
    graphics->autoport = autoport;
  else /* no fixed port given means one is chosen at start */
    graphics->autoport =
        auto_port || auto_tls_port || (graphics->port == 0 && graphics->tls_port == 0);
  if (graphics->autoport) /* a port in a dumped live config is the runtime's choice */
    graphics->port = graphics->tls_port = 0;
  else if (graphics->port == 0 && graphics->tls_port == 0) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "autoport",
                     "autoport='no' needs a port");
    return FALSE;
  }

  keymap = vb_xml_attr(node, "keymap");
  if (keymap != NULL) {
    for (const char *c = keymap; *c != '\0'; c++) {
      if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_') {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "keymap",
                         "'%s' is not a keymap name (such as 'en-us' or 'de')", keymap);
        return FALSE;
      }
    }
    if (*keymap == '\0') {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "keymap",
                       "an empty keymap; leave it out for the default");
      return FALSE;
    }
  }
  graphics->keymap = g_strdup(keymap);
  graphics->passwd = g_strdup(vb_xml_attr(node, "passwd"));

  image = graphics->type == VB_GRAPHICS_SPICE ? vb_xml_child(node, "image") : NULL;
  if (image != NULL) {
    if (!vb_xml_attr_enum(image, "compression", vb_spice_image_compression_names,
                          &graphics->image_compression, error))
      return FALSE;
    if (graphics->image_compression == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, image, NULL, "<image> needs a compression");
      return FALSE;
    }
  }
  return parse_listens(graphics, node, error);
}

gboolean
vb_domain_parse_graphics(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "graphics");

  for (guint i = 0; i < nodes->len; i++) {
    VbGraphicsDef *graphics = vb_graphics_def_new(VB_GRAPHICS_VNC);

    g_ptr_array_add(def->graphics, graphics);
    if (!parse_graphics(graphics, nodes->pdata[i], error))
      return FALSE;
    for (guint j = 0; j < i; j++) {
      if (((VbGraphicsDef *)def->graphics->pdata[j])->type == graphics->type) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, nodes->pdata[i], "type",
                         "a domain has one '%s' display at most",
                         vb_graphics_type_names[graphics->type]);
        return FALSE;
      }
    }
  }
  return TRUE;
}

static void
format_listen(VbXmlWriter *w, const VbGraphicsListen *listen)
{
  vb_xml_writer_start(w, "listen");
  vb_xml_writer_attr(w, "type", vb_listen_type_names[listen->type]);
  vb_xml_writer_attr(w, "address", listen->address);
  vb_xml_writer_attr(w, "socket", listen->socket);
  vb_xml_writer_end(w);
}

static void
format_ports(VbXmlWriter *w, const VbGraphicsDef *graphics, gboolean live)
{
  /* libvirt writes VNC's automatic port as -1 in a persistent config; SPICE's not at all */
  if (graphics->port > 0 && (!graphics->autoport || live))
    vb_xml_writer_attr_printf(w, "port", "%" G_GINT64_FORMAT, graphics->port);
  else if (graphics->autoport && graphics->type == VB_GRAPHICS_VNC)
    vb_xml_writer_attr(w, "port", "-1");
  if (graphics->tls_port > 0 && (!graphics->autoport || live))
    vb_xml_writer_attr_printf(w, "tlsPort", "%" G_GINT64_FORMAT, graphics->tls_port);
  vb_xml_writer_attr(w, "autoport", graphics->autoport ? "yes" : "no");
}

void
vb_domain_format_graphics(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->graphics->len; i++) {
    const VbGraphicsDef *graphics = def->graphics->pdata[i];
    const VbGraphicsListen *first = graphics->listens->pdata[0];

    vb_xml_writer_start(w, "graphics");
    vb_xml_writer_attr(w, "type", vb_graphics_type_names[graphics->type]);
    if (first->type == VB_LISTEN_SOCKET && graphics->type == VB_GRAPHICS_VNC)
      vb_xml_writer_attr(w, "socket", first->socket);
    if (first->type == VB_LISTEN_ADDRESS) {
      format_ports(w, graphics, (flags & VB_DOMAIN_XML_LIVE) != 0);
      vb_xml_writer_attr(w, "listen", first->address);
    }
    vb_xml_writer_attr(w, "keymap", graphics->keymap);
    if (flags & VB_DOMAIN_XML_SECURE)
      vb_xml_writer_attr(w, "passwd", graphics->passwd);
    for (guint j = 0; j < graphics->listens->len; j++)
      format_listen(w, graphics->listens->pdata[j]);
    if (graphics->image_compression != VB_ABSENT) {
      vb_xml_writer_start(w, "image");
      vb_xml_writer_attr(w, "compression",
                         vb_spice_image_compression_names[graphics->image_compression]);
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
  }
}

static gboolean
parse_video(VbVideoDef *video, xmlNode *node, GError **error)
{
  xmlNode *model = vb_xml_child(node, "model");

  if (model != NULL) {
    struct {
      const char *name;
      gint64 *value;
    } sizes[] = {
        {"ram", &video->ram},
        {"vram", &video->vram},
        {"vgamem", &video->vgamem},
        {"heads", &video->heads},
    };

    if (!vb_xml_attr_enum_subset(model, "type", vb_video_model_names, other_video_models,
                                 &video->model, error) ||
        !vb_xml_attr_bool(model, "primary", "yes", "no", &video->primary, error))
      return FALSE;
    if (video->model == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, model, NULL, "a video <model> needs a type");
      return FALSE;
    }
    for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
      if (!vb_xml_attr_count(model, sizes[i].name, G_MAXUINT32, sizes[i].value, error))
        return FALSE;
    }
    if (video->heads == 0) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, model, "heads",
                       "a video device has at least one head");
      return FALSE;
    }
  }
  return vb_device_info_parse(node, &video->info, FALSE, error);
}

gboolean
vb_domain_parse_videos(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "video");
  gboolean has_primary = FALSE;

  for (guint i = 0; i < nodes->len; i++) {
    VbVideoDef *video = vb_video_def_new();

    g_ptr_array_add(def->videos, video);
    if (!parse_video(video, nodes->pdata[i], error))
      return FALSE;
    if (video->model == VB_VIDEO_NONE && nodes->len > 1) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, nodes->pdata[i], NULL,
                       "a 'none' video must be the only <video>");
      return FALSE;
    }
    if (video->primary == 1) {
      if (has_primary) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, nodes->pdata[i], NULL,
                         "only one <video> can be primary");
        return FALSE;
      }
      has_primary = TRUE;
    }
  }
  return TRUE;
}

void
vb_domain_format_videos(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->videos->len; i++) {
    const VbVideoDef *video = def->videos->pdata[i];

    vb_xml_writer_start(w, "video");
    if (video->model != VB_ABSENT) {
      vb_xml_writer_start(w, "model");
      vb_xml_writer_attr(w, "type", vb_video_model_names[video->model]);
      vb_xml_writer_attr_count(w, "ram", video->ram);
      vb_xml_writer_attr_count(w, "vram", video->vram);
      vb_xml_writer_attr_count(w, "vgamem", video->vgamem);
      vb_xml_writer_attr_count(w, "heads", video->heads);
      vb_xml_writer_attr_bool(w, "primary", video->primary, "yes", "no");
      vb_xml_writer_end(w);
    }
    vb_device_info_format(w, &video->info, flags);
    vb_xml_writer_end(w);
  }
}
