/* vb-qemu-command-pci.c: where each PCI device sits, as its definition says.
 *
 * Addresses are fixed at define (vb-domain-address.c, libvirt's rules), so the hardware a guest
 * sees is the same at every boot: here they are only read. A definition whose PCI devices lack
 * an address, or two of which share one, is refused, naming them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-qemu-command-private.h"

static void
bus_free(VbPciBus *bus)
{
  if (bus == NULL)
    return;
  g_free(bus->id);
  g_free(bus);
}

void
vb_qemu_pci_clear(VbQemuBuild *b)
{
  g_clear_pointer(&b->buses, g_ptr_array_unref);
}

static VbPciBus *
get_bus(const VbQemuBuild *b, guint64 index)
{
  const GPtrArray *buses = b->buses;
  VbPciBus *bus;

  g_assert(buses != NULL);
  if (index >= buses->len)
    return NULL;
  bus = g_ptr_array_index(buses, index);
  return bus != NULL && bus->exists ? bus : NULL;
}

static VbPciBus *
add_bus(VbQemuBuild *b, guint64 index, char *id)
{
  VbPciBus *bus = g_new0(VbPciBus, 1);

  bus->exists = TRUE;
  bus->id = id;
  if (index >= b->buses->len)
    g_ptr_array_set_size(b->buses, (guint)index + 1);
  bus_free(b->buses->pdata[index]);
  b->buses->pdata[index] = bus;
  return bus;
}

/**
 * vb_qemu_pci_prepare:
 *
 * Makes the buses (the root, then each <controller type='pci'> by index) and checks that no
 * two devices share an address, nor one of the machine's own.
 */
gboolean
vb_qemu_pci_prepare(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GHashTable) taken = g_hash_table_new(g_direct_hash, g_direct_equal);
  VbPciBus *root;

  b->buses = g_ptr_array_new_with_free_func((GDestroyNotify)bus_free);
  root = add_bus(b, 0, g_strdup(b->q35 ? "pcie.0" : "pci.0"));
  /* the machine's own functions: ICH9 LPC and SMBus; PIIX3 ISA bridge and PM */
  root->used[b->q35 ? 0x1f : 1] = 1u << 0 | 1u << 3;
  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];
    g_autofree char *id = NULL;

    if (c->type != VB_CONTROLLER_PCI || c->index == 0)
      continue;
    id = g_strdup_printf("pci.%" G_GUINT64_FORMAT, c->index);
    add_bus(b, c->index, g_steal_pointer(&id));
  }
  infos = vb_domain_def_get_device_infos(def);
  for (guint i = 0; i < infos->len; i++) {
    const VbDeviceInfo *info = infos->pdata[i];
    const VbDeviceAddress *a = &info->address;
    gpointer key = GSIZE_TO_POINTER((gsize)(a->bus << 16 | a->slot << 8 | a->function));
    const VbDeviceInfo *other;
    VbPciBus *bus;

    if (a->type != VB_ADDRESS_PCI)
      continue;
    bus = get_bus(b, a->bus);
    if (a->domain != 0 || bus == NULL || a->slot >= VB_PCI_SLOTS || a->function > 7) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, info, "address",
                          "the PCI address %04" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER
                          "x:%02" G_GINT64_MODIFIER "x.%" G_GINT64_MODIFIER
                          "x names a bus no <controller type='pci'> provides",
                          a->domain, a->bus, a->slot, a->function);
      return FALSE;
    }
    other = g_hash_table_lookup(taken, key);
    if (other != NULL || (bus->used[a->slot] & (1u << a->function))) {
      g_autofree char *other_path =
          other != NULL ? vb_domain_def_path(def, other, NULL) : g_strdup("the machine itself");

      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, info, "address",
                          "the PCI address %02" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER
                          "x.%" G_GINT64_MODIFIER "x is also %s's",
                          a->bus, a->slot, a->function, other_path);
      return FALSE;
    }
    g_hash_table_insert(taken, key, (gpointer)info);
    bus->used[a->slot] |= (guint8)(1u << a->function);
  }
  return TRUE;
}

static void
set_address(VbQemuProps *props, const VbPciBus *bus, guint slot, guint function, gint multi)
{
  vb_qemu_props_add_string(props, "bus", bus->id);
  if (multi == 1)
    vb_qemu_props_add_bool(props, "multifunction", TRUE);
  if (function == 0) {
    g_autofree char *addr = g_strdup_printf("0x%x", slot);

    vb_qemu_props_add_string(props, "addr", addr);
  } else {
    g_autofree char *addr = g_strdup_printf("0x%x.0x%x", slot, function);

    vb_qemu_props_add_string(props, "addr", addr);
  }
}

/**
 * vb_qemu_pci_place:
 * @info: the device's address in its definition
 * @what: the device, for the error when it has none
 *
 * Adds "bus" and "addr" to @props.
 */
gboolean
vb_qemu_pci_place(
    VbQemuBuild *b, VbQemuProps *props, const VbDeviceInfo *info, const char *what, GError **error)
{
  const VbDeviceAddress *a = &info->address;

  if (a->type == VB_ADDRESS_PCI) {
    set_address(props, get_bus(b, a->bus), (guint)a->slot, (guint)a->function, a->multifunction);
    return TRUE;
  }
  if (a->type != VB_ABSENT) {
    vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, info, "address/@type",
                        "%s is a PCI device; its address cannot be of type '%s'", what,
                        vb_address_type_names[a->type]);
    return FALSE;
  }
  vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, info, NULL,
                      "%s has no PCI address (a define gives every device one)", what);
  return FALSE;
}

/**
 * vb_qemu_usb_place:
 *
 * Puts a USB device on the first USB bus, at the port its definition fixes (a define gives
 * every USB device one).
 */
void
vb_qemu_usb_place(VbQemuProps *props, const VbDeviceInfo *info)
{
  vb_qemu_props_add_string(props, "bus", "usb.0");
  if (info->address.type == VB_ADDRESS_USB && info->address.usb_port != NULL)
    vb_qemu_props_add_string(props, "port", info->address.usb_port);
}

/**
 * vb_qemu_build_pci_device:
 *
 * Takes @props: places the device on a PCI bus and adds it to the command, or frees it and
 * fails.
 */
gboolean
vb_qemu_build_pci_device(
    VbQemuBuild *b, VbQemuProps *props, const VbDeviceInfo *info, const char *what, GError **error)
{
  if (!vb_qemu_pci_place(b, props, info, what, error)) {
    vb_qemu_props_free(props);
    return FALSE;
  }
  vb_qemu_build_device(b, props);
  return TRUE;
}
