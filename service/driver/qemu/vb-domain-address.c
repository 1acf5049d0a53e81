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
 * This file holds rule 1 and the order of the rest; the PCI rules are
 * vb-domain-address-pci.c's, the port rules vb-domain-address-ports.c's.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-address-private.h"
#include "vb-domain-device-defaults.h"
#include "vb-domain-xml.h"

gboolean
vb_domain_machine_is_q35(const char *machine)
{
  return machine != NULL && (g_str_has_prefix(machine, "pc-q35") || g_str_equal(machine, "q35"));
}

/* The controller of @type and @index, companions aside. */
VbControllerDef *
vb_domain_find_controller(const VbDomainDef *def, VbControllerType type, guint64 index)
{
  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];

    if (c->type == type && c->index == index && c->master_startport < 0)
      return c;
  }
  return NULL;
}

/* Adds a controller libvirt adds unasked, where libvirt keeps it in the list. */
VbControllerDef *
vb_domain_add_implicit_controller(VbDomainDef *def,
                                  VbControllerType type,
                                  guint64 index,
                                  const char *model)
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
    vb_domain_add_implicit_controller(def, VB_CONTROLLER_USB, 0, q35 ? "qemu-xhci" : "piix3-uhci");
  if (q35 && vb_domain_find_controller(def, VB_CONTROLLER_SATA, 0) == NULL)
    vb_domain_add_implicit_controller(def, VB_CONTROLLER_SATA, 0, NULL);
  if (vb_domain_find_controller(def, VB_CONTROLLER_PCI, 0) == NULL)
    vb_domain_add_implicit_controller(def, VB_CONTROLLER_PCI, 0, q35 ? "pcie-root" : "pci-root");
  /* then, as libvirt adds them after the machine's own: a controller for every disk bus in
   * use */
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];
    VbControllerType type = disk->target_bus == VB_DISK_BUS_IDE    ? VB_CONTROLLER_IDE
                            : disk->target_bus == VB_DISK_BUS_SATA ? VB_CONTROLLER_SATA
                                                                   : VB_CONTROLLER_SCSI;

    if (disk->info.address.type != VB_ADDRESS_DRIVE ||
        (disk->target_bus != VB_DISK_BUS_IDE && disk->target_bus != VB_DISK_BUS_SATA &&
         disk->target_bus != VB_DISK_BUS_SCSI) ||
        (type == VB_CONTROLLER_IDE && q35) ||
        vb_domain_find_controller(def, type, disk->info.address.controller) != NULL)
      continue;
    vb_domain_add_implicit_controller(def, type, disk->info.address.controller,
                                      type == VB_CONTROLLER_SCSI ? "lsilogic" : NULL);
  }
  for (guint i = 0; i < def->consoles->len; i++) {
    if (((const VbSerialDef *)def->consoles->pdata[i])->target_type == VB_CONSOLE_TARGET_VIRTIO)
      needs_virtio_serial = TRUE;
  }
  if (needs_virtio_serial && vb_domain_find_controller(def, VB_CONTROLLER_VIRTIO_SERIAL, 0) == NULL)
    vb_domain_add_implicit_controller(def, VB_CONTROLLER_VIRTIO_SERIAL, 0, NULL);
  if (def->videos->len == 0 && def->graphics->len > 0) {
    VbVideoDef *video = vb_video_def_new();

    video->model = vb_domain_default_video_model(def);
    g_ptr_array_add(def->videos, video);
  }
  if (def->memballoon == NULL)
    def->memballoon = vb_memballoon_def_new(FALSE);
}

/**
 * vb_domain_assign_addresses:
 * @def: a definition, as parsed or as stored before
 * @machine: the machine it runs on (canonical or an alias)
 *
 * Adds the controllers and devices libvirt adds, and gives every PCI device that has none the
 * address libvirt would give it (vb-domain-address-pci.c), then USB and virtio-serial ports
 * (vb-domain-address-ports.c); addresses already there stay (a re-define moves nothing). Runs at
 * define, at create and before a start, so what is stored is what the guest sees.
 *
 * Returns: %FALSE with InvalidConfig naming the device when an address clashes, names a bus
 *   that does not exist, or no slot or port is left
 */
gboolean
vb_domain_assign_addresses(VbDomainDef *def, const char *machine, GError **error)
{
  gboolean q35 = vb_domain_machine_is_q35(machine);

  add_implicit_devices(def, q35);
  vb_domain_fill_device_defaults(def, q35);
  /* the controllers added need libvirt's names, as parsed ones have */
  return vb_domain_assign_pci_addresses(def, q35, error) &&
         vb_domain_assign_usb_ports(def, error) &&
         vb_domain_assign_virtio_serial_ports(def, error) && vb_domain_def_finish(def, error);
}
