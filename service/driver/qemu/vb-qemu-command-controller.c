/* vb-qemu-command-controller.c: buses: PCI bridges and root ports, USB, SCSI, SATA and
 * virtio-serial controllers, as the definition has them (a define adds the ones libvirt adds
 * without being asked: vb-domain-address.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-address.h"
#include "vb-qemu-command-private.h"

typedef struct {
  const char *model;  /* libvirt's */
  const char *driver; /* QEMU's */
} ModelDriver;

static const ModelDriver usb_drivers[] = {
    {"piix3-uhci", "piix3-usb-uhci"}, {"piix4-uhci", "piix4-usb-uhci"},
    {"qemu-xhci", "qemu-xhci"},       {"nec-xhci", "nec-usb-xhci"},
    {"ich9-ehci1", "ich9-usb-ehci1"}, {"ich9-uhci1", "ich9-usb-uhci1"},
    {"ich9-uhci2", "ich9-usb-uhci2"}, {"ich9-uhci3", "ich9-usb-uhci3"},
};

static const ModelDriver scsi_drivers[] = {
    {"virtio-scsi", "virtio-scsi-pci"},
    {"lsilogic", "lsi53c895a"},
    {"lsisas1068", "mptsas1068"},
    {"lsisas1078", "megasas"},
};

static const ModelDriver pci_drivers[] = {
    {"pci-bridge", "pci-bridge"},
    {"pcie-root-port", "pcie-root-port"},
    {"dmi-to-pci-bridge", "i82801b11-bridge"},
    {"pcie-to-pci-bridge", "pcie-pci-bridge"},
};

static const char *
lookup_driver(const ModelDriver *table, gsize n, const char *model)
{
  for (gsize i = 0; i < n; i++) {
    if (g_strcmp0(table[i].model, model) == 0)
      return table[i].driver;
  }
  return NULL;
}

/* The default model is the machine's: UHCI on pc, xHCI on q35 (as libvirt chooses). */
const char *
vb_qemu_usb_controller_driver(const VbQemuBuild *b, const VbControllerDef *c)
{
  const char *model = c != NULL ? c->model : NULL;

  if (g_strcmp0(model, "none") == 0)
    return NULL;
  if (model == NULL)
    model = b->q35 ? "qemu-xhci" : "piix3-uhci";
  return lookup_driver(usb_drivers, G_N_ELEMENTS(usb_drivers), model);
}

/* Whether the domain has a USB bus "usb.0": its first controller (a define adds one). */
gboolean
vb_qemu_build_has_usb(const VbQemuBuild *b)
{
  const VbControllerDef *first = vb_domain_find_controller(b->def, VB_CONTROLLER_USB, 0);

  return first != NULL && vb_qemu_usb_controller_driver(b, first) != NULL;
}

gboolean
vb_qemu_build_needs_virtio_serial(const VbQemuBuild *b)
{
  const VbDomainDef *def = b->def;

  if (def->channels->len > 0)
    return TRUE;
  for (guint i = 0; i < def->consoles->len; i++) {
    if (((const VbSerialDef *)def->consoles->pdata[i])->target_type == VB_CONSOLE_TARGET_VIRTIO)
      return TRUE;
  }
  return FALSE;
}

static gint
compare_index(gconstpointer a, gconstpointer b)
{
  const VbControllerDef *x = *(VbControllerDef *const *)a;
  const VbControllerDef *y = *(VbControllerDef *const *)b;

  return x->index < y->index ? -1 : x->index > y->index;
}

/* Bridges and root ports, parents first (a lower index is never behind a higher one). */
static gboolean
build_pci(VbQemuBuild *b, GError **error)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new();

  for (guint i = 0; i < b->def->controllers->len; i++) {
    VbControllerDef *c = b->def->controllers->pdata[i];

    if (c->type == VB_CONTROLLER_PCI && c->index > 0)
      g_ptr_array_add(sorted, c);
  }
  g_ptr_array_sort(sorted, compare_index);
  for (guint i = 0; i < sorted->len; i++) {
    const VbControllerDef *c = sorted->pdata[i];
    const char *driver = lookup_driver(pci_drivers, G_N_ELEMENTS(pci_drivers), c->model);
    g_autofree char *what = g_strdup_printf("the '%s' controller %" G_GUINT64_FORMAT,
                                            c->model != NULL ? c->model : "pci", c->index);
    VbQemuProps *props;
    gboolean is_port = g_strcmp0(c->model, "pcie-root-port") == 0;

    if (driver == NULL) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, c, NULL,
                          "a PCI controller other than the root needs a model");
      return FALSE;
    }
    if (is_port && !b->q35) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, c, "@model",
                          "a pcie-root-port needs a PCIe machine such as q35");
      return FALSE;
    }
    if (!vb_qemu_build_need_device(b, driver, what, error))
      return FALSE;
    props = vb_qemu_device_new(driver, NULL);
    if (is_port) {
      vb_qemu_props_add_uint(props, "port",
                             c->target_port >= 0 ? (guint64)c->target_port : 0x7 + c->index);
      vb_qemu_props_add_uint(props, "chassis",
                             c->target_chassis >= 0 ? (guint64)c->target_chassis : c->index);
    } else if (g_str_equal(driver, "pci-bridge") || g_str_equal(driver, "pcie-pci-bridge")) {
      if (g_str_equal(driver, "pci-bridge"))
        vb_qemu_props_add_uint(props, "chassis_nr",
                               c->target_chassis_nr >= 0 ? (guint64)c->target_chassis_nr
                               : c->target_chassis >= 0  ? (guint64)c->target_chassis
                                                         : c->index);
    }
    vb_qemu_props_add_string(props, "id", c->info.assigned_alias);
    if (!vb_qemu_build_pci_device(b, props, &c->info, what, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
build_usb(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;
  g_autoptr(GPtrArray) list = g_ptr_array_new();

  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];

    if (c->type == VB_CONTROLLER_USB)
      g_ptr_array_add(list, c);
  }
  for (guint i = 0; i < list->len; i++) {
    const VbControllerDef *c = list->pdata[i];
    const char *driver = vb_qemu_usb_controller_driver(b, c);
    g_autofree char *what = NULL;
    g_autofree char *master = NULL;
    VbQemuProps *props;

    if (driver == NULL)
      continue;
    what = g_strdup_printf("the USB controller %" G_GUINT64_FORMAT, c->index);
    if (!vb_qemu_build_need_device(b, driver, what, error))
      return FALSE;
    props = vb_qemu_device_new(driver, NULL);
    if (c->master_startport >= 0) {
      /* a companion: its ports belong to the bus of the controller with the same index */
      master = c->index == 0 ? g_strdup("usb.0")
                             : g_strdup_printf("usb%" G_GUINT64_FORMAT ".0", c->index);
      vb_qemu_props_add_string(props, "masterbus", master);
      vb_qemu_props_add_uint(props, "firstport", (guint64)c->master_startport);
    } else {
      vb_qemu_props_add_string(props, "id", c->info.assigned_alias);
      if (c->ports >= 0 && g_str_has_suffix(driver, "xhci")) {
        vb_qemu_props_add_uint(props, "p2", (guint64)c->ports);
        vb_qemu_props_add_uint(props, "p3", (guint64)c->ports);
      }
    }
    if (!vb_qemu_build_pci_device(b, props, &c->info, what, error))
      return FALSE;
  }
  return TRUE;
}

/* SCSI and SATA controllers, each one the definition has (a define adds one for every disk
 * bus in use); q35's own AHCI, SATA 0, is part of the machine. */
static gboolean
build_storage_controllers(VbQemuBuild *b, VbControllerType type, GError **error)
{
  const VbDomainDef *def = b->def;

  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];
    g_autofree char *what = NULL;
    const char *driver;
    VbQemuProps *props;

    if (c->type != type || (type == VB_CONTROLLER_SATA && c->index == 0 && b->q35))
      continue;
    what = g_strdup_printf("the %s controller %" G_GUINT64_FORMAT, vb_controller_type_names[type],
                           c->index);
    driver = type == VB_CONTROLLER_SATA ? "ich9-ahci"
                                        : lookup_driver(scsi_drivers, G_N_ELEMENTS(scsi_drivers),
                                                        c->model != NULL ? c->model : "lsilogic");
    if (!vb_qemu_build_need_device(b, driver, what, error))
      return FALSE;
    props = vb_qemu_device_new(driver, c->info.assigned_alias);
    if (g_str_equal(driver, "virtio-scsi-pci")) {
      if (c->driver_queues >= 0)
        vb_qemu_props_add_uint(props, "num_queues", (guint64)c->driver_queues);
      if (c->driver_cmd_per_lun >= 0)
        vb_qemu_props_add_uint(props, "cmd_per_lun", (guint64)c->driver_cmd_per_lun);
      if (c->driver_max_sectors >= 0)
        vb_qemu_props_add_uint(props, "max_sectors", (guint64)c->driver_max_sectors);
      if (c->driver_ioeventfd != VB_ABSENT)
        vb_qemu_props_add_bool(props, "ioeventfd", c->driver_ioeventfd == 1);
    }
    if (!vb_qemu_build_pci_device(b, props, &c->info, what, error))
      return FALSE;
  }
  return TRUE;
}

/* virtio-serial controllers (a define adds one for channels and virtio consoles). */
static gboolean
build_virtio_serial(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;

  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];
    VbQemuProps *props;

    if (c->type != VB_CONTROLLER_VIRTIO_SERIAL)
      continue;
    if (!vb_qemu_build_need_device(b, "virtio-serial-pci", "a virtio-serial controller", error))
      return FALSE;
    props = vb_qemu_device_new("virtio-serial-pci", c->info.assigned_alias);
    if (c->ports >= 0)
      vb_qemu_props_add_uint(props, "max_ports", (guint64)c->ports);
    if (c->vectors >= 0)
      vb_qemu_props_add_uint(props, "vectors", (guint64)c->vectors);
    if (!vb_qemu_build_pci_device(b, props, &c->info, "a virtio-serial controller", error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
check_ide(VbQemuBuild *b, GError **error)
{
  for (guint i = 0; i < b->def->controllers->len; i++) {
    const VbControllerDef *c = b->def->controllers->pdata[i];

    if ((c->type == VB_CONTROLLER_IDE && (b->q35 || c->index > 0)) ||
        (c->type == VB_CONTROLLER_FDC && b->q35)) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, c, NULL,
                          "the machine %s has no such controller", b->config->defaults->machine);
      return FALSE;
    }
  }
  return TRUE;
}

static guint
port_depth(const VbHubDef *hub)
{
  const char *port = hub->info.address.usb_port != NULL ? hub->info.address.usb_port : "";
  guint depth = 0;

  for (; *port != '\0'; port++)
    depth += *port == '.';
  return depth;
}

/* USB hubs, each before the devices on its ports: those nearer the root first. */
static gboolean
build_hubs(VbQemuBuild *b, GError **error)
{
  const GPtrArray *hubs = b->def->hubs;
  guint deepest = 0;

  if (hubs->len == 0)
    return TRUE;
  if (!vb_qemu_build_has_usb(b)) {
    vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, hubs->pdata[0], NULL,
                        "a USB hub needs a USB controller");
    return FALSE;
  }
  if (!vb_qemu_build_need_device(b, "usb-hub", "the USB hub", error))
    return FALSE;
  for (guint i = 0; i < hubs->len; i++)
    deepest = MAX(deepest, port_depth(hubs->pdata[i]));
  for (guint depth = 0; depth <= deepest; depth++) {
    for (guint i = 0; i < hubs->len; i++) {
      const VbHubDef *hub = hubs->pdata[i];
      VbQemuProps *props;

      if (port_depth(hub) != depth)
        continue;
      props = vb_qemu_device_new("usb-hub", vb_qemu_device_id(&hub->info));
      vb_qemu_usb_place(props, &hub->info);
      vb_qemu_build_device(b, props);
    }
  }
  return TRUE;
}

gboolean
vb_qemu_build_controllers(VbQemuBuild *b, GError **error)
{
  return check_ide(b, error) && build_pci(b, error) && build_usb(b, error) &&
         build_hubs(b, error) && build_storage_controllers(b, VB_CONTROLLER_SCSI, error) &&
         build_storage_controllers(b, VB_CONTROLLER_SATA, error) && build_virtio_serial(b, error);
}
