/* test-domain-devices.c: domain XML <devices>: disks, controllers, interfaces, inputs and the
 * balloon; their errors, formatting, round trip and schema validity.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-test-domain.h"

static VbTestSchema *domain_schema; /* (owned): loaded once in main() */

#define HEAD                                                                                       \
  "<domain type='kvm'><name>d</name><uuid>0d1c8a52-8e4c-4bb0-a1f4-7b34bb3f0b52</uuid>"             \
  "<memory>1048576</memory><os><type arch='x86_64' machine='q35'>hvm</type></os>\n<devices>\n"
#define TAIL "</devices></domain>\n"

/* The <devices> part of the formatted, validated, round-tripped definition. */
static char *
devices_of(const char *xml)
{
  g_autofree char *out = vb_test_format_checked(domain_schema, xml);
  const char *start = strstr(out, "  <devices>\n");
  const char *end = strstr(out, "  </devices>\n");

  g_assert_nonnull(start);
  g_assert_nonnull(end);
  return g_strndup(start, (gsize)(end - start) + strlen("  </devices>\n"));
}

/* The devices virt-install writes for a q35 Linux guest that this part of the model covers. */
static void
test_virt_install_devices(void)
{
  g_autofree char *out =
      devices_of(HEAD "<emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                      "<disk type=\"file\" device=\"disk\">\n"
                      "  <driver name=\"qemu\" type=\"qcow2\" discard=\"unmap\"/>\n"
                      "  <source file=\"/var/lib/libvirt/images/d.qcow2\"/>\n"
                      "  <target dev=\"vda\" bus=\"virtio\"/>\n"
                      "</disk>\n"
                      "<disk type=\"file\" device=\"cdrom\">\n"
                      "  <driver name=\"qemu\" type=\"raw\"/>\n"
                      "  <source file=\"/srv/iso/debian-12.iso\"/>\n"
                      "  <target dev=\"sda\" bus=\"sata\"/>\n"
                      "</disk>\n"
                      "<controller type=\"usb\" model=\"qemu-xhci\" ports=\"15\"/>\n"
                      "<controller type=\"pci\" model=\"pcie-root\"/>\n"
                      "<controller type=\"pci\" model=\"pcie-root-port\"/>\n"
                      "<controller type=\"pci\" model=\"pcie-root-port\"/>\n"
                      "<interface type=\"network\">\n"
                      "  <source network=\"default\"/>\n"
                      "  <mac address=\"52:54:00:6b:3c:58\"/>\n"
                      "  <model type=\"virtio\"/>\n"
                      "</interface>\n"
                      "<input type=\"tablet\" bus=\"usb\"/>\n"
                      "<memballoon model=\"virtio\"/>\n" TAIL);

  g_assert_cmpstr(out, ==,
                  "  <devices>\n"
                  "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                  "    <disk type='file' device='disk'>\n"
                  "      <driver name='qemu' type='qcow2' discard='unmap'/>\n"
                  "      <source file='/var/lib/libvirt/images/d.qcow2'/>\n"
                  "      <target dev='vda' bus='virtio'/>\n"
                  "    </disk>\n"
                  "    <disk type='file' device='cdrom'>\n"
                  "      <driver name='qemu' type='raw'/>\n"
                  "      <source file='/srv/iso/debian-12.iso'/>\n"
                  "      <target dev='sda' bus='sata'/>\n"
                  "      <readonly/>\n"
                  "      <address type='drive' controller='0' bus='0' target='0' unit='0'/>\n"
                  "    </disk>\n"
                  "    <controller type='usb' index='0' model='qemu-xhci' ports='15'/>\n"
                  "    <controller type='pci' index='0' model='pcie-root'/>\n"
                  "    <controller type='pci' index='1' model='pcie-root-port'/>\n"
                  "    <controller type='pci' index='2' model='pcie-root-port'/>\n"
                  "    <interface type='network'>\n"
                  "      <mac address='52:54:00:6b:3c:58'/>\n"
                  "      <source network='default'/>\n"
                  "      <model type='virtio'/>\n"
                  "    </interface>\n"
                  "    <input type='tablet' bus='usb'/>\n"
                  "    <memballoon model='virtio'/>\n"
                  "  </devices>\n");
}

static void
test_disk_details(void)
{
  g_autofree char *out = devices_of(
      HEAD "<disk type='block' device='disk'>\n"
           "  <driver name='qemu' type='raw' cache='none' io='native' discard='ignore'/>\n"
           "  <source dev='/dev/vg/d'/><target dev='hda'/>\n"
           "  <boot order='2'/><shareable/><serial>WD-123</serial>\n"
           "  <alias name='ua-root'/>\n"
           "  <address type='drive' controller='0' bus='0' target='0' unit='1'/>\n"
           "</disk>\n"
           "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>\n"
           "<disk type='file' device='floppy'><source file='/f.img'/><target dev='fda'/></disk>\n"
           "<disk type='volume' device='disk'><source pool='default' volume='os'/>"
           "<target dev='sdb'/><boot order='1'/></disk>\n" TAIL);

  g_assert_nonnull(strstr(out, "<driver name='qemu' type='raw' cache='none' io='native' "
                               "discard='ignore'/>\n"
                               "      <source dev='/dev/vg/d'/>\n"
                               "      <target dev='hda' bus='ide'/>\n"
                               "      <boot order='2'/>\n"
                               "      <shareable/>\n"
                               "      <serial>WD-123</serial>\n"
                               "      <alias name='ua-root'/>\n"
                               "      <address type='drive' controller='0' bus='0' target='0' "
                               "unit='1'/>\n"));
  /* an empty cdrom: no source, read-only */
  g_assert_nonnull(strstr(out, "<disk type='file' device='cdrom'>\n"
                               "      <target dev='hdc' bus='ide'/>\n"
                               "      <readonly/>\n"));
  g_assert_nonnull(strstr(out, "<target dev='fda' bus='fdc'/>"));
  g_assert_nonnull(strstr(out, "<source pool='default' volume='os'/>\n"
                               "      <target dev='sdb' bus='scsi'/>\n"));
}

static void
test_controller_details(void)
{
  g_autofree char *out =
      devices_of(HEAD "<controller type='scsi' index='0' model='virtio-scsi'>\n"
                      "  <driver queues='4' cmd_per_lun='8' max_sectors='512' ioeventfd='on'/>\n"
                      "</controller>\n"
                      "<controller type='pci' index='0' model='pcie-root'/>\n"
                      "<controller type='pci' index='1' model='pcie-root-port'>\n"
                      "  <model name='pcie-root-port'/><target chassis='1' port='0x10'/>\n"
                      "  <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' "
                      "multifunction='on'/>\n"
                      "</controller>\n"
                      "<controller type='usb' index='0' model='ich9-ehci1'/>\n"
                      "<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/>"
                      "</controller>\n"
                      "<controller type='virtio-serial' ports='16' vectors='4'/>\n"
                      "<controller type='sata'/><controller type='ide'/>\n" TAIL);

  g_assert_nonnull(strstr(out, "<controller type='scsi' index='0' model='virtio-scsi'>\n"
                               "      <driver queues='4' cmd_per_lun='8' max_sectors='512' "
                               "ioeventfd='on'/>\n"));
  g_assert_nonnull(strstr(out, "      <model name='pcie-root-port'/>\n"
                               "      <target chassis='1' port='0x10'/>\n"
                               "      <address type='pci' domain='0x0000' bus='0x00' "
                               "slot='0x02' function='0x0' multifunction='on'/>\n"));
  g_assert_nonnull(strstr(out, "<master startport='0'/>"));
  g_assert_nonnull(strstr(out, "<controller type='virtio-serial' index='0' ports='16' "
                               "vectors='4'/>"));
}

/* Controllers without an index get the first free one of their type, as in libvirt. */
static void
test_controller_index_assigned(void)
{
  g_autofree char *out = devices_of(HEAD "<controller type='pci' index='1' model='pci-bridge'/>"
                                         "<controller type='pci' model='pci-root'/>"
                                         "<controller type='pci' model='pci-bridge'/>" TAIL);

  g_assert_nonnull(strstr(out, "<controller type='pci' index='0' model='pci-root'/>"));
  g_assert_nonnull(strstr(out, "<controller type='pci' index='2' model='pci-bridge'/>"));
}

/* Interfaces without a MAC get one in 52:54:00, distinct within the domain. */
static void
test_generated_macs(void)
{
  g_autoptr(GString) xml = g_string_new(HEAD);
  g_autoptr(VbDomainDef) def = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  const char *at;

  for (guint i = 0; i < 40; i++)
    g_string_append(xml, "<interface type='user'/>\n");
  g_string_append(xml, TAIL);
  def = vb_test_parse_ok(xml->str);
  out = vb_test_format(def, VB_DOMAIN_XML_INACTIVE);
  for (at = strstr(out, "<mac address='"); at != NULL; at = strstr(at + 1, "<mac address='")) {
    g_autofree char *mac = g_strndup(at + strlen("<mac address='"), 17);

    g_assert_true(g_str_has_prefix(mac, "52:54:00:"));
    g_assert_true(g_hash_table_add(seen, g_steal_pointer(&mac)));
  }
  g_assert_cmpuint(g_hash_table_size(seen), ==, 40);
}

static void
test_interface_details(void)
{
  g_autofree char *out = devices_of(
      HEAD "<interface type='bridge'><mac address='52:54:00:00:00:01'/>"
           "<source bridge='br0'/><model type='e1000'/><link state='down'/><boot order='1'/>"
           "</interface>\n"
           "<interface type='ethernet'><mac address='52:54:00:00:00:02'/>"
           "<target dev='tap7'/></interface>\n"
           "<interface type='user'><mac address='52:54:00:00:00:01'/></interface>\n" TAIL);

  g_assert_nonnull(strstr(out, "<interface type='bridge'>\n"
                               "      <mac address='52:54:00:00:00:01'/>\n"
                               "      <source bridge='br0'/>\n"
                               "      <model type='e1000'/>\n"
                               "      <link state='down'/>\n"
                               "      <boot order='1'/>\n"));
  g_assert_nonnull(strstr(out, "<target dev='tap7'/>"));
}

/* NIC models are compared without case, as libvirt does, and written in lower case. */
static void
test_interface_model_case(void)
{
  g_autofree char *out =
      devices_of(HEAD "<interface type='user'><model type='ViRtIo'/></interface>" TAIL);

  g_assert_nonnull(strstr(out, "<model type='virtio'/>"));
}

static void
test_device_errors(void)
{
  vb_test_assert_parse_fails(
      HEAD "<disk type='file'><source file='/a'/>\n<target dev='vda'/></disk>"
           "<disk type='file'><source file='/b'/>\n<target dev='vda'/></disk>" TAIL,
      VB_ERROR_INVALID_CONFIG,
      "line 5: /domain/devices/disk[2]/target/@dev: the target 'vda' is used by two "
      "disks");
  vb_test_assert_parse_fails(
      HEAD "<disk type='file'><source file='relative.img'/><target dev='vda'/></disk>" TAIL,
      VB_ERROR_INVALID_CONFIG,
      "line 3: /domain/devices/disk/source/@file: 'relative.img' is not an absolute path");
  vb_test_assert_parse_fails(
      HEAD "<disk type='file'><source file='/a'/><target dev='xyz'/></disk>" TAIL,
      VB_ERROR_INVALID_CONFIG,
      "*/domain/devices/disk/target: no bus given and none implied by the name 'xyz'*");
  vb_test_assert_parse_fails(HEAD "<disk type='file'><source file='/a'/></disk>" TAIL,
                             VB_ERROR_INVALID_CONFIG,
                             "*/domain/devices/disk: a disk needs <target dev='…'/>");
  vb_test_assert_parse_fails(HEAD "<disk type='file'><driver name='xen'/><source file='/a'/>"
                                  "<target dev='vda'/></disk>" TAIL,
                             VB_ERROR_INVALID_CONFIG,
                             "*/disk/driver/@name: 'xen' is not a QEMU disk driver*");
  vb_test_assert_parse_fails(
      HEAD "<disk type='file' device='disk'><driver name='qemu' type='cheese'/>"
           "<source file='/a'/><target dev='vda'/></disk>" TAIL,
      VB_ERROR_INVALID_CONFIG,
      "*/disk/driver/@type: 'cheese' is not allowed (allowed: 'raw', 'qcow2')");
  /* libvirt knows these, virtbus does not run them: NotSupported, not invalid */
  vb_test_assert_parse_fails(
      HEAD "<disk type='file'><driver name='qemu' type='vmdk'/><source file='/a'/>"
           "<target dev='vda'/></disk>" TAIL,
      VB_ERROR_NOT_SUPPORTED,
      "*/disk/driver/@type: 'vmdk' is not supported by virtbus (supported: 'raw', "
      "'qcow2')");
  vb_test_assert_parse_fails(
      HEAD "<disk type='network' device='disk'><target dev='vda'/></disk>" TAIL,
      VB_ERROR_NOT_SUPPORTED, "*/domain/devices/disk/@type: 'network' is not supported*");
  vb_test_assert_parse_fails(
      HEAD "<interface type='user'><mac address='01:00:5e:00:00:01'/></interface>" TAIL,
      VB_ERROR_INVALID_CONFIG, "*/interface/mac/@address: *multicast*");
  vb_test_assert_parse_fails(
      HEAD "<interface type='user'><mac address='52:54:00:zz:00:01'/></interface>" TAIL,
      VB_ERROR_INVALID_CONFIG,
      "*/interface/mac/@address: '52:54:00:zz:00:01' is not a MAC address*");
  vb_test_assert_parse_fails(
      HEAD "<interface type='user'><model type='idontexist'/></interface>" TAIL,
      VB_ERROR_NOT_SUPPORTED,
      "*/interface/model/@type: virtbus has no NIC model 'idontexist' (it runs 'virtio', *)");
  vb_test_assert_parse_fails(HEAD "<interface type='network'/>" TAIL, VB_ERROR_INVALID_CONFIG,
                             "*/interface: a 'network' interface needs <source network='…'/>");
  vb_test_assert_parse_fails(HEAD "<interface type='direct'><source dev='eth0'/></interface>" TAIL,
                             VB_ERROR_NOT_SUPPORTED,
                             "*/interface/@type: 'direct' is not supported by virtbus*");
  vb_test_assert_parse_fails(HEAD "<input type='tablet' bus='ps2'/>" TAIL, VB_ERROR_INVALID_CONFIG,
                             "*/input/@bus: a tablet cannot be on the ps2 bus");
  vb_test_assert_parse_fails(
      HEAD "<input type='mouse'><alias name='mouse0'/></input>" TAIL, VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/devices: the alias 'mouse0' is neither a user alias (they start with "
      "'ua-') nor the one virtbus gives this device ('input0')");
  vb_test_assert_parse_fails(HEAD "<input type='mouse'><alias name='ua-x'/></input>"
                                  "<input type='keyboard'><alias name='ua-x'/></input>" TAIL,
                             VB_ERROR_INVALID_CONFIG,
                             "*/domain/devices: the alias 'ua-x' is given to two devices");
  vb_test_assert_parse_fails(
      HEAD "<controller type='usb' index='0'/><controller type='usb' index='0'/>" TAIL,
      VB_ERROR_INVALID_CONFIG, "*/controller[2]/@index: two 'usb' controllers have index 0");
  vb_test_assert_parse_fails(HEAD "<controller type='sata' model='ahci'/>" TAIL,
                             VB_ERROR_INVALID_CONFIG,
                             "*/controller/@model: a 'sata' controller has no models");
  vb_test_assert_parse_fails(HEAD "<controller type='scsi' model='buslogic'/>" TAIL,
                             VB_ERROR_NOT_SUPPORTED,
                             "*/controller/@model: 'buslogic' is not supported by virtbus*");
  vb_test_assert_parse_fails(HEAD "<memballoon/>" TAIL, VB_ERROR_INVALID_CONFIG,
                             "*/memballoon: a <memballoon> needs a model*");
  vb_test_assert_parse_fails(HEAD "<disk type='file'><source file='/a'/><target dev='vda'/>"
                                  "<address type='pci' slot='0x20'/></disk>" TAIL,
                             VB_ERROR_INVALID_CONFIG,
                             "*/disk/address/@slot: '0x20' is not a number from 0 to 31");
}

/* Boot order: unique, and not mixed with <os><boot dev>. */
static void
test_boot_order_rules(void)
{
  vb_test_assert_parse_fails(
      "<domain type='kvm'><name>d</name><memory>1</memory>"
      "<os><type>hvm</type><boot dev='hd'/></os>\n<devices>"
      "<disk type='file'><source file='/a'/><target dev='vda'/><boot order='1'/></disk>"
      "</devices></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/devices: per-device <boot order=…/> cannot be mixed with <os><boot "
      "dev=…/>");
  vb_test_assert_parse_fails(
      HEAD "<disk type='file'><source file='/a'/><target dev='vda'/><boot order='1'/>"
           "</disk><interface type='user'><boot order='1'/></interface>" TAIL,
      VB_ERROR_INVALID_CONFIG, "line 2: /domain/devices: the boot order 1 is given to two devices");
}

/* What the model does not cover yet is refused by name, never dropped. */
static void
test_unsupported_devices_named(void)
{
  vb_test_assert_parse_fails(
      HEAD "<tpm model='tpm-crb'><backend type='emulator'/></tpm>" TAIL, VB_ERROR_NOT_SUPPORTED,
      "line 3: /domain/devices/tpm: the element <tpm> is not supported by virtbus");
  vb_test_assert_parse_fails(
      HEAD "<disk type='file'><source file='/a'/><target dev='vda' tray='open'/></disk>" TAIL,
      VB_ERROR_NOT_SUPPORTED,
      "line 3: /domain/devices/disk/target/@tray: the attribute 'tray' is not "
      "supported by virtbus");
}

/* Sound and audio, rng, panic and watchdog: what virt-install and libvirt write. */
static void
test_small_devices(void)
{
  g_autofree char *out =
      devices_of(HEAD "<sound model='ich9'><audio id='1'/></sound><audio id='1' type='spice'/>"
                      "<watchdog model='i6300esb' action='reset'/>"
                      "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"
                      "<rng model='virtio'><backend model='random'/></rng>"
                      "<panic model='isa'><address type='isa' iobase='0x505'/></panic>"
                      "<panic model='hyperv'/>" TAIL);

  g_assert_cmpstr(out, ==,
                  "  <devices>\n"
                  "    <sound model='ich9'>\n"
                  "      <audio id='1'/>\n"
                  "    </sound>\n"
                  "    <audio id='1' type='spice'/>\n"
                  "    <watchdog model='i6300esb' action='reset'/>\n"
                  "    <rng model='virtio'>\n"
                  "      <backend model='random'>/dev/urandom</backend>\n"
                  "    </rng>\n"
                  "    <rng model='virtio'>\n"
                  "      <backend model='random'/>\n"
                  "    </rng>\n"
                  "    <panic model='isa'>\n"
                  "      <address type='isa' iobase='0x505'/>\n"
                  "    </panic>\n"
                  "    <panic model='hyperv'/>\n"
                  "  </devices>\n");
}

static void
test_small_device_errors(void)
{
  VbTestRefusal cases[] = {
      {"<sound/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/sound: a <sound> needs a model such as 'ich9'"},
      {"<sound model='sb16'/>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/sound/@model: 'sb16' is not supported by virtbus (supported: "
       "'ich9', 'ich6', 'ac97', 'es1370', 'usb')"},
      {"<sound model='ich9'><audio id='2'/></sound><audio id='1' type='none'/>",
       VB_ERROR_INVALID_CONFIG, "line 3: /domain/devices/sound/audio/@id: no <audio> has the id 2"},
      {"<sound model='ich9'><codec type='micro'/></sound>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/sound/codec: the element <codec> is not supported by virtbus"},
      {"<audio id='1' type='pulseaudio'/>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/audio/@type: 'pulseaudio' is not supported by virtbus*"},
      {"<audio id='1' type='none'/><audio id='1' type='spice'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/audio[2]/@id: two <audio>s have the id 1"},
      {"<audio id='0' type='none'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/audio/@id: audio ids start at 1"},
      {"<rng model='virtio'><backend model='random'>/etc/passwd</backend></rng>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/rng/backend: '/etc/passwd' is not a random source QEMU may "
       "read (allowed: '/dev/urandom', '/dev/random', '/dev/hwrng')"},
      {"<rng model='virtio'><backend model='egd' type='tcp'/></rng>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/rng/backend/@model: 'egd' is not supported by virtbus*"},
      {"<rng model='virtio'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/rng: an <rng> needs <backend model='random'>"},
      {"<rng model='virtio'><backend model='random'/><rate bytes='1024'/></rng>",
       VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/rng/rate: the element <rate> is not supported by virtbus"},
      {"<watchdog action='reset'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/watchdog: a <watchdog> needs a model: 'i6300esb', 'ib700' or "
       "'itco'"},
      {"<watchdog model='i6300esb' action='dump'/>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/watchdog/@action: 'dump' is not supported by virtbus*"},
      {"<panic model='pseries'/>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/panic/@model: 'pseries' is not supported by virtbus*"},
      {"<panic model='isa'/><panic model='isa'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/panic[2]: two <panic> devices of the same model"},
      {"<panic model='isa'><address type='isa' iobase='0x10000'/></panic>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/panic/address/@iobase: '0x10000' is not a number from 0 to "
       "65535"},
  };

  vb_test_assert_refusals(HEAD, TAIL, cases, G_N_ELEMENTS(cases));
}

/* Drive addresses as libvirt assigns them, and the aliases of the live view. */
static void
test_names_assigned(void)
{
  const char *xml =
      "<domain type='kvm' id='7'><name>d</name><memory>1048576</memory>"
      "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n<devices>\n"
      "<disk type='file'><source file='/a'/><target dev='vdb'/></disk>"
      "<disk type='file'><source file='/b'/><target dev='hdd'/></disk>"
      "<disk type='file'><source file='/c'/><target dev='sdh' bus='sata'/></disk>"
      "<disk type='file'><source file='/d'/><target dev='sdj' bus='scsi'/></disk>"
      "<disk type='file'><source file='/e'/><target dev='sdaa' bus='usb'/></disk>"
      "<disk type='file' device='floppy'><source file='/f'/><target dev='fdb'/></disk>"
      "<controller type='sata' index='0'/><controller type='scsi' index='1'/>"
      "<controller type='pci' model='pcie-root'/><controller type='pci' model='pcie-root-port'/>"
      "<interface type='user'><alias name='net0'/></interface>"
      "<input type='mouse' bus='ps2'><alias name='ua-mouse'/></input>"
      "<memballoon model='virtio'/>" TAIL;
  g_autofree char *inactive = vb_test_format_view(xml, VB_DOMAIN_XML_INACTIVE);
  g_autofree char *live = vb_test_format_view(xml, VB_DOMAIN_XML_LIVE);
  const char *expected_live[] = {
      "<domain type='kvm' id='7'>\n",
      "<target dev='vdb' bus='virtio'/>\n      <alias name='virtio-disk1'/>\n",
      "<alias name='ide0-1-1'/>\n"
      "      <address type='drive' controller='0' bus='1' target='0' unit='1'/>\n",
      "<alias name='sata1-0-1'/>\n"
      "      <address type='drive' controller='1' bus='0' target='0' unit='1'/>\n",
      "<alias name='scsi1-0-2'/>\n"
      "      <address type='drive' controller='1' bus='0' target='0' unit='2'/>\n",
      "<alias name='usb-disk26'/>\n",
      "<alias name='fdc0-0-1'/>\n"
      "      <address type='drive' controller='0' bus='0' target='0' unit='1'/>\n",
      "<controller type='sata' index='0'>\n      <alias name='ide'/>\n",
      "<controller type='scsi' index='1'>\n      <alias name='scsi1'/>\n",
      "<controller type='pci' index='0' model='pcie-root'>\n      <alias name='pcie.0'/>\n",
      "<controller type='pci' index='1' model='pcie-root-port'>\n      <alias name='pci.1'/>\n",
      "<alias name='net0'/>\n",
      "<input type='mouse' bus='ps2'>\n      <alias name='ua-mouse'/>\n",
      "<memballoon model='virtio'>\n      <alias name='balloon0'/>\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS(expected_live); i++) {
    if (strstr(live, expected_live[i]) == NULL)
      g_error("'%s' not in\n%s", expected_live[i], live);
  }
  /* the inactive view keeps addresses and user aliases, never assigned aliases or the id */
  g_assert_true(g_str_has_prefix(inactive, "<domain type='kvm'>\n"));
  g_assert_nonnull(strstr(inactive, "<alias name='ua-mouse'/>"));
  g_assert_null(strstr(inactive, "<alias name='net0'/>"));
  g_assert_nonnull(strstr(inactive, "<address type='drive' controller='0' bus='1' target='0' "
                                    "unit='1'/>"));
}

static void
test_name_errors(void)
{
  vb_test_assert_parse_fails(HEAD "<disk type='file'><source file='/a'/><target dev='vda1'/>"
                                  "</disk>" TAIL,
                             VB_ERROR_INVALID_CONFIG,
                             "line 2: /domain/devices: the disk target 'vda1' is not a disk name "
                             "(a prefix such as 'vd', 'sd' or 'hd', then letters: 'vda', 'sdb', "
                             "…)");
  vb_test_assert_parse_fails(
      HEAD "<disk type='file'><source file='/a'/><target dev='sda' bus='sata'/></disk>"
           "<disk type='file'><source file='/b'/><target dev='sdb' bus='sata'/>"
           "<address type='drive' controller='0' bus='0' target='0' unit='0'/></disk>" TAIL,
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/devices: the disks 'sda' and 'sdb' have the same drive address");
  vb_test_assert_parse_fails(
      HEAD "<disk type='file'><source file='/a'/><target dev='vda'/><alias name='ide0-0-0'/>"
           "</disk>" TAIL,
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/devices: the alias 'ide0-0-0' is neither a user alias (they start with "
      "'ua-') nor the one virtbus gives this device ('virtio-disk0')");
  vb_test_assert_parse_fails(HEAD "<panic model='isa'><alias name='panic0'/></panic>" TAIL,
                             VB_ERROR_INVALID_CONFIG,
                             "line 2: /domain/devices: the alias 'panic0' is not a user alias: "
                             "they start with 'ua-'");
}

/* Where messages point, from the model: numbered only among several of a kind. */
static void
test_paths(void)
{
  g_autoptr(VbDomainDef) def = vb_test_parse_ok(
      VB_TEST_DOMAIN_HEAD "<disk type='file'><source file='/a'/><target dev='vda' bus='virtio'/>"
                          "</disk><disk type='file'><source file='/b'/><target dev='vdb' "
                          "bus='virtio'/></disk><interface type='user'/><graphics type='vnc'/>"
                          "<watchdog model='i6300esb'/>" VB_TEST_DOMAIN_TAIL);
  const VbDiskDef *second = def->disks->pdata[1];
  const VbNetDef *net = def->nets->pdata[0];
  g_autofree char *by_device = vb_domain_def_path(def, second, "target/@bus");
  g_autofree char *by_info = vb_domain_def_path(def, &second->info, NULL);
  g_autofree char *only = vb_domain_def_path(def, net, "source");
  g_autofree char *graphics = vb_domain_def_path(def, def->graphics->pdata[0], "@port");
  g_autofree char *single = vb_domain_def_path(def, &def->watchdog->info, "@model");
  g_autofree char *domain = vb_domain_def_path(def, NULL, "os/@firmware");

  g_assert_cmpstr(by_device, ==, "/domain/devices/disk[2]/target/@bus");
  g_assert_cmpstr(by_info, ==, "/domain/devices/disk[2]");
  g_assert_cmpstr(only, ==, "/domain/devices/interface/source");
  g_assert_cmpstr(graphics, ==, "/domain/devices/graphics/@port");
  g_assert_cmpstr(single, ==, "/domain/devices/watchdog/@model");
  g_assert_cmpstr(domain, ==, "/domain/os/@firmware");
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init(&argc, &argv, NULL);
  domain_schema = vb_test_schema_load("domain.rng", &error);
  g_assert_no_error(error);

  g_test_add_func("/virtbus/domain-devices/virt-install-devices", test_virt_install_devices);
  g_test_add_func("/virtbus/domain-devices/disk-details", test_disk_details);
  g_test_add_func("/virtbus/domain-devices/controller-details", test_controller_details);
  g_test_add_func("/virtbus/domain-devices/controller-index-assigned",
                  test_controller_index_assigned);
  g_test_add_func("/virtbus/domain-devices/generated-macs", test_generated_macs);
  g_test_add_func("/virtbus/domain-devices/interface-details", test_interface_details);
  g_test_add_func("/virtbus/domain-devices/interface-model-case", test_interface_model_case);
  g_test_add_func("/virtbus/domain-devices/errors", test_device_errors);
  g_test_add_func("/virtbus/domain-devices/boot-order-rules", test_boot_order_rules);
  g_test_add_func("/virtbus/domain-devices/small-devices", test_small_devices);
  g_test_add_func("/virtbus/domain-devices/small-device-errors", test_small_device_errors);
  g_test_add_func("/virtbus/domain-devices/names-assigned", test_names_assigned);
  g_test_add_func("/virtbus/domain-devices/name-errors", test_name_errors);
  g_test_add_func("/virtbus/domain-devices/unsupported-devices-named",
                  test_unsupported_devices_named);
  g_test_add_func("/virtbus/domain-devices/paths", test_paths);
  status = g_test_run();
  vb_test_schema_free(domain_schema);
  return status;
}
