/* vb-domain-address.c: the guest's hardware fixed at define, as libvirt fixes it: the
 * controllers it adds without being asked, and a PCI address for every PCI device, so the
 * hardware a guest sees never moves between boots and is the hardware libvirt would give the
 * same XML. The command builder only reads what is decided here.
 *
 * libvirt's rules, in the order they apply (formatdomain "Device Addresses", "Controllers",
 * and the PCI topology page):
 *  1. Implicit devices: the first USB controller (pc: PIIX3 UHCI; q35: qemu-xhci; a USB
 *     controller given without a model is PIIX3 UHCI on both), a controller for each disk bus
 *     in use (IDE, SATA, SCSI as lsilogic), q35's SATA controller, the PCI root (pci-root,
 *     pcie-root), virtio-serial for channels and virtio consoles, a video device for graphics,
 *     the virtio balloon.
 *  2. Addresses the XML gives are kept; <address type='pci'/> without numbers means "assign".
 *  3. The machine's own functions: pc's PIIX3 at slot 1 (ISA 1.0, IDE 1.1, UHCI 1.2, PM 1.3),
 *     q35's ICH9 at 0x1f (LPC 1f.0, SATA 1f.2, SMBus 1f.3); on q35 the first ICH9 UHCI at 0x1d
 *     (else 0x1a), a dmi-to-pci-bridge at 0x1e, an ICH9 sound card at 0x1b, when free.
 *  4. The primary video at slot 2 on pc, slot 1 on q35, when free.
 *  5. The rest in libvirt's device order: PCI controllers, NICs, sound, other controllers
 *     (USB2 companions share their master's slot), virtio disks, the balloon, RNGs, the
 *     i6300esb watchdog, the other videos, virtio inputs, PCI serial ports, pvpanic. Each takes
 *     the first free slot, bus by bus, of a bus that takes its kind: pci-root and pci-bridges
 *     take PCI devices; on q35 a PCIe device takes a pcie-root-port of its own and a
 *     legacy-PCI-only device a slot of a pcie-to-pci-bridge; pcie-root takes only root ports
 *     (grouped eight to a slot, as functions) and bridges.
 *  6. Buses are added when none has room: a first pass counts them (a pci-bridge on pc, a
 *     pcie-root-port per PCIe device on q35, a root port with a pcie-to-pci-bridge for the
 *     first legacy device), keeping a spare slot on pc and, for a q35 domain that gave no PCI
 *     controllers, one empty root port for hotplug; the second pass places everything.
 *  7. A slot with several functions has multifunction='on' at function 0; a root port's
 *     chassis is its index and its port slot × 8 + function.
 *  8. USB devices (disks, NICs, inputs, serial ports, sound, redirection, in that order) get
 *     the first free port, bus by bus: UHCI has 2, EHCI 6, nec-xhci 4, qemu-xhci 8, unless
 *     the controller's `ports` says otherwise.
 *  9. Virtio channels get the first free port (from 1) of the first virtio-serial controller;
 *     a virtio console without an address is left for QEMU to place, as libvirt leaves it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-address.h"
#include "vb-domain-xml.h"
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

gboolean
vb_domain_machine_is_q35(const char *machine)
{
  return machine != NULL && (g_str_has_prefix(machine, "pc-q35") || g_str_equal(machine, "q35"));
}

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
    *(&info->address) = (VbDeviceAddress){
        .type = VB_ADDRESS_PCI, .slot = slot, .multifunction = VB_ABSENT, .iobase = -1, .irq = -1};
    return reserve(a, 0, slot, 0, flags, device, error);
  }
  return place(a, info, flags, -1, device, error);
}

static VbControllerDef *
find_controller(const VbDomainDef *def, VbControllerType type, guint64 index)
{
  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];

    if (c->type == type && c->index == index && c->master_startport < 0)
      return c;
  }
  return NULL;
}

static VbControllerDef *
add_controller(VbDomainDef *def, VbControllerType type, guint64 index, const char *model)
{
  VbControllerDef *c = vb_controller_def_new(type, index);

  c->model = g_strdup(model);
  vb_domain_def_add_controller(def, c);
  return c;
}

/* Whether the domain has a SPICE display. */
gboolean
vb_domain_has_spice(const VbDomainDef *def)
{
  for (guint i = 0; i < def->graphics->len; i++) {
    if (((const VbGraphicsDef *)def->graphics->pdata[i])->type == VB_GRAPHICS_SPICE)
      return TRUE;
  }
  return FALSE;
}

/* libvirt's default video model: QXL with SPICE, else VGA. */
VbVideoModel
vb_domain_default_video_model(const VbDomainDef *def)
{
  return vb_domain_has_spice(def) ? VB_VIDEO_QXL : VB_VIDEO_VGA;
}

/* Rule 1: what libvirt adds to a definition without being asked. */
static void
add_implicit_devices(VbDomainDef *def, gboolean q35)
{
  gboolean has_usb = FALSE, needs_virtio_serial = def->channels->len > 0;

  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];

    if (c->type == VB_CONTROLLER_USB) {
      has_usb = TRUE;
      if (c->model == NULL)
        c->model = g_strdup("piix3-uhci");
    } else if (c->type == VB_CONTROLLER_SCSI && c->model == NULL) {
      c->model = g_strdup("lsilogic");
    }
  }
  if (!has_usb)
    add_controller(def, VB_CONTROLLER_USB, 0, q35 ? "qemu-xhci" : "piix3-uhci");
  /* a controller for every disk bus in use */
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];
    VbControllerType type = disk->target_bus == VB_DISK_BUS_IDE    ? VB_CONTROLLER_IDE
                            : disk->target_bus == VB_DISK_BUS_SATA ? VB_CONTROLLER_SATA
                                                                   : VB_CONTROLLER_SCSI;

    if (disk->info.address.type != VB_ADDRESS_DRIVE ||
        (disk->target_bus != VB_DISK_BUS_IDE && disk->target_bus != VB_DISK_BUS_SATA &&
         disk->target_bus != VB_DISK_BUS_SCSI) ||
        (type == VB_CONTROLLER_IDE && q35) ||
        find_controller(def, type, disk->info.address.controller) != NULL)
      continue;
    add_controller(def, type, disk->info.address.controller,
                   type == VB_CONTROLLER_SCSI ? "lsilogic" : NULL);
  }
  if (q35 && find_controller(def, VB_CONTROLLER_SATA, 0) == NULL)
    add_controller(def, VB_CONTROLLER_SATA, 0, NULL);
  if (find_controller(def, VB_CONTROLLER_PCI, 0) == NULL)
    add_controller(def, VB_CONTROLLER_PCI, 0, q35 ? "pcie-root" : "pci-root");
  for (guint i = 0; i < def->consoles->len; i++) {
    if (((const VbSerialDef *)def->consoles->pdata[i])->target_type == VB_CONSOLE_TARGET_VIRTIO)
      needs_virtio_serial = TRUE;
  }
  if (needs_virtio_serial && find_controller(def, VB_CONTROLLER_VIRTIO_SERIAL, 0) == NULL)
    add_controller(def, VB_CONTROLLER_VIRTIO_SERIAL, 0, NULL);
  if (def->videos->len == 0 && def->graphics->len > 0) {
    VbVideoDef *video = vb_video_def_new();

    video->model = vb_domain_default_video_model(def);
    g_ptr_array_add(def->videos, video);
  }
  if (def->memballoon == NULL)
    def->memballoon = vb_memballoon_def_new(FALSE);
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
    const VbControllerDef *c = find_controller(a->def, VB_CONTROLLER_PCI, index);

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

    if (find_controller(a->def, VB_CONTROLLER_PCI, index) != NULL)
      continue;
    c = add_controller(a->def, VB_CONTROLLER_PCI, index, bus_at(a, index)->model);
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
  }
}

/* Rule 8: the ports a USB controller gives (libvirt's counts; companions add none). */
static guint
usb_port_count(const VbControllerDef *c)
{
  if (c->master_startport >= 0 || g_strcmp0(c->model, "none") == 0)
    return 0;
  if (c->ports >= 0)
    return (guint)c->ports;
  if (g_strcmp0(c->model, "qemu-xhci") == 0)
    return 8;
  if (g_strcmp0(c->model, "nec-xhci") == 0)
    return 4;
  if (g_strcmp0(c->model, "ich9-ehci1") == 0 || g_strcmp0(c->model, "ehci") == 0)
    return 6;
  return 2; /* the UHCIs */
}

typedef struct {
  GPtrArray *taken; /* per USB bus (controller index): a GHashTable of its ports in use */
  GArray *ports;    /* per USB bus: how many it has (guint) */
} UsbPorts;

static gboolean
reserve_usb(UsbPorts *usb, const VbDeviceInfo *info)
{
  const VbDeviceAddress *a = &info->address;
  g_autofree char *top = NULL;

  if (a->type != VB_ADDRESS_USB || a->usb_port == NULL || a->bus >= usb->taken->len)
    return FALSE;
  /* a port behind a hub ("1.2") takes the hub's own port */
  top = g_strndup(a->usb_port, strcspn(a->usb_port, "."));
  g_hash_table_add(usb->taken->pdata[a->bus], g_steal_pointer(&top));
  return TRUE;
}

static gboolean
assign_usb_port(VbDomainDef *def, UsbPorts *usb, VbDeviceInfo *info, GError **error)
{
  for (guint bus = 0; bus < usb->taken->len; bus++) {
    for (guint port = 1; port <= g_array_index(usb->ports, guint, bus); port++) {
      g_autofree char *name = g_strdup_printf("%u", port);

      if (g_hash_table_contains(usb->taken->pdata[bus], name))
        continue;
      info->address = (VbDeviceAddress){.type = VB_ADDRESS_USB,
                                        .bus = bus,
                                        .usb_port = g_strdup(name),
                                        .multifunction = VB_ABSENT,
                                        .iobase = -1,
                                        .irq = -1};
      g_hash_table_add(usb->taken->pdata[bus], g_steal_pointer(&name));
      return TRUE;
    }
  }
  {
    g_autofree char *where = vb_domain_def_path(def, info, NULL);

    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: no USB port is left for it; give the USB controller more ports", where);
  }
  return FALSE;
}

/* Every USB device without a port gets the first free one, bus by bus, in libvirt's order. */
static gboolean
assign_usb_ports(VbDomainDef *def, GError **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new();
  UsbPorts usb = {
      .taken = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref),
      .ports = g_array_new(FALSE, TRUE, sizeof(guint)),
  };
  gboolean ok = TRUE;

  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];
    guint count = usb_port_count(c);

    if (c->type != VB_CONTROLLER_USB || count == 0)
      continue;
    while (usb.taken->len <= c->index) {
      g_ptr_array_add(usb.taken, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL));
      g_array_append_val(usb.ports, (guint){0});
    }
    g_array_index(usb.ports, guint, c->index) = count;
  }
  for (guint i = 0; i < def->disks->len; i++) {
    VbDiskDef *disk = def->disks->pdata[i];

    if (disk->target_bus == VB_DISK_BUS_USB)
      g_ptr_array_add(devices, &disk->info);
  }
  for (guint i = 0; i < def->nets->len; i++) {
    VbNetDef *net = def->nets->pdata[i];

    if (g_strcmp0(net->model, "usb-net") == 0)
      g_ptr_array_add(devices, &net->info);
  }
  for (guint i = 0; i < def->inputs->len; i++) {
    VbInputDef *input = def->inputs->pdata[i];

    if (input->bus == VB_INPUT_BUS_USB)
      g_ptr_array_add(devices, &input->info);
  }
  for (guint i = 0; i < def->serials->len; i++) {
    VbSerialDef *serial = def->serials->pdata[i];

    if (serial->target_type == VB_SERIAL_TARGET_USB)
      g_ptr_array_add(devices, &serial->info);
  }
  for (guint i = 0; i < def->sounds->len; i++) {
    VbSoundDef *sound = def->sounds->pdata[i];

    if (sound->model == VB_SOUND_USB)
      g_ptr_array_add(devices, &sound->info);
  }
  for (guint i = 0; i < def->redirdevs->len; i++)
    g_ptr_array_add(devices, &((VbRedirdevDef *)def->redirdevs->pdata[i])->info);
  /* the ports given first, then the others in order */
  for (guint i = 0; i < devices->len; i++)
    reserve_usb(&usb, devices->pdata[i]);
  for (guint i = 0; i < devices->len && ok; i++) {
    VbDeviceInfo *info = devices->pdata[i];

    if (usb.taken->len == 0)
      break; /* no USB bus: the command builder says so, naming the device */
    if ((info->address.type == VB_ABSENT ||
         (info->address.type == VB_ADDRESS_USB && info->address.usb_port == NULL)))
      ok = assign_usb_port(def, &usb, info, error);
  }
  g_ptr_array_unref(usb.taken);
  g_array_unref(usb.ports);
  return ok;
}

/* Rule 9: a virtio channel without an address gets the first free port (from 1; port 0 is a
 * console's) of the first virtio-serial controller that has one: 31 ports unless `ports`. */
static gboolean
assign_virtio_serial_ports(VbDomainDef *def, GError **error)
{
  g_autoptr(GHashTable) taken = g_hash_table_new(g_direct_hash, g_direct_equal);
  g_autoptr(GPtrArray) controllers = g_ptr_array_new();

  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];

    if (c->type == VB_CONTROLLER_VIRTIO_SERIAL)
      g_ptr_array_add(controllers, (gpointer)c);
  }
  for (guint i = 0; i < def->channels->len; i++) {
    const VbDeviceAddress *a = &((VbChannelDef *)def->channels->pdata[i])->info.address;

    if (a->type == VB_ADDRESS_VIRTIO_SERIAL)
      g_hash_table_add(taken, GSIZE_TO_POINTER((gsize)(a->controller << 16 | a->port)));
  }
  for (guint i = 0; i < def->channels->len; i++) {
    VbChannelDef *channel = def->channels->pdata[i];
    gboolean placed = FALSE;

    if (channel->info.address.type != VB_ABSENT)
      continue;
    for (guint c = 0; c < controllers->len && !placed; c++) {
      const VbControllerDef *controller = controllers->pdata[c];
      guint64 index = controller->index;
      guint64 ports = controller->ports > 0 ? (guint64)controller->ports : 31;

      for (guint64 port = 1; port < ports && !placed; port++) {
        gpointer key = GSIZE_TO_POINTER((gsize)(index << 16 | port));

        if (g_hash_table_contains(taken, key))
          continue;
        g_hash_table_add(taken, key);
        channel->info.address = (VbDeviceAddress){.type = VB_ADDRESS_VIRTIO_SERIAL,
                                                  .controller = index,
                                                  .port = port,
                                                  .multifunction = VB_ABSENT,
                                                  .iobase = -1,
                                                  .irq = -1};
        placed = TRUE;
      }
    }
    if (!placed) {
      g_autofree char *where = vb_domain_def_path(def, channel, NULL);

      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "%s: no virtio-serial port is left for it; add a <controller "
                  "type='virtio-serial'/>",
                  where);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * vb_domain_assign_addresses:
 * @def: a definition, as parsed or as stored before
 * @machine: the machine it runs on (canonical or an alias)
 *
 * Adds the controllers and devices libvirt adds, and gives every PCI device that has none the
 * address libvirt would give it; addresses already there stay (a re-define moves nothing).
 * Runs at define, at create and before a start, so what is stored is what the guest sees.
 *
 * Returns: %FALSE with InvalidConfig naming the device when an address clashes, names a bus
 *   that does not exist, or no slot is left
 */
gboolean
vb_domain_assign_addresses(VbDomainDef *def, const char *machine, GError **error)
{
  Addresses a = {
      .def = def,
      .q35 = vb_domain_machine_is_q35(machine),
      .buses = g_array_new(FALSE, TRUE, sizeof(Bus)),
      .taken = g_hash_table_new(g_direct_hash, g_direct_equal),
  };
  gboolean ok;

  add_implicit_devices(def, a.q35);
  ok = run_pass(&a, TRUE, error) && count_buses(&a, error) && run_pass(&a, FALSE, error) &&
       place_devices(&a, error) && assign_usb_ports(def, error) &&
       assign_virtio_serial_ports(def, error);
  if (ok)
    finish_controllers(&a);
  g_array_unref(a.buses);
  g_hash_table_unref(a.taken);
  /* the controllers added need libvirt's names, as parsed ones have */
  return ok && vb_domain_def_finish(def, error);
}
