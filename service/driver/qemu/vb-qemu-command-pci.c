/* vb-qemu-command-pci.c: where each PCI device sits.
 *
 * Addresses from the XML are kept. The others are chosen here, at build time, the same way
 * each time: libvirt's slot for the primary video (pc 2, q35 1), then on q35 a free
 * pcie-root-port of the XML (so the device can be hot-unplugged), then the root bus from its
 * first free slot, then pci-bridges. Slots the machine uses itself are never chosen.
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
add_bus(VbQemuBuild *b, guint64 index, char *id, guint first, guint last, gboolean for_auto)
{
  VbPciBus *bus = g_new0(VbPciBus, 1);

  bus->exists = TRUE;
  bus->id = id;
  bus->first_slot = first;
  bus->last_slot = last;
  bus->for_auto = for_auto;
  if (index >= b->buses->len)
    g_ptr_array_set_size(b->buses, (guint)index + 1);
  bus_free(b->buses->pdata[index]);
  b->buses->pdata[index] = bus;
  return bus;
}

static gboolean
has_primary_video(const VbDomainDef *def)
{
  const VbVideoDef *video = def->videos->len > 0 ? def->videos->pdata[0] : NULL;

  if (video == NULL)
    return def->graphics->len > 0; /* graphics bring a default video device */
  return video->model != VB_VIDEO_NONE && video->info.address.type == VB_ABSENT;
}

/**
 * vb_qemu_pci_prepare:
 *
 * Makes the buses (the root, then each <controller type='pci'> by index) and marks the slots
 * the machine and the XML's own addresses take.
 */
gboolean
vb_qemu_pci_prepare(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;
  g_autoptr(GPtrArray) infos = NULL;
  VbPciBus *root;

  b->buses = g_ptr_array_new_with_free_func((GDestroyNotify)bus_free);
  root = add_bus(b, 0, g_strdup(b->q35 ? "pcie.0" : "pci.0"), 1, VB_PCI_SLOTS - 1, TRUE);
  if (b->q35) {
    root->used[0x1f] = 0xff; /* ICH9: LPC, SATA, SMBus */
  } else {
    root->used[1] = 0xff; /* PIIX3: ISA, IDE, USB at 1.2, PM */
  }
  b->video_slot = -1;
  if (has_primary_video(def)) {
    b->video_slot = b->q35 ? 1 : 2;
    root->used[b->video_slot] = 0xff;
  }
  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];
    g_autofree char *id = NULL;

    if (c->type != VB_CONTROLLER_PCI || c->index == 0)
      continue;
    id = g_strdup_printf("pci.%" G_GUINT64_FORMAT, c->index);
    if (g_strcmp0(c->model, "pcie-root-port") == 0)
      add_bus(b, c->index, g_steal_pointer(&id), 0, 0, b->q35);
    else if (g_strcmp0(c->model, "dmi-to-pci-bridge") == 0)
      add_bus(b, c->index, g_steal_pointer(&id), 0, VB_PCI_SLOTS - 1, FALSE);
    else
      add_bus(b, c->index, g_steal_pointer(&id), 1, VB_PCI_SLOTS - 1, TRUE);
  }
  infos = vb_domain_def_get_device_infos(def);
  for (guint i = 0; i < infos->len; i++) {
    const VbDeviceAddress *a = &((const VbDeviceInfo *)infos->pdata[i])->address;
    VbPciBus *bus;

    if (a->type != VB_ADDRESS_PCI)
      continue;
    bus = get_bus(b, a->bus);
    if (a->domain != 0 || bus == NULL) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, infos->pdata[i], "address",
                          "the PCI address %04" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER
                          "x:%02" G_GINT64_MODIFIER "x.%" G_GINT64_MODIFIER
                          "x names a bus no <controller type='pci'> provides",
                          a->domain, a->bus, a->slot, a->function);
      return FALSE;
    }
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

static gboolean
place_on(VbQemuProps *props, VbPciBus *bus)
{
  for (guint slot = bus->first_slot; slot <= bus->last_slot; slot++) {
    if (bus->used[slot] == 0) {
      bus->used[slot] = 0xff;
      set_address(props, bus, slot, 0, VB_ABSENT);
      return TRUE;
    }
  }
  return FALSE;
}

/**
 * vb_qemu_pci_place:
 * @info: the device's address in the XML, if any
 * @what: the device, for the error when no slot is left
 *
 * Adds "bus" and "addr" to @props.
 */
gboolean
vb_qemu_pci_place(VbQemuBuild *b,
                  VbQemuProps *props,
                  const VbDeviceInfo *info,
                  VbPciPlaceFlags flags,
                  const char *what,
                  GError **error)
{
  const VbDeviceAddress *a = info != NULL ? &info->address : NULL;
  VbPciBus *root = get_bus(b, 0);

  if (a != NULL && a->type == VB_ADDRESS_PCI) {
    set_address(props, get_bus(b, a->bus), (guint)a->slot, (guint)a->function, a->multifunction);
    return TRUE;
  }
  if (a != NULL && a->type != VB_ABSENT) {
    vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, info, "address/@type",
                        "%s is a PCI device; its address cannot be of type '%s'", what,
                        vb_address_type_names[a->type]);
    return FALSE;
  }
  if ((flags & VB_PCI_PLACE_PRIMARY_VIDEO) && b->video_slot >= 0) {
    set_address(props, root, (guint)b->video_slot, 0, VB_ABSENT);
    b->video_slot = -1;
    return TRUE;
  }
  if (b->q35 && !(flags & VB_PCI_PLACE_ROOT)) {
    for (guint i = 1; i < b->buses->len; i++) {
      VbPciBus *bus = get_bus(b, i);

      if (bus != NULL && bus->for_auto && bus->last_slot == 0 && place_on(props, bus))
        return TRUE;
    }
  }
  if (place_on(props, root))
    return TRUE;
  for (guint i = 1; i < b->buses->len && !(flags & VB_PCI_PLACE_ROOT); i++) {
    VbPciBus *bus = get_bus(b, i);

    if (bus != NULL && bus->for_auto && bus->last_slot > 0 && place_on(props, bus))
      return TRUE;
  }
  vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, info, info != NULL ? NULL : "devices",
                      "no PCI slot is left for %s; add a <controller type='pci' model='%s'/>", what,
                      b->q35 ? "pcie-root-port" : "pci-bridge");
  return FALSE;
}

/**
 * vb_qemu_build_pci_device:
 *
 * Takes @props: places the device on a PCI bus and adds it to the command, or frees it and
 * fails.
 */
gboolean
vb_qemu_build_pci_device(VbQemuBuild *b,
                         VbQemuProps *props,
                         const VbDeviceInfo *info,
                         VbPciPlaceFlags flags,
                         const char *what,
                         GError **error)
{
  if (!vb_qemu_pci_place(b, props, info, flags, what, error)) {
    vb_qemu_props_free(props);
    return FALSE;
  }
  vb_qemu_build_device(b, props);
  return TRUE;
}
