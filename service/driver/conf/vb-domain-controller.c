/* vb-domain-controller.c: <controller>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

static const char *const other_controller_types[] = {"ccid", "xenbus", "isa", "nvme", NULL};

/* Models virtbus runs, and the ones libvirt also knows (NotSupported rather than invalid). */
static const char *const usb_models[] = {"qemu-xhci",  "nec-xhci",   "piix3-uhci", "piix4-uhci",
                                         "ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3",
                                         "none",       NULL};
static const char *const other_usb_models[] = {"vt82c686b-uhci", "pci-ohci", "qusb1", "qusb2",
                                               NULL};
static const char *const scsi_models[] = {"virtio-scsi", "lsilogic", "lsisas1068", "lsisas1078",
                                          NULL};
static const char *const other_scsi_models[] = {"auto",
                                                "buslogic",
                                                "vmpvscsi",
                                                "ibmvscsi",
                                                "virtio-transitional",
                                                "virtio-non-transitional",
                                                "ncr53c90",
                                                "am53c974",
                                                "dc390",
                                                NULL};
static const char *const pci_models[] = {"pci-root",   "pcie-root",         "pcie-root-port",
                                         "pci-bridge", "dmi-to-pci-bridge", "pcie-to-pci-bridge",
                                         NULL};
static const char *const other_pci_models[] = {"pcie-switch-upstream-port",
                                               "pcie-switch-downstream-port", "pci-expander-bus",
                                               "pcie-expander-bus", NULL};
static const char *const no_models[] = {NULL};
static const char *const other_ide_models[] = {"piix3", "piix4", "ich6", NULL};
static const char *const other_virtio_serial_models[] = {"virtio", "virtio-transitional",
                                                         "virtio-non-transitional", NULL};

static gboolean
parse_model(VbControllerDef *controller, xmlNode *node, GError **error)
{
  const char *const *ours = no_models;
  const char *const *others = no_models;
  gint model = VB_ABSENT;

  switch (controller->type) {
  case VB_CONTROLLER_USB:
    ours = usb_models;
    others = other_usb_models;
    break;
  case VB_CONTROLLER_SCSI:
    ours = scsi_models;
    others = other_scsi_models;
    break;
  case VB_CONTROLLER_PCI:
    ours = pci_models;
    others = other_pci_models;
    break;
  case VB_CONTROLLER_IDE:
    others = other_ide_models;
    break;
  case VB_CONTROLLER_VIRTIO_SERIAL:
    others = other_virtio_serial_models;
    break;
  case VB_CONTROLLER_FDC:
  case VB_CONTROLLER_SATA:
  default:
    break;
  }
  if (vb_xml_attr(node, "model") != NULL && ours == no_models && others == no_models) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "model",
                     "a '%s' controller has no models", vb_controller_type_names[controller->type]);
    return FALSE;
  }
  if (!vb_xml_attr_enum_subset(node, "model", ours, others, &model, error))
    return FALSE;
  if (model != VB_ABSENT)
    controller->model = g_strdup(ours[model]);
  return TRUE;
}

static gboolean
parse_controller(VbDomainDef *def, VbControllerDef *controller, xmlNode *node, GError **error)
{
  gint type = VB_ABSENT;
  xmlNode *child;

  if (!vb_xml_attr_enum_subset(node, "type", vb_controller_type_names, other_controller_types,
                               &type, error))
    return FALSE;
  if (type == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL, "a <controller> needs a type");
    return FALSE;
  }
  controller->type = (VbControllerType)type;

  if (vb_xml_attr(node, "index") != NULL) {
    if (!vb_xml_attr_uint(node, "index", G_MAXINT32, &controller->index, error))
      return FALSE;
  } else if (controller->type == VB_CONTROLLER_USB && vb_xml_child(node, "master") != NULL) {
    /* A companion belongs to the EHCI master before it: same bus, same index. */
    controller->index = 0;
    for (guint i = 0; i + 1 < def->controllers->len; i++) {
      const VbControllerDef *other = def->controllers->pdata[i];

      if (other->type == VB_CONTROLLER_USB && other->master_startport < 0)
        controller->index = other->index;
    }
  } else {
    /* As libvirt: the first index not yet taken by a controller of this type. */
    gboolean taken;

    controller->index = 0;
    do {
      taken = FALSE;
      for (guint i = 0; i + 1 < def->controllers->len; i++) {
        const VbControllerDef *other = def->controllers->pdata[i];

        if (other->type == controller->type && other->index == controller->index) {
          controller->index++;
          taken = TRUE;
        }
      }
    } while (taken);
  }
  if (!parse_model(controller, node, error))
    return FALSE;

  if (controller->type == VB_CONTROLLER_USB || controller->type == VB_CONTROLLER_VIRTIO_SERIAL) {
    if (!vb_xml_attr_count(node, "ports", 255, &controller->ports, error))
      return FALSE;
  }
  if (controller->type == VB_CONTROLLER_VIRTIO_SERIAL &&
      !vb_xml_attr_count(node, "vectors", 0xffff, &controller->vectors, error))
    return FALSE;
  if (controller->type == VB_CONTROLLER_USB && (child = vb_xml_child(node, "master")) != NULL &&
      !vb_xml_attr_count(child, "startport", 255, &controller->master_startport, error))
    return FALSE;
  if (controller->type == VB_CONTROLLER_PCI) {
    child = vb_xml_child(node, "model");
    if (child != NULL)
      controller->model_name = g_strdup(vb_xml_attr(child, "name"));
    child = vb_xml_child(node, "target");
    if (child != NULL &&
        (!vb_xml_attr_count(child, "chassis", 255, &controller->target_chassis, error) ||
         !vb_xml_attr_count(child, "chassisNr", 255, &controller->target_chassis_nr, error) ||
         !vb_xml_attr_count(child, "port", 255, &controller->target_port, error)))
      return FALSE;
  }
  child = vb_xml_child(node, "driver");
  if (child != NULL &&
      (!vb_xml_attr_count(child, "queues", 1024, &controller->driver_queues, error) ||
       !vb_xml_attr_count(child, "cmd_per_lun", 65535, &controller->driver_cmd_per_lun, error) ||
       !vb_xml_attr_count(child, "max_sectors", G_MAXINT32, &controller->driver_max_sectors,
                          error) ||
       !vb_xml_attr_bool(child, "ioeventfd", "on", "off", &controller->driver_ioeventfd, error)))
    return FALSE;
  if (!vb_device_info_parse(node, &controller->info, FALSE, error))
    return FALSE;

  for (guint i = 0; i + 1 < def->controllers->len; i++) {
    const VbControllerDef *other = def->controllers->pdata[i];

    /* USB companions (<master>) share the index of their EHCI master. */
    if (other->type == controller->type && other->index == controller->index &&
        controller->master_startport < 0 && other->master_startport < 0) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "index",
                       "two '%s' controllers have index %" G_GUINT64_FORMAT,
                       vb_controller_type_names[controller->type], controller->index);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * vb_domain_def_add_controller:
 * @controller: (transfer full)
 *
 * Adds @controller where libvirt keeps it: among the controllers of its type by index, a
 * master before its USB companions, otherwise after the last of its type (or at the end).
 * The order is the command line's, so a companion never comes before its master.
 */
void
vb_domain_def_add_controller(VbDomainDef *def, VbControllerDef *controller)
{
  gint insert_at = -1;

  for (gint i = (gint)def->controllers->len - 1; i >= 0; i--) {
    const VbControllerDef *current = def->controllers->pdata[i];

    if (current->type != controller->type)
      continue;
    if (current->index > controller->index ||
        (controller->master_startport < 0 && current->master_startport >= 0 &&
         current->index == controller->index))
      insert_at = i;
    else if (insert_at == -1)
      insert_at = i + 1;
  }
  if (insert_at < 0)
    g_ptr_array_add(def->controllers, controller);
  else
    g_ptr_array_insert(def->controllers, insert_at, controller);
}

gboolean
vb_domain_parse_controllers(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "controller");
  g_autoptr(GPtrArray) in_order = NULL;

  for (guint i = 0; i < nodes->len; i++) {
    VbControllerDef *controller = vb_controller_def_new(VB_CONTROLLER_IDE, 0);

    g_ptr_array_add(def->controllers, controller);
    if (!parse_controller(def, controller, nodes->pdata[i], error))
      return FALSE;
  }
  /* read in document order (implied indexes depend on it), kept in libvirt's */
  in_order = g_steal_pointer(&def->controllers);
  def->controllers = g_ptr_array_new_with_free_func((GDestroyNotify)vb_controller_def_free);
  g_ptr_array_set_free_func(in_order, NULL);
  for (guint i = 0; i < in_order->len; i++)
    vb_domain_def_add_controller(def, in_order->pdata[i]);
  return TRUE;
}

void
vb_domain_format_controllers(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];

    vb_xml_writer_start(w, "controller");
    vb_xml_writer_attr(w, "type", vb_controller_type_names[c->type]);
    vb_xml_writer_attr_printf(w, "index", "%" G_GUINT64_FORMAT, c->index);
    vb_xml_writer_attr(w, "model", c->model);
    vb_xml_writer_attr_count(w, "ports", c->ports);
    vb_xml_writer_attr_count(w, "vectors", c->vectors);
    if (c->model_name != NULL) {
      vb_xml_writer_start(w, "model");
      vb_xml_writer_attr(w, "name", c->model_name);
      vb_xml_writer_end(w);
    }
    if (c->driver_queues >= 0 || c->driver_cmd_per_lun >= 0 || c->driver_max_sectors >= 0 ||
        c->driver_ioeventfd != VB_ABSENT) {
      vb_xml_writer_start(w, "driver");
      vb_xml_writer_attr_count(w, "queues", c->driver_queues);
      vb_xml_writer_attr_count(w, "cmd_per_lun", c->driver_cmd_per_lun);
      vb_xml_writer_attr_count(w, "max_sectors", c->driver_max_sectors);
      vb_xml_writer_attr_bool(w, "ioeventfd", c->driver_ioeventfd, "on", "off");
      vb_xml_writer_end(w);
    }
    if (c->target_chassis >= 0 || c->target_chassis_nr >= 0 || c->target_port >= 0) {
      vb_xml_writer_start(w, "target");
      vb_xml_writer_attr_count(w, "chassisNr", c->target_chassis_nr);
      vb_xml_writer_attr_count(w, "chassis", c->target_chassis);
      if (c->target_port >= 0)
        vb_xml_writer_attr_printf(w, "port", "0x%" G_GINT64_MODIFIER "x", c->target_port);
      vb_xml_writer_end(w);
    }
    if (c->master_startport >= 0) {
      vb_xml_writer_start(w, "master");
      vb_xml_writer_attr_count(w, "startport", c->master_startport);
      vb_xml_writer_end(w);
    }
    vb_device_info_format(w, &c->info, flags);
    vb_xml_writer_end(w);
  }
}
