/* vb-domain-address-pci.c: rules 2 to 7 of vb-domain-address.c: every PCI device's address,
 * and the PCI controllers libvirt adds to hold them, by libvirt's two passes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-address-private.h"
#include "vb-error.h"

#define SLOTS 32

/* What a device plugs in as, and what a bus takes. */
typedef enum {
  CONNECT_PCI_DEVICE = 1 << 0,
  CONNECT_PCIE_DEVICE = 1 << 1,
  CONNECT_PCI_BRIDGE = 1 << 2,
  CONNECT_ROOT_PORT = 1 << 3,
  CONNECT_PCIE_TO_PCI_BRIDGE = 1 << 4,
  CONNECT_DMI_TO_PCI_BRIDGE = 1 << 5,
  CONNECT_AGGREGATE = 1 << 6, /* of a device: several of its kind may share a slot */
} Connect;

typedef struct {
  const char *model; /* the <controller type='pci'> model of the bus */
  guint accepts;
  guint min_slot, max_slot;
  guint8 functions[SLOTS];
  gboolean aggregate[SLOTS];
} Bus;

typedef struct {
  VbDomainDef *def;
  gboolean q35;
  gboolean dry_run;  /* the first pass: counts buses, writes no address */
  GArray *buses;     /* (element-type Bus) */
  GHashTable *taken; /* bus << 16 | slot << 8 | function → the device there */
} Addresses;

static void
bus_set_model(Bus *bus, const char *model)
{
  static const struct {
    const char *model;
    guint accepts;
    guint min_slot, max_slot;
  } models[] = {
      {"pci-root", CONNECT_PCI_DEVICE | CONNECT_PCI_BRIDGE, 1, SLOTS - 1},
      {"pcie-root", CONNECT_ROOT_PORT | CONNECT_DMI_TO_PCI_BRIDGE, 1, SLOTS - 1},
      {"pcie-root-port", CONNECT_PCIE_DEVICE | CONNECT_PCIE_TO_PCI_BRIDGE, 0, 0},
      {"pci-bridge", CONNECT_PCI_DEVICE | CONNECT_PCI_BRIDGE, 1, SLOTS - 1},
      {"pcie-to-pci-bridge", CONNECT_PCI_DEVICE, 1, SLOTS - 1},
      {"dmi-to-pci-bridge", CONNECT_PCI_BRIDGE, 0, SLOTS - 1},
  };

  *bus = (Bus){.model = "pci-bridge"};
  for (guint i = 0; i < G_N_ELEMENTS(models); i++) {
    if (g_strcmp0(model, models[i].model) == 0) {
      bus->model = models[i].model;
      bus->accepts = models[i].accepts;
      bus->min_slot = models[i].min_slot;
      bus->max_slot = models[i].max_slot;
      return;
    }
  }
  bus_set_model(bus, "pci-bridge");
}

static Bus *
get_bus(Addresses *a, guint64 index)
{
  return index < a->buses->len ? &g_array_index(a->buses, Bus, index) : NULL;
}

/* A bus whose index is known to exist. */
static Bus *
bus_at(Addresses *a, guint index)
{
  g_assert(index < a->buses->len);
  return &g_array_index(a->buses, Bus, index);
}

static guint
add_bus(Addresses *a, const char *model)
{
  Bus bus;

  bus_set_model(&bus, model);
  g_array_append_val(a->buses, bus);
  return a->buses->len - 1;
}

/* How a device plugs in, libvirt's way; 0 for one that is not on PCI. */
static guint
pcie_or_pci(const Addresses *a)
{
  return a->q35 ? CONNECT_PCIE_DEVICE : CONNECT_PCI_DEVICE;
}

static guint
controller_connect(const Addresses *a, const VbControllerDef *c)
{
  switch (c->type) {
  case VB_CONTROLLER_PCI:
    if (g_strcmp0(c->model, "pcie-root-port") == 0)
      return CONNECT_ROOT_PORT | CONNECT_AGGREGATE;
    if (g_strcmp0(c->model, "pcie-to-pci-bridge") == 0)
      return CONNECT_PCIE_TO_PCI_BRIDGE;
    if (g_strcmp0(c->model, "dmi-to-pci-bridge") == 0)
      return CONNECT_DMI_TO_PCI_BRIDGE;
    if (g_strcmp0(c->model, "pci-bridge") == 0)
      return CONNECT_PCI_BRIDGE;
    return 0; /* the roots */
  case VB_CONTROLLER_USB:
    if (g_strcmp0(c->model, "none") == 0)
      return 0;
    return g_str_has_suffix(c->model != NULL ? c->model : "", "xhci") ? pcie_or_pci(a)
                                                                      : CONNECT_PCI_DEVICE;
  case VB_CONTROLLER_SCSI:
    return g_strcmp0(c->model, "virtio-scsi") == 0 ? pcie_or_pci(a) : CONNECT_PCI_DEVICE;
  case VB_CONTROLLER_VIRTIO_SERIAL:
    return pcie_or_pci(a);
  case VB_CONTROLLER_SATA:
  case VB_CONTROLLER_IDE:
    return CONNECT_PCI_DEVICE;
  case VB_CONTROLLER_FDC:
  default:
    return 0;
  }
}

static guint
net_connect(const Addresses *a, const VbNetDef *net)
{
  const char *model = net->model != NULL ? net->model : "";

  if (g_str_equal(model, "virtio") || g_str_equal(model, "virtio-non-transitional") ||
      g_str_equal(model, "e1000e") || g_str_equal(model, "igb"))
    return pcie_or_pci(a);
  return CONNECT_PCI_DEVICE;
}

static guint
video_connect(const Addresses *a, const VbVideoDef *video)
{
  switch (video->model) {
  case VB_VIDEO_NONE:
    return 0;
  case VB_VIDEO_VIRTIO:
  case VB_VIDEO_BOCHS:
    return pcie_or_pci(a);
  default:
    return CONNECT_PCI_DEVICE;
  }
}

/* <address type='pci'/> without numbers, or none at all: ours to choose. */
static gboolean
is_wanted(const VbDeviceInfo *info)
{
  const VbDeviceAddress *addr = &info->address;

  return addr->type == VB_ABSENT || (addr->type == VB_ADDRESS_PCI && addr->domain == 0 &&
                                     addr->bus == 0 && addr->slot == 0 && addr->function == 0);
}

static gpointer
key_of(guint64 bus, guint64 slot, guint64 function)
{
  return GSIZE_TO_POINTER((gsize)(bus << 16 | slot << 8 | function));
}

static char *
format_address(guint64 bus, guint64 slot, guint64 function)
{
  return g_strdup_printf("0000:%02" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER
                         "x.%" G_GINT64_MODIFIER "x",
                         bus, slot, function);
}

/* Marks a function taken by @device (NULL for the machine's own), refusing a double use. */
static gboolean
reserve(Addresses *a,
        guint64 bus_index,
        guint64 slot,
        guint64 function,
        guint flags,
        gconstpointer device,
        GError **error)
{
  Bus *bus = get_bus(a, bus_index);
  gconstpointer other;

  if (bus == NULL || slot >= SLOTS || function > 7) {
    g_autofree char *where = vb_domain_def_path(a->def, device, "address");
    g_autofree char *text = format_address(bus_index, slot, function);

    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: the PCI address %s names a bus no <controller type='pci'> provides", where,
                text);
    return FALSE;
  }
  if (bus->functions[slot] & (1u << function)) {
    g_autofree char *text = format_address(bus_index, slot, function);
    g_autofree char *where = vb_domain_def_path(a->def, device, "address");

    other = g_hash_table_lookup(a->taken, key_of(bus_index, slot, function));
    if (other != NULL) {
      g_autofree char *other_where = vb_domain_def_path(a->def, other, NULL);

      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG, "%s: the PCI address %s is taken by %s",
                  where, text, other_where);
    } else {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "%s: the PCI address %s is the machine's own", where, text);
    }
    return FALSE;
  }
  if (bus->functions[slot] == 0 && (flags & CONNECT_AGGREGATE))
    bus->aggregate[slot] = TRUE;
  bus->functions[slot] |= (guint8)(1u << function);
  if (device != NULL)
    g_hash_table_insert(a->taken, key_of(bus_index, slot, function), (gpointer)device);
  return TRUE;
}

/* The first free slot (or function, for devices that share a slot) of the first bus that
 * takes @flags; in the first pass a new bus when none has room. */
static gboolean
find_free(Addresses *a, guint flags, guint *bus_out, guint *slot_out, guint *function_out)
{
  for (guint b = 0; b < a->buses->len; b++) {
    Bus *bus = bus_at(a, b);

    if ((bus->accepts & flags) == 0)
      continue;
    for (guint slot = bus->min_slot; slot <= bus->max_slot; slot++) {
      if (bus->functions[slot] == 0) {
        *bus_out = b, *slot_out = slot, *function_out = 0;
        return TRUE;
      }
      if ((flags & CONNECT_AGGREGATE) && bus->aggregate[slot]) {
        for (guint function = 0; function < 8; function++) {
          if (!(bus->functions[slot] & (1u << function))) {
            *bus_out = b, *slot_out = slot, *function_out = function;
            return TRUE;
          }
        }
      }
    }
  }
  if (!a->dry_run)
    return FALSE;
  if (flags & CONNECT_PCIE_DEVICE) {
    *bus_out = add_bus(a, "pcie-root-port");
  } else if ((flags & CONNECT_PCI_DEVICE) && a->q35) {
    /* a root port that takes only the bridge, and the bridge */
    bus_at(a, add_bus(a, "pcie-root-port"))->accepts = CONNECT_PCIE_TO_PCI_BRIDGE;
    *bus_out = add_bus(a, "pcie-to-pci-bridge");
  } else if (flags & CONNECT_PCI_DEVICE) {
    *bus_out = add_bus(a, "pci-bridge");
  } else {
    return FALSE;
  }
  *slot_out = bus_at(a, *bus_out)->min_slot;
  *function_out = 0;
  return TRUE;
}

/* Gives @info the next free address for its kind (in the first pass only reserves it);
 * @function, when not -1, is the function it takes in a slot that is all free. */
static gboolean
place(Addresses *a,
      VbDeviceInfo *info,
      guint flags,
      gint function,
      gconstpointer device,
      GError **error)
{
  guint bus, slot, found;

  if (!find_free(a, flags, &bus, &slot, &found)) {
    g_autofree char *where = vb_domain_def_path(a->def, device, NULL);

    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: no PCI slot is left for it; add a <controller type='pci' model='%s'/>", where,
                a->q35 ? "pcie-root-port" : "pci-bridge");
    return FALSE;
  }
  if (function >= 0)
    found = (guint)function;
  if (!reserve(a, bus, slot, found, flags, a->dry_run ? NULL : device, error))
    return FALSE;
  if (a->dry_run || info == NULL)
    return TRUE;
  info->address = (VbDeviceAddress){.type = VB_ADDRESS_PCI,
                                    .bus = bus,
                                    .slot = slot,
                                    .function = found,
                                    .multifunction = VB_ABSENT,
                                    .iobase = -1,
                                    .irq = -1};
  return TRUE;
}

/* A device at a fixed address of the machine: checked when given, else put there. */
static gboolean
fix_at(Addresses *a,
       VbDeviceInfo *info,
       guint slot,
       guint function,
       gconstpointer device,
       const char *what,
       GError **error)
{
  VbDeviceAddress *addr = &info->address;

  if (!is_wanted(info)) {
    if (addr->type != VB_ADDRESS_PCI || addr->bus != 0 || addr->slot != slot ||
        addr->function != function) {
      g_autofree char *where = vb_domain_def_path(a->def, device, "address");

      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "%s: %s is at PCI address 0000:00:%02x.%x, part of the machine", where, what,
                  slot, function);
      return FALSE;
    }
    return TRUE; /* reserved with the other given addresses */
  }
  *addr = (VbDeviceAddress){.type = VB_ADDRESS_PCI,
                            .slot = slot,
                            .function = function,
                            .multifunction = VB_ABSENT,
                            .iobase = -1,
                            .irq = -1};
  return reserve(a, 0, slot, function, CONNECT_PCI_DEVICE, device, error);
}

static gboolean
slot_in_use(Addresses *a, guint slot)
{
  return bus_at(a, 0)->functions[slot] != 0;
}

/* A device libvirt puts at a slot of its own on bus 0 when that slot is free. */
static gboolean
prefer_slot(
    Addresses *a, VbDeviceInfo *info, guint slot, guint flags, gconstpointer device, GError **error)
{
  if (!slot_in_use(a, slot)) {
    info->address = (VbDeviceAddress){
        .type = VB_ADDRESS_PCI, .slot = slot, .multifunction = VB_ABSENT, .iobase = -1, .irq = -1};
    return reserve(a, 0, slot, 0, flags, device, error);
  }
  return place(a, info, flags, -1, device, error);
}

/* The buses of the PCI controllers, by index; a gap gets the machine's default model. */
static void
make_buses(Addresses *a)
{
  guint64 count = 0;

  g_array_set_size(a->buses, 0);
  g_hash_table_remove_all(a->taken);
  for (guint i = 0; i < a->def->controllers->len; i++) {
    const VbControllerDef *c = a->def->controllers->pdata[i];

    if (c->type == VB_CONTROLLER_PCI)
      count = MAX(count, c->index + 1);
  }
  for (guint64 index = 0; index < count; index++) {
    const VbControllerDef *c = vb_domain_find_controller(a->def, VB_CONTROLLER_PCI, index);

    add_bus(a, c != NULL    ? c->model
               : index == 0 ? (a->q35 ? "pcie-root" : "pci-root")
               : a->q35     ? "pcie-root-port"
                            : "pci-bridge");
  }
}

/* Rule 2: the addresses the XML gives (or an earlier pass chose) are taken first. */
static gboolean
reserve_given(Addresses *a, GError **error)
{
  g_autoptr(GPtrArray) infos = vb_domain_def_get_device_infos(a->def);

  for (guint i = 0; i < infos->len; i++) {
    VbDeviceInfo *info = infos->pdata[i];

    if (info->address.type != VB_ADDRESS_PCI)
      continue;
    if (is_wanted(info)) {
      info->address.type = VB_ABSENT;
      continue;
    }
    if (info->address.domain != 0) {
      g_autofree char *where = vb_domain_def_path(a->def, info, "address");

      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "%s: QEMU's PCI domain is 0000, not %04" G_GINT64_MODIFIER "x", where,
                  info->address.domain);
      return FALSE;
    }
    if (!reserve(a, info->address.bus, info->address.slot, info->address.function, 0, info, error))
      return FALSE;
  }
  /* a slot of root ports takes more of them: new ports join a given group */
  for (guint i = 0; i < a->def->controllers->len; i++) {
    const VbControllerDef *c = a->def->controllers->pdata[i];
    Bus *bus;

    if (g_strcmp0(c->model, "pcie-root-port") != 0 || c->info.address.type != VB_ADDRESS_PCI)
      continue;
    bus = get_bus(a, c->info.address.bus);
    if (bus != NULL && c->info.address.slot < SLOTS)
      bus->aggregate[c->info.address.slot] = TRUE;
  }
  return TRUE;
}

/* The slot a USB2 companion set shares, and each model's function in it. */
static gint
usb2_function(const VbControllerDef *c)
{
  static const struct {
    const char *model;
    gint function;
  } usb2[] = {{"ich9-ehci1", 7}, {"ich9-uhci1", 0}, {"ich9-uhci2", 1}, {"ich9-uhci3", 2}};

  for (guint i = 0; i < G_N_ELEMENTS(usb2); i++) {
    if (g_strcmp0(c->model, usb2[i].model) == 0)
      return usb2[i].function;
  }
  return -1;
}

/* Rules 3 and 4: the machine's own functions, and the devices libvirt puts beside them. */
static gboolean
place_chipset(Addresses *a, GError **error)
{
  VbDomainDef *def = a->def;
  VbVideoDef *video = def->videos->len > 0 ? def->videos->pdata[0] : NULL;

  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];

    if (!a->q35 && c->type == VB_CONTROLLER_IDE && c->index == 0) {
      if (!fix_at(a, &c->info, 1, 1, c, "the first IDE controller", error))
        return FALSE;
    } else if (!a->q35 && c->type == VB_CONTROLLER_USB && c->index == 0 &&
               g_strcmp0(c->model, "piix3-uhci") == 0 && c->master_startport < 0) {
      if (!fix_at(a, &c->info, 1, 2, c, "the PIIX3 USB controller", error))
        return FALSE;
    } else if (a->q35 && c->type == VB_CONTROLLER_SATA && c->index == 0) {
      if (!fix_at(a, &c->info, 0x1f, 2, c, "the first SATA controller", error))
        return FALSE;
    } else if (a->q35 && g_strcmp0(c->model, "ich9-uhci1") == 0 && is_wanted(&c->info)) {
      guint slot = !slot_in_use(a, 0x1d) ? 0x1d : !slot_in_use(a, 0x1a) ? 0x1a : 0;

      if (slot != 0) {
        if (!fix_at(a, &c->info, slot, 0, c, "the ICH9 USB controller", error))
          return FALSE;
        c->info.address.multifunction = 1;
      }
    } else if (a->q35 && g_strcmp0(c->model, "dmi-to-pci-bridge") == 0 && is_wanted(&c->info) &&
               !slot_in_use(a, 0x1e)) {
      if (!fix_at(a, &c->info, 0x1e, 0, c, "the DMI-to-PCI bridge", error))
        return FALSE;
    }
  }
  if (video != NULL && video->model != VB_VIDEO_NONE && is_wanted(&video->info) &&
      !prefer_slot(a, &video->info, a->q35 ? 1 : 2, video_connect(a, video), video, error))
    return FALSE;
  if (a->q35 && !slot_in_use(a, 0x1b)) {
    for (guint i = 0; i < def->sounds->len; i++) {
      VbSoundDef *sound = def->sounds->pdata[i];

      if (sound->model == VB_SOUND_ICH9 && is_wanted(&sound->info))
        return prefer_slot(a, &sound->info, 0x1b, CONNECT_PCI_DEVICE, sound, error);
    }
  }
  return TRUE;
}

static gboolean
place_if_wanted(Addresses *a, VbDeviceInfo *info, guint flags, gconstpointer device, GError **error)
{
  if (flags == 0 || !is_wanted(info))
    return TRUE;
  if (info->address.type != VB_ABSENT && info->address.type != VB_ADDRESS_PCI) {
    g_autofree char *where = vb_domain_def_path(a->def, device, "address/@type");

    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: a PCI device's address cannot be of type '%s'", where,
                vb_address_type_names[info->address.type]);
    return FALSE;
  }
  return place(a, info, flags, -1, device, error);
}

/* A USB2 controller: the slot of the first of its set that has one, else a free slot. */
static gboolean
place_usb2(Addresses *a, VbControllerDef *c, gint function, GError **error)
{
  for (guint j = 0; j < a->def->controllers->len; j++) {
    const VbControllerDef *other = a->def->controllers->pdata[j];

    if (other != c && usb2_function(other) >= 0 && other->index == c->index &&
        other->info.address.type == VB_ADDRESS_PCI) {
      if (!reserve(a, other->info.address.bus, other->info.address.slot, (guint)function,
                   CONNECT_PCI_DEVICE, c, error))
        return FALSE;
      c->info.address = other->info.address;
      c->info.address.function = (guint64)function;
      c->info.address.multifunction = function == 0 ? 1 : VB_ABSENT;
      return TRUE;
    }
  }
  if (!place(a, &c->info, CONNECT_PCI_DEVICE, function, c, error))
    return FALSE;
  c->info.address.multifunction = function == 0 ? 1 : VB_ABSENT;
  return TRUE;
}

/* Rule 5: everything else, in libvirt's order. */
static gboolean
place_devices(Addresses *a, GError **error)
{
  VbDomainDef *def = a->def;

#define PLACE(info, flags, device)                                                                 \
  do {                                                                                             \
    if (!place_if_wanted(a, (info), (flags), (device), error))                                     \
      return FALSE;                                                                                \
  } while (0)

  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];

    if (c->type == VB_CONTROLLER_PCI)
      PLACE(&c->info, controller_connect(a, c), c);
  }
  for (guint i = 0; i < def->nets->len; i++) {
    VbNetDef *net = def->nets->pdata[i];

    PLACE(&net->info, net_connect(a, net), net);
  }
  for (guint i = 0; i < def->sounds->len; i++) {
    VbSoundDef *sound = def->sounds->pdata[i];

    PLACE(&sound->info, sound->model == VB_SOUND_USB ? 0 : CONNECT_PCI_DEVICE, sound);
  }
  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];
    gint function = usb2_function(c);

    if (c->type == VB_CONTROLLER_PCI || (c->type == VB_CONTROLLER_IDE && c->index == 0) ||
        (c->type == VB_CONTROLLER_SATA && c->index == 0 && a->q35))
      continue;
    if (function >= 0 && is_wanted(&c->info)) {
      if (!place_usb2(a, c, function, error))
        return FALSE;
      continue;
    }
    PLACE(&c->info, controller_connect(a, c), c);
  }
  for (guint i = 0; i < def->disks->len; i++) {
    VbDiskDef *disk = def->disks->pdata[i];

    if (disk->target_bus == VB_DISK_BUS_VIRTIO)
      PLACE(&disk->info, pcie_or_pci(a), disk);
  }
  if (def->memballoon != NULL && !def->memballoon->none)
    PLACE(&def->memballoon->info, pcie_or_pci(a), def->memballoon);
  for (guint i = 0; i < def->rngs->len; i++)
    PLACE(&((VbRngDef *)def->rngs->pdata[i])->info, pcie_or_pci(a), def->rngs->pdata[i]);
  if (def->watchdog != NULL && def->watchdog->model == VB_WATCHDOG_I6300ESB)
    PLACE(&def->watchdog->info, CONNECT_PCI_DEVICE, def->watchdog);
  for (guint i = 0; i < def->videos->len; i++) {
    VbVideoDef *video = def->videos->pdata[i];

    PLACE(&video->info, video_connect(a, video), video);
  }
  for (guint i = 0; i < def->inputs->len; i++) {
    VbInputDef *input = def->inputs->pdata[i];

    if (input->bus == VB_INPUT_BUS_VIRTIO)
      PLACE(&input->info, pcie_or_pci(a), input);
  }
  for (guint i = 0; i < def->serials->len; i++) {
    VbSerialDef *serial = def->serials->pdata[i];

    if (serial->target_type == VB_SERIAL_TARGET_PCI)
      PLACE(&serial->info, CONNECT_PCI_DEVICE, serial);
  }
  for (guint i = 0; i < def->panics->len; i++) {
    VbPanicDef *panic = def->panics->pdata[i];

    if (panic->model == VB_PANIC_PVPANIC)
      PLACE(&panic->info, CONNECT_PCI_DEVICE, panic);
  }
#undef PLACE
  return TRUE;
}

/* One pass of rules 2 to 5 over the buses the controllers give. */
static gboolean
run_pass(Addresses *a, gboolean dry_run, GError **error)
{
  a->dry_run = dry_run;
  make_buses(a);
  /* PIIX3 ISA bridge 1.0 and PM 1.3; ICH9 LPC 1f.0 and SMBus 1f.3: never a device's */
  return reserve(a, 0, a->q35 ? 0x1f : 1, 0, 0, NULL, error) &&
         reserve(a, 0, a->q35 ? 0x1f : 1, 3, 0, NULL, error) && reserve_given(a, error) &&
         place_chipset(a, error);
}

static gboolean
bus_is_full(const Bus *bus)
{
  for (guint slot = bus->min_slot; slot <= bus->max_slot; slot++) {
    if (bus->functions[slot] == 0)
      return FALSE;
  }
  return TRUE;
}

/* Rule 6's first pass: which buses the devices need; each new one becomes a controller. */
static gboolean
count_buses(Addresses *a, GError **error)
{
  guint given = a->buses->len;
  gboolean none_given = TRUE, all_full = TRUE;

  for (guint i = 0; i < a->def->controllers->len; i++) {
    const VbControllerDef *c = a->def->controllers->pdata[i];

    if (c->type == VB_CONTROLLER_PCI && c->index > 0)
      none_given = FALSE;
  }
  for (guint b = 0; b < a->buses->len; b++)
    all_full = all_full && bus_is_full(bus_at(a, b));
  /* on pc, a slot kept free for a bridge to come */
  if (!a->q35 && !all_full && !place(a, NULL, CONNECT_PCI_DEVICE, -1, NULL, error))
    return FALSE;
  if (!place_devices(a, error))
    return FALSE;
  /* a q35 domain whose buses virtbus chose keeps one empty root port, for hotplug */
  if (a->q35 && none_given && a->buses->len > given &&
      !place(a, NULL, CONNECT_PCIE_DEVICE, -1, NULL, error))
    return FALSE;
  for (guint index = 1; index < a->buses->len; index++) {
    VbControllerDef *c;

    if (vb_domain_find_controller(a->def, VB_CONTROLLER_PCI, index) != NULL)
      continue;
    c = vb_domain_add_implicit_controller(a->def, VB_CONTROLLER_PCI, index,
                                          bus_at(a, index)->model);
    /* the new controller needs a slot too (which may add a bus again) */
    if (!place(a, NULL, controller_connect(a, c), -1, c, error))
      return FALSE;
  }
  return TRUE;
}

/* Rule 7. */
static void
finish_controllers(Addresses *a)
{
  g_autoptr(GPtrArray) infos = vb_domain_def_get_device_infos(a->def);

  for (guint i = 0; i < infos->len; i++) {
    VbDeviceInfo *info = infos->pdata[i];
    Bus *bus;

    if (info->address.type != VB_ADDRESS_PCI || info->address.function != 0 ||
        info->address.multifunction != VB_ABSENT)
      continue;
    bus = get_bus(a, info->address.bus);
    if (bus != NULL && (bus->functions[info->address.slot] & ~1u) != 0)
      info->address.multifunction = 1;
  }
  for (guint i = 0; i < a->def->controllers->len; i++) {
    VbControllerDef *c = a->def->controllers->pdata[i];
    static const struct {
      const char *model;
      const char *name; /* QEMU's device */
    } names[] = {
        {"pcie-root-port", "pcie-root-port"},
        {"pci-bridge", "pci-bridge"},
        {"pcie-to-pci-bridge", "pcie-pci-bridge"},
        {"dmi-to-pci-bridge", "i82801b11-bridge"},
    };

    if (c->type != VB_CONTROLLER_PCI)
      continue;
    for (guint n = 0; n < G_N_ELEMENTS(names) && c->model_name == NULL; n++) {
      if (g_strcmp0(c->model, names[n].model) == 0)
        c->model_name = g_strdup(names[n].name);
    }
    if (g_strcmp0(c->model, "pcie-root-port") == 0 && c->info.address.type == VB_ADDRESS_PCI) {
      if (c->target_chassis < 0)
        c->target_chassis = (gint64)c->index;
      if (c->target_port < 0)
        c->target_port = (gint64)(c->info.address.slot << 3 | c->info.address.function);
    }
    /* a pci-bridge's chassis number is its index, as libvirt numbers it */
    if (g_strcmp0(c->model, "pci-bridge") == 0 && c->target_chassis_nr < 0 && c->target_chassis < 0)
      c->target_chassis_nr = (gint64)c->index;
  }
}

/**
 * vb_domain_assign_pci_addresses:
 * @q35: the machine is a q35 (PCIe) one, else a pc
 *
 * Rules 2 to 7: the buses the devices need are counted in a first pass and added as
 * controllers; the second pass places every device that has no address.
 */
gboolean
vb_domain_assign_pci_addresses(VbDomainDef *def, gboolean q35, GError **error)
{
  Addresses a = {
      .def = def,
      .q35 = q35,
      .buses = g_array_new(FALSE, TRUE, sizeof(Bus)),
      .taken = g_hash_table_new(g_direct_hash, g_direct_equal),
  };
  gboolean ok = run_pass(&a, TRUE, error) && count_buses(&a, error) && run_pass(&a, FALSE, error) &&
                place_devices(&a, error);

  if (ok)
    finish_controllers(&a);
  g_array_unref(a.buses);
  g_hash_table_unref(a.taken);
  return ok;
}
