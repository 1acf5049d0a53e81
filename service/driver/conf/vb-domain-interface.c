/* vb-domain-interface.c: <interface>, and MAC addresses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

static const char *const other_net_types[] = {"direct", "hostdev", "server",    "client",
                                              "mcast",  "udp",     "vhostuser", "vdpa",
                                              "null",   "vds",     "internal",  NULL};

/**
 * vb_parse_mac:
 *
 * Reads libvirt's spelling of a MAC: six groups of one or two hex digits separated by ':'.
 */
gboolean
vb_parse_mac(const char *text, guint8 mac[6])
{
  g_auto(GStrv) parts = g_strsplit(text, ":", -1);

  if (g_strv_length(parts) != 6)
    return FALSE;
  for (guint i = 0; i < 6; i++) {
    guint64 value;

    if (*parts[i] == '\0' || strlen(parts[i]) > 2 ||
        !g_ascii_string_to_unsigned(parts[i], 16, 0, 0xff, &value, NULL))
      return FALSE;
    mac[i] = (guint8)value;
  }
  return TRUE;
}

static gboolean
mac_in_use(const VbDomainDef *def, const VbNetDef *self, const guint8 mac[6])
{
  for (guint i = 0; i < def->nets->len; i++) {
    const VbNetDef *other = def->nets->pdata[i];

    if (other != self && memcmp(other->mac, mac, 6) == 0)
      return TRUE;
  }
  return FALSE;
}

/**
 * vb_domain_def_generate_mac:
 * @net: a NIC of @def (or about to be) without an address
 *
 * Gives @net an address as libvirt does: in QEMU's 52:54:00 range, unique within the domain.
 */
void
vb_domain_def_generate_mac(const VbDomainDef *def, VbNetDef *net)
{
  do {
    net->mac[0] = 0x52;
    net->mac[1] = 0x54;
    net->mac[2] = 0x00;
    for (guint i = 3; i < 6; i++)
      net->mac[i] = (guint8)g_random_int_range(0, 256);
  } while (mac_in_use(def, net, net->mac));
}

static gboolean
parse_interface(VbDomainDef *def, VbNetDef *net, xmlNode *node, GError **error)
{
  gint type = VB_ABSENT;
  xmlNode *child;

  if (!vb_xml_attr_enum_subset(node, "type", vb_net_type_names, other_net_types, &type, error))
    return FALSE;
  if (type == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL, "an <interface> needs a type");
    return FALSE;
  }
  net->type = (VbNetType)type;

  child = vb_xml_child(node, "mac");
  if (child != NULL) {
    const char *text = vb_xml_attr(child, "address");

    if (text == NULL || !vb_parse_mac(text, net->mac)) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, child, "address",
                       "'%s' is not a MAC address (six hex bytes separated by ':')",
                       text ? text : "");
      return FALSE;
    }
    if (net->mac[0] & 1) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, child, "address",
                       "'%s' is a multicast address, which a NIC cannot have", text);
      return FALSE;
    }
  } else {
    /* given addresses may repeat: libvirt accepts that too */
    vb_domain_def_generate_mac(def, net);
  }

  child = vb_xml_child(node, "source");
  if (net->type == VB_NET_NETWORK || net->type == VB_NET_BRIDGE) {
    const char *attribute = net->type == VB_NET_NETWORK ? "network" : "bridge";

    net->source = child != NULL ? g_strdup(vb_xml_attr(child, attribute)) : NULL;
    if (net->source == NULL || *net->source == '\0') {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, child != NULL ? child : node, NULL,
                       "a '%s' interface needs <source %s='…'/>", vb_net_type_names[net->type],
                       attribute);
      return FALSE;
    }
  }
  child = vb_xml_child(node, "target");
  if (child != NULL)
    net->target_dev = g_strdup(vb_xml_attr(child, "dev"));
  child = vb_xml_child(node, "model");
  if (child != NULL) {
    const char *model = vb_xml_attr(child, "type");
    gint known = -1;

    if (model == NULL || *model == '\0' ||
        strspn(model, "abcdefghijklmnopqrstuvwxyz"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789_-") != strlen(model)) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, child, "type",
                       "'%s' is not a NIC model name", model ? model : "");
      return FALSE;
    }
    /* libvirt compares model names without case and writes them back in lower case */
    for (guint i = 0; vb_net_model_names[i] != NULL && known < 0; i++) {
      if (g_ascii_strcasecmp(model, vb_net_model_names[i]) == 0)
        known = (gint)i;
    }
    if (known < 0) {
      g_autofree char *list = g_strjoinv("', '", (char **)vb_net_model_names);

      vb_xml_set_error(error, VB_ERROR_NOT_SUPPORTED, child, "type",
                       "virtbus has no NIC model '%s' (it runs '%s')", model, list);
      return FALSE;
    }
    net->model = g_strdup(vb_net_model_names[known]);
  }
  child = vb_xml_child(node, "link");
  if (child != NULL && !vb_xml_attr_bool(child, "state", "up", "down", &net->link_state, error))
    return FALSE;
  return vb_device_info_parse(node, &net->info, TRUE, error);
}

gboolean
vb_domain_parse_interfaces(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "interface");

  for (guint i = 0; i < nodes->len; i++) {
    VbNetDef *net = vb_net_def_new(VB_NET_USER);

    g_ptr_array_add(def->nets, net);
    if (!parse_interface(def, net, nodes->pdata[i], error))
      return FALSE;
  }
  return TRUE;
}

void
vb_domain_format_interfaces(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->nets->len; i++) {
    const VbNetDef *net = def->nets->pdata[i];

    vb_xml_writer_start(w, "interface");
    vb_xml_writer_attr(w, "type", vb_net_type_names[net->type]);
    vb_xml_writer_start(w, "mac");
    vb_xml_writer_attr_printf(w, "address", "%02x:%02x:%02x:%02x:%02x:%02x", net->mac[0],
                              net->mac[1], net->mac[2], net->mac[3], net->mac[4], net->mac[5]);
    vb_xml_writer_end(w);
    if (net->source != NULL) {
      vb_xml_writer_start(w, "source");
      vb_xml_writer_attr(w, net->type == VB_NET_NETWORK ? "network" : "bridge", net->source);
      vb_xml_writer_end(w);
    }
    if (net->target_dev != NULL) {
      vb_xml_writer_start(w, "target");
      vb_xml_writer_attr(w, "dev", net->target_dev);
      vb_xml_writer_end(w);
    }
    if (net->model != NULL) {
      vb_xml_writer_start(w, "model");
      vb_xml_writer_attr(w, "type", net->model);
      vb_xml_writer_end(w);
    }
    if (net->link_state != VB_ABSENT) {
      vb_xml_writer_start(w, "link");
      vb_xml_writer_attr(w, "state", net->link_state ? "up" : "down");
      vb_xml_writer_end(w);
    }
    vb_device_boot_format(w, &net->info);
    vb_device_info_format(w, &net->info, flags);
    vb_xml_writer_end(w);
  }
}
