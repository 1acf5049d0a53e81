/* bench-define.c: what reading and checking a definition costs, typical and hostile.
 *
 *   parse:      a typical domain (virt-install's q35 + SPICE shape) read from XML
 *   validate:   that, plus its defaults and the command line built in export mode (what a
 *               define can check without starting anything), against recorded capabilities
 *   10k:        one domain with 10,000 devices (2,500 each of serial ports, consoles, disks,
 *               interfaces): every uniqueness check and numbering is linear, so this stays
 *               milliseconds, not seconds
 *   qemu.conf:  a qemu.conf of 1 MiB (the most it may have), one emulator_search_path list (checked
 * for repeats)
 *
 * Usage: bench-define [ROUNDS]. Prints the median of each.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vb-bench.h"
#include "vb-capabilities.h"
#include "vb-domain-prepare.h"
#include "vb-domain-xml.h"
#include "vb-qemu-command.h"
#include "vb-qemu-conf.h"

static char *
read_source_file(const char *relative)
{
  g_autofree char *path = g_build_filename(VB_SOURCE_DIR, relative, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents(path, &text, NULL, &error))
    g_error("%s", error->message);
  return text;
}

static VbQemuCaps *
load_caps(void)
{
  g_autofree char *text = read_source_file("tests/data/qemu-caps/qemu-7.2-x86_64.json");
  g_autoptr(JsonNode) node = json_from_string(text, NULL);
  g_autoptr(GError) error = NULL;
  VbQemuCaps *caps = vb_qemu_caps_new_from_json(node, &error);

  if (caps == NULL)
    g_error("%s", error->message);
  return caps;
}

static char *
many_devices(guint each)
{
  GString *xml = g_string_new("<domain type='qemu'><name>many</name><memory>1048576</memory>"
                              "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>\n");

  for (guint i = 0; i < each; i++) {
    g_autofree char *letters = NULL;
    GString *name = g_string_new(NULL);

    /* vda … vdz, vdaa …: the disk name for index i */
    for (guint n = i + 1; n > 0; n = (n - 1) / 26)
      g_string_prepend_c(name, (char)('a' + (n - 1) % 26));
    letters = g_string_free(name, FALSE);
    g_string_append_printf(xml,
                           "<serial type='pty'/><console type='pty'><target type='virtio'/>"
                           "</console><disk type='file'><source file='/d%u'/>"
                           "<target dev='vd%s' bus='virtio'/></disk>"
                           "<interface type='user'/>\n",
                           i, letters);
  }
  g_string_append(xml, "</devices></domain>\n");
  return g_string_free(xml, FALSE);
}

static char *
big_conf(void)
{
  GString *conf = g_string_new("emulator_search_path = [\n");

  /* as close to the 1 MiB a qemu.conf may have as it gets */
  for (guint i = 0; conf->len < 1024 * 1024 - 64; i++)
    g_string_append_printf(conf, "  \"/opt/bench/emulators-%u\",\n", i);
  g_string_append(conf, "  \"/usr/local/bin\"\n]\n");
  return g_string_free(conf, FALSE);
}

int
main(int argc, char **argv)
{
  guint rounds = argc > 1 ? (guint)atoi(argv[1]) : 200;
  g_autofree char *typical = read_source_file("tests/data/domains/virt-install-q35-spice.xml");
  g_autofree char *many = many_devices(2500);
  g_autofree char *conf_text = big_conf();
  g_autoptr(VbQemuCaps) caps = load_caps();
  /* the fixture's NIC is on libvirt's "default" network */
  static const char bridges[] = "network_bridges = [ \"default=virbr0\" ]\n";
  g_autoptr(VbQemuConf) conf =
      vb_qemu_conf_load_from_data("qemu.conf", bridges, strlen(bridges), VB_INSTANCE_EMBED, NULL);
  g_autoptr(VbPaths) paths = vb_paths_new_embed("/bench", NULL);
  g_autoptr(GArray) parse = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) validate = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) big = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) confs = g_array_new(FALSE, FALSE, sizeof(gint64));

  for (guint i = 0; i < rounds; i++) {
    g_autoptr(GError) error = NULL;
    gint64 start = g_get_monotonic_time(), parsed;
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(typical, strlen(typical), &error);
    g_autoptr(VbDomainDefaults) defaults = NULL;
    g_autoptr(VbQemuCommand) command = NULL;
    VbQemuCommandConfig config = {
        .conf = conf, .paths = paths, .id = -1, .export = TRUE, .kvm_usable = TRUE};

    if (def == NULL)
      g_error("%s", error->message);
    parsed = g_get_monotonic_time();
    defaults = vb_domain_defaults_new(caps, "/usr/bin/qemu-system-x86_64", def->os.arch, TRUE,
                                      def->os.machine, &error);
    if (defaults == NULL)
      g_error("%s", error->message);
    config.defaults = defaults;
    if (vb_domain_prepare_define(def, defaults, &error))
      command = vb_qemu_command_build(def, &config, &error);
    if (command == NULL)
      g_error("%s", error->message);
    parsed -= start;
    g_array_append_val(parse, parsed);
    start = g_get_monotonic_time() - start;
    g_array_append_val(validate, start);
  }
  for (guint i = 0; i < MAX(rounds / 40, 3); i++) {
    g_autoptr(GError) error = NULL;
    gint64 start = g_get_monotonic_time();
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(many, strlen(many), &error);
    g_autoptr(VbQemuConf) loaded = NULL;

    if (def == NULL)
      g_error("%s", error->message);
    start = g_get_monotonic_time() - start;
    g_array_append_val(big, start);
    start = g_get_monotonic_time();
    loaded = vb_qemu_conf_load_from_data("qemu.conf", conf_text, strlen(conf_text),
                                         VB_INSTANCE_SYSTEM, &error);
    if (loaded == NULL)
      g_error("%s", error->message);
    start = g_get_monotonic_time() - start;
    g_array_append_val(confs, start);
  }
  g_print("%u rounds (medians)\n", rounds);
  g_print("parse, typical domain:          %8.1f us\n", vb_bench_median_us(parse));
  g_print("validate (parse + export build): %8.1f us\n", vb_bench_median_us(validate));
  g_print("parse, 10,000 devices (%zu KiB): %8.1f ms\n", strlen(many) / 1024,
          vb_bench_median_us(big) / 1000);
  g_print("qemu.conf, 1 MiB list:           %8.1f ms\n", vb_bench_median_us(confs) / 1000);
  return 0;
}
