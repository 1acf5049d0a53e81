/* test-persistence.c: what the driver keeps on disk and finds again: configs (written whole
 * or not at all, a broken one skipped with its name), autostart, the domain log (a header per
 * start, rotation), the NVRAM made from its template, the monitor setup commands (secrets sent,
 * logged redacted), redefinition of a running domain, autodestroy, and a driver process that
 * is killed outright.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "vb-driver-private.h" /* vb_driver_set_write_hook(): tests only */
#include "vb-error.h"
#include "vb-test-driver.h"
#include "vb-test-wait.h"

#define READY "VIRTBUS-GUEST-READY"

G_GNUC_NORETURN static void
crash_before_rename(const char *temp_path, gpointer data)
{
  /* the temporary file is complete and synced: the process dies as a power cut would stop it */
  _exit(0);
}

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref(result);
}

/* In the test's subprocess: a driver on the parent's root defines the new config and dies
 * between the write and the rename. */
G_GNUC_NORETURN static void
define_and_crash(const char *root, const char *xml)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = vb_paths_new_embed(root, &error);
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_new_default(VB_INSTANCE_EMBED);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VbDriver) driver = NULL;

  g_assert_no_error(error);
  vb_driver_open_async(paths, conf, NULL, on_result, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the driver to open");
  driver = vb_driver_open_finish(result, &error);
  g_assert_no_error(error);
  g_clear_object(&result);
  vb_driver_set_write_hook(driver, crash_before_rename, NULL);
  vb_driver_define_xml_async(driver, xml, NULL, on_result, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the define (that should have crashed)");
  g_assert_not_reached();
}

/* A crash between the write and the rename leaves the old config whole; the next driver
 * removes the temporary file and loads the old config. */
static void
test_atomic_config(void)
{
  g_autoptr(VbTestDriver) t = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *config = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;
  guint temporary = 0;

  if (g_test_subprocess()) {
    define_and_crash(g_getenv("VB_TEST_ROOT"), g_getenv("VB_TEST_XML"));
  }
  if ((t = vb_test_driver_new()) == NULL)
    return;
  first = vb_test_bare_xml("durable");
  domain = vb_test_define(t, first);
  config = vb_test_path(t, VB_PATH_CONFIG_DIR, "durable.xml");
  g_assert_true(vb_test_file_contains(config, "<memory unit='KiB'>65536</memory>"));
  {
    g_auto(GStrv) parts = g_strsplit(first, "<memory unit='MiB'>64</memory>", 2);

    second = g_strdup_printf("%s<uuid>%s</uuid><memory unit='MiB'>96</memory>%s", parts[0],
                             vb_domain_obj_get_uuid(domain), parts[1]);
  }
  g_setenv("VB_TEST_ROOT", t->root, TRUE);
  g_setenv("VB_TEST_XML", second, TRUE);
  /* one driver at a time on an instance: ours lets go while the other one crashes */
  vb_test_driver_drop(t);
  g_test_trap_subprocess(NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed();

  g_assert_true(g_file_get_contents(config, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "<memory unit='KiB'>65536</memory>"));
  g_assert_nonnull(strstr(text, "</domain>"));
  {
    g_autoptr(GDir) dir = g_dir_open(vb_paths_get(t->paths, VB_PATH_CONFIG_DIR), 0, &error);
    const char *name;

    g_assert_no_error(error);
    while ((name = g_dir_read_name(dir)) != NULL)
      temporary += g_str_has_prefix(name, ".durable.xml.");
  }
  /* the new config was written whole, under a name no load takes for a config */
  g_assert_cmpuint(temporary, ==, 1);
  vb_test_driver_reopen(t);
  domain = vb_driver_lookup_by_name(t->driver, "durable");
  g_assert_nonnull(domain);
  g_assert_cmpuint(vb_domain_obj_get_persistent_def(domain)->memory_kib, ==, 65536);
  {
    g_autoptr(GDir) dir = g_dir_open(vb_paths_get(t->paths, VB_PATH_CONFIG_DIR), 0, &error);
    const char *name;

    while ((name = g_dir_read_name(dir)) != NULL)
      g_assert_false(g_str_has_prefix(name, ".durable.xml."));
  }
}

/* A broken config is reported with its file name and skipped; the others load. */
static void
test_broken_config(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *good = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *misnamed = NULL;
  g_autoptr(GError) error = NULL;
  const GPtrArray *errors;

  if (t == NULL)
    return;
  good = vb_test_bare_xml("good");
  vb_test_define(t, good);
  vb_test_driver_drop(t);
  broken = vb_test_path(t, VB_PATH_CONFIG_DIR, "broken.xml");
  g_assert_true(g_file_set_contents(broken, "<domain type='qemu'><name>broken</name>", -1, &error));
  misnamed = vb_test_path(t, VB_PATH_CONFIG_DIR, "other.xml");
  g_assert_true(g_file_set_contents(misnamed, good, -1, &error));
  vb_test_driver_reopen(t);
  g_assert_nonnull(vb_driver_lookup_by_name(t->driver, "good"));
  g_assert_null(vb_driver_lookup_by_name(t->driver, "broken"));
  errors = vb_driver_get_load_errors(t->driver);
  g_assert_cmpuint(errors->len, ==, 2);
  g_assert_true(g_str_has_prefix(errors->pdata[0], broken));
  g_assert_nonnull(strstr(errors->pdata[0], "line 1"));
  g_assert_true(g_str_has_prefix(errors->pdata[1], misnamed));
  g_assert_nonnull(strstr(errors->pdata[1], "good.xml"));
  g_unlink(broken);
  g_unlink(misnamed);
}

/* Many configs (parsed by several threads): every good one loads, each broken one is reported
 * once, in the order of the file names, whatever thread read it. */
static void
test_many_configs(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autoptr(GPtrArray) domains = NULL;
  g_autoptr(GError) error = NULL;
  const GPtrArray *errors;
  const guint count = 300;

  if (t == NULL)
    return;
  vb_test_driver_drop(t);
  for (guint i = 0; i < count; i++) {
    g_autofree char *name = g_strdup_printf("many-%03u", i);
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = vb_test_path(t, VB_PATH_CONFIG_DIR, file);
    g_autofree char *xml = vb_test_bare_xml(name);

    /* every 7th is cut short */
    if (i % 7 == 3)
      xml[strlen(xml) / 2] = '\0';
    g_assert_true(g_file_set_contents(path, xml, -1, &error));
  }
  vb_test_driver_reopen(t);
  domains = vb_driver_list_domains(t->driver);
  errors = vb_driver_get_load_errors(t->driver);
  g_assert_cmpuint(errors->len, ==, (count + 3) / 7);
  g_assert_cmpuint(domains->len, ==, count - errors->len);
  for (guint i = 0, e = 0; i < count; i++) {
    g_autofree char *name = g_strdup_printf("many-%03u", i);
    g_autofree char *file = g_strdup_printf("%s.xml", name);
    g_autofree char *path = vb_test_path(t, VB_PATH_CONFIG_DIR, file);

    if (i % 7 == 3) {
      g_assert_null(vb_driver_lookup_by_name(t->driver, name));
      g_assert_true(g_str_has_prefix(errors->pdata[e++], path));
    } else {
      g_assert_nonnull(vb_driver_lookup_by_name(t->driver, name));
    }
    g_unlink(path);
  }
}

/* One driver per instance: a second one is refused, naming the holder; once the first is
 * gone (or its process died: the lock goes with it), the instance opens again. */
static void
test_one_driver(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autoptr(VbQemuConf) conf = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(VbDriver) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *holder = NULL;

  if (t == NULL)
    return;
  conf = vb_qemu_conf_new_default(VB_INSTANCE_EMBED);
  vb_driver_open_async(t->paths, conf, NULL, on_result, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the second driver's open");
  second = vb_driver_open_finish(result, &error);
  g_assert_null(second);
  holder = g_strdup_printf("in use by process %d", (int)getpid());
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, holder));
  g_assert_nonnull(strstr(error->message, t->root));
  vb_test_driver_drop(t);
  vb_test_driver_reopen(t);
  g_assert_nonnull(t->driver);
}

/* Autostart: a link in autostart/, and the domain starts when the driver opens. Undefine
 * removes both files. */
static void
test_autostart(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autofree char *link = NULL;
  g_autofree char *config = NULL;
  g_autofree char *marker = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_bare_xml("eager");
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_AUTOSTART, domain);
  g_assert_true(vb_domain_obj_get_autostart(domain));
  link = vb_test_path(t, VB_PATH_AUTOSTART_DIR, "eager.xml");
  g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
  /* another open in the same boot: no autostart (each embedded command opens the driver) */
  vb_test_driver_drop(t);
  vb_test_driver_reopen(t);
  domain = vb_driver_lookup_by_name(t->driver, "eager");
  g_assert_true(vb_domain_obj_get_autostart(domain));
  g_assert_cmpint(vb_domain_obj_get_state(domain), ==, VB_DOMAIN_SHUTOFF);
  /* a boot empties the run directory: the next open starts it */
  vb_test_driver_drop(t);
  marker = vb_test_path(t, VB_PATH_RUN_DIR, "autostarted");
  g_assert_cmpint(g_unlink(marker), ==, 0);
  vb_test_driver_reopen(t);
  domain = vb_driver_lookup_by_name(t->driver, "eager");
  g_assert_true(vb_domain_obj_get_autostart(domain));
  vb_test_wait_state(t, domain, VB_DOMAIN_RUNNING, "booted");
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  vb_test_ok(t, VB_TEST_NO_AUTOSTART, domain);
  g_assert_false(g_file_test(link, G_FILE_TEST_EXISTS));
  vb_test_ok(t, VB_TEST_AUTOSTART, domain);
  vb_test_ok(t, VB_TEST_UNDEFINE, domain);
  config = vb_test_path(t, VB_PATH_CONFIG_DIR, "eager.xml");
  g_assert_false(g_file_test(link, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(config, G_FILE_TEST_EXISTS));
  g_assert_null(vb_driver_lookup_by_name(t->driver, "eager"));
  g_assert_cmpuint(vb_test_count_events(t, "eager", "undefined", "removed"), ==, 1);
}

/* A redefine while the domain runs changes the next start only; the log gets a header per
 * start and is rotated once it is over 1 MiB. */
static void
test_redefine_and_log(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autofree char *bigger = NULL;
  g_autofree char *log = NULL;
  g_autofree char *old = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_bare_xml("changing");
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START, domain);
  {
    g_autofree char *inactive = vb_domain_obj_get_xml(domain, VB_DOMAIN_XML_INACTIVE, &error);
    g_auto(GStrv) parts = NULL;

    g_assert_no_error(error);
    parts = g_strsplit(inactive, "<memory unit='KiB'>65536</memory>", 2);
    g_assert_nonnull(parts[1]);
    bigger = g_strjoin("<memory unit='KiB'>98304</memory>", parts[0], parts[1], NULL);
  }
  g_assert_true(vb_test_define(t, bigger) == domain);
  g_assert_cmpuint(vb_test_count_events(t, "changing", "defined", "updated"), ==, 1);
  g_assert_cmpuint(vb_domain_obj_get_def(domain)->memory_kib, ==, 65536);
  g_assert_cmpuint(vb_domain_obj_get_persistent_def(domain)->memory_kib, ==, 98304);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_assert_cmpuint(vb_domain_obj_get_def(domain)->memory_kib, ==, 98304);

  log = vb_test_path(t, VB_PATH_LOG_DIR, "changing.log");
  old = g_strconcat(log, ".0", NULL);
  vb_test_ok(t, VB_TEST_START, domain);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
  {
    guint headers = 0;

    for (const char *at = strstr(text, "virtbus: starting domain"); at != NULL;
         at = strstr(at + 1, "virtbus: starting domain"))
      headers++;
    g_assert_cmpuint(headers, ==, 2);
  }
  /* a log over the cap moves to .log.0 at the next start */
  {
    g_autofree char *filler = g_strnfill(1024 * 1024 + 1, 'x');

    g_assert_true(g_file_set_contents(log, filler, -1, &error));
  }
  vb_test_ok(t, VB_TEST_START, domain);
  g_assert_true(vb_test_file_contains(old, "xxxxxxxxxxxxxxxx"));
  g_assert_true(vb_test_file_contains(log, "virtbus: starting domain 'changing'"));
  g_assert_false(vb_test_file_contains(log, "xxxxxxxxxxxxxxxx"));
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

/* A QEMU that writes more than the cap in one run (TCG's translation log on stderr) has its
 * log moved to .log.0 and emptied while it runs. */
static void
test_log_cap(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autofree char *log = NULL;
  g_autofree char *old = NULL;
  VbDomainObj *domain;
  GStatBuf st;

  if (t == NULL)
    return;
  xml =
      g_strdup_printf("<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
                      "<name>chatty</name><memory unit='MiB'>64</memory>"
                      "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
                      "<devices><memballoon model='none'/></devices>"
                      "<qemu:commandline><qemu:arg value='-d'/><qemu:arg value='in_asm,exec,int'/>"
                      "</qemu:commandline></domain>");
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START, domain);
  g_assert_cmpuint(vb_domain_obj_get_taints(domain)->len, >=, 1);
  log = vb_test_path(t, VB_PATH_LOG_DIR, "chatty.log");
  old = g_strconcat(log, ".0", NULL);
  VB_TEST_WAIT_UNTIL(NULL, g_stat(old, &st) == 0 && st.st_size > 1024 * 1024,
                     "the chatty log to be moved to .log.0");
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

/* The monitor setup commands carry their secrets to QEMU and only redacted into the log; an
 * EFI domain gets its NVRAM from the template at its first start. */
static void
test_setup_and_nvram(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autofree char *log = NULL;
  g_autofree char *nvram = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = g_strdup_printf("<domain type='qemu'>\n"
                        "  <name>secretive</name>\n"
                        "  <memory unit='MiB'>64</memory>\n"
                        "  <os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type></os>\n"
                        "  <devices>\n"
                        "    <graphics type='vnc' port='-1' autoport='yes' passwd='s3cr3t'/>\n"
                        "    <memballoon model='none'/>\n"
                        "  </devices>\n"
                        "</domain>\n");
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START, domain);
  log = vb_test_path(t, VB_PATH_LOG_DIR, "secretive.log");
  g_assert_true(vb_test_file_contains(log, "monitor setup: {\"execute\":\"set_password\""));
  g_assert_false(vb_test_file_contains(log, "s3cr3t"));
  nvram = g_strdup(vb_domain_obj_get_def(domain)->os.nvram);
  if (nvram == NULL) {
    g_autoptr(GDir) dir = NULL;
    g_autofree char *lib = vb_test_path(t, VB_PATH_STATE_DIR, "nvram");
    const char *name;

    dir = g_dir_open(lib, 0, NULL);
    g_assert_nonnull(dir);
    name = g_dir_read_name(dir);
    g_assert_nonnull(name);
    nvram = g_build_filename(lib, name, NULL);
  }
  g_test_message("NVRAM: %s", nvram);
  g_assert_true(g_file_test(nvram, G_FILE_TEST_IS_REGULAR));
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

/* Autodestroy: the domain goes when its owner does. */
static void
test_autodestroy(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_bare_xml("owned");
  domain = vb_test_create(t, xml, VB_START_NONE, &error);
  g_assert_no_error(error);
  g_object_ref(domain);
  vb_driver_set_autodestroy(t->driver, domain, ":1.42");
  vb_driver_owner_gone(t->driver, ":1.43");
  g_assert_true(vb_domain_obj_is_active(domain));
  vb_driver_owner_gone(t->driver, ":1.42");
  vb_test_wait_state(t, domain, VB_DOMAIN_SHUTOFF, "destroyed");
  g_assert_null(vb_driver_lookup_by_name(t->driver, "owned"));
  g_object_unref(domain);
}

/* A status file is the daemon's own, but what it names is checked: one whose runtime directory
 * lies outside the instance's is not followed (its stop would remove that directory). */
static void
test_forged_status(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *victim = NULL;
  g_autofree char *precious = NULL;
  g_autofree char *status = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const GPtrArray *errors;
  gboolean reported = FALSE;

  if (t == NULL)
    return;
  victim = g_build_filename(t->root, "victim", NULL);
  g_assert_cmpint(g_mkdir(victim, 0755), ==, 0);
  precious = g_build_filename(victim, "precious", NULL);
  g_assert_true(g_file_set_contents(precious, "keep me", -1, &error));
  status = vb_test_path(t, VB_PATH_RUN_DIR, "forged.xml");
  text = g_strdup_printf(
      "<domstatus state='running' reason='booted' pid='1' starttime='1'>"
      "<monitor path='%s/monitor.sock'/><rundir path='%s'/><log path='/etc/passwd'/>"
      "<domain type='qemu' id='7'><name>forged</name>"
      "<uuid>11111111-2222-3333-4444-555555555555</uuid><memory>65536</memory>"
      "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain></domstatus>",
      victim, victim);
  g_assert_true(g_file_set_contents(status, text, -1, &error));
  vb_test_driver_drop(t);
  vb_test_driver_reopen(t);
  g_assert_null(vb_driver_lookup_by_name(t->driver, "forged"));
  errors = vb_driver_get_load_errors(t->driver);
  for (guint i = 0; i < errors->len; i++)
    reported |= strstr(errors->pdata[i], "outside") != NULL;
  g_assert_true(reported);
  g_assert_true(g_file_test(precious, G_FILE_TEST_EXISTS));
  g_unlink(status);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/persistence/atomic-config", test_atomic_config);
  g_test_add_func("/persistence/broken-config", test_broken_config);
  g_test_add_func("/persistence/many-configs", test_many_configs);
  g_test_add_func("/persistence/one-driver", test_one_driver);
  g_test_add_func("/persistence/autostart", test_autostart);
  g_test_add_func("/persistence/redefine-and-log", test_redefine_and_log);
  g_test_add_func("/persistence/setup-and-nvram", test_setup_and_nvram);
  g_test_add_func("/persistence/log-cap", test_log_cap);
  g_test_add_func("/persistence/autodestroy", test_autodestroy);
  g_test_add_func("/persistence/forged-status", test_forged_status);
  return g_test_run();
}
