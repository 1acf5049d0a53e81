/* test-qemu-command.c: the command builder against golden argv files, its refusals, and the
 * qemu-argv native format.
 *
 * Golden files: for each input domain (tests/data/domains/NAME.xml and
 * tests/data/qemu-argv/NAME.xml) the expected build is tests/data/qemu-argv/NAME.args, built
 * against QEMU 7.2's recorded capabilities (tests/data/qemu-caps/). After a deliberate change,
 * regenerate them with
 *   VIRTBUS_REGENERATE_ARGV=1 meson test -C _build/dev unit/qemu-command
 * and review the diff before committing it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-prepare.h"
#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-firmware.h"
#include "vb-qemu-command.h"
#include "vb-qemu-native.h"
#include "vb-test-qemu.h"

/* A fixed "now" for <clock offset='variable'>: 2023-11-14T22:13:20Z. */
#define NOW G_GINT64_CONSTANT(1700000000)

typedef struct {
  VbQemuCaps *caps;
  VbQemuConf *conf;
  VbPaths *paths;
  GPtrArray *firmware; /* tests/data/qemu-firmware/ */
  gboolean kvm_usable;
  const char *default_bridge; /* (nullable): the host's virbr0, as a test pretends */
} Setup;

static Setup setup;

static VbQemuCaps *
load_caps(void)
{
  g_autofree char *path =
      g_test_build_filename(G_TEST_DIST, "data", "qemu-caps", "qemu-7.2-x86_64.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  VbQemuCaps *caps;

  json_parser_load_from_file(parser, path, &error);
  g_assert_no_error(error);
  caps = vb_qemu_caps_new_from_json(json_parser_get_root(parser), &error);
  g_assert_no_error(error);
  return caps;
}

static VbQemuConf *
conf_for(VbInstanceKind instance, const char *text)
{
  g_autoptr(GError) error = NULL;
  VbQemuConf *conf =
      vb_qemu_conf_load_from_data("/test/qemu.conf", text, strlen(text), instance, &error);

  g_assert_no_error(error);
  return conf;
}

/* Builds @def with the shared setup, as a start would (domain id 1) or for export. */
static VbQemuCommand *
build_def(const VbDomainDef *def, const VbQemuConf *conf, gboolean export, GError **error)
{
  g_autoptr(VbDomainDefaults) defaults = NULL;
  g_autoptr(VbDomainDef) assigned = vb_domain_def_copy(def);
  VbQemuCommandConfig config = {
      .conf = conf != NULL ? conf : setup.conf,
      .paths = setup.paths,
      .id = export ? -1 : 1,
      .kvm_usable = setup.kvm_usable,
      .export = export,
      .now = NOW,
      .firmware = setup.firmware,
      .default_bridge = setup.default_bridge,
  };

  defaults = vb_domain_defaults_new(setup.caps, "/usr/bin/qemu-system-x86_64", def->os.arch, TRUE,
                                    def->os.machine, error);
  g_assert_nonnull(defaults);
  config.defaults = defaults;
  /* as a start would: the definition completed first */
  if (!vb_domain_prepare_start(assigned, defaults, error))
    return NULL;
  return vb_qemu_command_build(assigned, &config, error);
}

static VbQemuCommand *
build(const char *xml, const VbQemuConf *conf, GError **error)
{
  g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, strlen(xml), error);

  if (def == NULL)
    g_error("the test domain does not parse: %s", error != NULL ? (*error)->message : "");
  return build_def(def, conf, FALSE, error);
}

static void
test_golden(gconstpointer data)
{
  const char *input = data;
  g_autofree char *base = g_path_get_basename(input);
  g_autofree char *name = g_strndup(base, strlen(base) - strlen(".xml"));
  g_autofree char *args_name = g_strconcat(name, ".args", NULL);
  g_autofree char *expected_path =
      g_test_build_filename(G_TEST_DIST, "data", "qemu-argv", args_name, NULL);
  g_autofree char *xml = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCommand) cmd = NULL;

  g_file_get_contents(input, &xml, NULL, &error);
  g_assert_no_error(error);
  cmd = build(xml, NULL, &error);
  if (cmd != NULL)
    actual = vb_qemu_command_to_lines(cmd);
  else
    actual = g_strdup_printf("error: %s: %s\n", vb_error_get_dbus_name((VbError)error->code),
                             error->message);
  g_clear_error(&error);
  if (g_getenv("VIRTBUS_REGENERATE_ARGV") != NULL) {
    g_file_set_contents(expected_path, actual, -1, &error);
    g_assert_no_error(error);
    g_test_message("regenerated %s", expected_path);
    return;
  }
  g_file_get_contents(expected_path, &expected, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(actual, ==, expected);
}

/* The devices of a command and what backs them: every -device, -blockdev, -drive, -netdev,
 * -object, -audiodev and -chardev but the monitor's, in order, one per line. */
static char *
device_set(const VbQemuCommand *cmd)
{
  static const char *const kinds[] = {"-device", "-blockdev", "-drive",   "-netdev",
                                      "-object", "-audiodev", "-chardev", NULL};
  GString *out = g_string_new(NULL);

  for (guint i = 0; i + 1 < cmd->args->len; i++) {
    const char *option = cmd->args->pdata[i];
    const char *value = cmd->args->pdata[i + 1];

    if (!g_strv_contains(kinds, option) || g_str_has_prefix(value, "socket,id=charmonitor,"))
      continue;
    g_string_append_printf(out, "%s %s\n", option, value);
  }
  return g_string_free(out, FALSE);
}

/* domxml-from-native of domxml-to-native gives a definition that builds the same devices. */
static void
test_round_trip(gconstpointer data)
{
  const char *input = data;
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = NULL;
  g_autoptr(VbDomainDef) imported = NULL;
  g_autoptr(VbQemuCommand) exported = NULL;
  g_autoptr(VbQemuCommand) again = NULL;
  g_autofree char *line = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_file_get_contents(input, &xml, NULL, &error);
  g_assert_no_error(error);
  def = vb_domain_def_parse(xml, strlen(xml), &error);
  g_assert_no_error(error);
  exported = build_def(def, NULL, TRUE, &error);
  g_assert_no_error(error);
  line = vb_qemu_command_to_native(exported);
  imported = vb_qemu_native_parse(line, &error);
  if (error != NULL) {
    g_autofree char *imported_xml = vb_qemu_native_to_xml(line, NULL);

    g_test_message("the import: %s", imported_xml != NULL ? imported_xml : "(none)");
  }
  g_assert_no_error(error);
  again = build_def(imported, NULL, TRUE, &error);
  g_assert_no_error(error);
  before = device_set(exported);
  after = device_set(again);
  g_assert_cmpstr(after, ==, before);
}

/* The same input builds the same command. */
static void
test_deterministic(void)
{
  g_autofree char *path =
      g_test_build_filename(G_TEST_DIST, "data", "qemu-argv", "pc-many-devices.xml", NULL);
  g_autofree char *xml = NULL;
  g_autoptr(VbQemuCommand) one = NULL;
  g_autoptr(VbQemuCommand) two = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true(g_file_get_contents(path, &xml, NULL, NULL));
  one = build(xml, NULL, NULL);
  two = build(xml, NULL, NULL);
  a = vb_qemu_command_to_native(one);
  b = vb_qemu_command_to_native(two);
  g_assert_cmpstr(a, ==, b);
}

#define HEAD                                                                                       \
  "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"                   \
  "<name>t</name><uuid>7e2a1f2c-3b4d-4e5f-8a9b-0c1d2e3f4a5b</uuid><memory>131072</memory>"         \
  "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
#define DEVICES(x) "<devices>" x "</devices>"

typedef struct {
  const char *xml;
  gint code;
  const char *message; /* a glob */
} Refusal;

static void
test_refusals(void)
{
  static const Refusal cases[] = {
      {HEAD "<cpu mode='host-passthrough'/></domain>", VB_ERROR_NOT_SUPPORTED,
       "/domain/cpu/@mode: 'host-passthrough' needs KVM; a type='qemu' (TCG) domain can use "
       "mode='maximum', mode='host-model' or a named model"},
      {HEAD "<cpu><model>qemu64</model><feature policy='require' name='sse9'/></cpu></domain>",
       VB_ERROR_INVALID_CONFIG,
       "/domain/cpu/feature[@name='sse9']: /usr/bin/qemu-system-x86_64 knows no CPU feature "
       "'sse9' (its CPU models list the ones it has)"},
      {HEAD "<cpu><model>NoSuchCpu</model></cpu></domain>", VB_ERROR_NOT_SUPPORTED,
       "/domain/cpu/model: /usr/bin/qemu-system-x86_64 has no CPU model 'NoSuchCpu'"},
      {HEAD "<features><hyperv mode='custom'><vpindex state='on'/></hyperv></features></domain>",
       VB_ERROR_NOT_SUPPORTED,
       "/domain/features/hyperv/vpindex: needs KVM; a type='qemu' (TCG) domain cannot have it"},
      {HEAD "<qemu:capabilities><qemu:add capability='no-such-flag'/></qemu:capabilities>"
            "</domain>",
       VB_ERROR_NOT_SUPPORTED,
       "/domain/qemu:capabilities/qemu:add/@capability: virtbus knows no capability "
       "'no-such-flag' (see docs/capabilities.md)"},
      {HEAD "<qemu:override><qemu:device alias='ua-nothing'><qemu:frontend>"
            "<qemu:property name='x' type='string' value='y'/></qemu:frontend></qemu:device>"
            "</qemu:override></domain>",
       VB_ERROR_INVALID_CONFIG,
       "/domain/qemu:override/qemu:device[@alias='ua-nothing']: no device of this domain has "
       "the alias 'ua-nothing'"},
      {HEAD DEVICES("<disk type='file'><source file='/a'/><target dev='vda'/>"
                    "<alias name='ua-d'/></disk>") "<qemu:override><qemu:device alias='ua-d'>"
                                                   "<qemu:frontend><qemu:property name='serial' "
                                                   "type='remove'/></qemu:frontend>"
                                                   "</qemu:device></qemu:override></domain>",
       VB_ERROR_INVALID_CONFIG,
       "*qemu:property[@name='serial']: the device has no property 'serial' to remove"},
      {HEAD DEVICES("<interface type='network'><source network='lan'/></interface>") "</domain>",
       VB_ERROR_NOT_SUPPORTED,
       "/domain/devices/interface/source/@network: virtbus has no virtual network 'lan'; map "
       "it to a host bridge with network_bridges in /test/qemu.conf (e.g. network_bridges = [ "
       "\"lan=virbr0\" ])"},
      {HEAD DEVICES("<interface type='ethernet'/>") "</domain>", VB_ERROR_NOT_SUPPORTED,
       "/domain/devices/interface/@type: 'ethernet' needs a TAP device, which only the "
       "system instance (or an instance run by root) can create; use 'bridge' or 'user'"},
      {HEAD DEVICES("<disk type='file' device='floppy'><source file='/f'/><target dev='fda'/>"
                    "</disk>") "</domain>",
       VB_ERROR_NOT_SUPPORTED, "*floppy disks are not supported*"},
      {HEAD DEVICES("<disk type='volume'><source pool='p' volume='v'/><target dev='vda'/>"
                    "</disk>") "</domain>",
       VB_ERROR_NOT_SUPPORTED,
       "/domain/devices/disk/@type: 'volume' needs storage pools, which "
       "virtbus does not have; give the file or device instead"},
      {HEAD DEVICES(
           "<disk type='file'><source file='/a'/><target dev='hda' bus='ide'/></disk>") "</domain>",
       VB_ERROR_INVALID_CONFIG,
       "/domain/devices/disk/target/@bus: the machine pc-q35-7.2 has no IDE "
       "bus; use 'sata'"},
      {HEAD DEVICES(
           "<disk type='file' device='cdrom'><target dev='vda' bus='virtio'/></disk>") "</domain>",
       VB_ERROR_INVALID_CONFIG, "*a CD-ROM cannot be on the virtio bus*"},
      {HEAD DEVICES(
           "<controller type='usb' model='none'/><input type='tablet' bus='usb'/>") "</domain>",
       VB_ERROR_INVALID_CONFIG,
       "/domain/devices/input[1]: a USB input device needs a USB controller"},
      {HEAD DEVICES(
           "<graphics type='spice' port='5901' tlsPort='5902' autoport='no'/>") "</domain>",
       VB_ERROR_INVALID_CONFIG, "*@tlsPort: TLS is off in /test/qemu.conf (spice_tls = 0)"},
      {HEAD "<on_crash>coredump-destroy</on_crash></domain>", VB_ERROR_NOT_SUPPORTED,
       "/domain/on_crash: 'coredump-destroy' is not supported*"},
      {HEAD "<clock offset='utc'><timer name='rtc' tickpolicy='merge'/></clock></domain>",
       VB_ERROR_NOT_SUPPORTED, "*QEMU's RTC has no 'merge' policy*"},
      {HEAD DEVICES("<disk type='file'><source file='/a'/><target dev='vda'/>"
                    "<address type='pci' bus='0x05' slot='0x01'/></disk>") "</domain>",
       VB_ERROR_INVALID_CONFIG,
       "/domain/devices/disk/address: the PCI address 0000:05:01.0 names a bus no <controller "
       "type='pci'> "
       "provides"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbQemuCommand) cmd = NULL;

    cmd = build(cases[i].xml, NULL, &error);
    g_assert_null(cmd);
    g_assert_error(error, VB_ERROR, cases[i].code);
    if (!g_pattern_match_simple(cases[i].message, error->message))
      g_error("case %" G_GSIZE_FORMAT ": '%s' does not match '%s'", i, error->message,
              cases[i].message);
  }
}

/* hvf: the parser takes it (it is libvirt's), the builder refuses it on Linux. */
static void
test_hvf(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCommand) cmd =
      build("<domain type='hvf'><name>t</name><memory>131072</memory>"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>",
            NULL, &error);

  g_assert_null(cmd);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr(error->message, ==,
                  "/domain/@type: 'hvf' is macOS's hypervisor; on Linux a domain is 'kvm' or "
                  "'qemu'");
}

/* type='kvm' needs a usable /dev/kvm, named in the refusal. */
static void
test_kvm_unusable(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCommand) cmd = NULL;

  setup.kvm_usable = FALSE;
  cmd = build("<domain type='kvm'><name>t</name><memory>131072</memory>"
              "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>",
              NULL, &error);
  setup.kvm_usable = TRUE;
  g_assert_null(cmd);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_nonnull(strstr(error->message, "/dev/kvm"));
}

/* Bridges: the system instance opens a TAP device, the session asks qemu-bridge-helper; a
 * network goes through qemu.conf's network_bridges. */
static void
test_bridges(void)
{
  static const char *const xml =
      HEAD DEVICES("<interface type='bridge'><source bridge='br0'/></interface>"
                   "<interface type='network'><source network='default'/>"
                   "<target dev='vnet7'/></interface>") "</domain>";
  g_autoptr(VbQemuConf) system =
      conf_for(VB_INSTANCE_SYSTEM, "network_bridges = [ \"default=virbr0\" ]\n");
  g_autoptr(VbQemuConf) session =
      conf_for(VB_INSTANCE_SESSION, "network_bridges = [ \"default=virbr0\" ]\n");
  g_autoptr(VbQemuCommand) as_system = build(xml, system, NULL);
  g_autoptr(VbQemuCommand) as_session = build(xml, session, NULL);
  const VbQemuFdRequest *tap;

  g_assert_cmpuint(as_system->fds->len, ==, 3); /* the monitor, then one per NIC */
  g_assert_cmpint(((VbQemuFdRequest *)as_system->fds->pdata[0])->kind, ==, VB_QEMU_FD_MONITOR);
  g_assert_cmpint(((VbQemuFdRequest *)as_system->fds->pdata[0])->fd, ==, VB_QEMU_MONITOR_FD);
  tap = as_system->fds->pdata[2];
  g_assert_cmpint(tap->kind, ==, VB_QEMU_FD_TAP);
  g_assert_cmpint(tap->fd, ==, VB_QEMU_MONITOR_FD + 2);
  g_assert_cmpstr(tap->bridge, ==, "virbr0");
  g_assert_cmpstr(tap->ifname, ==, "vnet7");
  g_assert_cmpstr(tap->alias, ==, "net1");
  g_assert_true(
      g_ptr_array_find_with_equal_func(as_system->args, "tap,fd=5,id=hostnet1", g_str_equal, NULL));
  tap = as_session->fds->pdata[1];
  g_assert_cmpint(tap->kind, ==, VB_QEMU_FD_BRIDGE_HELPER);
  g_assert_cmpstr(tap->bridge, ==, "br0");
}

/* The network 'default' that qemu.conf does not map is libvirt's, on the host's virbr0 when
 * there is one; without one it is refused, saying how to map it. */
static void
test_default_network(void)
{
  static const char *const xml =
      HEAD DEVICES("<interface type='network'><source network='default'/></interface>") "</domain>";
  g_autoptr(VbQemuConf) system = conf_for(VB_INSTANCE_SYSTEM, "");
  g_autoptr(VbQemuCommand) cmd = NULL;
  g_autoptr(GError) error = NULL;

  setup.default_bridge = "virbr0";
  cmd = build(xml, system, NULL);
  g_assert_cmpstr(((VbQemuFdRequest *)cmd->fds->pdata[1])->bridge, ==, "virbr0");
  g_clear_pointer(&cmd, vb_qemu_command_free);
  setup.default_bridge = NULL;
  cmd = build(xml, system, &error);
  g_assert_null(cmd);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_nonnull(strstr(error->message, "virtbus has no virtual network 'default'"));
}

static gboolean
has_arg(const VbQemuCommand *cmd, const char *arg)
{
  return g_ptr_array_find_with_equal_func(cmd->args, arg, g_str_equal, NULL);
}

/* The value of the first @option, or NULL. */
static const char *
arg_value(const VbQemuCommand *cmd, const char *option)
{
  guint i;

  if (!g_ptr_array_find_with_equal_func(cmd->args, option, g_str_equal, &i) ||
      i + 1 >= cmd->args->len)
    return NULL;
  return cmd->args->pdata[i + 1];
}

#define FW_HEAD(os, machine)                                                                       \
  "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"                   \
  "<name>t</name><memory>131072</memory><os " os "><type arch='x86_64' machine='" machine          \
  "'>hvm</type>"
#define SECURE_PFLASH "driver=cfi.pflash01,property=secure,value=on"

/* What the firmware chosen for <os firmware>, or given with <loader>, puts on the command. */
static void
test_firmware(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCommand) plain = NULL, named = NULL, bios = NULL, drive = NULL, manual = NULL,
                           rom = NULL, empty = NULL;

  /* UEFI on pc: no SMM, the per-domain copy of the template in the state directory */
  plain = build(FW_HEAD("firmware='efi'", "pc") "</os></domain>", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(plain->nvram, ==, "/virtbus/lib/qemu/nvram/t_VARS.fd");
  g_assert_cmpstr(plain->nvram_template, ==, "/usr/share/OVMF/OVMF_VARS_4M.fd");
  g_assert_true(g_str_has_suffix(arg_value(plain, "-machine"),
                                 ",pflash0=libvirt-pflash0-format,pflash1=libvirt-pflash1-format"));
  g_assert_null(strstr(arg_value(plain, "-machine"), "smm="));
  g_assert_false(has_arg(plain, SECURE_PFLASH));
  g_assert_nonnull(strstr(arg_value(plain, "-blockdev"), "\"/usr/share/OVMF/OVMF_CODE_4M.fd\""));

  /* <nvram> names the store; its template still comes from the chosen firmware */
  named =
      build(FW_HEAD("firmware='efi'", "q35") "<nvram>/vm/t.fd</nvram></os></domain>", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(named->nvram, ==, "/vm/t.fd");
  g_assert_cmpstr(named->nvram_template, ==, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
  g_assert_nonnull(strstr(arg_value(named, "-machine"), ",smm=on,"));
  g_assert_true(has_arg(named, SECURE_PFLASH));

  /* a memory-mapped BIOS image */
  bios = build(FW_HEAD("firmware='bios'", "pc") "</os></domain>", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(arg_value(bios, "-bios"), ==, "/usr/share/seabios/bios-256k.bin");
  g_assert_null(bios->nvram);

  /* without -blockdev the units are -drive if=pflash, and -machine does not name them */
  drive = build(FW_HEAD("firmware='efi'", "pc") "</os><qemu:capabilities><qemu:del "
                                                "capability='blockdev'/></qemu:capabilities>"
                                                "</domain>",
                NULL, &error);
  g_assert_no_error(error);
  g_assert_true(has_arg(drive, "file=/usr/share/OVMF/OVMF_CODE_4M.fd,if=pflash,format=raw,"
                               "unit=0,readonly=on"));
  g_assert_true(has_arg(drive, "file=/virtbus/lib/qemu/nvram/t_VARS.fd,if=pflash,format=raw,"
                               "unit=1"));
  g_assert_null(strstr(arg_value(drive, "-machine"), "pflash"));

  /* given by hand: the secure flag and the template as written */
  manual = build(FW_HEAD("", "q35") "<loader readonly='yes' secure='yes' type='pflash'>"
                                    "/fw/CODE.fd</loader><nvram template='/fw/VARS.fd'>"
                                    "/vm/t.fd</nvram></os></domain>",
                 NULL, &error);
  g_assert_no_error(error);
  g_assert_true(has_arg(manual, SECURE_PFLASH));
  g_assert_nonnull(strstr(arg_value(manual, "-machine"), ",smm=on,"));
  g_assert_cmpstr(manual->nvram, ==, "/vm/t.fd");
  g_assert_cmpstr(manual->nvram_template, ==, "/fw/VARS.fd");
  rom = build(FW_HEAD("", "pc") "<loader type='rom'>/fw/bios.bin</loader></os></domain>", NULL,
              &error);
  g_assert_no_error(error);
  g_assert_cmpstr(arg_value(rom, "-bios"), ==, "/fw/bios.bin");

  /* an empty <loader> only makes sense as a hint for a chosen firmware */
  empty = build(FW_HEAD("", "pc") "<loader type='pflash'/></os></domain>", NULL, &error);
  g_assert_null(empty);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_cmpstr(error->message, ==,
                  "/domain/os/loader: needs a path, unless <os firmware='efi|bios'> asks "
                  "virtbus to choose one");
}

/* The environment is virtbus's own, never the caller's. */
static void
test_environment(void)
{
  g_autoptr(VbQemuCommand) cmd = NULL;
  g_auto(GStrv) envp = NULL;

  g_setenv("VIRTBUS_SHOULD_NOT_LEAK", "1", TRUE);
  cmd = build(HEAD "<clock offset='timezone' timezone='Europe/Paris'/></domain>", NULL, NULL);
  envp = vb_qemu_command_get_envp(cmd);
  g_assert_cmpstrv(envp, ((const char *const[]){
                             "LC_ALL=C",
                             "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                             "HOME=/virtbus/lib/qemu/domain-1-t",
                             "XDG_DATA_HOME=/virtbus/lib/qemu/domain-1-t/.local/share",
                             "XDG_CACHE_HOME=/virtbus/lib/qemu/domain-1-t/.cache",
                             "XDG_CONFIG_HOME=/virtbus/lib/qemu/domain-1-t/.config",
                             "TZ=Europe/Paris",
                             NULL,
                         }));
}

/* Monitor setup commands are data: the launcher gets the real password, every text form of
 * the command shows it redacted. */
static void
test_setup_commands(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCommand) cmd = build(
      HEAD DEVICES("<graphics type='vnc' passwd='s3cret, \"x\"'/>") "</domain>", NULL, &error);
  const VbQemuMonitorCommand *command;
  g_autoptr(JsonObject) json = NULL;
  g_autofree char *redacted = NULL;
  g_autofree char *lines = NULL;

  g_assert_no_error(error);
  g_assert_cmpuint(cmd->setup->len, ==, 1);
  command = cmd->setup->pdata[0];
  g_assert_cmpstr(command->execute, ==, "set_password");
  g_assert_cmpstr(command->secret, ==, "password");
  json = vb_qemu_monitor_command_to_json(command);
  g_assert_cmpstr(json_object_get_string_member(json, "execute"), ==, "set_password");
  g_assert_cmpstr(
      json_object_get_string_member(json_object_get_object_member(json, "arguments"), "password"),
      ==, "s3cret, \"x\"");
  redacted = vb_qemu_monitor_command_to_redacted(command);
  g_assert_cmpstr(redacted, ==,
                  "{\"execute\":\"set_password\",\"arguments\":{\"protocol\":\"vnc\","
                  "\"password\":\"…\"}}");
  lines = vb_qemu_command_to_lines(cmd);
  g_assert_null(strstr(lines, "s3cret"));
  /* redacting never touches the command itself */
  g_assert_cmpstr(json_object_get_string_member(command->arguments, "password"), ==,
                  "s3cret, \"x\"");
}

/* Export: one shell line, quoted so that a shell gives QEMU the same words. */
static void
test_native_quoting(void)
{
  g_autoptr(VbQemuCommand) cmd =
      build("<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
            "<name>it's</name><uuid>7e2a1f2c-3b4d-4e5f-8a9b-0c1d2e3f4a5b</uuid>"
            "<memory>131072</memory><os><type arch='x86_64' machine='q35'>hvm</type></os>"
            "<qemu:commandline><qemu:arg value='-append'/><qemu:arg value='a &quot;b&quot; $c'/>"
            "<qemu:env name='EMPTY'/></qemu:commandline></domain>",
            NULL, NULL);
  g_autofree char *line = vb_qemu_command_to_native(cmd);
  g_auto(GStrv) words = NULL;
  g_auto(GStrv) argv = vb_qemu_command_get_argv(cmd);
  g_autoptr(GError) error = NULL;
  guint n_env = cmd->env->len;

  g_assert_null(strchr(line, '\n'));
  g_assert_true(g_str_has_prefix(line, "LC_ALL=C PATH="));
  g_assert_nonnull(strstr(line, " HOME='/virtbus/lib/qemu/domain-1-it'\\''s' "));
  g_assert_nonnull(strstr(line, " EMPTY='' /usr/bin/qemu-system-x86_64 -name "));
  g_assert_true(g_str_has_suffix(line, " -append 'a \"b\" $c'"));
  /* a shell's reading of the line is the environment, then exactly argv */
  g_shell_parse_argv(line, NULL, &words, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(g_strv_length(words), ==, n_env + g_strv_length(argv));
  for (guint i = 0; argv[i] != NULL; i++)
    g_assert_cmpstr(words[n_env + i], ==, argv[i]);
  g_assert_true(g_ptr_array_find_with_equal_func(cmd->taints, "custom-argv", g_str_equal, NULL));
}

static void
add_golden(GPtrArray *inputs, const char *subdir)
{
  g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "data", subdir, NULL);
  g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
  const char *name;

  g_assert_nonnull(listing);
  while ((name = g_dir_read_name(listing)) != NULL) {
    /* inputs only: not the expected .inactive/.live views of tests/data/domains */
    if (g_str_has_suffix(name, ".xml") && strchr(name, '.') == strrchr(name, '.'))
      g_ptr_array_add(inputs, g_build_filename(dir, name, NULL));
  }
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func(g_free);
  int status;

  g_test_init(&argc, &argv, NULL);
  setup.caps = load_caps();
  setup.conf = conf_for(VB_INSTANCE_EMBED, "network_bridges = [ \"default=virbr0\" ]\n");
  setup.paths = vb_paths_new_embed("/virtbus", NULL);
  setup.kvm_usable = TRUE;
  setup.firmware = vb_test_load_firmware_fixtures();
  add_golden(inputs, "domains");
  add_golden(inputs, "qemu-argv");
  g_ptr_array_sort(inputs, compare_paths);
  for (guint i = 0; i < inputs->len; i++) {
    g_autofree char *base = g_path_get_basename(inputs->pdata[i]);
    g_autofree char *path = g_strdup_printf("/virtbus/qemu-command/golden/%s", base);

    g_autofree char *trip = g_strdup_printf("/virtbus/qemu-command/round-trip/%s", base);

    g_test_add_data_func(path, inputs->pdata[i], test_golden);
    g_test_add_data_func(trip, inputs->pdata[i], test_round_trip);
  }
  g_test_add_func("/virtbus/qemu-command/deterministic", test_deterministic);
  g_test_add_func("/virtbus/qemu-command/refusals", test_refusals);
  g_test_add_func("/virtbus/qemu-command/hvf", test_hvf);
  g_test_add_func("/virtbus/qemu-command/kvm-unusable", test_kvm_unusable);
  g_test_add_func("/virtbus/qemu-command/bridges", test_bridges);
  g_test_add_func("/virtbus/qemu-command/default-network", test_default_network);
  g_test_add_func("/virtbus/qemu-command/firmware", test_firmware);
  g_test_add_func("/virtbus/qemu-command/environment", test_environment);
  g_test_add_func("/virtbus/qemu-command/setup-commands", test_setup_commands);
  g_test_add_func("/virtbus/qemu-command/native-quoting", test_native_quoting);
  status = g_test_run();
  vb_qemu_caps_unref(setup.caps);
  vb_qemu_conf_unref(setup.conf);
  vb_paths_unref(setup.paths);
  g_ptr_array_unref(setup.firmware);
  return status;
}
