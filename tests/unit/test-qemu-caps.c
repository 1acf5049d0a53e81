/* test-qemu-caps.c: the probe's queries over a scripted monitor, and reading capabilities back
 * from JSON (the cache format) strictly.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-qemu-probe.h"
#include "vb-test-qmp-peer.h"

typedef struct {
  const char *greeting_version; /* JSON of version.qemu */
  const char *target;
  gboolean machines_fail;
  gboolean no_cpu_definitions;
  const char *machines; /* (nullable): query-machines' reply instead of the usual one */
  const char *commands; /* (nullable): query-commands' reply instead of the usual one */
  const char *max;      /* (nullable): the expansion of "max" instead of the usual one */
} Script;

/* Static expansions: "max" with a value of each type, cortex-a57 with two features; versioned
 * names are never asked for, and neoverse-n1 is one QEMU cannot expand. */
static void
reply_expansion(VbTestQmpPeer *peer, JsonObject *command, const Script *script)
{
  JsonObject *arguments = json_object_get_object_member(command, "arguments");
  const char *model =
      json_object_get_string_member(json_object_get_object_member(arguments, "model"), "name");

  g_assert_cmpstr(json_object_get_string_member(arguments, "type"), ==, "static");
  g_assert_cmpstr(model, !=, "cortex-a57-v2");
  g_assert_cmpstr(model, !=, "a64fx"); /* not usable */
  if (strcmp(model, "max") == 0 && script->max != NULL)
    vb_test_qmp_peer_reply(peer, command, script->max);
  else if (strcmp(model, "max") == 0)
    vb_test_qmp_peer_reply(peer, command,
                           "{\"model\": {\"name\": \"base\", \"props\": {\"sve\": true, \"aes\": "
                           "true, \"pmu\": false, \"vendor\": \"ARM\", \"level\": 3}}}");
  else if (strcmp(model, "cortex-a57") == 0)
    vb_test_qmp_peer_reply(peer, command,
                           "{\"model\": {\"name\": \"base\", \"props\": {\"aes\": true, "
                           "\"pmu\": false, \"vendor\": \"ARM\"}}}");
  else
    vb_test_qmp_peer_reply_error(peer, command, "GenericError", "cannot expand");
}

static void
script_probe(VbTestQmpPeer *peer, gpointer data)
{
  const Script *script = data;
  g_autofree char *greeting = g_strdup_printf(
      "{\"QMP\": {\"version\": {\"qemu\": %s, \"package\": \"\"}, \"capabilities\": []}}\r\n",
      script->greeting_version);
  JsonObject *command;

  vb_test_qmp_peer_send_text(peer, greeting);
  while ((command = vb_test_qmp_peer_read_command(peer, NULL)) != NULL) {
    const char *execute = json_object_get_string_member(command, "execute");

    if (strcmp(execute, "qmp_capabilities") == 0)
      vb_test_qmp_peer_reply(peer, command, "{}");
    else if (strcmp(execute, "query-version") == 0)
      vb_test_qmp_peer_reply(peer, command,
                             "{\"qemu\": {\"major\": 8, \"minor\": 1, \"micro\": 0}, "
                             "\"package\": \"v8.1.0\"}");
    else if (strcmp(execute, "query-target") == 0) {
      g_autofree char *reply = g_strdup_printf("{\"arch\": \"%s\"}", script->target);

      vb_test_qmp_peer_reply(peer, command, reply);
    } else if (strcmp(execute, "query-kvm") == 0)
      vb_test_qmp_peer_reply(peer, command, "{\"present\": true, \"enabled\": false}");
    else if (strcmp(execute, "query-machines") == 0 && script->machines_fail)
      vb_test_qmp_peer_reply_error(peer, command, "GenericError", "no machines today");
    else if (strcmp(execute, "query-machines") == 0 && script->machines != NULL)
      vb_test_qmp_peer_reply(peer, command, script->machines);
    else if (strcmp(execute, "query-machines") == 0)
      vb_test_qmp_peer_reply(
          peer, command,
          "[{\"name\": \"none\", \"cpu-max\": 1}, {\"name\": \"virt-8.1\", \"alias\": \"virt\", "
          "\"cpu-max\": 512, \"hotpluggable-cpus\": true, \"default-cpu-type\": "
          "\"cortex-a57-arm-cpu\"}, {\"name\": \"old\", \"cpu-max\": 4, \"deprecated\": true, "
          "\"is-default\": true, \"default-cpu-type\": \"cortex-a15-aarch64-cpu\"}]");
    else if (strcmp(execute, "query-cpu-definitions") == 0 && script->no_cpu_definitions)
      vb_test_qmp_peer_reply_error(peer, command, "CommandNotFound", "not on this target");
    else if (strcmp(execute, "query-cpu-definitions") == 0)
      vb_test_qmp_peer_reply(
          peer, command,
          "[{\"name\": \"max\", \"unavailable-features\": []}, {\"name\": "
          "\"a64fx\", \"unavailable-features\": [\"sve\"], \"deprecated\": false}, "
          "{\"name\": \"cortex-a57\", \"typename\": \"cortex-a57-arm-cpu\", "
          "\"unavailable-features\": []}, {\"name\": \"cortex-a57-v2\", "
          "\"unavailable-features\": []}, {\"name\": \"neoverse-n1\", \"unavailable-features\": "
          "[]}]");
    else if (strcmp(execute, "query-cpu-model-expansion") == 0)
      reply_expansion(peer, command, script);
    else if (strcmp(execute, "qom-list-types") == 0) {
      /* Only concrete types are asked for. */
      g_assert_true(json_object_get_boolean_member(
                        json_object_get_object_member(command, "arguments"), "abstract") == FALSE);
      vb_test_qmp_peer_reply(peer, command,
                             "[{\"name\": \"virtio-blk-pci\", \"parent\": \"x\"}, {\"name\": "
                             "\"tcg-accel\"}, {\"name\": \"lsi53c895a\"}]");
    } else if (strcmp(execute, "query-commands") == 0 && script->commands != NULL)
      vb_test_qmp_peer_reply(peer, command, script->commands);
    else if (strcmp(execute, "query-commands") == 0)
      vb_test_qmp_peer_reply(peer, command, "[{\"name\": \"blockdev-add\"}, {\"name\": \"quit\"}]");
    else if (strcmp(execute, "query-command-line-options") == 0)
      vb_test_qmp_peer_reply(peer, command,
                             "[{\"option\": \"sandbox\", \"parameters\": [{\"name\": \"enable\", "
                             "\"type\": \"boolean\"}]}]");
    else
      vb_test_qmp_peer_reply_error(peer, command, "CommandNotFound", execute);
    json_object_unref(command);
  }
}

static VbQemuCaps *
probe(const Script *script, GError **error)
{
  return vb_test_probe_with_peer(script_probe, (gpointer)script, "/opt/qemu/qemu-system-aarch64",
                                 error);
}

static void
test_probe(void)
{
  Script script = {"{\"major\": 8, \"minor\": 1, \"micro\": 0}", "aarch64", FALSE, FALSE};
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = probe(&script, &error);
  g_autoptr(VbQemuCaps) reread = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_auto(GStrv) flags = NULL;
  const GPtrArray *machines;
  const GPtrArray *cpus;

  g_assert_no_error(error);
  g_assert_cmpstr(vb_qemu_caps_get_binary(caps), ==, "/opt/qemu/qemu-system-aarch64");
  g_assert_cmpuint(vb_qemu_caps_get_version(caps), ==, VB_QEMU_VERSION(8, 1, 0));
  g_assert_cmpstr(vb_qemu_caps_get_package(caps), ==, "v8.1.0");
  g_assert_cmpstr(vb_qemu_caps_get_arch(caps), ==, "aarch64");
  g_assert_false(vb_qemu_caps_get_kvm_enabled(caps));

  /* "none" is left out, the default comes first. */
  machines = vb_qemu_caps_get_machines(caps);
  g_assert_cmpuint(machines->len, ==, 2);
  g_assert_cmpstr(((VbQemuMachine *)machines->pdata[0])->name, ==, "old");
  g_assert_true(((VbQemuMachine *)machines->pdata[0])->deprecated);
  g_assert_true(vb_qemu_caps_get_default_machine(caps) == machines->pdata[0]);
  g_assert_cmpstr(vb_qemu_caps_lookup_machine(caps, "virt")->name, ==, "virt-8.1");
  g_assert_cmpuint(vb_qemu_caps_lookup_machine(caps, "virt")->max_cpus, ==, 512);
  /* the default CPU type as a model name: by the models' type names, else by QEMU's suffix */
  g_assert_cmpstr(vb_qemu_caps_lookup_machine(caps, "virt")->default_cpu, ==, "cortex-a57");
  g_assert_cmpstr(vb_qemu_caps_lookup_machine(caps, "old")->default_cpu, ==, "cortex-a15");
  g_assert_null(vb_qemu_caps_lookup_machine(caps, "none"));

  cpus = vb_qemu_caps_get_cpu_models(caps);
  g_assert_cmpuint(cpus->len, ==, 5);
  g_assert_true(((VbQemuCpuModel *)cpus->pdata[0])->usable);
  g_assert_false(((VbQemuCpuModel *)cpus->pdata[1])->usable);
  /* the expansions: "max" knows each boolean, others are no features */
  g_assert_true(vb_qemu_caps_has_cpu_max(caps));
  g_assert_cmpstr(vb_qemu_caps_get_cpu_max_vendor(caps), ==, "ARM");
  g_assert_cmpstrv(vb_qemu_caps_get_cpu_max_features(caps),
                   ((const char *const[]){"aes", "sve", NULL}));
  g_assert_cmpint(vb_qemu_caps_cpu_feature(caps, "sve", NULL), ==, VB_QEMU_CPU_FEATURE_ON);
  g_assert_cmpint(vb_qemu_caps_cpu_feature(caps, "pmu", NULL), ==, VB_QEMU_CPU_FEATURE_OFF);
  g_assert_cmpint(vb_qemu_caps_cpu_feature(caps, "level", NULL), ==, VB_QEMU_CPU_FEATURE_UNKNOWN);
  g_assert_cmpstrv(vb_qemu_caps_lookup_cpu_model(caps, "cortex-a57")->features,
                   ((const char *const[]){"aes", NULL}));
  g_assert_cmpstr(vb_qemu_caps_lookup_cpu_model(caps, "cortex-a57")->vendor, ==, "ARM");
  g_assert_null(vb_qemu_caps_lookup_cpu_model(caps, "neoverse-n1")->features);
  g_assert_null(vb_qemu_caps_lookup_cpu_model(caps, "cortex-a57-v2")->features);

  flags = vb_qemu_caps_list_flags(caps);
  g_assert_cmpstrv(flags, ((const char *const[]){"blockdev", "device.json", "lsi",
                                                 "seccomp-sandbox", "tcg", NULL}));
  g_assert_true(vb_qemu_caps_has_flag(caps, "device.virtio-blk-pci"));
  g_assert_true(vb_qemu_caps_has_flag(caps, "machine.virt"));
  g_assert_true(vb_qemu_caps_has_flag(caps, "machine.virt-8.1"));
  g_assert_false(vb_qemu_caps_has_flag(caps, "kvm"));
  /* a named flag that looks like the device family is the named flag */
  g_assert_true(vb_qemu_caps_has_flag(caps, "device.json"));
  g_assert_false(vb_qemu_caps_has_flag(caps, "device.no-such-type"));

  /* What the cache stores reads back the same. */
  json = vb_qemu_caps_to_json(caps);
  reread = vb_qemu_caps_new_from_json(json, &error);
  g_assert_no_error(error);
  {
    g_auto(GStrv) again = vb_qemu_caps_list_flags(reread);

    g_assert_true(g_strv_equal((const char *const *)flags, (const char *const *)again));
  }
  g_assert_cmpuint(vb_qemu_caps_get_machines(reread)->len, ==, 2);
}

static void
test_probe_refusals(void)
{
  Script old = {"{\"major\": 2, \"minor\": 12, \"micro\": 0}", "x86_64", FALSE, FALSE};
  Script no_machines = {"{\"major\": 7, \"minor\": 2, \"micro\": 0}", "x86_64", TRUE, FALSE};
  Script unknown_arch = {"{\"major\": 7, \"minor\": 2, \"micro\": 0}", "tricore", FALSE, FALSE};
  Script no_cpus = {"{\"major\": 7, \"minor\": 2, \"micro\": 0}", "x86_64", FALSE, TRUE};
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = NULL;

  caps = probe(&old, &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr(error->message, ==,
                  "/opt/qemu/qemu-system-aarch64 is QEMU 2.12.0; virtbus needs QEMU 3.1 or later");
  g_clear_error(&error);

  caps = probe(&no_machines, &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR);
  g_assert_cmpstr(error->message, ==,
                  "QEMU refused 'query-machines': GenericError: no machines today");
  g_clear_error(&error);

  caps = probe(&unknown_arch, &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr(error->message, ==,
                  "Probing /opt/qemu/qemu-system-aarch64: /opt/qemu/qemu-system-aarch64 emulates "
                  "'tricore', an architecture virtbus does not know");
  g_clear_error(&error);

  /* A target without CPU models is fine: it has none to list. */
  caps = probe(&no_cpus, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(vb_qemu_caps_get_cpu_models(caps)->len, ==, 0);
}

/* Replies of the wrong shape are refused by name, never a GLib critical. */
static void
test_probe_hostile(void)
{
  Script object_machines = {"{\"major\": 7, \"minor\": 2, \"micro\": 0}", "x86_64", FALSE, FALSE,
                            "{\"name\": \"pc\"}"};
  Script odd_machine = {"{\"major\": 7, \"minor\": 2, \"micro\": 0}", "x86_64", FALSE, FALSE,
                        "[{\"name\": {\"x\": 1}, \"cpu-max\": 1}]"};
  Script odd_commands = {"{\"major\": 7, \"minor\": 2, \"micro\": 0}",
                         "x86_64",
                         FALSE,
                         FALSE,
                         NULL,
                         "[{\"name\": 5}, {\"name\": {}}, 7, {\"name\": \"blockdev-add\"}]"};
  /* expansions of no use: no "max" CPU, and nothing concluded from its absence */
  static const char *const odd_expansions[] = {
      "{\"model\": []}",
      "{\"model\": {\"name\": \"base\"}}",
      "{\"model\": {\"name\": \"base\", \"props\": [true]}}",
      "{\"model\": {\"name\": \"base\", \"props\": {\"vendor\": 5, \"sse2\": true}}}",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = NULL;

  for (guint i = 0; i < G_N_ELEMENTS(odd_expansions); i++) {
    Script odd_max = {"{\"major\": 7, \"minor\": 2, \"micro\": 0}",
                      "x86_64",
                      FALSE,
                      FALSE,
                      NULL,
                      NULL,
                      odd_expansions[i]};
    g_autoptr(VbQemuCaps) expanded = probe(&odd_max, &error);

    g_assert_no_error(error);
    g_assert_false(vb_qemu_caps_has_cpu_max(expanded));
    g_assert_cmpint(vb_qemu_caps_cpu_feature(expanded, "sse2", NULL), ==,
                    VB_QEMU_CPU_FEATURE_UNKNOWN);
    /* and no model was expanded for host-model either */
    g_assert_null(vb_qemu_caps_lookup_cpu_model(expanded, "cortex-a57")->features);
  }

  caps = probe(&object_machines, &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR);
  g_assert_cmpstr(error->message, ==,
                  "QEMU answered 'query-machines' with an object, not an array");
  g_clear_error(&error);

  caps = probe(&odd_machine, &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_true(
      g_str_has_suffix(error->message, "machine 0: member \"name\" is an object, not a string"));
  g_clear_error(&error);

  /* Names that are not strings are not commands: the one that is stays. */
  caps = probe(&odd_commands, &error);
  g_assert_no_error(error);
  g_assert_true(vb_qemu_caps_has_flag(caps, "blockdev"));
}

static void
test_json_errors(void)
{
  static const struct {
    const char *json;
    const char *message;
  } cases[] = {
      {"[]", "capabilities are not a JSON object"},
      {"{}", "capabilities has no member \"binary\""},
      {"{\"binary\": 1}", "capabilities: member \"binary\" is an integer, not a string"},
      {"{\"binary\": \"/q\", \"version\": -4}",
       "capabilities: member \"version\" is -4, outside 0..4294967295"},
      {"{\"binary\": \"/q\", \"version\": 7002000, \"target\": \"x86_64\", \"machines\": {}}",
       "capabilities: member \"machines\" is an object, not an array"},
      {"{\"binary\": \"/q\", \"version\": 7002000, \"target\": \"x86_64\", \"machines\": [1]}",
       "machine 0 is not an object"},
      {"{\"binary\": \"/q\", \"version\": 7002000, \"target\": \"x86_64\", \"machines\": "
       "[{\"name\": \"pc\", \"deprecated\": \"no\"}]}",
       "machine 0: member \"deprecated\" is a string, not a boolean"},
      {"{\"binary\": \"/q\", \"version\": 7002000, \"target\": \"x86_64\", \"machines\": "
       "[{\"name\": \"pc\"}], \"cpu-definitions\": [], \"types\": [\"a\", 2]}",
       "capabilities: item 1 of \"types\" is an integer, not a string"},
      {"{\"binary\": \"/q\", \"version\": 7002000, \"target\": \"x86_64\", \"machines\": "
       "[{\"name\": \"pc\"}], \"cpu-definitions\": [], \"types\": [], \"commands\": [], "
       "\"command-line-options\": {}}",
       "capabilities has no member \"kvm\""},
      {"{\"binary\": \"/q\", \"version\": 7002000, \"target\": \"x86_64\", \"machines\": "
       "[{\"name\": \"none\"}], \"cpu-definitions\": [], \"types\": [], \"commands\": [], "
       "\"command-line-options\": {}, \"kvm\": {}}",
       "/q reports no machine types"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = json_from_string(cases[i].json, &error);
    g_autoptr(VbQemuCaps) caps = NULL;

    g_assert_no_error(error);
    caps = vb_qemu_caps_new_from_json(node, &error);
    g_assert_null(caps);
    g_assert_nonnull(error);
    g_assert_cmpstr(error->message, ==, cases[i].message);
  }
}

static void
test_known_flags(void)
{
  g_autoptr(GPtrArray) known = vb_qemu_caps_list_known_flags();

  g_assert_cmpuint(known->len, >, 50);
  g_assert_true(vb_qemu_caps_flag_is_known("blockdev"));
  g_assert_true(vb_qemu_caps_flag_is_known("device.virtio-blk-pci"));
  g_assert_true(vb_qemu_caps_flag_is_known("machine.q35"));
  g_assert_false(vb_qemu_caps_flag_is_known("device."));
  g_assert_false(vb_qemu_caps_flag_is_known("blockdev-add"));
  g_assert_true(vb_qemu_caps_flag_is_libvirts("virtio-scsi-pci"));
  g_assert_false(vb_qemu_caps_flag_is_libvirts("blockdev"));
  g_assert_cmpstr(vb_arch_from_qemu_target("i386"), ==, "i686");
  g_assert_cmpstr(vb_arch_from_qemu_target("hppa"), ==, "parisc");
  g_assert_null(vb_arch_from_qemu_target("x86_64-microvm"));
  g_assert_cmpuint(vb_arch_get_wordsize("i686"), ==, 32);
  g_assert_cmpuint(vb_arch_get_wordsize("s390x"), ==, 64);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  g_test_add_func("/virtbus/qemu-caps/probe", test_probe);
  g_test_add_func("/virtbus/qemu-caps/probe-refusals", test_probe_refusals);
  g_test_add_func("/virtbus/qemu-caps/probe-hostile", test_probe_hostile);
  g_test_add_func("/virtbus/qemu-caps/json-errors", test_json_errors);
  g_test_add_func("/virtbus/qemu-caps/known-flags", test_known_flags);
  return g_test_run();
}
