/* test-domain-address.c: the hardware fixed at define (vb-domain-address.c): libvirt's
 * implicit controllers and PCI placement, kept across re-defines, clashes refused by name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-address.h"
#include "vb-domain-xml.h"
#include "vb-error.h"

#define HEAD(machine)                                                                              \
  "<domain type='qemu'><name>t</name><memory>131072</memory>"                                      \
  "<os><type arch='x86_64' machine='" machine "'>hvm</type></os><devices>"
#define TAIL "</devices></domain>"

static VbDomainDef *
assigned(const char *xml, const char *machine)
{
  g_autoptr(GError) error = NULL;
  VbDomainDef *def = vb_domain_def_parse(xml, strlen(xml), &error);

  g_assert_no_error(error);
  vb_domain_assign_addresses(def, machine, &error);
  g_assert_no_error(error);
  return def;
}

/* "bus:slot.function" of a device's PCI address, "-" for none. */
static char *
where(const VbDeviceInfo *info)
{
  const VbDeviceAddress *a = &info->address;

  if (a->type != VB_ADDRESS_PCI)
    return g_strdup("-");
  return g_strdup_printf("%02" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER "x.%" G_GINT64_MODIFIER
                         "x%s",
                         a->bus, a->slot, a->function, a->multifunction == 1 ? "m" : "");
}

static VbControllerDef *
controller(const VbDomainDef *def, VbControllerType type, guint64 index)
{
  for (guint i = 0; i < def->controllers->len; i++) {
    VbControllerDef *c = def->controllers->pdata[i];

    if (c->type == type && c->index == index)
      return c;
  }
  g_error("no %s controller %" G_GUINT64_FORMAT, vb_controller_type_names[type], index);
}

#define ASSERT_AT(info, expected)                                                                  \
  do {                                                                                             \
    g_autofree char *at = where(info);                                                             \
    g_assert_cmpstr(at, ==, expected);                                                             \
  } while (0)

/* pc: the PIIX3's UHCI at 1.2, the IDE at 1.1, video at slot 2, then NIC before disk. */
static void
test_pc(void)
{
  g_autoptr(VbDomainDef) def = assigned(
      HEAD("pc-i440fx-7.2") "<disk type='file' device='disk'><source file='/d.img'/>"
                            "<target dev='vda' bus='virtio'/></disk>"
                            "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"
                            "<interface type='user'/><graphics type='vnc'/>" TAIL,
      "pc-i440fx-7.2");

  ASSERT_AT(&controller(def, VB_CONTROLLER_USB, 0)->info, "00:01.2");
  g_assert_cmpstr(controller(def, VB_CONTROLLER_USB, 0)->model, ==, "piix3-uhci");
  ASSERT_AT(&controller(def, VB_CONTROLLER_IDE, 0)->info, "00:01.1");
  g_assert_cmpstr(controller(def, VB_CONTROLLER_PCI, 0)->model, ==, "pci-root");
  g_assert_cmpuint(def->videos->len, ==, 1);
  ASSERT_AT(&((VbVideoDef *)def->videos->pdata[0])->info, "00:02.0");
  ASSERT_AT(&((VbNetDef *)def->nets->pdata[0])->info, "00:03.0");
  /* the virtio disk comes after the NIC in libvirt's order; the IDE CD-ROM is on the IDE bus */
  g_assert_cmpstr(((VbDiskDef *)def->disks->pdata[0])->target_dev, ==, "vda");
  ASSERT_AT(&((VbDiskDef *)def->disks->pdata[0])->info, "00:04.0");
  ASSERT_AT(&((VbDiskDef *)def->disks->pdata[1])->info, "-");
  ASSERT_AT(&def->memballoon->info, "00:05.0");
}

/* q35: each PCIe device on a root port of its own, the ports eight to a slot, one spare. */
static void
test_q35(void)
{
  g_autoptr(VbDomainDef) def = assigned(HEAD("q35") "<interface type='user'>"
                                                    "<model type='virtio'/></interface>" TAIL,
                                        "q35");
  VbControllerDef *port;

  ASSERT_AT(&controller(def, VB_CONTROLLER_SATA, 0)->info, "00:1f.2");
  g_assert_cmpstr(controller(def, VB_CONTROLLER_USB, 0)->model, ==, "qemu-xhci");
  /* NIC, USB, balloon and the spare */
  for (guint64 i = 1; i <= 4; i++) {
    g_autofree char *expected =
        g_strdup_printf("00:01.%" G_GUINT64_FORMAT "%s", i - 1, i == 1 ? "m" : "");

    port = controller(def, VB_CONTROLLER_PCI, i);
    g_assert_cmpstr(port->model, ==, "pcie-root-port");
    ASSERT_AT(&port->info, expected);
    g_assert_cmpint(port->target_chassis, ==, (gint64)i);
    g_assert_cmpint(port->target_port, ==, (gint64)(8 + i - 1));
  }
  ASSERT_AT(&((VbNetDef *)def->nets->pdata[0])->info, "01:00.0");
  ASSERT_AT(&controller(def, VB_CONTROLLER_USB, 0)->info, "02:00.0");
  ASSERT_AT(&def->memballoon->info, "03:00.0");
}

/* q35: a legacy PCI device goes behind a pcie-to-pci-bridge on a root port of its own. */
static void
test_q35_legacy(void)
{
  g_autoptr(VbDomainDef) def = assigned(HEAD("q35") "<interface type='user'>"
                                                    "<model type='e1000'/></interface>" TAIL,
                                        "q35");
  VbControllerDef *bridge = controller(def, VB_CONTROLLER_PCI, 2);

  g_assert_cmpstr(controller(def, VB_CONTROLLER_PCI, 1)->model, ==, "pcie-root-port");
  g_assert_cmpstr(bridge->model, ==, "pcie-to-pci-bridge");
  ASSERT_AT(&bridge->info, "01:00.0");
  ASSERT_AT(&((VbNetDef *)def->nets->pdata[0])->info, "02:01.0");
}

/* pc: past the root bus's slots a pci-bridge is added, and devices go on to it. */
static void
test_pc_bridge(void)
{
  g_autoptr(GString) xml = g_string_new(HEAD("pc"));
  g_autoptr(VbDomainDef) def = NULL;
  VbControllerDef *bridge;

  for (guint i = 0; i < 32; i++)
    g_string_append(xml, "<interface type='user'><model type='e1000'/></interface>");
  g_string_append(xml, TAIL);
  def = assigned(xml->str, "pc");
  bridge = controller(def, VB_CONTROLLER_PCI, 1);
  g_assert_cmpstr(bridge->model, ==, "pci-bridge");
  g_assert_cmpint(bridge->info.address.bus, ==, 0);
  /* slots 3 to 31 of the root hold 29 NICs; the rest are behind the bridge */
  ASSERT_AT(&((VbNetDef *)def->nets->pdata[28])->info, "00:1f.0");
  ASSERT_AT(&((VbNetDef *)def->nets->pdata[29])->info, "01:01.0");
}

/* A re-define keeps every address and only places what is new: nothing a guest saw moves. */
static void
test_redefine_keeps(void)
{
  g_autoptr(VbDomainDef) def =
      assigned(HEAD("q35") "<disk type='file' device='disk'><source file='/a.img'/>"
                           "<target dev='vda' bus='virtio'/></disk><interface type='user'/>" TAIL,
               "q35");
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE, &error);
  g_autoptr(GString) edited = NULL;
  g_autoptr(VbDomainDef) again = NULL;
  g_autofree char *disk_before = where(&((VbDiskDef *)def->disks->pdata[0])->info);
  g_autofree char *net_before = where(&((VbNetDef *)def->nets->pdata[0])->info);

  g_assert_no_error(error);
  /* the user adds a disk and a NIC, without addresses, to the dumped XML */
  edited = g_string_new(xml);
  g_string_replace(edited, "</devices>",
                   "<disk type='file' device='disk'><source file='/b.img'/>"
                   "<target dev='vdb' bus='virtio'/></disk><interface type='user'/></devices>",
                   1);
  again = assigned(edited->str, "q35");
  ASSERT_AT(&((VbDiskDef *)again->disks->pdata[0])->info, disk_before);
  ASSERT_AT(&((VbNetDef *)again->nets->pdata[0])->info, net_before);
  g_assert_cmpint(((VbDiskDef *)again->disks->pdata[1])->info.address.type, ==, VB_ADDRESS_PCI);
  g_assert_cmpint(((VbNetDef *)again->nets->pdata[1])->info.address.type, ==, VB_ADDRESS_PCI);
}

/* <address type='pci'/> without numbers means "assign". */
static void
test_empty_address(void)
{
  g_autoptr(VbDomainDef) def =
      assigned(HEAD("pc") "<interface type='user'><address type='pci'/></interface>" TAIL, "pc");

  ASSERT_AT(&((VbNetDef *)def->nets->pdata[0])->info, "00:02.0");
}

static void
expect_refused(const char *xml, const char *machine, const char *pattern)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, strlen(xml), &error);

  g_assert_no_error(error);
  g_assert_false(vb_domain_assign_addresses(def, machine, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  if (!g_pattern_match_simple(pattern, error->message))
    g_error("'%s' does not match '%s'", error->message, pattern);
}

/* Clashes and impossible addresses are refused, naming both devices. */
static void
test_refusals(void)
{
  expect_refused(HEAD("pc") "<interface type='user'><address type='pci' bus='0' slot='5'/>"
                            "</interface><interface type='user'>"
                            "<address type='pci' bus='0' slot='5'/></interface>" TAIL,
                 "pc",
                 "/domain/devices/interface[2]/address: the PCI address 0000:00:05.0 is taken by "
                 "/domain/devices/interface[1]");
  expect_refused(HEAD("pc") "<interface type='user'><address type='pci' bus='0' slot='1' "
                            "function='3'/></interface>" TAIL,
                 "pc", "*the PCI address 0000:00:01.3 is the machine's own");
  expect_refused(HEAD("pc") "<interface type='user'><address type='pci' bus='4' slot='1'/>"
                            "</interface>" TAIL,
                 "pc", "*names a bus no <controller type='pci'> provides");
  expect_refused(HEAD("pc") "<controller type='usb' model='piix3-uhci'>"
                            "<address type='pci' bus='0' slot='7'/></controller>" TAIL,
                 "pc",
                 "/domain/devices/controller*: the PIIX3 USB controller is at PCI address "
                 "0000:00:01.2, part of the machine");
}

/* libvirt's order of disks (by target within a bus) and controllers (a master before its
 * companions): the order they are formatted, built and booted in. */
static void
test_list_order(void)
{
  g_autoptr(VbDomainDef) def = assigned(
      HEAD("pc") "<disk type='file' device='disk'><source file='/b.img'/>"
                 "<target dev='vdb' bus='virtio'/></disk>"
                 "<disk type='file' device='disk'><source file='/a.img'/>"
                 "<target dev='vda' bus='virtio'/></disk>"
                 "<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/>"
                 "</controller><controller type='usb' index='0' model='ich9-ehci1'/>" TAIL,
      "pc");

  g_assert_cmpstr(((VbDiskDef *)def->disks->pdata[0])->target_dev, ==, "vda");
  g_assert_cmpstr(((VbControllerDef *)def->controllers->pdata[0])->model, ==, "ich9-ehci1");
  /* the USB2 set shares one slot: EHCI at function 7, UHCI1 at 0 with multifunction */
  ASSERT_AT(&((VbControllerDef *)def->controllers->pdata[0])->info, "00:02.7");
  ASSERT_AT(&((VbControllerDef *)def->controllers->pdata[1])->info, "00:02.0m");
}

/* Virtio channels get the first free virtio-serial port from 1; a given one is kept. */
static void
test_virtio_serial_ports(void)
{
  g_autoptr(VbDomainDef) def = assigned(
      HEAD("q35") "<channel type='unix'><source mode='bind'/><target type='virtio' "
                  "name='a.0'/></channel>"
                  "<channel type='unix'><source mode='bind'/><target type='virtio' name='b.0'/>"
                  "<address type='virtio-serial' controller='0' bus='0' port='1'/></channel>"
                  "<console type='pty'><target type='virtio'/></console>" TAIL,
      "q35");
  const VbChannelDef *first = def->channels->pdata[0];
  const VbSerialDef *console = def->consoles->pdata[0];

  /* the controller was added for them */
  g_assert_cmpint(controller(def, VB_CONTROLLER_VIRTIO_SERIAL, 0)->info.address.type, ==,
                  VB_ADDRESS_PCI);
  g_assert_cmpint(first->info.address.type, ==, VB_ADDRESS_VIRTIO_SERIAL);
  g_assert_cmpuint(first->info.address.port, ==, 2);
  g_assert_cmpint(console->info.address.type, ==, VB_ABSENT);
}

static const char *
usb_port(const VbDeviceInfo *info)
{
  g_assert_cmpint(info->address.type, ==, VB_ADDRESS_USB);
  return info->address.usb_port;
}

/* USB ports as libvirt gives them: when the devices outnumber the ports, hubs are added
 * (enough of them: each takes a port and gives eight) and placed first; then the free root
 * ports, then the hubs' ports. A given port is kept, also behind a hub. */
static void
test_usb_hubs(void)
{
  g_autoptr(GString) xml = g_string_new(HEAD("pc"));
  g_autoptr(VbDomainDef) three =
      assigned(HEAD("pc") "<input type='tablet' bus='usb'/><input type='mouse' bus='usb'/>"
                          "<input type='keyboard' bus='usb'/>" TAIL,
               "pc");
  g_autoptr(VbDomainDef) many = NULL;
  g_autoptr(VbDomainDef) given = NULL;

  /* piix3-uhci has 2 ports: one hub at port 1, the tablet at 2, the others behind the hub */
  g_assert_cmpuint(three->hubs->len, ==, 1);
  g_assert_cmpstr(usb_port(&((VbHubDef *)three->hubs->pdata[0])->info), ==, "1");
  g_assert_cmpstr(((VbHubDef *)three->hubs->pdata[0])->info.assigned_alias, ==, "hub0");
  g_assert_cmpstr(usb_port(&((VbInputDef *)three->inputs->pdata[0])->info), ==, "2");
  g_assert_cmpstr(usb_port(&((VbInputDef *)three->inputs->pdata[1])->info), ==, "1.1");
  g_assert_cmpstr(usb_port(&((VbInputDef *)three->inputs->pdata[2])->info), ==, "1.2");

  /* 10 devices for 2 ports: two hubs (2 + 2 × 7 ports), the second at port 2; the first hub's
   * ports fill before the second's */
  for (guint i = 0; i < 10; i++)
    g_string_append(xml, "<input type='tablet' bus='usb'/>");
  g_string_append(xml, TAIL);
  many = assigned(xml->str, "pc");
  g_assert_cmpuint(many->hubs->len, ==, 2);
  g_assert_cmpstr(usb_port(&((VbHubDef *)many->hubs->pdata[1])->info), ==, "2");
  g_assert_cmpstr(usb_port(&((VbInputDef *)many->inputs->pdata[0])->info), ==, "1.1");
  g_assert_cmpstr(usb_port(&((VbInputDef *)many->inputs->pdata[7])->info), ==, "1.8");
  g_assert_cmpstr(usb_port(&((VbInputDef *)many->inputs->pdata[9])->info), ==, "2.2");

  /* a hub and a port behind it given: both kept, the next device gets the next free port */
  given = assigned(HEAD("pc") "<input type='tablet' bus='usb'><address type='usb' bus='0' "
                              "port='1.3'/></input><input type='mouse' bus='usb'/>"
                              "<hub type='usb'><address type='usb' bus='0' port='1'/></hub>" TAIL,
                   "pc");
  g_assert_cmpuint(given->hubs->len, ==, 1);
  g_assert_cmpstr(usb_port(&((VbInputDef *)given->inputs->pdata[0])->info), ==, "1.3");
  g_assert_cmpstr(usb_port(&((VbInputDef *)given->inputs->pdata[1])->info), ==, "2");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/domain-address/usb-hubs", test_usb_hubs);
  g_test_add_func("/virtbus/domain-address/pc", test_pc);
  g_test_add_func("/virtbus/domain-address/q35", test_q35);
  g_test_add_func("/virtbus/domain-address/q35-legacy", test_q35_legacy);
  g_test_add_func("/virtbus/domain-address/pc-bridge", test_pc_bridge);
  g_test_add_func("/virtbus/domain-address/redefine-keeps", test_redefine_keeps);
  g_test_add_func("/virtbus/domain-address/empty-address", test_empty_address);
  g_test_add_func("/virtbus/domain-address/refusals", test_refusals);
  g_test_add_func("/virtbus/domain-address/list-order", test_list_order);
  g_test_add_func("/virtbus/domain-address/virtio-serial-ports", test_virtio_serial_ports);
  return g_test_run();
}
