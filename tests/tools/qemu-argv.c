/* qemu-argv: print the QEMU command line virtbus builds for domain XML files.
 *
 * A developer's tool: qemu-argv [--caps CAPS.json] [--conf QEMU.CONF] [--firmware DIR]
 * DOMAIN.xml... builds each domain for export (as domxml-to-native) against recorded
 * capabilities and the firmware descriptors in DIR (default: the host's), one option per line;
 * qemu-argv --dump-caps BINARY probes an emulator and prints the JSON that tests/data/qemu-caps/
 * keeps.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>

#include "vb-domain-prepare.h"
#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-firmware.h"
#include "vb-qemu-command.h"
#include "vb-qemu-probe.h"

static void
on_probed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  VbQemuCaps **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = vb_qemu_probe_finish(result, &error);
  if (*out == NULL) {
    fprintf(stderr, "probe: %s\n", error->message);
    exit(1);
  }
}

static int
dump_caps(const char *binary)
{
  VbQemuCaps *caps = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  vb_qemu_probe_async(binary, NULL, on_probed, &caps);
  while (caps == NULL)
    g_main_context_iteration(NULL, TRUE);
  node = vb_qemu_caps_to_json(caps);
  text = json_to_string(node, TRUE);
  printf("%s\n", text);
  vb_qemu_caps_unref(caps);
  return 0;
}

int
main(int argc, char **argv)
{
  g_autoptr(VbQemuCaps) caps = NULL;
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_new_default(VB_INSTANCE_EMBED);
  g_autoptr(VbPaths) paths = vb_paths_new_embed("/virtbus", NULL);
  g_auto(GStrv) firmware_dirs = vb_firmware_search_dirs(VB_INSTANCE_EMBED);
  g_autoptr(GPtrArray) firmware = NULL;
  int status = 0;

  for (int i = 1; i < argc; i++) {
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    g_autoptr(VbDomainDefaults) defaults = NULL;
    g_autoptr(VbQemuCommand) cmd = NULL;
    g_autofree char *lines = NULL;
    gsize length;

    if (g_str_equal(argv[i], "--dump-caps") && i + 1 < argc)
      return dump_caps(argv[i + 1]);
    if (g_str_equal(argv[i], "--caps") && i + 1 < argc) {
      g_autoptr(JsonParser) parser = json_parser_new();

      if (!json_parser_load_from_file(parser, argv[++i], &error) ||
          (caps = vb_qemu_caps_new_from_json(json_parser_get_root(parser), &error)) == NULL) {
        fprintf(stderr, "%s: %s\n", argv[i], error->message);
        return 1;
      }
      continue;
    }
    if (g_str_equal(argv[i], "--conf") && i + 1 < argc) {
      g_clear_pointer(&conf, vb_qemu_conf_unref);
      conf = vb_qemu_conf_load(argv[++i], VB_INSTANCE_EMBED, &error);
      if (conf == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
      }
      continue;
    }
    if (g_str_equal(argv[i], "--firmware") && i + 1 < argc) {
      g_strfreev(firmware_dirs);
      firmware_dirs = g_strdupv((char *[]){argv[++i], NULL});
      g_clear_pointer(&firmware, g_ptr_array_unref);
      continue;
    }
    if (caps == NULL) {
      fprintf(stderr, "give --caps FILE before the domains\n");
      return 1;
    }
    if (firmware == NULL &&
        (firmware = vb_firmware_load((const char *const *)firmware_dirs, &error)) == NULL) {
      fprintf(stderr, "%s\n", error->message);
      return 1;
    }
    if (!g_file_get_contents(argv[i], &text, &length, &error) ||
        (def = vb_domain_def_parse(text, length, &error)) == NULL ||
        (defaults = vb_domain_defaults_new(
             caps, def->emulator != NULL ? def->emulator : vb_qemu_caps_get_binary(caps),
             def->os.arch, def->emulator != NULL, def->os.machine, &error)) == NULL) {
      fprintf(stderr, "%s: %s\n", argv[i], error->message);
      status = 1;
      continue;
    }
    {
      VbQemuCommandConfig config = {
          .defaults = defaults,
          .conf = conf,
          .paths = paths,
          .id = -1,
          .kvm_usable = TRUE,
          .export = TRUE,
          .now = 0,
          .firmware = firmware,
      };

      if (vb_domain_prepare_start(def, defaults, &error))
        cmd = vb_qemu_command_build(def, &config, &error);
    }
    if (cmd == NULL) {
      fprintf(stderr, "%s: %s: %s\n", argv[i], vb_error_get_dbus_name((VbError)error->code),
              error->message);
      status = 1;
      continue;
    }
    lines = vb_qemu_command_to_lines(cmd);
    printf("%s", lines);
  }
  return status;
}
