/* test-qemu-native.c: domxml-from-native: QEMU command lines read back into domain XML.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-qemu-native.h"
#include "vb-test-domain.h"

/* The example of libvirt's 2013 QEMU driver page (drvqemu-1.0-2013.txt), with its line
 * continuations, and the XML it shows for it. That XML has no <name> and a zero UUID; ours
 * names the domain "imported" and generates one, so the comparison sets both. */
static const char demo_args[] = "LC_ALL=C PATH=/bin HOME=/home/test USER=test \\\n"
                                "LOGNAME=test /usr/bin/qemu -S -M pc -m 214 -smp 1 \\\n"
                                "-nographic -monitor pty -no-acpi -boot c -hda \\\n"
                                "/dev/HostVG/QEMUGuest1 -net none -serial none \\\n"
                                "-parallel none -usb\n";

static const char demo_xml[] = "<domain type='qemu'>\n"
                               "<name>imported</name>\n"
                               "<memory>219136</memory>\n"
                               "<currentMemory>219136</currentMemory>\n"
                               "<vcpu>1</vcpu>\n"
                               "<os>\n"
                               "<type arch='i686' machine='pc'>hvm</type>\n"
                               "<boot dev='hd'/>\n"
                               "</os>\n"
                               "<clock offset='utc'/>\n"
                               "<on_poweroff>destroy</on_poweroff>\n"
                               "<on_reboot>restart</on_reboot>\n"
                               "<on_crash>destroy</on_crash>\n"
                               "<devices>\n"
                               "<emulator>/usr/bin/qemu</emulator>\n"
                               "<disk type='block' device='disk'>\n"
                               "<source dev='/dev/HostVG/QEMUGuest1'/>\n"
                               "<target dev='hda' bus='ide'/>\n"
                               "</disk>\n"
                               "</devices>\n"
                               "</domain>\n";

static void
test_reference_example(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) ours = vb_qemu_native_parse(demo_args, &error);
  g_autoptr(VbDomainDef) reference = NULL;
  g_autofree char *ours_xml = NULL;
  g_autofree char *reference_xml = NULL;

  g_assert_no_error(error);
  reference = vb_domain_def_parse(demo_xml, strlen(demo_xml), &error);
  g_assert_no_error(error);
  memcpy(reference->uuid, ours->uuid, sizeof ours->uuid);
  ours_xml = vb_test_format(ours, VB_DOMAIN_XML_INACTIVE);
  reference_xml = vb_test_format(reference, VB_DOMAIN_XML_INACTIVE);
  g_assert_cmpstr(ours_xml, ==, reference_xml);
}

static char *
disk_sources(const VbDomainDef *def)
{
  GString *out = g_string_new(NULL);

  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];

    g_string_append_printf(
        out, "%s:%s:%s:%s:%s%s;", disk->target_dev, vb_disk_bus_names[disk->target_bus],
        vb_disk_device_names[disk->device], disk->source != NULL ? disk->source : "-",
        disk->driver_format == VB_ABSENT ? "-" : vb_disk_format_names[disk->driver_format],
        disk->readonly ? ":ro" : "");
  }
  return g_string_free(out, FALSE);
}

/* Shell quoting, continuation lines, JSON and key=value devices, kept environment. */
static void
test_quoting_and_devices(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = vb_qemu_native_parse(
      "LC_ALL=C GUEST_MODE='a b' /usr/bin/qemu-system-x86_64 --name 'guest=it'\\''s,,x' "
      "-uuid 7e2a1f2c-3b4d-4e5f-8a9b-0c1d2e3f4a5b -m size=1G -smp 2,maxcpus=4 "
      "-machine q35,accel=kvm -cpu Westmere,+aes,-x2apic -rtc base=localtime -no-reboot \\\n"
      "-blockdev '{\"driver\":\"file\",\"filename\":\"/img/a b.qcow2\",\"node-name\":\"s1\"}' "
      "-blockdev '{\"node-name\":\"f1\",\"read-only\":false,\"driver\":\"qcow2\",\"file\":\"s1\"}' "
      "-device '{\"driver\":\"virtio-blk-pci\",\"drive\":\"f1\",\"id\":\"virtio-disk0\"}' "
      "-drive file=/img/c,,d.iso,if=none,id=cd,media=cdrom,format=raw "
      "-device scsi-cd,drive=cd "
      "-netdev user,id=n0 -device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01 "
      "-nic bridge,br=br7,model=e1000 -net nic,model=rtl8139 -net user "
      "-vnc '[::1]:3' -serial pty -usbdevice tablet -kernel /boot/k -append 'console=ttyS0 "
      "x=\"1\"'",
      &error);
  g_autofree char *disks = NULL;

  g_assert_no_error(error);
  g_assert_cmpstr(def->name, ==, "it's,x");
  g_assert_cmpint(def->virt_type, ==, VB_VIRT_KVM);
  g_assert_cmpuint(def->memory_kib, ==, 1024 * 1024);
  g_assert_cmpuint(def->vcpus, ==, 4);
  g_assert_cmpuint(def->vcpus_current, ==, 2);
  g_assert_cmpstr(def->os.machine, ==, "q35");
  g_assert_cmpstr(def->os.arch, ==, "x86_64");
  g_assert_cmpstr(def->cpu->model, ==, "Westmere");
  g_assert_cmpuint(def->cpu->features->len, ==, 2);
  g_assert_cmpint(def->clock.offset, ==, VB_CLOCK_LOCALTIME);
  g_assert_cmpint(def->on_reboot, ==, VB_LIFECYCLE_DESTROY);
  g_assert_cmpstr(def->os.cmdline, ==, "console=ttyS0 x=\"1\"");
  disks = disk_sources(def);
  g_assert_cmpstr(disks, ==,
                  "vda:virtio:disk:/img/a b.qcow2:qcow2;sda:scsi:cdrom:/img/c,d.iso:raw:ro;");
  g_assert_cmpuint(def->nets->len, ==, 3);
  g_assert_cmpint(((VbNetDef *)def->nets->pdata[0])->type, ==, VB_NET_USER);
  g_assert_cmpstr(((VbNetDef *)def->nets->pdata[0])->model, ==, "virtio");
  g_assert_cmpint(((VbNetDef *)def->nets->pdata[1])->type, ==, VB_NET_BRIDGE);
  g_assert_cmpstr(((VbNetDef *)def->nets->pdata[1])->source, ==, "br7");
  g_assert_cmpstr(((VbNetDef *)def->nets->pdata[2])->model, ==, "rtl8139");
  g_assert_cmpuint(def->graphics->len, ==, 1);
  g_assert_cmpint(((VbGraphicsDef *)def->graphics->pdata[0])->port, ==, 5903);
  g_assert_cmpuint(def->serials->len, ==, 1);
  g_assert_cmpuint(def->inputs->len, ==, 1);
  g_assert_cmpuint(def->qemu.env->len, ==, 1);
  g_assert_cmpstr(((VbQemuEnv *)def->qemu.env->pdata[0])->value, ==, "a b");
  g_clear_pointer(&def, vb_domain_def_free);
  def = vb_qemu_native_parse("/usr/bin/qemu-system-x86_64 -vnc unix:/run/v.sock", &error);
  g_assert_no_error(error);
  g_assert_cmpstr(
      ((VbGraphicsListen *)((VbGraphicsDef *)def->graphics->pdata[0])->listens->pdata[0])->socket,
      ==, "/run/v.sock");
}

typedef struct {
  const char *line;
  gint code;
  const char *message;
} Refusal;

static void
test_refusals(void)
{
  static const Refusal cases[] = {
      {"/usr/bin/qemu-system-x86_64 -fw_cfg name=opt/x,string=y", VB_ERROR_NOT_SUPPORTED,
       "the option '-fw_cfg' is not one domxml-from-native reads (see docs/qemu-command.md)"},
      {"/usr/bin/qemu-system-x86_64 -object memory-backend-ram,id=m", VB_ERROR_NOT_SUPPORTED,
       "-object memory-backend-ram,id=m: domxml-from-native reads rng-random objects"},
      {"/usr/bin/qemu-system-x86_64 -chardev pty", VB_ERROR_INVALID_ARGS, "-chardev pty: no id"},
      /* Found by fuzzing: a serial device on a chardev without a backend crashed the import. */
      {"/usr/bin/qemu-system-x86_64 -chardev ,id=c0 -device isa-serial,chardev=c0",
       VB_ERROR_INVALID_ARGS, "-chardev ,id=c0: no backend"},
      {"/usr/bin/qemu-system-x86_64 -object id=r0", VB_ERROR_INVALID_ARGS,
       "-object id=r0: no qom-type"},
      {"/usr/bin/qemu-system-x86_64 -audiodev pa,id=audio1", VB_ERROR_NOT_SUPPORTED,
       "-audiodev pa,id=audio1: domxml-from-native reads the drivers none and spice, with ids "
       "audioN"},
      {"/usr/bin/qemu-system-x86_64 -global nodot=1", VB_ERROR_INVALID_ARGS,
       "-global nodot=1: not DRIVER.PROPERTY=VALUE"},
      {"/usr/bin/qemu-system-x86_64 -chardev udp,id=c -device isa-serial,chardev=c",
       VB_ERROR_NOT_SUPPORTED,
       "-chardev udp (id c): domxml-from-native reads pty, null, file, UNIX socket and "
       "spicevmc character devices"},
      {"/usr/bin/qemu-system-x86_64 -device isa-serial,chardev=none", VB_ERROR_INVALID_ARGS,
       "-device isa-serial: its chardev 'none' is not a -chardev id"},
      {"/usr/bin/qemu-system-x86_64 -device virtio-rng-pci,rng=r", VB_ERROR_NOT_SUPPORTED,
       "-device virtio-rng-pci: its rng 'r' is not a -object rng-random id"},
      {"/usr/bin/qemu-system-x86_64 -device qemu-xhci,id=xhci", VB_ERROR_NOT_SUPPORTED,
       "-device qemu-xhci: its id 'xhci' is not one virtbus gives (usbN)"},
      {"/usr/bin/qemu-system-x86_64 -netdev user,id=n -device e1000,netdev=n,bus=x.1,addr=0x3",
       VB_ERROR_NOT_SUPPORTED,
       "-device e1000: the PCI address bus=x.1,addr=0x3 is not one virtbus writes (bus pci.N or "
       "pcie.0, slot 0-31, function 0-7)"},
      {"/usr/bin/qemu-system-x86_64 -netdev user,id=n -device e1000,netdev=n,bus=pci.0,addr=0x20",
       VB_ERROR_NOT_SUPPORTED, "-device e1000: the PCI address bus=pci.0,addr=0x20 *"},
      {"/usr/bin/qemu-system-x86_64 -parallel file:/tmp/p", VB_ERROR_NOT_SUPPORTED,
       "-parallel file:/tmp/p: virtbus has no parallel ports"},
      {"/usr/bin/qemu-system-x86_64 -display gtk", VB_ERROR_NOT_SUPPORTED,
       "-display gtk: domxml-from-native reads 'none' and 'vnc=…'"},
      {"/usr/bin/qemu-system-x86_64 -usbdevice mouse", VB_ERROR_NOT_SUPPORTED,
       "-usbdevice mouse: domxml-from-native reads 'tablet'"},
      {"/usr/bin/qemu-system-x86_64 -serial stdio", VB_ERROR_NOT_SUPPORTED,
       "-serial stdio: domxml-from-native reads pty, null, file:PATH and none"},
      {"/usr/bin/qemu-system-x86_64 -drive file=/f,if=floppy", VB_ERROR_NOT_SUPPORTED,
       "-drive if=floppy: domxml-from-native reads if=ide, virtio, scsi and none"},
      {"/usr/bin/qemu-system-x86_64 -device ivshmem-plain", VB_ERROR_NOT_SUPPORTED,
       "-device ivshmem-plain: not a device domxml-from-native reads (see "
       "docs/qemu-command.md)"},
      {"/usr/bin/qemu-system-x86_64 -netdev socket,id=s", VB_ERROR_NOT_SUPPORTED,
       "-netdev socket: domxml-from-native reads the network backends user, tap and bridge"},
      {"/usr/bin/qemu-system-x86_64 -vnc host:abc", VB_ERROR_NOT_SUPPORTED,
       "-vnc host:abc: domxml-from-native reads HOST:DISPLAY, :DISPLAY, unix:PATH and none"},
      {"/usr/bin/qemu-img info x", VB_ERROR_NOT_SUPPORTED,
       "'/usr/bin/qemu-img' is not a QEMU system emulator virtbus knows (qemu-system-ARCH, "
       "qemu-kvm)"},
      {"LC_ALL=C", VB_ERROR_INVALID_ARGS, "the line names no QEMU binary after its environment"},
      {"/usr/bin/qemu-system-x86_64 -m", VB_ERROR_INVALID_ARGS, "-m needs a value"},
      {"/usr/bin/qemu-system-x86_64 -m lots", VB_ERROR_INVALID_ARGS,
       "-m lots is not a memory size*"},
      {"/usr/bin/qemu-system-x86_64 -m -1", VB_ERROR_INVALID_ARGS, "-m -1 is not a memory size*"},
      {"/usr/bin/qemu-system-x86_64 -m 99999999999999999T", VB_ERROR_INVALID_ARGS,
       "-m 99999999999999999T is not a memory size*"},
      {"/usr/bin/qemu-system-x86_64 -smp cpus=2,sockets=x", VB_ERROR_INVALID_ARGS,
       "-smp cpus=2,sockets=x: sockets=x is not a count from 1 to 4096"},
      {"/usr/bin/qemu-system-x86_64 -drive file=/x,index=abc", VB_ERROR_NOT_SUPPORTED,
       "-drive index=abc: domxml-from-native reads indexes 0 to 25"},
      {"/usr/bin/qemu-system-x86_64 -name 'a\001b'", VB_ERROR_INVALID_ARGS,
       "the command line holds the control character U+0001 at byte 36"},
      {"/usr/bin/qemu-system-x86_64 -name '\xff'", VB_ERROR_INVALID_ARGS,
       "the command line is not valid UTF-8"},
      /* what the parser refuses is named by the element, not by a line of XML nobody saw */
      {"/usr/bin/qemu-system-x86_64 -name 'a\nb'", VB_ERROR_INVALID_CONFIG,
       "the domain this command line describes: /domain/name: 'a\nb' is not a valid domain "
       "name*"},
      {"/usr/bin/qemu-system-x86_64 -boot z", VB_ERROR_INVALID_ARGS,
       "-boot z: 'z' is not a boot device"},
      {"/usr/bin/qemu-system-x86_64 -device '{\"driver\":'", VB_ERROR_INVALID_ARGS,
       "-device: '{\"driver\":' is not a JSON object (the value is not valid JSON: *)"},
      /* json-glib would read the first of two and leak it: refused before it sees them */
      {"/usr/bin/qemu-system-x86_64 -device '{\"driver\":\"a\"}{\"driver\":\"b\"}'",
       VB_ERROR_INVALID_ARGS,
       "-device: '{\"driver\":\"a\"}{\"driver\":\"b\"}' is not a JSON object (the value holds "
       "more than one JSON value)"},
      {"/usr/bin/qemu-system-x86_64 -drive file=/f,if=none,id=x", VB_ERROR_INVALID_ARGS,
       "-drive file=/f,if=none is used by no -device"},
      {"/usr/bin/qemu-system-x86_64 -device virtio-blk-pci,drive=nope", VB_ERROR_INVALID_ARGS,
       "-device: drive 'nope' is neither a -drive id nor a -blockdev node-name"},
      {"/usr/bin/qemu-system-x86_64 -drive file=/f,id=d -device scsi-hd,drive=d",
       VB_ERROR_INVALID_ARGS,
       "-device: the -drive 'd' has a bus of its own (if=ide); give it if=none"},
      {"/usr/bin/qemu-system-x86_64 -device e1000,netdev=nope", VB_ERROR_INVALID_ARGS,
       "-device e1000: its netdev 'nope' is not a -netdev id"},
      {"/usr/bin/qemu-system-x86_64 -name 'unclosed", VB_ERROR_INVALID_ARGS,
       "the line is not shell words: *"},
      /* values QEMU takes that the model has no name for: refused naming the option */
      {"/usr/bin/qemu-system-x86_64 -drive file=/a.img,format=vmdk", VB_ERROR_NOT_SUPPORTED,
       "-drive format=vmdk: not one virtbus runs (it runs 'raw', 'qcow2')"},
      {"/usr/bin/qemu-system-x86_64 -drive file=/a.img,cache=bogus", VB_ERROR_NOT_SUPPORTED,
       "-drive cache=bogus: not one virtbus runs *"},
      {"/usr/bin/qemu-system-x86_64 -watchdog-action debug", VB_ERROR_NOT_SUPPORTED,
       "-watchdog-action action=debug: not one virtbus runs *"},
      {"/usr/bin/qemu-system-x86_64 -global kvm-pit.lost_tick_policy=slew", VB_ERROR_NOT_SUPPORTED,
       "-global kvm-pit.lost_tick_policy=slew: not one virtbus runs *"},
      {"/usr/bin/qemu-system-x86_64 -machine pc,vmport=auto", VB_ERROR_NOT_SUPPORTED,
       "-machine vmport=auto: domxml-from-native reads on and off"},
      /* numbers are numbers */
      {"/usr/bin/qemu-system-x86_64 -device pcie-root-port,id=pci.1,chassis=x",
       VB_ERROR_INVALID_ARGS, "-device pcie-root-port chassis=x: not a number from 0 to 255"},
      {"/usr/bin/qemu-system-x86_64 -spice port=99999", VB_ERROR_INVALID_ARGS,
       "-spice port=99999: not a number from 0 to 65535"},
      {"/usr/bin/qemu-system-x86_64 -netdev user,id=n -device e1000,netdev=n,bootindex=x",
       VB_ERROR_INVALID_ARGS, "-device e1000 bootindex=x: not a number *"},
      {"/usr/bin/qemu-system-x86_64 -uuid nope", VB_ERROR_INVALID_ARGS,
       "-uuid nope is not a UUID *"},
      {"/usr/bin/qemu-system-x86_64 -nic user,mac=zz:00", VB_ERROR_INVALID_ARGS,
       "-nic: 'zz:00' is not a MAC address *"},
      /* what the model holds once only, or only from one backend */
      {"/usr/bin/qemu-system-x86_64 -device virtio-balloon-pci -device virtio-balloon-pci",
       VB_ERROR_INVALID_ARGS,
       "-device virtio-balloon-pci: a domain has one device of this kind at most"},
      {"/usr/bin/qemu-system-x86_64 -chardev pty,id=c -device usb-redir,chardev=c",
       VB_ERROR_NOT_SUPPORTED,
       "-device usb-redir: its chardev 'c' is a pty; virtbus redirects USB from spicevmc"},
      {"/usr/bin/qemu-system-x86_64 -spice addr=1.2.3.4", VB_ERROR_NOT_SUPPORTED,
       "-spice addr=1.2.3.4: domxml-from-native reads a SPICE display with port= *"},
      /* the parser's rules, on what the options became */
      {"/usr/bin/qemu-system-x86_64 -smp 2,maxcpus=1", VB_ERROR_INVALID_CONFIG,
       "the domain this command line describes: /domain/vcpu/@current: *"},
      {"/usr/bin/qemu-system-x86_64 -serial file:relative", VB_ERROR_INVALID_CONFIG,
       "the domain this command line describes: /domain/devices/serial/source/@path: 'relative' "
       "is not an absolute path"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_qemu_native_parse(cases[i].line, &error);

    if (def != NULL)
      g_error("'%s' was accepted", cases[i].line);
    g_assert_error(error, VB_ERROR, cases[i].code);
    if (!g_pattern_match_simple(cases[i].message, error->message))
      g_error("'%s': '%s' does not match '%s'", cases[i].line, error->message, cases[i].message);
  }
}

/* What from-native writes is checked by the domain parser like any definition. */
static void
test_parser_checks(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def =
      vb_qemu_native_parse("/usr/bin/qemu-system-x86_64 -nic user,mac=01:00:5e:00:00:01", &error);

  g_assert_null(def);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_nonnull(strstr(error->message, "multicast"));
}

/* Options that refine others count wherever they stand on the line: the watchdog's action
 * given after the watchdog (as libvirt writes it) was once lost. */
static void
test_late_options(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = vb_qemu_native_parse(
      "/usr/bin/qemu-system-x86_64 -device i6300esb,id=watchdog0 -watchdog-action poweroff "
      "-vnc :1 -k de -serial pty -device isa-serial,chardev=c,id=serial1 -chardev pty,id=c",
      &error);

  /* the -chardev after its device: the device cannot see it */
  g_assert_null(def);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS);
  g_clear_error(&error);
  def = vb_qemu_native_parse("/usr/bin/qemu-system-x86_64 -device i6300esb,id=watchdog0 "
                             "-watchdog-action poweroff -vnc :1 -k de -chardev pty,id=c "
                             "-device isa-serial,chardev=c,id=serial1 -serial pty",
                             &error);
  g_assert_no_error(error);
  g_assert_nonnull(def->watchdog);
  g_assert_cmpint(def->watchdog->action, ==, VB_WATCHDOG_POWEROFF);
  g_assert_cmpstr(((VbGraphicsDef *)def->graphics->pdata[0])->keymap, ==, "de");
  /* -serial's port comes before the -device ones, as QEMU numbers them */
  g_assert_cmpuint(def->serials->len, ==, 2);
  g_assert_cmpint(((VbSerialDef *)def->serials->pdata[0])->target_port, ==, 0);
  g_assert_cmpint(((VbSerialDef *)def->serials->pdata[1])->target_port, ==, 1);
}

/* Found by fuzzing: more virtio drives than letters were named "index=(null)". */
static void
test_many_drives(void)
{
  g_autoptr(GString) line = g_string_new("/usr/bin/qemu-system-x86_64");
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = NULL;
  g_autofree char *huge = NULL;

  for (guint i = 0; i < 30; i++)
    g_string_append_printf(line, " -drive file=/d%u,if=virtio", i);
  def = vb_qemu_native_parse(line->str, &error);
  g_assert_null(def);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr(error->message, ==, "-drive if=virtio: more than 26 disks on that bus");
  g_clear_error(&error);

  huge = g_strnfill(VB_QEMU_NATIVE_MAX + 1, 'x');
  def = vb_qemu_native_parse(huge, &error);
  g_assert_null(def);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS);
  g_assert_true(g_str_has_prefix(error->message, "the command line is 1048577 bytes"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/qemu-native/reference-example", test_reference_example);
  g_test_add_func("/virtbus/qemu-native/quoting-and-devices", test_quoting_and_devices);
  g_test_add_func("/virtbus/qemu-native/refusals", test_refusals);
  g_test_add_func("/virtbus/qemu-native/parser-checks", test_parser_checks);
  g_test_add_func("/virtbus/qemu-native/many-drives", test_many_drives);
  g_test_add_func("/virtbus/qemu-native/late-options", test_late_options);
  return g_test_run();
}
