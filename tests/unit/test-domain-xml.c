/* test-domain-xml.c: domain XML outside <devices>: parsing, errors, formatting, round trip and
 * schema validity.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-test-domain.h"
#include "vb-xml.h"

static VbTestSchema *domain_schema; /* (owned): loaded once in main() */

static char *
format_checked(const char *xml)
{
  return vb_test_format_checked(domain_schema, xml);
}

#define MINIMAL_HEAD                                                                               \
  "<domain type='qemu'>\n"                                                                         \
  "  <name>demo</name>\n"                                                                          \
  "  <uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809</uuid>\n"                                          \
  "  <memory>219200</memory>\n"                                                                    \
  "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"

static void
test_minimal(void)
{
  g_autofree char *out = format_checked(MINIMAL_HEAD "</domain>\n");

  g_assert_cmpstr(out, ==,
                  "<domain type='qemu'>\n"
                  "  <name>demo</name>\n"
                  "  <uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809</uuid>\n"
                  "  <memory unit='KiB'>219200</memory>\n"
                  "  <currentMemory unit='KiB'>219200</currentMemory>\n"
                  "  <vcpu placement='static'>1</vcpu>\n"
                  "  <os>\n"
                  "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                  "  </os>\n"
                  "  <clock offset='utc'/>\n"
                  "  <on_poweroff>destroy</on_poweroff>\n"
                  "  <on_reboot>restart</on_reboot>\n"
                  "  <on_crash>destroy</on_crash>\n"
                  "  <devices/>\n"
                  "</domain>\n");
}

/* What virt-install writes outside <devices> for its common choices, libosinfo metadata
 * included, comes back in libvirt's layout with nothing lost. */
static void
test_virt_install_general(void)
{
  static const char xml[] = "<domain type=\"kvm\">\n"
                            "  <name>debian12</name>\n"
                            "  <uuid>0d1c8a52-8e4c-4bb0-a1f4-7b34bb3f0b52</uuid>\n"
                            "  <title>Build box</title>\n"
                            "  <description>nightly &amp; \"weekly\" builds</description>\n"
                            "  <metadata>\n"
                            "    <libosinfo:libosinfo "
                            "xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
                            "      <libosinfo:os id=\"http://debian.org/debian/12\"/>\n"
                            "    </libosinfo:libosinfo>\n"
                            "  </metadata>\n"
                            "  <memory>2097152</memory>\n"
                            "  <currentMemory>1048576</currentMemory>\n"
                            "  <vcpu current=\"2\">4</vcpu>\n"
                            "  <os>\n"
                            "    <type arch=\"x86_64\" machine=\"q35\">hvm</type>\n"
                            "    <boot dev=\"hd\"/>\n"
                            "    <boot dev=\"cdrom\"/>\n"
                            "    <bootmenu enable=\"yes\" timeout=\"3000\"/>\n"
                            "  </os>\n"
                            "  <features>\n"
                            "    <acpi/>\n"
                            "    <apic/>\n"
                            "    <vmport state=\"off\"/>\n"
                            "  </features>\n"
                            "  <cpu mode=\"host-passthrough\" check=\"none\" migratable=\"on\">\n"
                            "    <topology sockets=\"1\" dies=\"1\" cores=\"2\" threads=\"2\"/>\n"
                            "  </cpu>\n"
                            "  <clock offset=\"utc\">\n"
                            "    <timer name=\"rtc\" tickpolicy=\"catchup\"/>\n"
                            "    <timer name=\"pit\" tickpolicy=\"delay\"/>\n"
                            "    <timer name=\"hpet\" present=\"no\"/>\n"
                            "  </clock>\n"
                            "  <on_reboot>destroy</on_reboot>\n"
                            "  <pm>\n"
                            "    <suspend-to-mem enabled=\"no\"/>\n"
                            "    <suspend-to-disk enabled=\"no\"/>\n"
                            "  </pm>\n"
                            "  <devices>\n"
                            "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                            "  </devices>\n"
                            "</domain>\n";
  g_autofree char *out = format_checked(xml);

  g_assert_cmpstr(out, ==,
                  "<domain type='kvm'>\n"
                  "  <name>debian12</name>\n"
                  "  <uuid>0d1c8a52-8e4c-4bb0-a1f4-7b34bb3f0b52</uuid>\n"
                  "  <title>Build box</title>\n"
                  "  <description>nightly &amp; \"weekly\" builds</description>\n"
                  "  <metadata>\n"
                  "    <libosinfo:libosinfo "
                  "xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
                  "      <libosinfo:os id=\"http://debian.org/debian/12\"/>\n"
                  "    </libosinfo:libosinfo>\n"
                  "  </metadata>\n"
                  "  <memory unit='KiB'>2097152</memory>\n"
                  "  <currentMemory unit='KiB'>1048576</currentMemory>\n"
                  "  <vcpu placement='static' current='2'>4</vcpu>\n"
                  "  <os>\n"
                  "    <type arch='x86_64' machine='q35'>hvm</type>\n"
                  "    <boot dev='hd'/>\n"
                  "    <boot dev='cdrom'/>\n"
                  "    <bootmenu enable='yes' timeout='3000'/>\n"
                  "  </os>\n"
                  "  <features>\n"
                  "    <acpi/>\n"
                  "    <apic/>\n"
                  "    <vmport state='off'/>\n"
                  "  </features>\n"
                  "  <cpu mode='host-passthrough' check='none' migratable='on'>\n"
                  "    <topology sockets='1' dies='1' cores='2' threads='2'/>\n"
                  "  </cpu>\n"
                  "  <clock offset='utc'>\n"
                  "    <timer name='rtc' tickpolicy='catchup'/>\n"
                  "    <timer name='pit' tickpolicy='delay'/>\n"
                  "    <timer name='hpet' present='no'/>\n"
                  "  </clock>\n"
                  "  <on_poweroff>destroy</on_poweroff>\n"
                  "  <on_reboot>destroy</on_reboot>\n"
                  "  <on_crash>destroy</on_crash>\n"
                  "  <pm>\n"
                  "    <suspend-to-mem enabled='no'/>\n"
                  "    <suspend-to-disk enabled='no'/>\n"
                  "  </pm>\n"
                  "  <devices>\n"
                  "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                  "  </devices>\n"
                  "</domain>\n");
}

/* virt-install's Windows choices: Hyper-V enlightenments and a local-time clock. */
static void
test_windows_features(void)
{
  static const char xml[] =
      MINIMAL_HEAD "  <features>\n"
                   "    <acpi/><apic/>\n"
                   "    <hyperv mode='custom'>\n"
                   "      <relaxed state='on'/><vapic state='on'/>\n"
                   "      <spinlocks state='on' retries='8191'/>\n"
                   "      <vpindex state='on'/><runtime state='on'/><synic state='on'/>\n"
                   "      <stimer state='on'><direct state='on'/></stimer>\n"
                   "      <reset state='on'/><vendor_id state='on' value='KVM Hv'/>\n"
                   "      <frequencies state='on'/><reenlightenment state='on'/>\n"
                   "      <tlbflush state='on'/><ipi state='on'/><evmcs state='off'/>\n"
                   "    </hyperv>\n"
                   "  </features>\n"
                   "  <clock offset='localtime'>\n"
                   "    <timer name='rtc' tickpolicy='catchup' track='guest'/>\n"
                   "    <timer name='hypervclock' present='yes'/>\n"
                   "  </clock>\n"
                   "</domain>\n";
  g_autofree char *out = format_checked(xml);

  g_assert_nonnull(strstr(out, "      <spinlocks state='on' retries='8191'/>\n"));
  g_assert_nonnull(strstr(out, "      <stimer state='on'>\n        <direct state='on'/>\n"));
  g_assert_nonnull(strstr(out, "      <vendor_id state='on' value='KVM Hv'/>\n"));
  g_assert_nonnull(strstr(out, "      <evmcs state='off'/>\n"));
  g_assert_nonnull(strstr(out, "  <clock offset='localtime'>\n"));
  g_assert_nonnull(strstr(out, "<timer name='rtc' tickpolicy='catchup' track='guest'/>"));
}

static void
test_os_boot_sources(void)
{
  static const char xml[] =
      "<domain type='qemu'><name>k</name><memory>1024</memory>\n"
      "<os><type>hvm</type>\n"
      "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>\n"
      "<nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/var/lib/k.fd</nvram>\n"
      "<kernel>/boot/vmlinuz</kernel><initrd>/boot/initrd</initrd>\n"
      "<cmdline>console=ttyS0 quiet</cmdline></os></domain>";
  g_autofree char *out = format_checked(xml);

  g_assert_nonnull(
      strstr(out, "    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>\n"
                  "    <nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/var/lib/k.fd</nvram>\n"
                  "    <kernel>/boot/vmlinuz</kernel>\n"
                  "    <initrd>/boot/initrd</initrd>\n"
                  "    <cmdline>console=ttyS0 quiet</cmdline>\n"));
}

/* The legacy <clock sync=…> of the reference's examples reads as an offset. */
static void
test_clock_forms(void)
{
  g_autofree char *sync = format_checked(MINIMAL_HEAD "<clock sync='localtime'/></domain>");
  g_autofree char *variable =
      format_checked(MINIMAL_HEAD "<clock offset='variable' adjustment='-3600' basis='utc'/>"
                                  "</domain>");
  g_autofree char *reset = format_checked(MINIMAL_HEAD "<clock offset='utc' adjustment='reset'/>"
                                                       "</domain>");
  g_autofree char *zone =
      format_checked(MINIMAL_HEAD "<clock offset='timezone' timezone='Europe/Paris'/></domain>");

  g_assert_nonnull(strstr(sync, "  <clock offset='localtime'/>\n"));
  g_assert_nonnull(strstr(variable, "  <clock offset='variable' adjustment='-3600' basis='utc'/>"));
  g_assert_nonnull(strstr(reset, "  <clock offset='utc' adjustment='reset'/>"));
  g_assert_nonnull(strstr(zone, "  <clock offset='timezone' timezone='Europe/Paris'/>"));
}

static void
test_memory_units(void)
{
  static const struct {
    const char *number;
    const char *unit;
    guint64 kib;
  } cases[] = {
      {"1024", NULL, 1024},   {"1024", "k", 1024},
      {"1024", "KiB", 1024},  {"1000", "KB", 977},
      {"1", "b", 1},          {"2048", "bytes", 2},
      {"1", "M", 1024},       {"1", "MiB", 1024},
      {"1", "MB", 977},       {"2", "G", 2097152},
      {"2", "GiB", 2097152},  {"1", "GB", 976563},
      {"1", "T", 1073741824}, {"1", "TiB", 1073741824},
      {"1", "TB", 976562500}, {"3", "gib", 3145728},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    guint64 kib = 0;
    const char *why = NULL;

    g_test_message("%s %s", cases[i].number, cases[i].unit);
    g_assert_true(vb_parse_scaled_kib(cases[i].number, cases[i].unit, &kib, &why));
    g_assert_cmpuint(kib, ==, cases[i].kib);
  }
  {
    guint64 kib = 0;
    const char *why = NULL;

    g_assert_false(vb_parse_scaled_kib("1", "XB", &kib, &why));
    g_assert_nonnull(strstr(why, "unknown unit"));
    g_assert_false(vb_parse_scaled_kib("18446744073709551615", "KiB", &kib, &why));
    g_assert_cmpstr(why, ==, "is too large (at most 9223372036854775807 bytes)");
    /* found by fuzzing: accepted in bytes, then refused once formatted in KiB */
    g_assert_false(vb_parse_scaled_kib("18446744073709551615", "b", &kib, &why));
    g_assert_false(vb_parse_scaled_kib("9223372036854775807", "b", &kib, &why));
    /* the largest value accepted formats to itself and reads back */
    g_assert_true(vb_parse_scaled_kib("9223372036854774784", "b", &kib, &why));
    g_assert_cmpuint(kib, ==, G_MAXINT64 / 1024);
    g_assert_true(vb_parse_scaled_kib("9007199254740991", "KiB", &kib, &why));
    g_assert_false(vb_parse_scaled_kib("9007199254740992", "KiB", &kib, &why));
    g_assert_false(vb_parse_scaled_kib("-5", NULL, &kib, &why));
    g_assert_false(vb_parse_scaled_kib("12abc", NULL, &kib, &why));
  }
}

static void
test_uuid_spellings(void)
{
  static const char *const good[] = {
      "c7a5fdbd-cdaf-9455-926a-d65c16db1809",
      "C7A5FDBDCDAF9455926AD65C16DB1809",
      "  c7a5fdbd-cdaf-9455-926a-d65c16db1809 ",
      "c7a5-fdbd-cdaf-9455-926a-d65c-16db-1809",
  };
  static const char *const bad[] = {"", "c7a5fdbd", "c7a5fdbd-cdaf-9455-926a-d65c16db18090",
                                    "g7a5fdbd-cdaf-9455-926a-d65c16db1809"};
  guint8 uuid[16];

  for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
    g_assert_true(vb_parse_uuid(good[i], uuid));
    g_assert_cmpuint(uuid[0], ==, 0xc7);
    g_assert_cmpuint(uuid[15], ==, 0x09);
  }
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
    g_assert_false(vb_parse_uuid(bad[i], uuid));
}

/* A domain without a UUID gets a random one, kept across formatting. */
static void
test_generated_uuid(void)
{
  g_autoptr(VbDomainDef) a = vb_test_parse_ok(
      "<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os>"
      "</domain>");
  g_autoptr(VbDomainDef) b = vb_test_parse_ok(
      "<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os>"
      "</domain>");
  g_autofree char *ua = vb_domain_def_get_uuid_string(a);
  g_autofree char *ub = vb_domain_def_get_uuid_string(b);

  g_assert_cmpstr(ua, !=, ub);
  g_assert_cmpuint(strlen(ua), ==, 36);
}

/* Values we understand but cannot take: InvalidConfig naming line, path, value, allowed. */
static void
test_invalid_config(void)
{
  vb_test_assert_parse_fails(
      "<domain type='kvm'><name>a</name><memory>1</memory>\n<os firmware='uefi'><type>hvm</type>"
      "</os></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/os/@firmware: 'uefi' is not allowed (allowed: 'efi', 'bios')");
  vb_test_assert_parse_fails(
      "<domain type='kvm'><name>a</name><memory>1</memory><os firmware='efi'><type>hvm</type>"
      "\n<firmware><feature name='secure-boot'/></firmware></os></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/os/firmware/feature: a firmware <feature> needs 'name' and 'enabled'");
  vb_test_assert_parse_fails(
      "<domain type='kvm'><name>a</name><memory>1</memory><os firmware='efi'><type>hvm</type>"
      "\n<firmware><feature enabled='no' name='tpm'/></firmware></os></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/os/firmware/feature/@name: 'tpm' is not allowed (allowed: "
      "'secure-boot', 'enrolled-keys')");
  vb_test_assert_parse_fails(
      "<domain type='kvm'><name>a</name><memory>1</memory><os><type>hvm</type></os>\n"
      "<features><smm state='maybe'/></features></domain>",
      VB_ERROR_INVALID_CONFIG, "line 2: /domain/features/smm/@state: 'maybe' is not allowed*");
  vb_test_assert_parse_fails(
      "<domain type='xen'><name>a</name></domain>", VB_ERROR_INVALID_CONFIG,
      "line 1: /domain/@type: 'xen' is not allowed (allowed: 'qemu', 'kvm', 'hvf')");
  vb_test_assert_parse_fails("<domain>\n<name>a</name></domain>", VB_ERROR_INVALID_CONFIG,
                             "line 1: /domain: <domain> needs a type*");
  vb_test_assert_parse_fails("<domain type='qemu'>\n<memory>1</memory></domain>",
                             VB_ERROR_INVALID_CONFIG, "line 1: /domain: a domain needs a <name>");
  vb_test_assert_parse_fails("<domain type='qemu'>\n<name>a/b</name></domain>",
                             VB_ERROR_INVALID_CONFIG,
                             "line 2: /domain/name: 'a/b' is not a valid domain name*");
  vb_test_assert_parse_fails("<domain type='qemu'>\n<name>.hidden</name></domain>",
                             VB_ERROR_INVALID_CONFIG,
                             "line 2: /domain/name: '.hidden' is not a valid domain name*");
  vb_test_assert_parse_fails("<domain type='qemu'><name>a</name>\n<uuid>not-a-uuid</uuid></domain>",
                             VB_ERROR_INVALID_CONFIG,
                             "line 2: /domain/uuid: 'not-a-uuid' is not a UUID*");
  vb_test_assert_parse_fails(
      "<domain type='qemu'><name>a</name>\n<memory unit='XB'>5</memory></domain>",
      VB_ERROR_INVALID_CONFIG, "line 2: /domain/memory: '5 XB' has an unknown unit*");
  vb_test_assert_parse_fails(
      "<domain type='qemu'><name>a</name>\n"
      "<memory unit='EiB'>1000</memory></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/memory: '1000 EiB' is too large (at most 9223372036854775807 "
      "bytes)");
  vb_test_assert_parse_fails("<domain type='qemu'><name>a</name><memory>1</memory>\n"
                             "<vcpu>0</vcpu></domain>",
                             VB_ERROR_INVALID_CONFIG,
                             "line 2: /domain/vcpu: '0' is not a vCPU count*");
  vb_test_assert_parse_fails("<domain type='qemu'><name>a</name><memory>1</memory>\n"
                             "<vcpu current='3'>2</vcpu></domain>",
                             VB_ERROR_INVALID_CONFIG,
                             "line 2: /domain/vcpu/@current: '3' is not a number from 0 to 2");
  vb_test_assert_parse_fails(
      "<domain type='qemu'><name>a</name><memory>1</memory><vcpu>4</vcpu>\n"
      "<os><type>hvm</type></os><cpu>\n<topology sockets='1' cores='2' threads='1'/>"
      "</cpu></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 3: /domain/cpu/topology: the topology gives 2 vCPUs*but <vcpu> is 4");
  vb_test_assert_parse_fails("<domain type='qemu'><name>a</name><memory>1</memory>\n"
                             "<os><type>xen</type></os></domain>",
                             VB_ERROR_NOT_SUPPORTED, "line 2: /domain/os/type: the OS type 'xen'*");
  vb_test_assert_parse_fails(
      "<domain type='qemu'><name>a</name><memory>1</memory>\n"
      "<os><type>hvm</type><boot dev='usb'/></os></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/os/boot/@dev: 'usb' is not allowed (allowed: 'fd', 'hd', "
      "'cdrom', 'network')");
  vb_test_assert_parse_fails(
      "<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os>\n"
      "<clock offset='utc'><timer name='rtc'/>\n<timer name='rtc'/></clock></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 3: /domain/clock/timer[2]/@name: the timer 'rtc' is given twice");
  vb_test_assert_parse_fails(
      "<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os>\n"
      "<on_crash>explode</on_crash></domain>",
      VB_ERROR_INVALID_CONFIG, "line 2: /domain/on_crash: 'explode' is not an action*");
  vb_test_assert_parse_fails(
      "<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os>\n"
      "<features><hyperv><spinlocks state='on' retries='10'/></hyperv></features>"
      "</domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/features/hyperv/spinlocks/@retries: *at least 4095");
  vb_test_assert_parse_fails(
      "<domain type='qemu'><name>a</name><memory>1</memory><os><type>hvm</type></os>\n"
      "<pm><suspend-to-mem enabled='maybe'/></pm></domain>",
      VB_ERROR_INVALID_CONFIG,
      "line 2: /domain/pm/suspend-to-mem/@enabled: 'maybe' is not allowed (allowed: "
      "'yes', 'no')");
}

/* Nothing is silently dropped: whatever no reader took is NotSupported, by path and line. */
static void
test_not_supported_by_name(void)
{
  vb_test_assert_parse_fails(
      MINIMAL_HEAD "  <blkiotune><weight>800</weight></blkiotune>\n</domain>",
      VB_ERROR_NOT_SUPPORTED,
      "line 6: /domain/blkiotune: the element <blkiotune> is not supported by virtbus");
  vb_test_assert_parse_fails(
      MINIMAL_HEAD "  <features><acpi/><smm state='on'><tseg unit='MiB'>48</tseg></smm>"
                   "</features>\n</domain>",
      VB_ERROR_NOT_SUPPORTED,
      "line 6: /domain/features/smm/tseg: the element <tseg> is not supported by virtbus");
  vb_test_assert_parse_fails(
      MINIMAL_HEAD "  <on_poweroff foo='bar'>destroy</on_poweroff>\n</domain>",
      VB_ERROR_NOT_SUPPORTED,
      "line 6: /domain/on_poweroff/@foo: the attribute 'foo' is not supported by "
      "virtbus");
}

/* Malformed documents: InvalidXML with line and column; hostile ones refused outright. */
static void
test_invalid_xml(void)
{
  g_autofree char *deep = NULL;
  g_autofree char *huge = NULL;
  g_autoptr(GString) nest = g_string_new("<domain type='qemu'><metadata><x:a xmlns:x='urn:x'>");

  vb_test_assert_parse_fails(
      "<domain type='qemu'>\n  <name>a</nam>\n</domain>", VB_ERROR_INVALID_XML,
      "line 2, column *: Opening and ending tag mismatch: name line 2 and nam");
  vb_test_assert_parse_fails("", VB_ERROR_INVALID_XML, "the document is empty");
  vb_test_assert_parse_fails(
      "<network/>", VB_ERROR_INVALID_XML,
      "line 1: /network: the document's root must be <domain>, not <network>");
  vb_test_assert_parse_fails("<?xml version='1.0'?>\n<!DOCTYPE domain [\n<!ENTITY a 'aaaaaaaaaa'>\n"
                             "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>\n"
                             "<domain type='qemu'><name>&b;</name></domain>",
                             VB_ERROR_INVALID_XML,
                             "line 2: document type declarations*not accepted");
  vb_test_assert_parse_fails("<!DOCTYPE domain SYSTEM 'http://example.com/x.dtd'><domain/>",
                             VB_ERROR_INVALID_XML, "*document type declarations*not accepted");
  vb_test_assert_parse_fails("<domain type='qemu'><name>&secret;</name></domain>",
                             VB_ERROR_INVALID_XML, "line 1, column *: Entity 'secret' not defined");

  for (guint i = 0; i < 70; i++)
    g_string_append(nest, "<x:n>");
  for (guint i = 0; i < 70; i++)
    g_string_append(nest, "</x:n>");
  g_string_append(nest, "</x:a></metadata></domain>");
  deep = g_string_free(g_steal_pointer(&nest), FALSE);
  vb_test_assert_parse_fails(deep, VB_ERROR_INVALID_XML,
                             "line 1: <n> is nested more than 64 elements deep");

  huge = g_strnfill(10 * 1024 * 1024 + 1, ' ');
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(huge, strlen(huge), &error);

    g_assert_null(def);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_XML);
    g_assert_nonnull(strstr(error->message, "more than the 10485760 bytes allowed"));
  }
}

/* Messages that point at the real cause, whatever the document does. */
static void
test_messages(void)
{
  g_autoptr(GString) long_doc = g_string_new(MINIMAL_HEAD "  <devices>\n");
  g_autoptr(GString) big_name = g_string_new("<domain type='qemu'><name>");
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = NULL;
  static const char nul_after_root[] = MINIMAL_HEAD "</domain>\n\0<x/>";

  /* the first error, where the document went wrong, not libxml2's last one at its end */
  vb_test_assert_parse_fails(MINIMAL_HEAD "  <devices>\n    <disk type='file'>\n"
                                          "  </devices>\n</domain>\n",
                             VB_ERROR_INVALID_XML,
                             "line 8, column *: Opening and ending tag mismatch: disk line 7 and "
                             "devices");
  /* line numbers past 65535 */
  for (guint i = 0; i < 70000; i++)
    g_string_append(long_doc, "    <input type='tablet' bus='usb'/>\n");
  g_string_append(long_doc, "    <bogus/>\n  </devices>\n</domain>\n");
  def = vb_domain_def_parse(long_doc->str, long_doc->len, &error);
  g_assert_null(def);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  if (!g_str_has_prefix(error->message, "line 70007: "))
    g_error("%s", error->message);
  g_clear_error(&error);

  /* a NUL byte is refused, not taken for the end of the document */
  def = vb_domain_def_parse(nul_after_root, sizeof nul_after_root - 1, &error);
  g_assert_null(def);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_XML);
  g_assert_cmpstr(error->message, ==,
                  "line 7: the document holds a NUL byte, which XML cannot carry");
  g_clear_error(&error);

  /* names with control characters, as libvirt's schema refuses a newline */
  vb_test_assert_parse_fails("<domain type='qemu'><name>a&#10;b</name></domain>",
                             VB_ERROR_INVALID_CONFIG,
                             "line 1: /domain/name: 'a\nb' is not a valid domain name*");
  vb_test_assert_parse_fails("<domain type='qemu'><name>a\tb</name></domain>",
                             VB_ERROR_INVALID_CONFIG, "*'a\tb' is not a valid domain name*");
  vb_test_assert_parse_fails("<domain type='qemu'><name>a&#13;b</name></domain>",
                             VB_ERROR_INVALID_CONFIG, "*'a\rb' is not a valid domain name*");

  /* a 9 MiB value is quoted as a short prefix, inside the size cap libxml2 is not asked to
   * enforce one of its own */
  for (guint i = 0; i < 9 * 1024 * 1024; i++)
    g_string_append_c(big_name, 'n');
  g_string_append(big_name, "</name></domain>");
  def = vb_domain_def_parse(big_name->str, big_name->len, &error);
  g_assert_null(def);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_cmpuint(strlen(error->message), <=, VB_ERROR_MESSAGE_MAX + 8);
  g_assert_true(g_str_has_prefix(error->message, "line 1: /domain/name: 'nnnnnnnn"));
  g_assert_nonnull(strstr(error->message, "n…' is not a valid domain name"));
  g_clear_error(&error);

  /* a value of nearly 10 MiB, inside the cap: read, not refused with libxml2's "huge text
   * node" and "Extra content" */
  {
    g_autoptr(GString) big = g_string_new(MINIMAL_HEAD "  <description>");
    g_autoptr(VbDomainDef) described = NULL;

    while (big->len < VB_XML_MAX_SIZE - 64)
      g_string_append_c(big, 'd');
    g_string_append(big, "</description>\n</domain>\n");
    described = vb_domain_def_parse(big->str, big->len, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(strlen(described->description), >, 10000000);
  }
}

/* vb_domain_def_finish(): a definition built in code (as domxml-from-native will build them)
 * gets what the parser's last steps give a parsed one: drive addresses and libvirt's names; and
 * their errors name the model, there being no line. */
static void
test_finish_code_built(void)
{
  static const char xml[] =
      "<domain type='qemu'><name>built</name><memory>65536</memory>"
      "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
      "<disk type='file' device='disk'><source file='/b.img'/><target dev='sdb' bus='scsi'/>"
      "</disk>"
      "<disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/>"
      "<alias name='ua-first'/></disk>"
      "<controller type='scsi' model='virtio-scsi'/><serial type='pty'/></devices></domain>";
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) parsed = vb_domain_def_parse(xml, sizeof xml - 1, &error);
  g_autoptr(VbDomainDef) built = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  VbDiskDef *second;

  g_assert_no_error(error);
  want = vb_domain_def_format(parsed, VB_DOMAIN_XML_LIVE, &error);
  g_assert_no_error(error);
  g_assert_nonnull(strstr(want, "<address type='drive'"));
  g_assert_nonnull(strstr(want, "<alias name='scsi0-0-0-1'/>"));
  /* the same definition as code would make it: no libvirt names, no drive addresses */
  built = vb_domain_def_copy(parsed);
  infos = vb_domain_def_get_device_infos(built);
  for (guint i = 0; i < infos->len; i++) {
    VbDeviceInfo *info = infos->pdata[i];

    g_clear_pointer(&info->assigned_alias, g_free);
    if (info->address.type == VB_ADDRESS_DRIVE)
      info->address.type = VB_ABSENT;
  }
  g_assert_true(vb_domain_def_finish(built, &error));
  g_assert_no_error(error);
  got = vb_domain_def_format(built, VB_DOMAIN_XML_LIVE, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(got, ==, want);

  /* an error of those steps, on a definition no XML came from */
  second = built->disks->pdata[0];
  g_free(second->info.alias);
  second->info.alias = g_strdup("ua-first");
  g_assert_false(vb_domain_def_finish(built, &error));
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_cmpstr(error->message, ==,
                  "/domain/devices: the alias 'ua-first' is given to two devices");
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init(&argc, &argv, NULL);
  domain_schema = vb_test_schema_load("domain.rng", &error);
  g_assert_no_error(error);

  g_test_add_func("/virtbus/domain-xml/minimal", test_minimal);
  g_test_add_func("/virtbus/domain-xml/virt-install-general", test_virt_install_general);
  g_test_add_func("/virtbus/domain-xml/windows-features", test_windows_features);
  g_test_add_func("/virtbus/domain-xml/os-boot-sources", test_os_boot_sources);
  g_test_add_func("/virtbus/domain-xml/clock-forms", test_clock_forms);
  g_test_add_func("/virtbus/domain-xml/memory-units", test_memory_units);
  g_test_add_func("/virtbus/domain-xml/uuid-spellings", test_uuid_spellings);
  g_test_add_func("/virtbus/domain-xml/generated-uuid", test_generated_uuid);
  g_test_add_func("/virtbus/domain-xml/invalid-config", test_invalid_config);
  g_test_add_func("/virtbus/domain-xml/not-supported-by-name", test_not_supported_by_name);
  g_test_add_func("/virtbus/domain-xml/invalid-xml", test_invalid_xml);
  g_test_add_func("/virtbus/domain-xml/messages", test_messages);
  g_test_add_func("/virtbus/domain-xml/finish-code-built", test_finish_code_built);
  status = g_test_run();
  vb_test_schema_free(domain_schema);
  return status;
}
