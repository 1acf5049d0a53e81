/* vb-qemu-command-net.c: network interfaces: the host side (-netdev) and the guest NIC.
 *
 * user → QEMU's own user-mode stack. bridge, and network through qemu.conf's network_bridges
 * (virtbus has no virtual-network driver), → a TAP device on that bridge: the system instance
 * creates it; the session instance asks qemu-bridge-helper, as an unprivileged user must.
 * ethernet → a TAP device of its own (system instance, or any instance run by root: config
 * privileged). TAP devices arrive as fds
 * the launcher opens (VbQemuFdRequest); building creates none.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-qemu-command-private.h"

typedef struct {
  const char *model;  /* libvirt's, as in vb_net_model_names */
  const char *driver; /* QEMU's */
} NicModel;

static const NicModel nic_models[] = {
    {"virtio", "virtio-net-pci"},
    {"virtio-transitional", "virtio-net-pci-transitional"},
    {"virtio-non-transitional", "virtio-net-pci-non-transitional"},
    {"e1000", "e1000"},
    {"e1000e", "e1000e"},
    {"igb", "igb"},
    {"rtl8139", "rtl8139"},
    {"ne2k_pci", "ne2k_pci"},
    {"pcnet", "pcnet"},
    {"vmxnet3", "vmxnet3"},
    {"i82551", "i82551"},
    {"i82557b", "i82557b"},
    {"i82559er", "i82559er"},
    {"usb-net", "usb-net"},
};

/**
 * vb_qemu_nic_driver:
 * @model: (nullable): one of vb_net_model_names; %NULL for libvirt's x86 default, rtl8139
 *
 * Returns: QEMU's device for the NIC model
 */
const char *
vb_qemu_nic_driver(const char *model)
{
  if (model == NULL)
    model = "rtl8139";
  for (guint i = 0; i < G_N_ELEMENTS(nic_models); i++) {
    if (g_str_equal(nic_models[i].model, model))
      return nic_models[i].driver;
  }
  g_return_val_if_reached(NULL);
}

/**
 * vb_qemu_nic_model:
 *
 * Returns: (nullable): libvirt's NIC model for the QEMU device @driver, %NULL when it is not
 *   a NIC virtbus runs
 */
const char *
vb_qemu_nic_model(const char *driver)
{
  /* "virtio-net" is QEMU's transport-neutral name of the same NIC */
  if (g_str_equal(driver, "virtio-net"))
    return "virtio";
  for (guint i = 0; i < G_N_ELEMENTS(nic_models); i++) {
    if (g_str_equal(nic_models[i].driver, driver))
      return nic_models[i].model;
  }
  return NULL;
}

static int
request_tap(VbQemuBuild *b, VbQemuFdKind kind, const VbNetDef *net, const char *bridge)
{
  VbQemuFdRequest *request = vb_qemu_build_request_fd(b, kind);

  request->alias = g_strdup(vb_qemu_device_id(&net->info));
  request->bridge = g_strdup(bridge);
  request->ifname = g_strdup(net->target_dev);
  return request->fd;
}

static gboolean
build_netdev(VbQemuBuild *b, const VbNetDef *net, const char *id, guint index, GError **error)
{
  const char *bridge = NULL;
  /* who can open TAP devices: the system instance, or any instance root runs */
  gboolean system = b->config->conf->instance == VB_INSTANCE_SYSTEM || b->config->privileged;
  int fd;

  switch (net->type) {
  case VB_NET_USER:
    vb_qemu_build_argf(b, "-netdev", "user,id=%s", id);
    return TRUE;
  case VB_NET_NETWORK:
    bridge = vb_qemu_conf_lookup_bridge(b->config->conf, net->source);
    /* libvirt's default network is served by virbr0: a domain virt-install wrote runs on it */
    if (bridge == NULL && g_strcmp0(net->source, "default") == 0)
      bridge = b->config->default_bridge;
    if (bridge == NULL) {
      vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, net, "source/@network",
                          "virtbus has no virtual network '%s'; map it to a host bridge with "
                          "network_bridges in %s (e.g. network_bridges = [ \"%s=virbr0\" ])",
                          net->source, b->config->conf->filename, net->source);
      return FALSE;
    }
    break;
  case VB_NET_BRIDGE:
    bridge = net->source;
    break;
  case VB_NET_ETHERNET:
  default:
    if (!system) {
      vb_qemu_build_error(b, error, VB_ERROR_NOT_SUPPORTED, net, "@type",
                          "'ethernet' needs a TAP device, which only the system instance (or "
                          "an instance run by root) can create; use 'bridge' or 'user'");
      return FALSE;
    }
    if (b->config->export) {
      g_autoptr(GString) tap = g_string_new("tap,");

      if (net->target_dev != NULL) {
        g_string_append(tap, "ifname=");
        vb_qemu_keyval_append(tap, net->target_dev);
        g_string_append_c(tap, ',');
      }
      g_string_append_printf(tap, "script=no,downscript=no,id=%s", id);
      vb_qemu_build_arg(b, "-netdev", tap->str);
      return TRUE;
    }
    fd = request_tap(b, VB_QEMU_FD_TAP, net, NULL);
    vb_qemu_build_argf(b, "-netdev", "tap,fd=%d,id=%s", fd, id);
    return TRUE;
  }
  /* Export opens nothing: QEMU's own bridge backend names the bridge instead of an fd, and
   * runs outside virtbus through qemu-bridge-helper. */
  if (b->config->export) {
    g_autoptr(GString) netdev = g_string_new("bridge,br=");

    vb_qemu_keyval_append(netdev, bridge);
    g_string_append_printf(netdev, ",id=%s", id);
    vb_qemu_build_arg(b, "-netdev", netdev->str);
    return TRUE;
  }
  fd = request_tap(b, system ? VB_QEMU_FD_TAP : VB_QEMU_FD_BRIDGE_HELPER, net, bridge);
  vb_qemu_build_argf(b, "-netdev", "tap,fd=%d,id=%s", fd, id);
  return TRUE;
}

static gboolean
build_net(VbQemuBuild *b, const VbNetDef *net, guint index, GError **error)
{
  const char *driver = vb_qemu_nic_driver(net->model);
  g_autofree char *id = g_strdup_printf("host%s", vb_qemu_device_id(&net->info));
  g_autofree char *what = g_strdup_printf("the interface '%s'", vb_qemu_device_id(&net->info));
  g_autofree char *mac = g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", net->mac[0], net->mac[1],
                                         net->mac[2], net->mac[3], net->mac[4], net->mac[5]);
  guint bootindex = vb_qemu_build_bootindex(b, &net->info);
  VbQemuProps *props;

  if (!vb_qemu_build_need_device(b, driver, what, error) || !build_netdev(b, net, id, index, error))
    return FALSE;
  props = vb_qemu_device_new(driver, NULL);
  vb_qemu_props_add_string(props, "netdev", id);
  vb_qemu_props_add_string(props, "id", vb_qemu_device_id(&net->info));
  vb_qemu_props_add_string(props, "mac", mac);
  if (bootindex > 0)
    vb_qemu_props_add_uint(props, "bootindex", bootindex);
  if (g_str_equal(driver, "usb-net")) {
    vb_qemu_usb_place(props, &net->info);
  } else if (!vb_qemu_pci_place(b, props, &net->info, what, error)) {
    vb_qemu_props_free(props);
    return FALSE;
  }
  vb_qemu_build_device(b, props);
  /* QEMU has no property for a link that starts down: it is set over the monitor */
  if (net->link_state == 0) {
    VbQemuProps *arguments = vb_qemu_props_new();

    vb_qemu_props_add_string(arguments, "name", vb_qemu_device_id(&net->info));
    vb_qemu_props_add_bool(arguments, "up", FALSE);
    vb_qemu_build_setup(b, "set_link", arguments, NULL);
  }
  return TRUE;
}

gboolean
vb_qemu_build_nets(VbQemuBuild *b, GError **error)
{
  for (guint i = 0; i < b->def->nets->len; i++) {
    if (!build_net(b, b->def->nets->pdata[i], i, error))
      return FALSE;
  }
  return TRUE;
}
