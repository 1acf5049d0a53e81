/* test-security-lsm.c: SELinux and AppArmor sVirt with real QEMU, through the LD_PRELOAD shim
 * of the libselinux and libapparmor calls (tests/shims/vb-shim-lsm.c: neither is enabled on
 * the test machines). Checks every call and label: dynamic labels and their category pairs,
 * static ones, shareable and read-only images, relabel='no', a base label, labels restored at
 * every stop and after a daemon restart, the AppArmor profile made, loaded, changed to at exec,
 * unloaded and removed; and each step of a start failing in turn, leaving nothing behind.
 *
 * Needs root (trusted.* attributes, the throwaway QEMU user, cgroups); CI runs as root.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vb-driver-private.h" /* the live definition, vb_driver_set_start_hook(): tests only */
#include "vb-error.h"
#include "vb-test-security.h"
#include "vb-test-tree.h"
#include "vb-test-wait.h"

#define SHIM_LABEL "user.vbshim.selinux"
#define DEFAULT_LABEL "system_u:object_r:default_t:s0"
#define HOME_LABEL "unconfined_u:object_r:user_home_t:s0"
#define ROOT_CONF "user = \"+0\"\ngroup = \"+0\"\n"

static char *shim_dir; /* (owned): the fake policy and the shim's calls.log */

static char *shim_file(const char *name);

/* The shim's mode (vb-shim-lsm.c): which LSM is "enabled", which call fails. */
static void
shim_mode(const char *words)
{
  g_autofree char *path = shim_file("mode");

  g_assert_true(g_file_set_contents(path, words, -1, NULL));
}

static char *
shim_file(const char *name)
{
  return g_build_filename(shim_dir, name, NULL);
}

static void
calls_reset(void)
{
  g_autofree char *calls = shim_file("calls.log");
  g_autofree char *parser = shim_file("parser.log");

  g_unlink(calls);
  g_unlink(parser);
}

static char *
calls(const char *name)
{
  g_autofree char *path = shim_file(name);
  char *text = NULL;

  if (!g_file_get_contents(path, &text, NULL, NULL))
    text = g_strdup("");
  return text;
}

static void
assert_called(const char *log, const char *line)
{
  g_autofree char *text = calls(log);

  if (strstr(text, line) == NULL)
    g_error("%s has no '%s':\n%s", log, line, text);
}

static void
assert_not_called(const char *log, const char *part)
{
  g_autofree char *text = calls(log);

  if (strstr(text, part) != NULL)
    g_error("%s has '%s', which it should not:\n%s", log, part, text);
}

static char *
label_of(const char *path)
{
  char *label = vb_test_xattr(path, SHIM_LABEL);

  return label != NULL ? label : g_strdup(DEFAULT_LABEL);
}

static void
assert_label(const char *path, const char *label)
{
  g_autofree char *got = label_of(path);

  if (g_strcmp0(got, label) != 0)
    g_error("%s is labelled %s, not %s", path, got, label);
}

static void
set_label(const char *path, const char *label)
{
  g_assert_cmpint(setxattr(path, SHIM_LABEL, label, strlen(label), 0), ==, 0);
}

/* A system-instance driver with the shim in @mode, its calls log empty; NULL when skipped. */
static VbTestDriver *
lsm_driver(const char *mode, const char *conf)
{
  if (vb_test_security_skipped())
    return NULL;
  shim_mode(mode);
  calls_reset();
  return vb_test_driver_new_with_conf(VB_INSTANCE_SYSTEM, conf);
}

static const VbSeclabelDef *
find_seclabel(const VbDomainDef *def, VbSecModel model)
{
  for (guint i = 0; i < def->seclabels->len; i++) {
    const VbSeclabelDef *label = def->seclabels->pdata[i];

    if (label->model == (gint)model)
      return label;
  }
  return NULL;
}

static const VbSeclabelDef *
live_seclabel(VbDomainObj *domain, VbSecModel model)
{
  const VbSeclabelDef *label;

  g_assert_nonnull(domain->live);
  label = find_seclabel(domain->live, model);
  if (label == NULL)
    g_error("domain '%s' has no live <seclabel model='%s'>", domain->name,
            vb_secmodel_names[model]);
  return label;
}

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref(result);
}

/* The category pair of a dynamic label: "...:s0:cA,cB" with A < B. */
static char *
categories(const char *label)
{
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) regex = g_regex_new(":s0:c([0-9]+),c([0-9]+)$", 0, 0, NULL);

  if (!g_regex_match(regex, label, 0, &match))
    g_error("'%s' has no category pair", label);
  {
    g_autofree char *a = g_match_info_fetch(match, 1);
    g_autofree char *b = g_match_info_fetch(match, 2);

    g_assert_cmpint(atoi(a), <, atoi(b));
    g_assert_cmpint(atoi(b), <, 1024);
  }
  return g_strdup(strstr(label, ":s0:") + 1);
}

static char *
host_caps_xml(VbTestDriver *t)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  VbHostCaps *host;
  char *xml;

  vb_capabilities_get_host_async(vb_driver_get_capabilities(t->driver), NULL, on_result, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the host capabilities");
  host = vb_capabilities_get_host_finish(vb_driver_get_capabilities(t->driver), result, &error);
  g_assert_no_error(error);
  xml = vb_capabilities_format_xml(host, &error);
  g_assert_no_error(error);
  vb_host_caps_free(host);
  return xml;
}

static void
assert_contains(const char *text, const char *part)
{
  if (strstr(text, part) == NULL)
    g_error("no '%s' in:\n%s", part, text);
}

/* A dynamic label: the TCG process context with a fresh pair, the image label with the same,
 * a shareable image the image context alone, a read-only one the content context; all given
 * back at stop. The capabilities and SecurityModels list SELinux first, then DAC. */
static void
test_selinux_dynamic(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *rw = NULL, *ro = NULL, *shared = NULL, *devices = NULL, *bare = NULL;
  g_autofree char *xml = NULL, *pair = NULL, *line = NULL, *live = NULL, *caps = NULL;
  g_autofree char *first = NULL, *disk_ro = NULL, *disk_shared = NULL, *disk_rw = NULL;
  g_auto(GStrv) models = NULL;
  const VbSeclabelDef *label;
  VbDomainObj *domain;

  if ((t = lsm_driver("selinux", ROOT_CONF "security_driver = \"selinux\"\n")) == NULL)
    return;
  rw = vb_test_root_image(t, "images", "rw.img");
  ro = vb_test_root_image(t, "images", "ro.img");
  shared = vb_test_root_image(t, "images", "shared.img");
  set_label(rw, HOME_LABEL);
  disk_rw = vb_test_disk_xml(rw, "vda", NULL, NULL);
  disk_ro = vb_test_disk_xml(ro, "vdb", NULL, "<readonly/>");
  disk_shared = vb_test_disk_xml(shared, "vdc", NULL, "<shareable/>");
  devices = g_strconcat(disk_rw, disk_ro, disk_shared, NULL);
  bare = vb_test_bare_xml("labelled");
  xml = vb_test_xml_with_devices(bare, devices);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);

  label = live_seclabel(domain, VB_SECMODEL_SELINUX);
  g_assert_cmpint(label->type, ==, VB_SECLABEL_DYNAMIC);
  g_assert_true(g_str_has_prefix(label->label, "system_u:system_r:svirt_tcg_t:s0:c"));
  pair = categories(label->label);
  first = g_strconcat("system_u:object_r:svirt_image_t:", pair, NULL);
  g_assert_cmpstr(label->imagelabel, ==, first);
  line = g_strdup_printf("%d setexeccon %s\n", (int)vb_domain_obj_get_pid(domain), label->label);
  assert_called("calls.log", line);
  g_free(line);
  line = g_strdup_printf("setfilecon %s %s\n", rw, label->imagelabel);
  assert_called("calls.log", line);
  g_free(line);
  line = g_strdup_printf("setfilecon %s system_u:object_r:virt_content_t:s0\n", ro);
  assert_called("calls.log", line);
  g_free(line);
  line = g_strdup_printf("setfilecon %s system_u:object_r:svirt_image_t:s0\n", shared);
  assert_called("calls.log", line);
  assert_label(rw, label->imagelabel);
  {
    g_autofree char *remembered = vb_test_xattr(rw, "trusted.virtbus.selinux");

    g_assert_cmpstr(remembered, ==, HOME_LABEL ":1");
  }
  live = vb_domain_obj_get_xml(domain, VB_DOMAIN_XML_LIVE, NULL);
  g_assert_nonnull(live);
  g_free(line);
  line = g_strdup_printf("<label>%s</label>", label->label);
  assert_contains(live, line);
  assert_contains(live, "<seclabel type='dynamic' model='dac' relabel='yes'>\n"
                        "    <label>+0:+0</label>\n");

  models = vb_driver_get_security_models(t->driver);
  g_assert_cmpuint(g_strv_length(models), ==, 2);
  g_assert_cmpstr(models[0], ==, "selinux");
  g_assert_cmpstr(models[1], ==, "dac");
  caps = host_caps_xml(t);
  assert_contains(caps,
                  "<model>selinux</model>\n"
                  "      <doi>0</doi>\n"
                  "      <baselabel type='kvm'>system_u:system_r:svirt_t:s0</baselabel>\n"
                  "      <baselabel type='qemu'>system_u:system_r:svirt_tcg_t:s0</baselabel>");
  assert_contains(caps, "<model>dac</model>\n"
                        "      <doi>0</doi>\n"
                        "      <baselabel type='kvm'>+0:+0</baselabel>");
  g_assert_true(strstr(caps, "<model>selinux</model>") < strstr(caps, "<model>dac</model>"));

  vb_test_ok(t, VB_TEST_DESTROY, domain);
  {
    /* what the note quotes */
    g_autofree char *sequence = calls("calls.log");

    g_test_message("the shim's calls for a start and a destroy:\n%s", sequence);
  }
  assert_label(rw, HOME_LABEL);
  assert_label(ro, DEFAULT_LABEL);
  assert_label(shared, DEFAULT_LABEL);
  for (guint i = 0; i < 3; i++) {
    const char *path = (const char *[]){rw, ro, shared}[i];
    g_autofree char *left = vb_test_xattr(path, "trusted.virtbus.selinux");

    g_assert_null(left);
  }
  /* the live XML is gone with the run: the config shows no assigned label */
  g_free(live);
  live = vb_domain_obj_get_xml(domain, 0, NULL);
  g_assert_null(strstr(live, "svirt"));
}

/* A static label is used as given, with no file relabelled; a base label gives the type of a
 * dynamic one; a disk's own relabel='no' keeps its label. */
static void
test_selinux_static_and_relabel(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *image = NULL, *kept = NULL, *bare = NULL, *xml = NULL, *line = NULL;
  g_autofree char *disk = NULL, *disk_kept = NULL, *devices = NULL;
  const char *fixed = "system_u:system_r:svirt_t:s0:c10,c20";
  const VbSeclabelDef *label;
  VbDomainObj *domain;

  if ((t = lsm_driver("selinux", ROOT_CONF)) == NULL)
    return;
  image = vb_test_root_image(t, "images", "static.img");
  set_label(image, HOME_LABEL);
  bare = vb_test_bare_xml("static");
  disk = vb_test_disk_xml(image, "vda", NULL, NULL);
  xml = vb_test_xml_with_devices(bare, disk);
  {
    g_autofree char *seclabel = g_strdup_printf(
        "<seclabel type='static' model='selinux' relabel='no'><label>%s</label></seclabel>", fixed);
    g_autofree char *plain = g_steal_pointer(&xml);

    xml = vb_test_xml_with_domain_elements(plain, seclabel);
  }
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  line = g_strdup_printf("%d setexeccon %s\n", (int)vb_domain_obj_get_pid(domain), fixed);
  assert_called("calls.log", line);
  assert_not_called("calls.log", "setfilecon");
  assert_label(image, HOME_LABEL);
  g_assert_null(live_seclabel(domain, VB_SECMODEL_SELINUX)->imagelabel);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  assert_not_called("calls.log", "setfilecon");

  /* a base label, and a disk that keeps its own */
  calls_reset();
  kept = vb_test_root_image(t, "images", "kept.img");
  set_label(kept, HOME_LABEL);
  g_free(bare);
  g_free(xml);
  bare = vb_test_bare_xml("based");
  disk_kept = vb_test_disk_xml(kept, "vda", "<seclabel model='selinux' relabel='no'/>", NULL);
  devices = g_strconcat(disk_kept, NULL);
  xml = vb_test_xml_with_devices(bare, devices);
  {
    g_autofree char *plain = g_steal_pointer(&xml);

    xml = vb_test_xml_with_domain_elements(
        plain, "<seclabel type='dynamic' model='selinux'>"
               "<baselabel>system_u:system_r:svirt_custom_t:s0</baselabel></seclabel>");
  }
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  label = live_seclabel(domain, VB_SECMODEL_SELINUX);
  g_assert_true(g_str_has_prefix(label->label, "system_u:system_r:svirt_custom_t:s0:c"));
  g_free(categories(label->label));
  g_free(line);
  line = g_strdup_printf("setfilecon %s ", kept);
  assert_not_called("calls.log", line);
  assert_label(kept, HOME_LABEL);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  assert_label(kept, HOME_LABEL);
}

/* 100 starts, each with a pair no running domain has (and never one category twice); three
 * domains running at once with three pairs. */
static void
test_selinux_unique(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  VbDomainObj *domains[3];

  if ((t = lsm_driver("selinux", ROOT_CONF)) == NULL)
    return;
  for (guint i = 0; i < 100; i++) {
    g_autofree char *name = g_strdup_printf("many-%u", i);
    g_autofree char *xml = vb_test_bare_xml(name);
    g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, strlen(xml), NULL);
    g_autoptr(GError) error = NULL;
    const VbSeclabelDef *label;

    g_assert_nonnull(def);
    g_assert_true(vb_security_assign_labels(t->driver->security, t->conf, def, used, &error));
    g_assert_no_error(error);
    label = find_seclabel(def, VB_SECMODEL_SELINUX);
    if (label == NULL)
      g_error("start %u got no SELinux label", i);
    {
      char *pair = categories(label->label);

      if (g_hash_table_contains(seen, pair))
        g_error("the pair %s was given twice", pair);
      g_hash_table_add(seen, pair);
    }
  }
  g_assert_cmpuint(g_hash_table_size(seen), ==, 100);

  g_hash_table_remove_all(seen);
  for (guint i = 0; i < G_N_ELEMENTS(domains); i++) {
    g_autofree char *name = g_strdup_printf("together-%u", i);
    g_autofree char *xml = vb_test_bare_xml(name);

    domains[i] = vb_test_define(t, xml);
    vb_test_ok(t, VB_TEST_START_PAUSED, domains[i]);
    if (!g_hash_table_add(seen, categories(live_seclabel(domains[i], VB_SECMODEL_SELINUX)->label)))
      g_error("two running domains share a category pair");
  }
  for (guint i = 0; i < G_N_ELEMENTS(domains); i++)
    vb_test_ok(t, VB_TEST_DESTROY, domains[i]);
}

/* A daemon restart in between: the new driver reads the labels from the status and gives
 * them back at the stop. */
static void
test_selinux_restart(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *image = NULL, *bare = NULL, *xml = NULL, *disk = NULL, *before = NULL;
  VbDomainObj *domain;

  if ((t = lsm_driver("selinux", ROOT_CONF)) == NULL)
    return;
  image = vb_test_root_image(t, "images", "restart.img");
  set_label(image, HOME_LABEL);
  bare = vb_test_bare_xml("restarted");
  disk = vb_test_disk_xml(image, "vda", NULL, NULL);
  xml = vb_test_xml_with_devices(bare, disk);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  before = g_strdup(live_seclabel(domain, VB_SECMODEL_SELINUX)->label);
  vb_test_driver_drop(t);
  vb_test_driver_reopen(t);
  domain = vb_driver_lookup_by_name(t->driver, "restarted");
  g_assert_nonnull(domain);
  g_assert_cmpstr(live_seclabel(domain, VB_SECMODEL_SELINUX)->label, ==, before);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  assert_label(image, HOME_LABEL);
  {
    g_autofree char *left = vb_test_xattr(image, "trusted.virtbus.selinux");

    g_assert_null(left);
  }
}

/* A qcow2 disk over a base: the base gets the read-only content label (the top the image
 * label), and its own back at the stop. */
static void
test_selinux_backing(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *base = NULL, *top = NULL, *bare = NULL, *disk = NULL, *xml = NULL;
  g_autofree char *line = NULL;
  VbDomainObj *domain;

  if ((t = lsm_driver("selinux", ROOT_CONF)) == NULL)
    return;
  vb_test_qcow2_layers(t, &base, &top);
  set_label(base, HOME_LABEL);
  bare = vb_test_bare_xml("layered");
  disk = vb_test_qcow2_disk_xml(top);
  xml = vb_test_xml_with_devices(bare, disk);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  assert_label(top, live_seclabel(domain, VB_SECMODEL_SELINUX)->imagelabel);
  assert_label(base, "system_u:object_r:virt_content_t:s0");
  line = g_strdup_printf("setfilecon %s system_u:object_r:virt_content_t:s0\n", base);
  assert_called("calls.log", line);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  assert_label(base, HOME_LABEL);
  assert_label(top, DEFAULT_LABEL);
}

/* An apparmor_parser first on PATH that records its calls, checks what it is given with the
 * real parser (-Q: not loaded, AppArmor is not in this kernel) and fails on request. */
static char *
parser_dir(void)
{
  g_autofree char *dir = shim_file("bin");
  g_autofree char *script = g_build_filename(dir, "apparmor_parser", NULL);
  g_autofree char *real = g_find_program_in_path("apparmor_parser");
  g_autofree char *check =
      real != NULL ? g_strdup_printf("exec %s -Q -K \"$@\" 2>&1 | grep -v '^Cache read' >&2; "
                                     "exit 0",
                                     real)
                   : g_strdup("exit 0");
  g_autofree char *text =
      g_strdup_printf("#!/bin/sh\n"
                      "echo \"$*\" >> \"$VB_SHIM_DIR/parser.log\"\n"
                      "grep -qw 'fail=apparmor_parser' \"$VB_SHIM_DIR/mode\" && "
                      "{ echo 'refused by the test' >&2; exit 1; }\n"
                      "[ \"$1\" = -R ] && exit 0\n"
                      "shift\n"
                      "%s\n",
                      check);

  g_mkdir_with_parents(dir, 0755);
  g_assert_true(g_file_set_contents(script, text, -1, NULL));
  g_assert_cmpint(chmod(script, 0755), ==, 0);
  return g_steal_pointer(&dir);
}

static void
install_apparmor_files(VbTestDriver *t)
{
  const char *top = g_getenv("G_TEST_SRCDIR");
  g_autofree char *data = g_build_filename(top, "..", "data", "apparmor", NULL);
  g_autofree char *dir = g_build_filename(t->root, "etc", "apparmor.d", "virtbus", NULL);
  g_autofree char *abstractions =
      g_build_filename(t->root, "etc", "apparmor.d", "abstractions", NULL);
  static const char *const files[][2] = {{"TEMPLATE.qemu", "virtbus"},
                                         {"abstractions/virtbus-qemu", "abstractions"}};

  g_mkdir_with_parents(dir, 0755);
  g_mkdir_with_parents(abstractions, 0755);
  for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *from = g_build_filename(data, files[i][0], NULL);
    g_autofree char *base = g_path_get_basename(files[i][0]);
    g_autofree char *to = g_build_filename(t->root, "etc", "apparmor.d", files[i][1], base, NULL);
    g_autofree char *text = NULL;

    g_assert_true(g_file_get_contents(from, &text, NULL, NULL));
    g_assert_true(g_file_set_contents(to, text, -1, NULL));
  }
}

/* The profile made from the template, its .files with the disk, loaded before the start, the
 * child changing to it, unloaded at stop; an administrator's edit kept at the next start; the
 * files gone at undefine. */
static void
test_apparmor(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *image = NULL, *bare = NULL, *xml = NULL;
  g_autofree char *disk = NULL, *uuid = NULL, *profile = NULL, *files = NULL, *text = NULL;
  g_autofree char *line = NULL, *name = NULL, *rule = NULL;
  const VbSeclabelDef *label;
  VbDomainObj *domain;

  if ((t = lsm_driver("", ROOT_CONF)) == NULL)
    return;
  /* the host's AppArmor is found at open, with its template in place */
  install_apparmor_files(t);
  vb_test_driver_drop(t);
  shim_mode("apparmor");
  vb_test_driver_reopen(t);
  image = vb_test_root_image(t, "images", "aa.img");
  bare = vb_test_bare_xml("armoured");
  disk = vb_test_disk_xml(image, "vda", NULL, NULL);
  xml = vb_test_xml_with_devices(bare, disk);
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);

  uuid = g_strdup(vb_domain_obj_get_uuid(domain));
  name = g_strconcat("virtbus-", uuid, NULL);
  label = live_seclabel(domain, VB_SECMODEL_APPARMOR);
  g_assert_cmpstr(label->label, ==, name);
  g_assert_cmpstr(label->imagelabel, ==, name);
  profile = g_build_filename(t->root, "etc", "apparmor.d", "virtbus", name, NULL);
  files = g_strconcat(profile, ".files", NULL);
  g_assert_true(g_file_get_contents(profile, &text, NULL, NULL));
  line = g_strdup_printf("profile %s flags=(attach_disconnected) {", name);
  assert_contains(text, line);
  g_free(line);
  line = g_strdup_printf("#include <virtbus/%s.files>", name);
  assert_contains(text, line);
  g_free(text);
  g_assert_true(g_file_get_contents(files, &text, NULL, NULL));
  rule = g_strdup_printf("  \"%s\" rwk,\n", image);
  assert_contains(text, rule);
  g_free(line);
  line = g_strdup_printf("-r -I %s/etc/apparmor.d -- %s\n", t->root, profile);
  assert_called("parser.log", line);
  g_free(line);
  line = g_strdup_printf("%d aa_change_onexec %s\n", (int)vb_domain_obj_get_pid(domain), name);
  assert_called("calls.log", line);
  {
    g_auto(GStrv) models = vb_driver_get_security_models(t->driver);

    g_assert_cmpstr(models[0], ==, "apparmor");
  }

  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_free(line);
  line = g_strdup_printf("-R -I %s/etc/apparmor.d -- %s\n", t->root, profile);
  assert_called("parser.log", line);
  g_assert_true(g_file_test(profile, G_FILE_TEST_EXISTS));

  /* an administrator's line stays; .files is written anew */
  g_free(text);
  g_assert_true(g_file_get_contents(profile, &text, NULL, NULL));
  {
    g_autofree char *edited = g_strconcat(text, "# kept by the test\n", NULL);

    g_assert_true(g_file_set_contents(profile, edited, -1, NULL));
    g_assert_true(g_file_set_contents(files, "# stale\n", -1, NULL));
  }
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  g_free(text);
  g_assert_true(g_file_get_contents(profile, &text, NULL, NULL));
  assert_contains(text, "# kept by the test\n");
  g_free(text);
  g_assert_true(g_file_get_contents(files, &text, NULL, NULL));
  assert_contains(text, rule);
  vb_test_ok(t, VB_TEST_DESTROY, domain);

  /* a profile the parser refuses: the start fails naming it, and QEMU never ran */
  {
    g_autoptr(GError) error = NULL;

    shim_mode("apparmor fail=apparmor_parser");
    g_assert_false(vb_test_run(t, VB_TEST_START_PAUSED, domain, &error));
    shim_mode("apparmor");
    assert_contains(error->message, "refused by the test");
    g_assert_cmpint(vb_domain_obj_get_pid(domain), <=, 0);
  }
  /* the child cannot change to it: QEMU never runs, the profile is unloaded again */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *log = NULL;
    g_autofree char *unload = g_strdup_printf("-R -I %s/etc/apparmor.d -- %s\n", t->root, profile);
    const char *last;

    calls_reset();
    shim_mode("apparmor fail=aa_change_onexec");
    g_assert_false(vb_test_run(t, VB_TEST_START_PAUSED, domain, &error));
    shim_mode("apparmor");
    assert_contains(error->message, "aa_change_onexec");
    g_assert_cmpint(vb_domain_obj_get_pid(domain), <=, 0);
    log = calls("parser.log");
    last = g_strrstr(log, "-r ");
    g_assert_nonnull(last);
    assert_contains(last, unload);
  }
  vb_test_ok(t, VB_TEST_UNDEFINE, domain);
  g_assert_false(g_file_test(profile, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(files, G_FILE_TEST_EXISTS));
}

typedef struct {
  const char *step; /* fails when done */
} Injection;

static gboolean
inject(const char *step, gpointer data, GError **error)
{
  const Injection *injection = data;

  if (injection->step == NULL || !g_str_equal(step, injection->step))
    return TRUE;
  g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "injected by the test");
  return FALSE;
}

/* Each step of the start failing in turn (after it did its work), as root giving files to the
 * throwaway user, with SELinux labels and a cgroup: the start fails naming the step, and leaves
 * no file given away, no label, no cgroup, no QEMU. */
static void
test_failure_injection(void)
{
  static const struct {
    const char *hook; /* a step the hook fails */
    const char *shim; /* or a call the shim fails */
    const char *said; /* what the error says */
  } cases[] = {
      {"choosing the security labels", NULL, "choosing the security labels: injected"},
      {"giving QEMU its files", NULL, "giving QEMU its files: injected"},
      {"making the domain's cgroup", NULL, "making the domain's cgroup: injected"},
      {"spawning QEMU", NULL, "spawning QEMU: injected"},
      {NULL, "setfilecon", "cannot label"},
      {NULL, "setexeccon", "setexeccon"},
  };
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *own = vb_test_own_devices_cgroup();
  g_autofree char *image = NULL, *other = NULL;
  Injection injection = {NULL};

  if ((t = lsm_driver("selinux", VB_TEST_QEMU_CONF)) == NULL)
    return;
  vb_driver_set_start_hook(t->driver, inject, &injection);
  image = vb_test_root_image(t, "images", "injected.img");
  other = vb_test_root_image(t, "images", "second.img");
  set_label(image, HOME_LABEL);
  set_label(other, HOME_LABEL);
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *name = g_strdup_printf("injected-%u", i);
    g_autofree char *bare = vb_test_bare_xml(name);
    g_autofree char *a = vb_test_disk_xml(image, "vda", NULL, NULL);
    g_autofree char *b = vb_test_disk_xml(other, "vdb", NULL, NULL);
    g_autofree char *devices = g_strconcat(a, b, NULL);
    g_autofree char *xml = vb_test_xml_with_devices(bare, devices);
    g_autoptr(GError) error = NULL;
    VbDomainObj *domain = vb_test_define(t, xml);
    gint64 id = vb_driver_allocate_id(t->driver) + 1; /* the one the start takes */

    injection.step = cases[i].hook;
    if (cases[i].shim != NULL) {
      /* setfilecon: the second image's label fails, after the first was given */
      g_autofree char *fail = g_str_equal(cases[i].shim, "setfilecon")
                                  ? g_strconcat("selinux fail=setfilecon:", other, NULL)
                                  : g_strconcat("selinux fail=", cases[i].shim, NULL);

      shim_mode(fail);
    }
    g_assert_false(vb_test_run(t, VB_TEST_START_PAUSED, domain, &error));
    shim_mode("selinux");
    injection.step = NULL;
    if (strstr(error->message, cases[i].said) == NULL)
      g_error("case %u: the error does not say '%s': %s", i, cases[i].said, error->message);
    g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
    g_assert_cmpint(vb_domain_obj_get_pid(domain), <=, 0);
    for (guint j = 0; j < 2; j++) {
      const char *path = j == 0 ? image : other;
      g_autofree char *dac = vb_test_xattr(path, "trusted.virtbus.dac");
      g_autofree char *selinux = vb_test_xattr(path, "trusted.virtbus.selinux");

      vb_test_assert_owner(path, 0, 0);
      assert_label(path, HOME_LABEL);
      if (dac != NULL || selinux != NULL)
        g_error("case %u: %s still remembers %s", i, path, dac != NULL ? dac : selinux);
    }
    if (own != NULL) {
      g_autofree char *leaf = g_strdup_printf("%" G_GINT64_FORMAT "-%s", id, name);
      g_autofree char *dir =
          g_build_filename("/sys/fs/cgroup/devices", own, "virtbus", "qemu", leaf, NULL);

      if (g_file_test(dir, G_FILE_TEST_EXISTS))
        g_error("case %u: the cgroup %s is left", i, dir);
    }
  }
}

/* security_require_confined = 1: no driver to confine is a configuration error at open (as
 * libvirt's), and with SELinux a domain asking for no label does not start. */
static void
test_require_confined(void)
{
  g_autoptr(VbQemuConf) conf = NULL;
  g_autoptr(VbSecurityHost) none = NULL;
  g_autoptr(VbTestDriver) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bare = NULL, *xml = NULL;
  const char *text = ROOT_CONF "security_require_confined = 1\n";
  VbDomainObj *domain;

  if ((t = lsm_driver("", ROOT_CONF)) == NULL)
    return;
  conf = vb_qemu_conf_load_from_data("qemu.conf", text, strlen(text), VB_INSTANCE_SYSTEM, &error);
  g_assert_no_error(error);
  none = vb_security_host_new(conf, t->paths, &error);
  g_assert_null(none);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  assert_contains(error->message, "security_require_confined = 1, but no security driver");
  g_clear_pointer(&t, vb_test_driver_free);

  if ((t = lsm_driver("selinux", text)) == NULL)
    return;
  bare = vb_test_bare_xml("unconfined");
  xml = vb_test_xml_with_domain_elements(bare, "<seclabel type='none' model='selinux'/>");
  domain = vb_test_define(t, xml);
  g_clear_error(&error);
  g_assert_false(vb_test_run(t, VB_TEST_START_PAUSED, domain, &error));
  assert_contains(error->message, "would run unconfined");
  assert_not_called("calls.log", "setexeccon");
}

int
main(int argc, char **argv)
{
  /* the shim goes in first: this test runs itself again with it preloaded */
  if (dlsym(RTLD_DEFAULT, "vb_shim_lsm_active") == NULL) {
    const char *shim = g_getenv("VIRTBUS_TEST_LSM_SHIM");

    if (shim == NULL || g_getenv("LD_PRELOAD") != NULL)
      g_error("the LSM shim is not preloaded (meson test gives VIRTBUS_TEST_LSM_SHIM)");
    g_setenv("LD_PRELOAD", shim, TRUE);
    execv("/proc/self/exe", argv);
    g_error("cannot run again with the shim: %s", g_strerror(errno));
  }
  /* before any thread: the namespace is the process's */
  vb_test_security_enter_namespace();
  g_test_init(&argc, &argv, NULL);
  shim_dir = g_dir_make_tmp("vb-shim-lsm-XXXXXX", NULL);
  g_assert_nonnull(shim_dir);
  {
    g_autofree char *domain = shim_file("virtual_domain_context");
    g_autofree char *image = shim_file("virtual_image_context");

    g_assert_true(g_file_set_contents(
        domain, "system_u:system_r:svirt_t:s0\nsystem_u:system_r:svirt_tcg_t:s0\n", -1, NULL));
    g_assert_true(g_file_set_contents(
        image, "system_u:object_r:svirt_image_t:s0\nsystem_u:object_r:virt_content_t:s0\n", -1,
        NULL));
  }
  g_setenv("VB_SHIM_DIR", shim_dir, TRUE);
  /* the parser the daemon finds, first on PATH; set once, before any thread */
  {
    g_autofree char *bin = parser_dir();
    g_autofree char *path = g_strconcat(bin, ":", g_getenv("PATH"), NULL);

    g_setenv("PATH", path, TRUE);
  }
  g_test_add_func("/security-lsm/selinux/dynamic", test_selinux_dynamic);
  g_test_add_func("/security-lsm/selinux/static-and-relabel", test_selinux_static_and_relabel);
  g_test_add_func("/security-lsm/selinux/unique", test_selinux_unique);
  g_test_add_func("/security-lsm/selinux/restart", test_selinux_restart);
  g_test_add_func("/security-lsm/selinux/backing", test_selinux_backing);
  g_test_add_func("/security-lsm/apparmor", test_apparmor);
  g_test_add_func("/security-lsm/failure-injection", test_failure_injection);
  g_test_add_func("/security-lsm/require-confined", test_require_confined);
  {
    int status = g_test_run();

    vb_test_remove_tree(shim_dir);
    g_free(shim_dir);
    return status;
  }
}
