/* test-qemu-command.c: real QEMU accepts the command lines virtbus builds.
 *
 * Each fixture domain starts paused (-S) under TCG, with small images in place of its disks
 * (vb_test_adapt_def), and QEMU must show the disks, PCI devices and character devices it
 * asked for. The qemu namespace is checked where it acts: on the process, the block layer and
 * device properties.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-test-qemu.h"
#include "vb-test-tree.h"

static VbQemuCaps *caps;         /* probed once for all cases */
static GPtrArray *fixture_names; /* GTest keeps pointers to them until the end */

typedef struct {
  char *dir;
  VbDomainDef *def;
  VbQemuCommand *cmd;
  VbTestQemu *qemu;
} Fixture;

static void
fixture_set_up(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp("virtbus-command-XXXXXX", &error);
  g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *fx, gconstpointer data)
{
  g_clear_pointer(&fx->qemu, vb_test_qemu_stop);
  g_clear_pointer(&fx->cmd, vb_qemu_command_free);
  g_clear_pointer(&fx->def, vb_domain_def_free);
  vb_test_remove_tree(fx->dir);
  g_free(fx->dir);
}

/* Parses @xml, adapts it to this host, builds it and starts QEMU paused. */
static void
start(Fixture *fx, const char *xml)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_build_filename(fx->dir, "root", NULL);

  fx->def = vb_domain_def_parse(xml, strlen(xml), &error);
  g_assert_no_error(error);
  vb_test_adapt_def(fx->def, fx->dir, &error);
  g_assert_no_error(error);
  fx->cmd = vb_test_build_command(fx->def, caps, root, &error);
  g_assert_no_error(error);
  fx->qemu = vb_test_qemu_start(fx->cmd, &error);
  g_assert_no_error(error);
}

/* The pflash units hold the chosen firmware's code, read-only, and the domain's own copy of
 * its variables, writable; the machine has SMM when the firmware needs it. */
static void
check_firmware(Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = vb_test_qemu_execute(fx->qemu, "query-block", NULL, &error);
  JsonArray *entries;
  guint seen = 0;

  g_assert_no_error(error);
  g_assert_nonnull(fx->cmd->nvram);
  g_assert_true(g_file_test(fx->cmd->nvram, G_FILE_TEST_IS_REGULAR));
  entries = json_node_get_array(reply);
  for (guint i = 0; i < json_array_get_length(entries); i++) {
    JsonObject *entry = json_array_get_object_element(entries, i);
    JsonObject *inserted = json_object_get_object_member(entry, "inserted");
    const char *node = json_object_get_string_member_with_default(inserted, "node-name", "");
    const char *file = json_object_get_string_member_with_default(inserted, "file", "");

    if (g_str_equal(node, "libvirt-pflash0-format")) {
      g_assert_true(g_str_has_prefix(file, "/usr/share/"));
      g_assert_true(json_object_get_boolean_member(inserted, "ro"));
      seen++;
    } else if (g_str_equal(node, "libvirt-pflash1-format")) {
      g_assert_cmpstr(file, ==, fx->cmd->nvram);
      g_assert_false(json_object_get_boolean_member(inserted, "ro"));
      seen++;
    }
  }
  g_assert_cmpuint(seen, ==, 2);
  if (fx->def->os.fw_secure_boot == 1) {
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(JsonNode) smm = NULL;

    json_object_set_string_member(args, "path", "/machine");
    json_object_set_string_member(args, "property", "smm");
    smm = vb_test_qemu_execute(fx->qemu, "qom-get", args, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(json_node_get_string(smm), ==, "on");
  }
}

static void
test_fixture(Fixture *fx, gconstpointer data)
{
  const char *path = data;
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents(path, &xml, NULL, &error);
  g_assert_no_error(error);
  start(fx, xml);
  vb_test_qemu_check(fx->qemu, fx->def, &error);
  g_assert_no_error(error);
  if (fx->def->os.firmware != VB_ABSENT)
    check_firmware(fx);
}

static char *
read_proc(GSubprocess *process, const char *what)
{
  g_autofree char *path =
      g_strdup_printf("/proc/%s/%s", g_subprocess_get_identifier(process), what);
  char *text = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents(path, &text, &length, &error);
  g_assert_no_error(error);
  /* NUL-separated: make it one line */
  for (gsize i = 0; i + 1 < length; i++) {
    if (text[i] == '\0')
      text[i] = '\n';
  }
  return text;
}

#define NS_HEAD                                                                                    \
  "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"                   \
  "<name>ns</name><memory>131072</memory><vcpu>1</vcpu>"                                           \
  "<os><type arch='x86_64' machine='q35'>hvm</type></os>"                                          \
  "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"                    \
  "<source file='/a.qcow2'/><target dev='vda' bus='virtio'/><alias name='ua-disk'/></disk>"        \
  "</devices>"

static void
test_namespace_commandline(Fixture *fx, gconstpointer data)
{
  g_autofree char *cmdline = NULL;
  g_autofree char *environment = NULL;

  start(fx, NS_HEAD "<qemu:commandline><qemu:arg value='-device'/>"
                    "<qemu:arg value='pvpanic,id=ua-extra'/>"
                    "<qemu:env name='VIRTBUS_TEST' value='from the namespace'/>"
                    "</qemu:commandline></domain>");
  cmdline = read_proc(fx->qemu->process, "cmdline");
  environment = read_proc(fx->qemu->process, "environ");
  g_assert_nonnull(strstr(cmdline, "\n-device\npvpanic,id=ua-extra"));
  g_assert_nonnull(strstr(environment, "\nVIRTBUS_TEST=from the namespace"));
  /* and only what virtbus chose: none of this test's own environment */
  g_assert_null(strstr(environment, "G_TEST_SRCDIR="));
  g_assert_nonnull(strstr(environment, "LC_ALL=C\n"));
  g_assert_true(
      g_ptr_array_find_with_equal_func(fx->cmd->taints, "custom-argv", g_str_equal, NULL));
}

static void
test_namespace_caps_del(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cmdline = NULL;

  start(fx, NS_HEAD "<qemu:capabilities><qemu:del capability='blockdev'/></qemu:capabilities>"
                    "</domain>");
  cmdline = read_proc(fx->qemu->process, "cmdline");
  g_assert_null(strstr(cmdline, "-blockdev"));
  g_assert_nonnull(strstr(cmdline, "\n-drive\nfile="));
  /* the disk is still there, through -drive */
  vb_test_qemu_check(fx->qemu, fx->def, &error);
  g_assert_no_error(error);
}

static void
test_namespace_deprecation(Fixture *fx, gconstpointer data)
{
  g_autofree char *cmdline = NULL;
  g_autoptr(GError) error = NULL;

  start(fx, NS_HEAD "<qemu:deprecation behavior='crash'/></domain>");
  cmdline = read_proc(fx->qemu->process, "cmdline");
  g_assert_nonnull(strstr(cmdline, "\n-compat\ndeprecated-input=crash,deprecated-output=hide\n"));
  vb_test_qemu_check(fx->qemu, fx->def, &error);
  g_assert_no_error(error);
}

static void
test_namespace_override(Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = json_object_new();
  g_autoptr(JsonNode) serial = NULL;
  g_autoptr(JsonNode) queues = NULL;

  start(fx, NS_HEAD "<qemu:override><qemu:device alias='ua-disk'><qemu:frontend>"
                    "<qemu:property name='serial' type='string' value='from-override'/>"
                    "<qemu:property name='num-queues' type='unsigned' value='3'/>"
                    "</qemu:frontend></qemu:device></qemu:override></domain>");
  json_object_set_string_member(args, "path", "/machine/peripheral/ua-disk");
  json_object_set_string_member(args, "property", "serial");
  serial = vb_test_qemu_execute(fx->qemu, "qom-get", args, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(json_node_get_string(serial), ==, "from-override");
  json_object_set_string_member(args, "property", "num-queues");
  queues = vb_test_qemu_execute(fx->qemu, "qom-get", args, &error);
  g_assert_no_error(error);
  g_assert_cmpint(json_node_get_int(queues), ==, 3);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* The fixture domains and the command builder's own inputs (the golden tests' too). */
static void
add_fixture_tests(void)
{
  static const char *const subdirs[] = {"domains", "qemu-argv"};
  GPtrArray *names = fixture_names;

  for (guint d = 0; d < G_N_ELEMENTS(subdirs); d++) {
    g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "data", subdirs[d], NULL);
    g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(listing);
    while ((name = g_dir_read_name(listing)) != NULL) {
      /* the inputs, not the expected .inactive/.live outputs */
      if (g_str_has_suffix(name, ".xml") && strchr(name, '.') == strrchr(name, '.'))
        g_ptr_array_add(names, g_build_filename(dir, name, NULL));
    }
  }
  g_ptr_array_sort(names, compare_names);
  g_assert_cmpuint(names->len, >, 0);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *base = g_path_get_basename(names->pdata[i]);
    g_autofree char *path = g_strdup_printf("/virtbus/qemu-command/fixture/%s", base);

    g_test_add(path, Fixture, names->pdata[i], fixture_set_up, test_fixture, fixture_tear_down);
  }
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init(&argc, &argv, NULL);
  caps = vb_test_qemu_probe(&error);
  g_assert_no_error(error);
  fixture_names = g_ptr_array_new_with_free_func(g_free);
  add_fixture_tests();
  g_test_add("/virtbus/qemu-command/namespace/commandline", Fixture, NULL, fixture_set_up,
             test_namespace_commandline, fixture_tear_down);
  g_test_add("/virtbus/qemu-command/namespace/caps-del", Fixture, NULL, fixture_set_up,
             test_namespace_caps_del, fixture_tear_down);
  g_test_add("/virtbus/qemu-command/namespace/deprecation", Fixture, NULL, fixture_set_up,
             test_namespace_deprecation, fixture_tear_down);
  g_test_add("/virtbus/qemu-command/namespace/override", Fixture, NULL, fixture_set_up,
             test_namespace_override, fixture_tear_down);
  status = g_test_run();
  vb_qemu_caps_unref(caps);
  g_ptr_array_unref(fixture_names);
  return status;
}
