/* test-qemu-conf.c: qemu.conf's typed settings, defaults, warnings and errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-qemu-conf.h"

static VbQemuConf *
load_text(const char *text, VbInstanceKind instance, GError **error)
{
  return vb_qemu_conf_load_from_data("q.conf", text, strlen(text), instance, error);
}

static gboolean
warnings_contain(const VbQemuConf *conf, const char *pattern)
{
  for (guint i = 0; i < conf->warnings->len; i++) {
    if (g_pattern_match_simple(pattern, g_ptr_array_index(conf->warnings, i)))
      return TRUE;
  }
  return FALSE;
}

static void
assert_defaults_except_identity(const VbQemuConf *conf)
{
  g_assert_true(conf->dynamic_ownership);
  g_assert_true(conf->remember_owner);
  g_assert_cmpuint(g_strv_length(conf->security_drivers), ==, 0);
  g_assert_false(vb_qemu_conf_security_disabled(conf));
  g_assert_true(conf->security_default_confined);
  g_assert_false(conf->security_require_confined);
  g_assert_false(conf->clear_emulator_capabilities);
  g_assert_cmpstrv(
      conf->cgroup_controllers,
      ((const char *const[]){"cpu", "devices", "memory", "blkio", "cpuset", "cpuacct", NULL}));
  g_assert_cmpstrv(conf->cgroup_device_acl,
                   ((const char *const[]){"/dev/null", "/dev/full", "/dev/zero", "/dev/random",
                                          "/dev/urandom", "/dev/ptmx", "/dev/kvm", NULL}));
  g_assert_cmpstr(conf->vnc_listen, ==, "127.0.0.1");
  g_assert_false(conf->vnc_auto_unix_socket);
  g_assert_cmpuint(conf->remote_display_port_min, ==, 5900);
  g_assert_cmpuint(conf->remote_display_port_max, ==, 65535);
  g_assert_cmpstr(conf->spice_listen, ==, "127.0.0.1");
  g_assert_false(conf->spice_tls);
  g_assert_cmpint(conf->deprecation_behavior, ==, VB_DEPRECATION_NONE);
  g_assert_cmpuint(g_strv_length(conf->emulator_search_path), ==, 0);
  g_assert_cmpuint(g_hash_table_size(conf->network_bridges), ==, 0);
  g_assert_null(vb_qemu_conf_lookup_bridge(conf, "default"));
  g_assert_true(conf->log_timestamp);
}

/* Session and embedded QEMU runs as the caller, whatever the defaults say. */
static void
test_defaults_session(void)
{
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_new_default(VB_INSTANCE_SESSION);

  assert_defaults_except_identity(conf);
  g_assert_cmpuint(conf->uid, ==, geteuid());
  g_assert_cmpuint(conf->gid, ==, getegid());
  g_assert_cmpuint(conf->warnings->len, ==, 0);
}

/* The system instance resolves the build-time default user and group. */
static void
test_defaults_system(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf = load_text("", VB_INSTANCE_SYSTEM, &error);

  g_assert_no_error(error);
  assert_defaults_except_identity(conf);
  g_assert_cmpstr(conf->user, ==, VB_DEFAULT_QEMU_USER);
  g_assert_cmpstr(conf->group, ==, VB_DEFAULT_QEMU_GROUP);
  g_assert_cmpuint(conf->uid, !=, (uid_t)-1);
  g_assert_cmpuint(conf->gid, !=, (gid_t)-1);
}

/* The qemu.conf we ship is all comments: it must load to exactly the defaults, warning-free. */
static void
test_shipped_file_is_defaults(void)
{
  g_autofree char *path = g_test_build_filename(G_TEST_DIST, "..", "data", "qemu.conf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_load(path, VB_INSTANCE_SYSTEM, &error);

  g_assert_no_error(error);
  g_assert_true(conf->file_exists);
  assert_defaults_except_identity(conf);
  g_assert_cmpuint(conf->warnings->len, ==, 0);
}

static void
test_missing_file_means_defaults(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf =
      vb_qemu_conf_load("/nonexistent/virtbus/qemu.conf", VB_INSTANCE_EMBED, &error);

  g_assert_no_error(error);
  g_assert_false(conf->file_exists);
  g_assert_cmpstr(conf->filename, ==, "/nonexistent/virtbus/qemu.conf");
  assert_defaults_except_identity(conf);
}

static void
test_unreadable_file(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("vb-qemu-conf-XXXXXX", NULL);
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_load(dir, VB_INSTANCE_SESSION, &error);

  g_assert_null(conf);
  g_assert_error(error, VB_ERROR, VB_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, dir));
  g_rmdir(dir);
}

static void
test_oversized_file(void)
{
  g_autoptr(GError) error = NULL;
  gsize size = VB_QEMU_CONF_MAX_SIZE + 1;
  g_autofree char *text = g_strnfill(size, '#');
  g_autoptr(VbQemuConf) conf = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp("vb-qemu-conf-XXXXXX.conf", &path, &error);

  g_assert_no_error(error);
  close(fd);
  conf = vb_qemu_conf_load_from_data("big.conf", text, size, VB_INSTANCE_SESSION, &error);
  g_assert_null(conf);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_true(g_str_has_prefix(error->message, "big.conf: the file is 1048577 bytes"));
  g_clear_error(&error);

  /* the file reader refuses before reading it all */
  g_assert_true(g_file_set_contents(path, text, (gssize)size, &error));
  conf = vb_qemu_conf_load(path, VB_INSTANCE_SESSION, &error);
  g_assert_null(conf);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_unlink(path);
}

/* Every typed setting, set to something other than its default. */
static void
test_every_setting(void)
{
  static const char text[] = "user = \"+107\"\n"
                             "group = \"+108\"\n"
                             "dynamic_ownership = 0\n"
                             "remember_owner = 0\n"
                             "security_driver = \"selinux\"\n"
                             "security_default_confined = 0\n"
                             "security_require_confined = 1\n"
                             "clear_emulator_capabilities = 1\n"
                             "cgroup_controllers = [ \"cpu\", \"name=systemd\" ]\n"
                             "cgroup_device_acl = [ \"/dev/null\" ]\n"
                             "vnc_listen = \"0.0.0.0\"\n"
                             "vnc_auto_unix_socket = 1\n"
                             "remote_display_port_min = 6000\n"
                             "remote_display_port_max = 6100\n"
                             "deprecation_behavior = \"crash\"\n"
                             "emulator_search_path = \"/opt/qemu/bin\"\n"
                             "network_bridges = [ \"default=virbr0\", \"lab=br-lab.10\" ]\n"
                             "spice_listen = \"::1\"\n"
                             "spice_tls = 1\n"
                             "log_timestamp = 0\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf = load_text(text, VB_INSTANCE_SYSTEM, &error);

  g_assert_no_error(error);
  g_assert_cmpstr(conf->user, ==, "+107");
  g_assert_cmpuint(conf->uid, ==, 107);
  g_assert_cmpstr(conf->group, ==, "+108");
  g_assert_cmpuint(conf->gid, ==, 108);
  g_assert_false(conf->dynamic_ownership);
  g_assert_false(conf->remember_owner);
  g_assert_cmpstrv(conf->security_drivers, ((const char *const[]){"selinux", NULL}));
  g_assert_false(conf->security_default_confined);
  g_assert_true(conf->security_require_confined);
  g_assert_true(conf->clear_emulator_capabilities);
  g_assert_cmpstrv(conf->cgroup_controllers, ((const char *const[]){"cpu", "name=systemd", NULL}));
  g_assert_cmpstrv(conf->cgroup_device_acl, ((const char *const[]){"/dev/null", NULL}));
  g_assert_cmpstr(conf->vnc_listen, ==, "0.0.0.0");
  g_assert_true(conf->vnc_auto_unix_socket);
  g_assert_cmpuint(conf->remote_display_port_min, ==, 6000);
  g_assert_cmpuint(conf->remote_display_port_max, ==, 6100);
  g_assert_cmpint(conf->deprecation_behavior, ==, VB_DEPRECATION_CRASH);
  g_assert_cmpstr(vb_deprecation_behavior_to_string(conf->deprecation_behavior), ==, "crash");
  g_assert_cmpstrv(conf->emulator_search_path, ((const char *const[]){"/opt/qemu/bin", NULL}));
  g_assert_cmpstr(vb_qemu_conf_lookup_bridge(conf, "default"), ==, "virbr0");
  g_assert_cmpstr(vb_qemu_conf_lookup_bridge(conf, "lab"), ==, "br-lab.10");
  g_assert_null(vb_qemu_conf_lookup_bridge(conf, "other"));
  g_assert_cmpstr(conf->spice_listen, ==, "::1");
  g_assert_true(conf->spice_tls);
  g_assert_false(conf->log_timestamp);
  g_assert_cmpuint(conf->warnings->len, ==, 0);
}

static void
test_user_group_names(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) by_name =
      load_text("user = \"root\"\ngroup = \"root\"\n", VB_INSTANCE_SYSTEM, &error);
  g_autoptr(VbQemuConf) bare_number = NULL;

  g_assert_no_error(error);
  g_assert_cmpuint(by_name->uid, ==, 0);
  g_assert_cmpuint(by_name->gid, ==, 0);
  /* like libvirt: a bare number that names no account is taken as an id */
  bare_number = load_text("user = \"4321\"\ngroup = \"4322\"\n", VB_INSTANCE_SYSTEM, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(bare_number->uid, ==, 4321);
  g_assert_cmpuint(bare_number->gid, ==, 4322);
}

/* The session instance runs QEMU as its caller: user and group are reported, not applied. */
static void
test_session_ignores_identity(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf =
      load_text("user = \"no-such-user-here\"\ngroup = \"+5\"\n", VB_INSTANCE_SESSION, &error);

  g_assert_no_error(error);
  g_assert_cmpuint(conf->uid, ==, geteuid());
  g_assert_cmpuint(conf->gid, ==, getegid());
  g_assert_cmpuint(conf->warnings->len, ==, 2);
  g_assert_true(warnings_contain(conf, "q.conf:1: setting 'user' ignored: the session instance "
                                       "runs QEMU as the calling user"));
  g_assert_true(warnings_contain(conf, "q.conf:2: setting 'group' ignored*"));
}

static void
test_security_none(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) single =
      load_text("security_driver = \"none\"\n", VB_INSTANCE_SESSION, &error);
  g_autoptr(VbQemuConf) list = NULL;

  g_assert_no_error(error);
  g_assert_true(vb_qemu_conf_security_disabled(single));
  list = load_text("security_driver = [ \"none\" ]\n", VB_INSTANCE_SESSION, &error);
  g_assert_no_error(error);
  g_assert_true(vb_qemu_conf_security_disabled(list));
}

/* Unknown settings warn once each, repeats warn and lose; neither stops the load. */
static void
test_unknown_and_duplicate_warn(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf = load_text("vnc_tls = 1\n"
                                         "log_timestamp = 0\n"
                                         "log_timestamp = 1\n"
                                         "vnc_tls = 0\n",
                                         VB_INSTANCE_SESSION, &error);

  g_assert_no_error(error);
  g_assert_false(conf->log_timestamp);
  g_assert_cmpuint(conf->warnings->len, ==, 3);
  g_assert_cmpstr(g_ptr_array_index(conf->warnings, 0), ==,
                  "q.conf:1: unknown setting 'vnc_tls' ignored");
  g_assert_cmpstr(g_ptr_array_index(conf->warnings, 1), ==,
                  "q.conf:3: setting 'log_timestamp' repeats the one at line 2, which wins; "
                  "this one is ignored");
  g_assert_cmpstr(g_ptr_array_index(conf->warnings, 2), ==,
                  "q.conf:4: setting 'vnc_tls' repeats the one at line 1, which wins; this one "
                  "is ignored");
}

/* A realistic administrator's libvirt qemu.conf, full of settings we do not read. */
static void
test_full_libvirt_file(void)
{
  g_autofree char *path =
      g_test_build_filename(G_TEST_DIST, "data", "qemu-conf", "libvirt-full.conf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_load(path, VB_INSTANCE_SYSTEM, &error);

  g_assert_no_error(error);
  g_assert_cmpstr(conf->vnc_listen, ==, "0.0.0.0");
  g_assert_true(conf->vnc_auto_unix_socket);
  g_assert_cmpstr(conf->spice_listen, ==, "::");
  g_assert_true(conf->spice_tls);
  g_assert_cmpuint(conf->remote_display_port_min, ==, 5910);
  g_assert_cmpuint(conf->remote_display_port_max, ==, 6000);
  g_assert_cmpstrv(conf->security_drivers, ((const char *const[]){"selinux", "apparmor", NULL}));
  g_assert_false(conf->security_default_confined);
  g_assert_true(conf->security_require_confined);
  g_assert_cmpuint(conf->uid, ==, 107);
  g_assert_cmpuint(conf->gid, ==, 108);
  g_assert_false(conf->dynamic_ownership);
  g_assert_false(conf->remember_owner);
  g_assert_cmpstrv(conf->cgroup_controllers,
                   ((const char *const[]){"cpu", "devices", "memory", "freezer", NULL}));
  g_assert_cmpuint(g_strv_length(conf->cgroup_device_acl), ==, 10);
  g_assert_cmpstr(conf->cgroup_device_acl[9], ==, "/dev/sev");
  g_assert_false(conf->log_timestamp);
  g_assert_cmpint(conf->deprecation_behavior, ==, VB_DEPRECATION_REJECT);
  g_assert_cmpstrv(conf->emulator_search_path,
                   ((const char *const[]){"/opt/qemu/bin", "/usr/local/bin", NULL}));
  g_assert_cmpstr(vb_qemu_conf_lookup_bridge(conf, "lab"), ==, "br-lab");
  g_assert_false(conf->clear_emulator_capabilities);

  /* one warning per libvirt setting we do not read (55 of them), naming each */
  g_assert_cmpuint(conf->warnings->len, ==, 55);
  g_assert_true(warnings_contain(conf, "*libvirt-full.conf:8: unknown setting 'vnc_tls' ignored"));
  g_assert_true(warnings_contain(conf, "*: unknown setting 'nvram' ignored"));
  g_assert_true(warnings_contain(conf, "*: unknown setting 'shared_filesystems' ignored"));
  g_assert_false(warnings_contain(conf, "*'vnc_listen'*"));
}

typedef struct {
  const char *text;
  const char *message; /* exact */
} BadCase;

/* Each wrong value fails the load with file, line, column and setting. */
static void
test_value_errors(void)
{
  static const BadCase cases[] = {
      {"user = 107\n", "q.conf:1:8: setting 'user': expected a quoted string, found an integer"},
      {"user = \"+abc\"\n", "q.conf:1:8: setting 'user': '+abc' is not a valid numeric user id"},
      {"user = \"no-such-user-vb\"\n",
       "q.conf:1:8: setting 'user': there is no user 'no-such-user-vb' on this host"},
      {"group = \"no-such-group-vb\"\n",
       "q.conf:1:9: setting 'group': there is no group 'no-such-group-vb' on this host"},
      {"group = \"+4294967295\"\n",
       "q.conf:1:9: setting 'group': '+4294967295' is not a valid numeric group id"},
      {"dynamic_ownership = 2\n",
       "q.conf:1:21: setting 'dynamic_ownership': expected 0 or 1, found 2"},
      {"remember_owner = \"yes\"\n",
       "q.conf:1:18: setting 'remember_owner': expected 0 or 1, found a string"},
      {"security_driver = \"smack\"\n",
       "q.conf:1:19: setting 'security_driver': unknown value 'smack' (allowed: 'selinux', "
       "'apparmor', 'none')"},
      {"security_driver = [ \"selinux\",\n  \"selinux\" ]\n",
       "q.conf:2:3: setting 'security_driver': 'selinux' is listed twice"},
      {"security_driver = [ \"none\", \"selinux\" ]\n",
       "q.conf:1:19: setting 'security_driver': 'none' disables the security drivers and cannot be "
       "combined with others"},
      {"security_driver = 1\n",
       "q.conf:1:19: setting 'security_driver': expected a quoted string or a list of them, found "
       "an integer"},
      {"security_default_confined = -1\n",
       "q.conf:1:29: setting 'security_default_confined': expected 0 or 1, found -1"},
      {"security_require_confined = [1]\n",
       "q.conf:1:29: setting 'security_require_confined': expected 0 or 1, found a list"},
      {"clear_emulator_capabilities = 3\n",
       "q.conf:1:31: setting 'clear_emulator_capabilities': expected 0 or 1, found 3"},
      {"cgroup_controllers = \"cpu\"\n",
       "q.conf:1:22: setting 'cgroup_controllers': expected a list of quoted strings, found a "
       "string"},
      {"cgroup_controllers = [ \"cpu\", \"gpu\" ]\n",
       "q.conf:1:31: setting 'cgroup_controllers': unknown value 'gpu' (allowed: 'cpu', 'cpuacct', "
       "'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'net_cls', 'perf_event', "
       "'name=systemd')"},
      {"cgroup_device_acl = [ \"/dev/null\", \"dev/zero\" ]\n",
       "q.conf:1:36: setting 'cgroup_device_acl': 'dev/zero' is not an absolute path"},
      {"cgroup_device_acl = [ 1 ]\n",
       "q.conf:1:23: setting 'cgroup_device_acl': list items must be quoted strings, found an "
       "integer"},
      {"vnc_listen = \"\"\n", "q.conf:1:14: setting 'vnc_listen': must not be empty"},
      {"vnc_listen = 0\n",
       "q.conf:1:14: setting 'vnc_listen': expected a quoted string, found an integer"},
      {"vnc_auto_unix_socket = 5\n",
       "q.conf:1:24: setting 'vnc_auto_unix_socket': expected 0 or 1, found 5"},
      {"remote_display_port_min = 5899\n",
       "q.conf:1:27: setting 'remote_display_port_min': 5899 is out of range: allowed are 5900 to "
       "65535"},
      {"remote_display_port_max = 65536\n",
       "q.conf:1:27: setting 'remote_display_port_max': 65536 is out of range: allowed are 5900 to "
       "65535"},
      {"remote_display_port_min = 6000\nremote_display_port_max = 5999\n",
       "q.conf:2:27: setting 'remote_display_port_max': remote_display_port_min (6000) is above "
       "remote_display_port_max (5999)"},
      {"spice_listen = ''\n", "q.conf:1:16: setting 'spice_listen': must not be empty"},
      {"spice_tls = \"1\"\n", "q.conf:1:13: setting 'spice_tls': expected 0 or 1, found a string"},
      {"deprecation_behavior = \"warn\"\n", "q.conf:1:24: setting 'deprecation_behavior': unknown "
                                            "value 'warn' (allowed: 'none', 'omit', "
                                            "'reject', 'crash')"},
      {"emulator_search_path = [ \"/opt/bin\", \"bin\" ]\n",
       "q.conf:1:38: setting 'emulator_search_path': 'bin' is not an absolute path"},
      {"emulator_search_path = [ \"/opt/bin\", \"/opt/bin\" ]\n",
       "q.conf:1:38: setting 'emulator_search_path': '/opt/bin' is listed twice"},
      {"network_bridges = [ \"default\" ]\n",
       "q.conf:1:21: setting 'network_bridges': 'default' is not of the form \"network=bridge\""},
      {"network_bridges = [ \"=virbr0\" ]\n",
       "q.conf:1:21: setting 'network_bridges': '=virbr0' is not of the form \"network=bridge\""},
      {"network_bridges = [ \"default=\" ]\n", "q.conf:1:21: setting 'network_bridges': '' is not "
                                               "a valid bridge name for network 'default' "
                                               "(1 to 15 bytes, no '/', ':' or white space)"},
      {"network_bridges = [ \"default=a-very-long-bridge\" ]\n",
       "q.conf:1:21: setting 'network_bridges': 'a-very-long-bridge' is not a valid bridge name "
       "for "
       "network 'default' (1 to 15 bytes, no '/', ':' or white space)"},
      {"network_bridges = [ \"default=br 0\" ]\n",
       "q.conf:1:21: setting 'network_bridges': 'br 0' is not a valid bridge name for network "
       "'default' (1 to 15 bytes, no '/', ':' or white space)"},
      {"network_bridges = [ \"default=virbr0\",\n                    \"default=br1\" ]\n",
       "q.conf:2:21: setting 'network_bridges': network 'default' is mapped twice"},
      {"log_timestamp = 10\n", "q.conf:1:17: setting 'log_timestamp': expected 0 or 1, found 10"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbQemuConf) conf = load_text(cases[i].text, VB_INSTANCE_SYSTEM, &error);

    g_autofree char *shown = g_strescape(cases[i].text, NULL);

    g_test_message("case %zu: %s", i, shown);
    g_assert_null(conf);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
    g_assert_cmpstr(error->message, ==, cases[i].message);
  }
}

/* A syntax error anywhere fails the load, even in a setting we would have ignored. */
static void
test_syntax_error_in_unknown_setting(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf = load_text("vnc_listen = \"::\"\nvnc_tls_x509_cert_dir = /etc/pki\n",
                                         VB_INSTANCE_SESSION, &error);

  g_assert_null(conf);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_cmpstr(error->message, ==,
                  "q.conf:2:25: setting 'vnc_tls_x509_cert_dir': expected a value (a quoted "
                  "string, an integer or a [list]), found '/'");
}

/* A job holds its reference while a reload drops the daemon's: the settings stay readable. */
static void
test_shared(void)
{
  static const char text[] = "vnc_listen = \"::1\"\n";
  g_autoptr(GError) error = NULL;
  VbQemuConf *loaded =
      vb_qemu_conf_load_from_data("qemu.conf", text, sizeof text - 1, VB_INSTANCE_SESSION, &error);
  g_autoptr(VbQemuConf) held = NULL;

  g_assert_no_error(error);
  held = vb_qemu_conf_ref(loaded);
  vb_qemu_conf_unref(loaded); /* the reload's side: ASan would see a use after free below */
  g_assert_cmpstr(held->vnc_listen, ==, "::1");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/qemu-conf/defaults-session", test_defaults_session);
  g_test_add_func("/virtbus/qemu-conf/defaults-system", test_defaults_system);
  g_test_add_func("/virtbus/qemu-conf/shipped-file-is-defaults", test_shipped_file_is_defaults);
  g_test_add_func("/virtbus/qemu-conf/missing-file-means-defaults",
                  test_missing_file_means_defaults);
  g_test_add_func("/virtbus/qemu-conf/unreadable-file", test_unreadable_file);
  g_test_add_func("/virtbus/qemu-conf/oversized-file", test_oversized_file);
  g_test_add_func("/virtbus/qemu-conf/every-setting", test_every_setting);
  g_test_add_func("/virtbus/qemu-conf/user-group-names", test_user_group_names);
  g_test_add_func("/virtbus/qemu-conf/session-ignores-identity", test_session_ignores_identity);
  g_test_add_func("/virtbus/qemu-conf/security-none", test_security_none);
  g_test_add_func("/virtbus/qemu-conf/unknown-and-duplicate-warn", test_unknown_and_duplicate_warn);
  g_test_add_func("/virtbus/qemu-conf/full-libvirt-file", test_full_libvirt_file);
  g_test_add_func("/virtbus/qemu-conf/value-errors", test_value_errors);
  g_test_add_func("/virtbus/qemu-conf/shared", test_shared);
  g_test_add_func("/virtbus/qemu-conf/syntax-error-in-unknown-setting",
                  test_syntax_error_in_unknown_setting);
  return g_test_run();
}
