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

/* A USB hub's ports (QEMU's usb-hub has 8), and how deep hubs may chain (USB allows five tiers
 * below the root; libvirt's limit). */
#define HUB_PORTS 8
#define MAX_PORT_DEPTH 5

typedef struct {
  GPtrArray *taken; /* per USB bus (controller index): GHashTable of port paths in use ("1.2") */
  GPtrArray *hubs;  /* per USB bus: GHashTable of the port paths a hub sits at */
  GArray *ports;    /* per USB bus: how many root ports it has (guint) */
} UsbPorts;

static void
reserve_usb(UsbPorts *usb, const VbDeviceInfo *info, gboolean is_hub)
{
  const VbDeviceAddress *a = &info->address;

  if (a->type != VB_ADDRESS_USB || a->usb_port == NULL || a->bus >= usb->taken->len)
    return;
  g_hash_table_add(usb->taken->pdata[a->bus], g_strdup(a->usb_port));
  if (is_hub)
    g_hash_table_add(usb->hubs->pdata[a->bus], g_strdup(a->usb_port));
}

/* libvirt's search: a free port of this hub first, then the hubs on its ports, in order. */
static char *
find_free_port(UsbPorts *usb, guint bus, const char *prefix, guint count, guint depth)
{
  for (guint port = 1; port <= count; port++) {
    g_autofree char *path = g_strdup_printf("%s%u", prefix, port);

    if (!g_hash_table_contains(usb->taken->pdata[bus], path))
      return g_steal_pointer(&path);
  }
  if (depth + 1 >= MAX_PORT_DEPTH)
    return NULL;
  for (guint port = 1; port <= count; port++) {
    g_autofree char *path = g_strdup_printf("%s%u", prefix, port);
    g_autofree char *below = NULL;
    char *found;

    if (!g_hash_table_contains(usb->hubs->pdata[bus], path))
      continue;
    below = g_strconcat(path, ".", NULL);
    found = find_free_port(usb, bus, below, HUB_PORTS, depth + 1);
    if (found != NULL)
      return found;
  }
  return NULL;
}

static gboolean
assign_usb_port(
    VbDomainDef *def, UsbPorts *usb, VbDeviceInfo *info, gboolean is_hub, GError **error)
{
  for (guint bus = 0; bus < usb->taken->len; bus++) {
    char *path = find_free_port(usb, bus, "", g_array_index(usb->ports, guint, bus), 0);

    if (path == NULL)
      continue;
    g_free(info->address.usb_port);
    info->address = (VbDeviceAddress){.type = VB_ADDRESS_USB,
                                      .bus = bus,
                                      .usb_port = path,
                                      .multifunction = VB_ABSENT,
                                      .iobase = -1,
                                      .irq = -1};
    reserve_usb(usb, info, is_hub);
    return TRUE;
  }
  {
    g_autofree char *where = vb_domain_def_path(def, info, NULL);

    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: no USB port is left for it; give the USB controller more ports", where);
  }
  return FALSE;
}

static gboolean
needs_usb_port(const VbDeviceInfo *info)
{
  return info->address.type == VB_ABSENT ||
         (info->address.type == VB_ADDRESS_USB && info->address.usb_port == NULL);
}

/* The USB devices but hubs, in libvirt's order: disks, NICs, inputs, serial ports, sound,
 * redirection. */
static GPtrArray *
usb_devices(VbDomainDef *def)
{
  GPtrArray *devices = g_ptr_array_new();

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
  return devices;
}

/* As libvirt: when more devices want a port than the controllers and hubs have ports in all,
 * enough hubs are added (each takes a port and gives eight). */
static void
add_needed_hubs(VbDomainDef *def, UsbPorts *usb, GPtrArray *devices)
{
  guint available = def->hubs->len * HUB_PORTS;
  guint wanting = 0;

  for (guint bus = 0; bus < usb->ports->len; bus++)
    available += g_array_index(usb->ports, guint, bus);
  for (guint i = 0; i < devices->len; i++)
    wanting += needs_usb_port(devices->pdata[i]);
  if (wanting <= available || available == 0)
    return;
  for (guint n = (wanting - available + 1 + HUB_PORTS - 2) / (HUB_PORTS - 1); n > 0; n--)
    g_ptr_array_add(def->hubs, vb_hub_def_new());
}

/* Every USB device without a port gets one as libvirt gives it: the ports given are kept,
 * hubs are added when the ports run out and placed first, then the other devices in order. */
gboolean
vb_domain_assign_usb_ports(VbDomainDef *def, GError **error)
{
  g_autoptr(GPtrArray) devices = usb_devices(def);
  UsbPorts usb = {
      .taken = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref),
      .hubs = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref),
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
      g_ptr_array_add(usb.hubs, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL));
      g_array_append_val(usb.ports, (guint){0});
    }
    g_array_index(usb.ports, guint, c->index) = count;
  }
  add_needed_hubs(def, &usb, devices);
  for (guint i = 0; i < def->hubs->len; i++)
    reserve_usb(&usb, &((VbHubDef *)def->hubs->pdata[i])->info, TRUE);
  for (guint i = 0; i < devices->len; i++)
    reserve_usb(&usb, devices->pdata[i], FALSE);
  /* no USB bus: the command builder says so, naming the device */
  for (guint i = 0; i < def->hubs->len && ok && usb.taken->len > 0; i++) {
    VbDeviceInfo *info = &((VbHubDef *)def->hubs->pdata[i])->info;

    if (needs_usb_port(info))
      ok = assign_usb_port(def, &usb, info, TRUE, error);
  }
  for (guint i = 0; i < devices->len && ok && usb.taken->len > 0; i++) {
    VbDeviceInfo *info = devices->pdata[i];

    if (needs_usb_port(info))
      ok = assign_usb_port(def, &usb, info, FALSE, error);
  }
  g_ptr_array_unref(usb.taken);
  g_ptr_array_unref(usb.hubs);
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
