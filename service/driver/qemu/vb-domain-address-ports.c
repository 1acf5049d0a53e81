/* vb-domain-address-ports.c: rules 8 and 9 of vb-domain-address.c: the USB port of every USB
 * device and the virtio-serial port of every virtio channel.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-address-private.h"
#include "vb-error.h"

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
gboolean
vb_domain_assign_usb_ports(VbDomainDef *def, GError **error)
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
gboolean
vb_domain_assign_virtio_serial_ports(VbDomainDef *def, GError **error)
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
