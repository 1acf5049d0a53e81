/* test-capabilities.c: probing the real qemu-system-x86_64, the cache, the capabilities XML and
 * the defaults a domain gets. Each case works in an embed root of its own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "vb-capabilities.h"
#include "vb-error.h"
#include "vb-test-schema.h"
#include "vb-test-tree.h"
#include "vb-test-wait.h"

#define QEMU "/usr/bin/qemu-system-x86_64"

typedef struct {
  char *root;
  VbPaths *paths;
  VbQemuConf *conf;
  GPtrArray *results; /* (element-type GAsyncResult) */
} Fixture;

static void
fixture_set_up(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->root = g_dir_make_tmp("vb-caps-XXXXXX", &error);
  g_assert_no_error(error);
  fx->paths = vb_paths_new_embed(fx->root, &error);
  g_assert_no_error(error);
  fx->conf = vb_qemu_conf_new_default(VB_INSTANCE_EMBED);
  fx->results = g_ptr_array_new_with_free_func(g_object_unref);
}

static void
fixture_tear_down(Fixture *fx, gconstpointer data)
{
  vb_test_remove_tree(fx->root);
  g_free(fx->root);
  vb_paths_unref(fx->paths);
  vb_qemu_conf_unref(fx->conf);
  g_ptr_array_unref(fx->results);
}

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add(fx->results, g_object_ref(result));
}

static GAsyncResult *
wait_result(Fixture *fx)
{
  VB_TEST_WAIT_UNTIL(NULL, fx->results->len > 0, "the first capability lookup to answer");
  return g_ptr_array_steal_index(fx->results, 0);
}

static VbQemuCaps *
lookup(Fixture *fx, VbCapabilities *capabilities, const char *binary, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vb_capabilities_lookup_async(capabilities, binary, NULL, on_result, fx);
  result = wait_result(fx);
  return vb_capabilities_lookup_finish(capabilities, result, error);
}

static void
test_probe(Fixture *fx, gconstpointer data)
{
  g_autoptr(VbCapabilities) capabilities = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = NULL;
  g_autoptr(VbQemuCaps) again = NULL;
  g_auto(GStrv) flags = NULL;
  g_autofree char *cache_file = vb_capabilities_get_cache_file(capabilities, QEMU);
  const VbQemuMachine *pc;

  /* Creating it probed nothing. */
  g_assert_cmpuint(vb_capabilities_get_probe_count(capabilities), ==, 0);
  g_assert_false(g_file_test(cache_file, G_FILE_TEST_EXISTS));

  caps = lookup(fx, capabilities, QEMU, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(vb_capabilities_get_probe_count(capabilities), ==, 1);
  g_assert_true(g_file_test(cache_file, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr(vb_qemu_caps_get_binary(caps), ==, QEMU);
  g_assert_cmpstr(vb_qemu_caps_get_arch(caps), ==, "x86_64");
  g_assert_cmpuint(vb_qemu_caps_get_version(caps), >=, VB_QEMU_MIN_VERSION);

  /* The "pc" alias points at a canonical pc-i440fx machine, which is QEMU's default. */
  pc = vb_qemu_caps_lookup_machine(caps, "pc");
  g_assert_nonnull(pc);
  g_assert_true(g_str_has_prefix(pc->name, "pc-i440fx-"));
  g_assert_cmpstr(pc->alias, ==, "pc");
  g_assert_true(pc->is_default);
  g_assert_true(vb_qemu_caps_get_default_machine(caps) == pc);
  g_assert_cmpuint(pc->max_cpus, >, 1);
  g_assert_null(vb_qemu_caps_lookup_machine(caps, "no-such-machine"));
  g_assert_cmpuint(vb_qemu_caps_get_cpu_models(caps)->len, >, 10);

  /* Flags of each kind: command, type, option, family. */
  g_assert_true(vb_qemu_caps_has_flag(caps, "blockdev"));
  g_assert_true(vb_qemu_caps_has_flag(caps, "tcg"));
  g_assert_true(vb_qemu_caps_has_flag(caps, "seccomp-sandbox"));
  g_assert_true(vb_qemu_caps_has_flag(caps, "virtio-scsi-pci"));
  g_assert_true(vb_qemu_caps_has_flag(caps, "device.virtio-blk-pci"));
  g_assert_true(vb_qemu_caps_has_flag(caps, "machine.q35"));
  g_assert_true(vb_qemu_caps_has_flag(caps, "machine.pc"));
  g_assert_false(vb_qemu_caps_has_flag(caps, "machine.no-such-machine"));
  g_assert_false(vb_qemu_caps_has_flag(caps, "device.no-such-device"));
  /* a flag nobody defined is a bug in the caller: refused loudly (in debug builds) */
  g_test_expect_message("virtbus", G_LOG_LEVEL_CRITICAL,
                        "'no-such-flag' is not a capability flag virtbus knows");
  g_assert_false(vb_qemu_caps_has_flag(caps, "no-such-flag"));
  g_test_assert_expected_messages();
  flags = vb_qemu_caps_list_flags(caps);
  g_assert_true(g_strv_contains((const char *const *)flags, "blockdev"));
  for (guint i = 1; flags[i] != NULL; i++)
    g_assert_cmpint(strcmp(flags[i - 1], flags[i]), <, 0);

  /* Served from memory the second time: no new QEMU. */
  again = lookup(fx, capabilities, QEMU, &error);
  g_assert_no_error(error);
  g_assert_true(again == caps);
  g_assert_cmpuint(vb_capabilities_get_probe_count(capabilities), ==, 1);
}

static void
test_cache_file(Fixture *fx, gconstpointer data)
{
  g_autoptr(VbCapabilities) first = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(VbCapabilities) second = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(VbQemuCaps) probed = NULL;
  g_autoptr(VbQemuCaps) cached = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) probed_flags = NULL;
  g_auto(GStrv) cached_flags = NULL;

  probed = lookup(fx, first, QEMU, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(vb_capabilities_get_probe_count(first), ==, 1);

  /* Another instance of the driver (a restarted daemon) reads the file: no probe at all. */
  cached = lookup(fx, second, QEMU, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(vb_capabilities_get_probe_count(second), ==, 0);
  g_assert_true(cached != probed);
  probed_flags = vb_qemu_caps_list_flags(probed);
  cached_flags = vb_qemu_caps_list_flags(cached);
  g_assert_true(g_strv_equal((const char *const *)probed_flags, (const char *const *)cached_flags));
  g_assert_cmpuint(vb_qemu_caps_get_machines(cached)->len, ==,
                   vb_qemu_caps_get_machines(probed)->len);
}

static void
test_concurrent(Fixture *fx, gconstpointer data)
{
  g_autoptr(VbCapabilities) capabilities = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_caps_unref);

  /* Three callers at once share one probe. */
  for (int i = 0; i < 3; i++)
    vb_capabilities_lookup_async(capabilities, QEMU, NULL, on_result, fx);
  VB_TEST_WAIT_UNTIL(NULL, fx->results->len >= 3, "three concurrent capability lookups to answer");
  for (guint i = 0; i < 3; i++) {
    g_autoptr(GError) error = NULL;
    VbQemuCaps *caps = vb_capabilities_lookup_finish(capabilities, fx->results->pdata[i], &error);

    g_assert_no_error(error);
    g_ptr_array_add(all, caps);
  }
  g_assert_cmpuint(vb_capabilities_get_probe_count(capabilities), ==, 1);
  g_assert_true(all->pdata[0] == all->pdata[1]);
  g_assert_true(all->pdata[1] == all->pdata[2]);
}

static void
on_changed(VbCapabilities *capabilities, gpointer user_data)
{
  (*(guint *)user_data)++;
}

static void
test_invalidation(Fixture *fx, gconstpointer data)
{
  guint changes = 0, seen;
  g_autoptr(VbCapabilities) capabilities = vb_capabilities_new(fx->paths, fx->conf);
  g_autofree char *bin = g_build_filename(fx->root, "usr", "bin", NULL);
  g_autofree char *lib = g_build_filename(fx->root, "usr", "lib", NULL);
  g_autofree char *modules = g_build_filename(lib, "x86_64-linux-gnu", NULL);
  g_autofree char *copy = g_build_filename(bin, "qemu-system-x86_64", NULL);
  g_autoptr(GFile) from = g_file_new_for_path(QEMU);
  g_autoptr(GFile) to = g_file_new_for_path(copy);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = NULL;
  struct utimbuf times = {.actime = 1000000000, .modtime = 1000000000};

  /* QEMU finds its modules relative to its own path (../lib/<triplet>/qemu), so the copy gets
   * a tree of its own with the installed modules linked in. */
  g_assert_no_errno(g_mkdir_with_parents(bin, 0755));
  g_assert_no_errno(g_mkdir_with_parents(modules, 0755));
  {
    g_autofree char *link = g_build_filename(modules, "qemu", NULL);

    g_assert_no_errno(symlink("/usr/lib/x86_64-linux-gnu/qemu", link));
  }
  g_file_copy(from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_no_errno(g_chmod(copy, 0755));

  caps = lookup(fx, capabilities, copy, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(vb_qemu_caps_get_binary(caps), ==, copy);
  g_clear_pointer(&caps, vb_qemu_caps_unref);
  caps = lookup(fx, capabilities, copy, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(vb_capabilities_get_probe_count(capabilities), ==, 1);

  /* Touching the binary (a package upgrade would) makes the next lookup probe again: the
   * entry in memory is dropped when the binary's monitor reports the change. */
  g_signal_connect(capabilities, "changed", G_CALLBACK(on_changed), &changes);
  seen = changes;
  g_assert_no_errno(utime(copy, &times));
  VB_TEST_WAIT_UNTIL(NULL, changes > seen, "the capabilities to see the binary change");
  g_clear_pointer(&caps, vb_qemu_caps_unref);
  caps = lookup(fx, capabilities, copy, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(vb_capabilities_get_probe_count(capabilities), ==, 2);

  /* A binary that is gone is an error naming it. */
  seen = changes;
  g_assert_no_errno(g_unlink(copy));
  VB_TEST_WAIT_UNTIL(NULL, changes > seen, "the capabilities to see the binary go");
  g_clear_pointer(&caps, vb_qemu_caps_unref);
  caps = lookup(fx, capabilities, copy, &error);
  g_assert_null(caps);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_true(strstr(error->message, copy) != NULL);
  g_assert_true(strstr(error->message, "No such file or directory") != NULL);
}

static void
test_corrupt_cache(Fixture *fx, gconstpointer data)
{
  g_autoptr(VbCapabilities) first = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(VbCapabilities) second = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(VbCapabilities) third = vb_capabilities_new(fx->paths, fx->conf);
  g_autofree char *cache_file = vb_capabilities_get_cache_file(first, QEMU);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = NULL;
  g_autofree char *pattern = NULL;

  caps = lookup(fx, first, QEMU, &error);
  g_assert_no_error(error);
  g_assert_true(g_file_set_contents(cache_file, "{\"virtbus\": \"0.1.0\", \"capabil", -1, NULL));

  /* One warning naming the file, a new probe, and a good file again. */
  pattern = g_strdup_printf("Ignoring the capability cache %s (not JSON: *): probing %s again",
                            cache_file, QEMU);
  g_test_expect_message("virtbus", G_LOG_LEVEL_WARNING, pattern);
  g_clear_pointer(&caps, vb_qemu_caps_unref);
  caps = lookup(fx, second, QEMU, &error);
  g_test_assert_expected_messages();
  g_assert_no_error(error);
  g_assert_cmpuint(vb_capabilities_get_probe_count(second), ==, 1);

  g_clear_pointer(&caps, vb_qemu_caps_unref);
  caps = lookup(fx, third, QEMU, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(vb_capabilities_get_probe_count(third), ==, 0);
}

static void
test_not_qemu(Fixture *fx, gconstpointer data)
{
  g_autoptr(VbCapabilities) capabilities = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = NULL;
  g_autofree char *script = g_build_filename(fx->root, "qemu-system-x86_64", NULL);

  /* Something that exits at once, complaining, as a broken QEMU would. */
  g_assert_true(g_file_set_contents(script, "#!/bin/sh\necho 'cannot start: broken' >&2\nexit 1\n",
                                    -1, NULL));
  g_assert_no_errno(g_chmod(script, 0755));
  caps = lookup(fx, capabilities, script, &error);
  g_assert_null(caps);
  g_assert_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR);
  g_assert_true(g_str_has_prefix(error->message, "Cannot probe "));
  g_assert_true(strstr(error->message, "cannot start: broken") != NULL);

  g_clear_error(&error);
  caps = lookup(fx, capabilities, "relative/qemu", &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
}

static void
test_xml(Fixture *fx, gconstpointer data)
{
  g_autoptr(VbCapabilities) capabilities = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VbHostCaps) host = NULL;
  g_autoptr(VbTestSchema) schema = vb_test_schema_load("capability.rng", &error);
  g_autofree char *xml = NULL;
  g_autofree char *canonical = NULL;

  g_assert_no_error(error);
  vb_capabilities_get_host_async(capabilities, NULL, on_result, fx);
  result = wait_result(fx);
  host = vb_capabilities_get_host_finish(capabilities, result, &error);
  g_assert_no_error(error);
  /* Debian's qemu-system-x86 has both; each was probed once. */
  g_assert_cmpuint(host->emulators->len, >=, 2);
  g_assert_cmpuint(vb_capabilities_get_probe_count(capabilities), ==, host->emulators->len);

  xml = vb_capabilities_format_xml(host, &error);
  g_assert_no_error(error);
  g_test_message("%s", xml);
  vb_test_schema_validate(schema, xml, &error);
  g_assert_no_error(error);
  g_assert_true(strstr(xml, "<arch>x86_64</arch>") != NULL);
  g_assert_true(strstr(xml, "<model>none</model>") != NULL);
  g_assert_true(strstr(xml, "<arch name='x86_64'>") != NULL);
  g_assert_true(strstr(xml, "<arch name='i686'>") != NULL);
  g_assert_true(strstr(xml, "<emulator>/usr/bin/qemu-system-x86_64</emulator>") != NULL);
  g_assert_true(strstr(xml, "<emulator>/usr/bin/qemu-system-i386</emulator>") != NULL);
  g_assert_true(strstr(xml, "<domain type='qemu'/>") != NULL);
  canonical = g_strdup_printf("canonical='%s'",
                              vb_qemu_caps_lookup_machine(host->emulators->pdata[0], "pc")->name);
  g_assert_true(strstr(xml, canonical) != NULL);
  /* KVM is listed exactly when QEMU's user can use it. */
  g_assert_cmpint(strstr(xml, "<domain type='kvm'/>") != NULL, ==,
                  vb_host_kvm_usable(fx->conf->uid, fx->conf->gid));
}

static VbDomainDefaults *
resolve(Fixture *fx,
        VbCapabilities *capabilities,
        const char *arch,
        const char *machine,
        const char *emulator,
        GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vb_capabilities_resolve_async(capabilities, arch, machine, emulator, NULL, on_result, fx);
  result = wait_result(fx);
  return vb_capabilities_resolve_finish(capabilities, result, error);
}

static void
test_defaults(Fixture *fx, gconstpointer data)
{
  g_autoptr(VbCapabilities) capabilities = vb_capabilities_new(fx->paths, fx->conf);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDefaults) defaults = NULL;

  /* Nothing given: the host's architecture, its emulator, QEMU's default machine. */
  defaults = resolve(fx, capabilities, NULL, NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(defaults->arch, ==, "x86_64");
  g_assert_cmpstr(defaults->emulator, ==, QEMU);
  g_assert_true(g_str_has_prefix(defaults->machine, "pc-i440fx-"));
  g_clear_pointer(&defaults, vb_domain_defaults_free);

  /* An alias becomes its canonical machine. */
  defaults = resolve(fx, capabilities, "x86_64", "q35", NULL, &error);
  g_assert_no_error(error);
  g_assert_true(g_str_has_prefix(defaults->machine, "pc-q35-"));
  g_clear_pointer(&defaults, vb_domain_defaults_free);

  /* i686 finds qemu-system-i386; a canonical name stays itself. */
  defaults = resolve(fx, capabilities, "i686", "pc-i440fx-3.1", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(defaults->emulator, ==, "/usr/bin/qemu-system-i386");
  g_assert_cmpstr(defaults->machine, ==, "pc-i440fx-3.1");
  g_clear_pointer(&defaults, vb_domain_defaults_free);

  /* An i686 guest on the x86_64 emulator, as libvirt allows; the emulator decides the arch. */
  defaults = resolve(fx, capabilities, "i686", NULL, QEMU, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(defaults->arch, ==, "i686");
  g_clear_pointer(&defaults, vb_domain_defaults_free);
  defaults = resolve(fx, capabilities, NULL, NULL, "/usr/bin/qemu-system-i386", &error);
  g_assert_no_error(error);
  g_assert_cmpstr(defaults->arch, ==, "i686");
  g_clear_pointer(&defaults, vb_domain_defaults_free);

  /* And the refusals, each naming what was wrong. */
  defaults = resolve(fx, capabilities, "x86_64", "no-such-machine", NULL, &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_cmpstr(error->message, ==,
                  "Machine type 'no-such-machine' is not supported by /usr/bin/qemu-system-x86_64 "
                  "(the capabilities XML lists those it has)");
  g_clear_error(&error);
  defaults = resolve(fx, capabilities, "x86_64", NULL, "/usr/bin/qemu-system-i386", &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_cmpstr(error->message, ==,
                  "Emulator /usr/bin/qemu-system-i386 emulates i686, not the domain's "
                  "architecture x86_64");
  g_clear_error(&error);
  {
    const char *const dirs[] = {fx->root, NULL};

    /* Searching only an empty directory: no emulator for anything. */
    vb_capabilities_set_system_dirs(capabilities, dirs);
    defaults = resolve(fx, capabilities, "aarch64", NULL, NULL, &error);
    g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
    g_assert_true(g_str_has_prefix(error->message, "No emulator for architecture 'aarch64'"));
    g_assert_true(strstr(error->message, fx->root) != NULL);
    g_clear_error(&error);
  }
  defaults = resolve(fx, capabilities, "vax", NULL, NULL, &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_cmpstr(error->message, ==, "Architecture 'vax' is not one virtbus knows");
}

/* What the search found is kept until a search directory changes. */
static void
test_discovery_cache(Fixture *fx, gconstpointer data)
{
  g_autoptr(VbCapabilities) capabilities = vb_capabilities_new(fx->paths, fx->conf);
  g_autofree char *dir = g_build_filename(fx->root, "bin", NULL);
  g_autofree char *fake = g_build_filename(dir, "qemu-system-aarch64", NULL);
  const char *const dirs[] = {dir, NULL};
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDefaults) defaults = NULL;
  guint changes = 0;

  g_assert_no_errno(g_mkdir_with_parents(dir, 0755));
  vb_capabilities_set_system_dirs(capabilities, dirs);
  g_signal_connect(capabilities, "changed", G_CALLBACK(on_changed), &changes);
  defaults = resolve(fx, capabilities, "aarch64", NULL, NULL, &error);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_true(g_str_has_prefix(error->message, "No emulator for architecture 'aarch64'"));
  g_clear_error(&error);

  /* an emulator arrives: the kept search is dropped, and the next one finds it (and probes
   * it, which fails: it is no QEMU) */
  g_file_set_contents(fake, "#!/bin/sh\nexit 1\n", -1, &error);
  g_assert_no_error(error);
  g_assert_no_errno(g_chmod(fake, 0755));
  VB_TEST_WAIT_UNTIL(NULL, changes > 0, "the capabilities to see the search directory change");
  defaults = resolve(fx, capabilities, "aarch64", NULL, NULL, &error);
  g_assert_null(defaults);
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, fake));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  if (!g_file_test(QEMU, G_FILE_TEST_IS_EXECUTABLE)) {
    g_printerr("%s is missing: run tools/setup\n", QEMU);
    return 1;
  }
#define ADD(path, func) g_test_add(path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD("/virtbus/capabilities/probe", test_probe);
  ADD("/virtbus/capabilities/discovery-cache", test_discovery_cache);
  ADD("/virtbus/capabilities/cache-file", test_cache_file);
  ADD("/virtbus/capabilities/concurrent", test_concurrent);
  ADD("/virtbus/capabilities/invalidation", test_invalidation);
  ADD("/virtbus/capabilities/corrupt-cache", test_corrupt_cache);
  ADD("/virtbus/capabilities/not-qemu", test_not_qemu);
  ADD("/virtbus/capabilities/xml", test_xml);
  ADD("/virtbus/capabilities/defaults", test_defaults);
#undef ADD
  return g_test_run();
}
