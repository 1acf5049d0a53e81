/* vb-qemu-from-native-net.c: domxml-from-native's NICs: -netdev with the -device that uses
 * it, -nic, and the old -net nic paired with the -net backends in order.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-error.h"
#include "vb-qemu-command.h"
#include "vb-qemu-from-native-private.h"
#include "vb-qemu-props.h"

void
vb_qemu_import_backend_free(VbImportBackend *backend)
{
  if (backend == NULL)
    return;
  g_free(backend->bridge);
  g_free(backend->ifname);
  g_free(backend);
}

/* user, bridge (br=, default br0) and tap (on a bridge with br=, else an ethernet tap). */
static VbImportBackend *
read_backend(const char *option, GHashTable *props, GError **error)
{
  const char *type = g_hash_table_lookup(props, "type");
  const char *bridge = g_hash_table_lookup(props, "br");
  VbImportBackend *backend;

  if (g_strcmp0(type, "user") != 0 && g_strcmp0(type, "bridge") != 0 &&
      g_strcmp0(type, "tap") != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "%s %s: domxml-from-native reads the network backends user, tap and bridge", option,
                type != NULL ? type : "");
    return NULL;
  }
  backend = g_new0(VbImportBackend, 1);
  if (g_str_equal(type, "user")) {
    backend->type = VB_NET_USER;
  } else if (g_str_equal(type, "bridge")) {
    backend->type = VB_NET_BRIDGE;
    backend->bridge = g_strdup(bridge != NULL ? bridge : "br0");
  } else {
    backend->type = bridge != NULL ? VB_NET_BRIDGE : VB_NET_ETHERNET;
    backend->bridge = g_strdup(bridge);
    backend->ifname = g_strdup(g_hash_table_lookup(props, "ifname"));
  }
  return backend;
}

static void
apply_backend(VbNetDef *net, const VbImportBackend *backend)
{
  net->type = backend->type;
  g_free(net->source);
  net->source = g_strdup(backend->bridge);
  g_free(net->target_dev);
  net->target_dev = g_strdup(backend->ifname);
}

/* A new <interface>, with the MAC given (libvirt's spelling) or one generated. */
static VbNetDef *
add_nic(VbImport *im, const char *option, const char *model, const char *mac, GError **error)
{
  VbNetDef *net = vb_net_def_new(VB_NET_USER);

  /* -nic and -device take QEMU's device names: virtio-net-pci is libvirt's virtio */
  net->model = g_strdup(model != NULL && vb_qemu_nic_model(model) != NULL ? vb_qemu_nic_model(model)
                                                                          : model);
  if (mac != NULL && !vb_parse_mac(mac, net->mac)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "%s: '%s' is not a MAC address (six hex bytes separated by ':')", option, mac);
    vb_net_def_free(net);
    return NULL;
  }
  if (mac == NULL)
    vb_domain_def_generate_mac(im->def, net);
  g_ptr_array_add(im->def->nets, net);
  return net;
}

/* -netdev TYPE,id=…: kept by id for the -device that names it. */
gboolean
vb_qemu_import_netdev(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "type");
  const char *id = g_hash_table_lookup(props, "id");
  VbImportBackend *backend = read_backend("-netdev", props, error);

  if (backend == NULL)
    return FALSE;
  g_hash_table_replace(im->netdevs, g_strdup(id != NULL ? id : ""), backend);
  return TRUE;
}

/* -net nic,model=…,macaddr=… (its backend the next -net backend), -net user|tap|bridge,
 * -net none. */
gboolean
vb_qemu_import_net(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "type");
  const char *type = g_hash_table_lookup(props, "type");
  VbImportBackend *backend;

  if (g_strcmp0(type, "none") == 0)
    return TRUE;
  if (g_strcmp0(type, "nic") == 0) {
    VbNetDef *net = add_nic(im, "-net nic", g_hash_table_lookup(props, "model"),
                            g_hash_table_lookup(props, "macaddr"), error);

    if (net == NULL)
      return FALSE;
    g_hash_table_add(im->unpaired, net);
    return TRUE;
  }
  backend = read_backend("-net", props, error);
  if (backend == NULL)
    return FALSE;
  g_ptr_array_add(im->net_backends, backend);
  return TRUE;
}

/* -nic TYPE,model=…,mac=…: a NIC and its backend in one. */
gboolean
vb_qemu_import_nic(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "type");
  g_autoptr(VbImportBackend) backend = read_backend("-nic", props, error);
  VbNetDef *net;

  if (backend == NULL)
    return FALSE;
  net = add_nic(im, "-nic", g_hash_table_lookup(props, "model"), g_hash_table_lookup(props, "mac"),
                error);
  if (net == NULL)
    return FALSE;
  apply_backend(net, backend);
  return TRUE;
}

/* -device NIC,netdev=ID,mac=…: the backend is the -netdev of that id, read before. */
gboolean
vb_qemu_import_nic_device(VbImport *im, GHashTable *props, const char *driver, GError **error)
{
  const char *netdev =
      g_hash_table_lookup(props, "netdev") != NULL ? g_hash_table_lookup(props, "netdev") : "";
  const VbImportBackend *backend = g_hash_table_lookup(im->netdevs, netdev);
  g_autofree char *option = g_strdup_printf("-device %s", driver);
  gint64 boot_order = 0;
  VbNetDef *net;

  if (backend == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device %s: its netdev '%s' is not a -netdev id", driver, netdev);
    return FALSE;
  }
  net = add_nic(im, option, driver, g_hash_table_lookup(props, "mac"), error);
  if (net == NULL || !vb_qemu_import_pci_address(props, &net->info, error) ||
      !vb_qemu_import_count(option, props, "bootindex", G_MAXINT32, &boot_order, error))
    return FALSE;
  net->info.boot_order = (guint64)boot_order;
  apply_backend(net, backend);
  return TRUE;
}

/* -net nic pairs with the -net backends in order; QEMU's default backend is user. */
void
vb_qemu_import_pair_nics(VbImport *im)
{
  guint next_backend = 0;

  for (guint i = 0; i < im->def->nets->len; i++) {
    VbNetDef *net = im->def->nets->pdata[i];

    if (!g_hash_table_contains(im->unpaired, net))
      continue;
    if (next_backend < im->net_backends->len)
      apply_backend(net, im->net_backends->pdata[next_backend++]);
  }
  g_hash_table_remove_all(im->unpaired);
}
