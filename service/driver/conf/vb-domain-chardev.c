/* vb-domain-chardev.c: character devices: <serial>, <console>, <channel> and <redirdev>,
 * which share how their host side (<source>) is written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

/* libvirt knows these; virtbus does not run them. stdio would tie the guest to the daemon's
 * own standard streams, so it is refused with the rest. */
static const char *const other_chr_types[] = {
    "stdio", "dev", "pipe", "tcp", "udp", "vc", "spiceport", "nmdm", "dbus", "qemu-vdagent", NULL};
static const char *const other_serial_targets[] = {"isa-debug", "spapr-vio-serial", "system-serial",
                                                   "sclp-serial", NULL};
static const char *const other_serial_models[] = {
    "spapr-vty", "pl011", "sclpconsole", "sclplmconsole", "16550a", "isa-debugcon", NULL};
static const char *const other_console_targets[] = {"xen",  "uml",    "lxc", "openvz",
                                                    "sclp", "sclplm", NULL};
static const char *const other_channel_targets[] = {"guestfwd", "xen", NULL};

/* The name libvirt gives a SPICE agent channel that has none. */
#define SPICE_AGENT_CHANNEL "com.redhat.spice.0"

/* Which families may use which source types. */
typedef enum {
  CHR_FAMILY_SERIAL,  /* serial and console */
  CHR_FAMILY_CHANNEL, /* also spicevmc, and a bind socket whose path is made at start */
} ChrFamily;

static gboolean
parse_source(VbChrSource *source, xmlNode *node, ChrFamily family, GError **error)
{
  gint type = VB_ABSENT;
  xmlNode *child;

  if (!vb_xml_attr_enum_subset(node, "type", vb_chr_type_names, other_chr_types, &type, error))
    return FALSE;
  if (type == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "a <%s> needs a type such as 'pty'", (const char *)node->name);
    return FALSE;
  }
  if (type == VB_CHR_SPICEVMC && family != CHR_FAMILY_CHANNEL) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "type",
                     "'spicevmc' is for <channel> and <redirdev> only");
    return FALSE;
  }
  source->type = (VbChrType)type;
  child = vb_xml_child(node, "source");
  switch (source->type) {
  case VB_CHR_PTY:
    /* the pty a running domain got: kept for the live view */
    if (child != NULL)
      source->path = g_strdup(vb_xml_attr(child, "path"));
    return TRUE;
  case VB_CHR_FILE:
    if (child != NULL) {
      source->path = g_strdup(vb_xml_attr(child, "path"));
      if (!vb_xml_attr_bool(child, "append", "on", "off", &source->append, error))
        return FALSE;
    }
    break;
  case VB_CHR_UNIX:
    source->unix_mode = 1; /* libvirt's default: connect */
    if (child != NULL) {
      source->path = g_strdup(vb_xml_attr(child, "path"));
      if (!vb_xml_attr_enum(child, "mode", vb_chr_unix_mode_names, &source->unix_mode, error))
        return FALSE;
    }
    if (source->path == NULL && source->unix_mode == 0 && family == CHR_FAMILY_CHANNEL)
      return TRUE; /* made in the domain's runtime directory at start */
    break;
  case VB_CHR_NULL:
  case VB_CHR_SPICEVMC:
  default:
    return TRUE;
  }
  if (source->path == NULL || !g_path_is_absolute(source->path)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, child != NULL ? child : node,
                     source->path != NULL ? "path" : NULL,
                     source->path == NULL ? "a '%s' character device needs <source path='…'/>"
                                          : "'%s' is not an absolute path",
                     source->path == NULL ? vb_chr_type_names[source->type] : source->path);
    return FALSE;
  }
  return TRUE;
}

static void
format_source(VbXmlWriter *w, const VbChrSource *source, VbDomainXmlFlags flags)
{
  if (source->path == NULL && source->unix_mode == VB_ABSENT)
    return;
  if (source->type == VB_CHR_PTY && !(flags & VB_DOMAIN_XML_LIVE))
    return;
  vb_xml_writer_start(w, "source");
  vb_xml_writer_attr_enum(w, "mode", vb_chr_unix_mode_names, source->unix_mode);
  vb_xml_writer_attr(w, "path", source->path);
  vb_xml_writer_attr_bool(w, "append", source->append, "on", "off");
  vb_xml_writer_end(w);
}

static gboolean
parse_target_port(xmlNode *target, gint64 *port, GError **error)
{
  *port = -1;
  return target == NULL || vb_xml_attr_count(target, "port", G_MAXINT32, port, error);
}

/* libvirt numbers ports that were left out: the lowest one not taken. Ports only get taken
 * as the loop goes, so the lowest free one never goes down: one pass, with a set. */
static void
assign_ports(GPtrArray *chrs)
{
  g_autoptr(GHashTable) taken = g_hash_table_new(g_int64_hash, g_int64_equal);
  gint64 port = 0;

  for (guint i = 0; i < chrs->len; i++) {
    VbSerialDef *chr = chrs->pdata[i];

    if (chr->target_port >= 0)
      g_hash_table_add(taken, &chr->target_port);
  }
  for (guint i = 0; i < chrs->len; i++) {
    VbSerialDef *chr = chrs->pdata[i];

    if (chr->target_port >= 0)
      continue;
    while (g_hash_table_contains(taken, &port))
      port++;
    chr->target_port = port;
    g_hash_table_add(taken, &chr->target_port);
  }
}

static gboolean
parse_serial(VbSerialDef *serial, xmlNode *node, GError **error)
{
  xmlNode *target = vb_xml_child(node, "target");
  xmlNode *model = target != NULL ? vb_xml_child(target, "model") : NULL;

  if (!parse_source(&serial->source, node, CHR_FAMILY_SERIAL, error) ||
      !parse_target_port(target, &serial->target_port, error))
    return FALSE;
  if (target != NULL && !vb_xml_attr_enum_subset(target, "type", vb_serial_target_type_names,
                                                 other_serial_targets, &serial->target_type, error))
    return FALSE;
  if (model != NULL) {
    if (!vb_xml_attr_enum_subset(model, "name", vb_serial_target_model_names, other_serial_models,
                                 &serial->target_model, error))
      return FALSE;
    if (serial->target_model == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, model, NULL, "a <model> needs a name");
      return FALSE;
    }
    if (serial->target_type != VB_ABSENT && serial->target_type != serial->target_model) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, model, "name",
                       "the model '%s' does not fit the target type '%s'",
                       vb_serial_target_model_names[serial->target_model],
                       vb_serial_target_type_names[serial->target_type]);
      return FALSE;
    }
  }
  return vb_device_info_parse(node, &serial->info, FALSE, error);
}

static gboolean
parse_console(VbSerialDef *console, xmlNode *node, GError **error)
{
  xmlNode *target = vb_xml_child(node, "target");

  if (!parse_source(&console->source, node, CHR_FAMILY_SERIAL, error) ||
      !parse_target_port(target, &console->target_port, error))
    return FALSE;
  if (target != NULL &&
      !vb_xml_attr_enum_subset(target, "type", vb_console_target_type_names, other_console_targets,
                               &console->target_type, error))
    return FALSE;
  return vb_device_info_parse(node, &console->info, FALSE, error);
}

static gboolean
check_unique_ports(GPtrArray *chrs, GPtrArray *nodes, GError **error)
{
  g_autoptr(GHashTable) taken = g_hash_table_new(g_int64_hash, g_int64_equal);

  for (guint i = 0; i < chrs->len; i++) {
    VbSerialDef *a = chrs->pdata[i];

    if (a->target_port >= 0 && !g_hash_table_add(taken, &a->target_port)) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, nodes->pdata[i], NULL,
                       "the port %" G_GINT64_FORMAT " is taken by another <%s>", a->target_port,
                       (const char *)((xmlNode *)nodes->pdata[i])->name);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
vb_domain_parse_chardevs(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) serials = vb_xml_children(devices, "serial");
  g_autoptr(GPtrArray) consoles = vb_xml_children(devices, "console");
  g_autoptr(GPtrArray) channels = vb_xml_children(devices, "channel");
  g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal); /* of channels */

  for (guint i = 0; i < serials->len; i++) {
    VbSerialDef *serial = vb_serial_def_new(VB_CHR_PTY);

    g_ptr_array_add(def->serials, serial);
    if (!parse_serial(serial, serials->pdata[i], error))
      return FALSE;
  }
  for (guint i = 0; i < consoles->len; i++) {
    VbSerialDef *console = vb_serial_def_new(VB_CHR_PTY);

    g_ptr_array_add(def->consoles, console);
    if (!parse_console(console, consoles->pdata[i], error))
      return FALSE;
  }
  if (!check_unique_ports(def->serials, serials, error))
    return FALSE;
  assign_ports(def->serials);
  /* a console's port is its index among consoles of the same kind, the first serial console
   * being serial port 0's */
  for (guint i = 0; i < def->consoles->len; i++) {
    VbSerialDef *console = def->consoles->pdata[i];

    if (console->target_port < 0)
      console->target_port = console->target_type == VB_CONSOLE_TARGET_VIRTIO ? i : 0;
  }

  for (guint i = 0; i < channels->len; i++) {
    xmlNode *node = channels->pdata[i];
    xmlNode *target = vb_xml_child(node, "target");
    VbChannelDef *channel = vb_channel_def_new(VB_CHR_PTY);
    gint target_type = VB_ABSENT;

    g_ptr_array_add(def->channels, channel);
    if (!parse_source(&channel->source, node, CHR_FAMILY_CHANNEL, error))
      return FALSE;
    if (target != NULL &&
        !vb_xml_attr_enum_subset(target, "type", (const char *const[]){"virtio", NULL},
                                 other_channel_targets, &target_type, error))
      return FALSE;
    if (target_type == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, target != NULL ? target : node, NULL,
                       "a channel needs <target type='virtio' name='…'/>");
      return FALSE;
    }
    channel->target_name = g_strdup(vb_xml_attr(target, "name"));
    /* state='connected|disconnected' is what a running guest's agent did: status, not
     * configuration, so a dumped live config loads and it is not kept */
    vb_xml_attr(target, "state");
    if (channel->target_name == NULL && channel->source.type == VB_CHR_SPICEVMC)
      channel->target_name = g_strdup(SPICE_AGENT_CHANNEL);
    if (channel->target_name == NULL || *channel->target_name == '\0') {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, target, NULL,
                       "a virtio channel needs a name, e.g. 'org.qemu.guest_agent.0'");
      return FALSE;
    }
    if (!g_hash_table_add(names, channel->target_name)) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, target, "name",
                       "two channels are named '%s'", channel->target_name);
      return FALSE;
    }
    if (!vb_device_info_parse(node, &channel->info, FALSE, error))
      return FALSE;
  }
  return TRUE;
}

void
vb_domain_format_chardevs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->serials->len; i++) {
    const VbSerialDef *serial = def->serials->pdata[i];

    vb_xml_writer_start(w, "serial");
    vb_xml_writer_attr(w, "type", vb_chr_type_names[serial->source.type]);
    format_source(w, &serial->source, flags);
    vb_xml_writer_start(w, "target");
    vb_xml_writer_attr_enum(w, "type", vb_serial_target_type_names, serial->target_type);
    vb_xml_writer_attr_count(w, "port", serial->target_port);
    if (serial->target_model != VB_ABSENT) {
      vb_xml_writer_start(w, "model");
      vb_xml_writer_attr(w, "name", vb_serial_target_model_names[serial->target_model]);
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
    vb_device_info_format(w, &serial->info, flags);
    vb_xml_writer_end(w);
  }
  for (guint i = 0; i < def->consoles->len; i++) {
    const VbSerialDef *console = def->consoles->pdata[i];

    vb_xml_writer_start(w, "console");
    vb_xml_writer_attr(w, "type", vb_chr_type_names[console->source.type]);
    format_source(w, &console->source, flags);
    vb_xml_writer_start(w, "target");
    vb_xml_writer_attr_enum(w, "type", vb_console_target_type_names, console->target_type);
    vb_xml_writer_attr_count(w, "port", console->target_port);
    vb_xml_writer_end(w);
    vb_device_info_format(w, &console->info, flags);
    vb_xml_writer_end(w);
  }
  for (guint i = 0; i < def->channels->len; i++) {
    const VbChannelDef *channel = def->channels->pdata[i];

    vb_xml_writer_start(w, "channel");
    vb_xml_writer_attr(w, "type", vb_chr_type_names[channel->source.type]);
    format_source(w, &channel->source, flags);
    vb_xml_writer_start(w, "target");
    vb_xml_writer_attr(w, "type", "virtio");
    vb_xml_writer_attr(w, "name", channel->target_name);
    vb_xml_writer_end(w);
    vb_device_info_format(w, &channel->info, flags);
    vb_xml_writer_end(w);
  }
}

gboolean
vb_domain_parse_redirdevs(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "redirdev");

  for (guint i = 0; i < nodes->len; i++) {
    xmlNode *node = nodes->pdata[i];
    VbRedirdevDef *redirdev = vb_redirdev_def_new();
    gint bus = 0, type = VB_ABSENT;

    g_ptr_array_add(def->redirdevs, redirdev);
    if (!vb_xml_attr_enum(node, "bus", (const char *const[]){"usb", NULL}, &bus, error) ||
        !vb_xml_attr_enum_subset(node, "type", (const char *const[]){"spicevmc", NULL},
                                 (const char *const[]){"tcp", NULL}, &type, error))
      return FALSE;
    if (type == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "a <redirdev> needs a type: 'spicevmc'");
      return FALSE;
    }
    if (!vb_device_info_parse(node, &redirdev->info, TRUE, error))
      return FALSE;
  }
  return TRUE;
}

void
vb_domain_format_redirdevs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->redirdevs->len; i++) {
    const VbRedirdevDef *redirdev = def->redirdevs->pdata[i];

    vb_xml_writer_start(w, "redirdev");
    vb_xml_writer_attr(w, "bus", "usb");
    vb_xml_writer_attr(w, "type", "spicevmc");
    vb_device_boot_format(w, &redirdev->info);
    vb_device_info_format(w, &redirdev->info, flags);
    vb_xml_writer_end(w);
  }
}
