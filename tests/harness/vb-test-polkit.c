/* vb-test-polkit.c: the polkit tests' harness (vb-test-polkit.h), after TESTING.md's recipe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vb-test-polkit.h"
#include "vb-test-wait.h"

#define POLKITD "/usr/lib/polkit-1/polkitd"

static gboolean
run(const char *const *argv, GError **error)
{
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                    NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, error)) {
    g_prefix_error(error, "%s: %s: ", argv[0], err != NULL ? err : "");
    return FALSE;
  }
  return TRUE;
}

/* polkitd's own bus policy: it owns its name, anyone may ask it, it may call agents */
#define POLKIT_BUS_POLICY "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"

/* The bus: the usual system bus rules, written here, and the project's own policy file and
 * polkit's included, so the shipped ones are what the test runs under. */
static char *
write_bus_config(const char *dir)
{
  g_autofree char *shipped = g_test_build_filename(G_TEST_DIST, "..", "data", "dbus-1", "system.d",
                                                   "org.virtbus.Virtbus1.conf", NULL);
  g_autofree char *text = g_strdup_printf(
      "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
      " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig>\n"
      "  <type>system</type>\n"
      "  <listen>unix:tmpdir=/tmp</listen>\n"
      "  <auth>EXTERNAL</auth>\n"
      "  <policy context='default'>\n"
      "    <allow user='*'/>\n"
      "    <deny own='*'/>\n"
      "    <deny send_type='method_call'/>\n"
      "    <allow send_type='signal'/>\n"
      "    <allow send_requested_reply='true' send_type='method_return'/>\n"
      "    <allow send_requested_reply='true' send_type='error'/>\n"
      "    <allow receive_type='method_call'/>\n"
      "    <allow receive_type='method_return'/>\n"
      "    <allow receive_type='error'/>\n"
      "    <allow receive_type='signal'/>\n"
      "    <allow send_destination='org.freedesktop.DBus' send_interface='org.freedesktop.DBus'/>\n"
      "    <allow send_destination='org.freedesktop.DBus' "
      "send_interface='org.freedesktop.DBus.Introspectable'/>\n"
      "    <allow send_destination='org.freedesktop.PolicyKit1'/>\n"
      "  </policy>\n"
      "  <policy user='root'><allow own='org.freedesktop.PolicyKit1'/></policy>\n"
      "  <include>" POLKIT_BUS_POLICY "</include>\n"
      "  <include>%s</include>\n"
      "</busconfig>\n",
      shipped);
  char *path = g_build_filename(dir, "system-bus.conf", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true(g_file_set_contents(path, text, -1, &error));
  return path;
}

static void
on_polkit_appeared(GDBusConnection *connection,
                   const char *name,
                   const char *owner,
                   gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
}

static void
die_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* polkitd reads its actions and rules from compiled-in directories: it runs in namespaces of
 * its own with ours mounted over them. */
static void
start_polkitd(VbTestPolkit *self)
{
  VbTestBus *bus = self->bus;
  g_autofree char *actions = g_build_filename(bus->dir, "polkit-actions", NULL);
  g_autofree char *rules = g_build_filename(bus->dir, "polkit-rules", NULL);
  g_autofree char *empty = g_build_filename(bus->dir, "polkit-empty", NULL);
  /* the policy as built (merged with its translations), as it is installed */
  g_autofree char *policy = g_strdup(g_getenv("VIRTBUS_TEST_POLKIT_POLICY"));
  g_autofree char *template =
      g_test_build_filename(G_TEST_DIST, "..", "data", "polkit", "50-org.virtbus.rules.in", NULL);
  g_autofree char *policy_text = NULL, *rules_text = NULL, *script = NULL;
  g_autofree char *copy = g_build_filename(actions, "org.virtbus.policy", NULL);
  g_autofree char *rules_file = g_build_filename(rules, "50-org.virtbus.rules", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  gboolean appeared = FALSE;
  guint watch;

  g_assert_cmpint(g_mkdir(actions, 0755), ==, 0);
  g_assert_cmpint(g_mkdir(rules, 0755), ==, 0);
  g_assert_cmpint(g_mkdir(empty, 0755), ==, 0);
  g_assert_true(g_file_get_contents(policy, &policy_text, NULL, &error));
  g_assert_true(g_file_set_contents(copy, policy_text, -1, &error));
  /* the shipped rules, for a group of the test's own */
  g_assert_true(g_file_get_contents(template, &rules_text, NULL, &error));
  {
    g_auto(GStrv) parts = g_strsplit(rules_text, "@polkit_group@", -1);
    g_autofree char *filled = g_strjoinv(self->group, parts);

    g_assert_true(g_file_set_contents(rules_file, filled, -1, &error));
  }
  g_chmod(rules_file, 0644);
  g_chmod(copy, 0644);
  script = g_strdup_printf("mount --bind '%s' /usr/share/polkit-1/actions && "
                           "mount --bind '%s' /usr/share/polkit-1/rules.d && "
                           "mount --bind '%s' /etc/polkit-1/rules.d && exec " POLKITD,
                           actions, rules, empty);
  g_subprocess_launcher_setenv(launcher, "DBUS_SYSTEM_BUS_ADDRESS", bus->address, TRUE);
  g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
  self->polkitd = g_subprocess_launcher_spawn(launcher, &error, "unshare", "--mount",
                                              "--propagation", "private", "--pid", "--fork",
                                              "--kill-child", "sh", "-ec", script, NULL);
  g_assert_no_error(error);
  watch = g_bus_watch_name_on_connection(bus->connection, "org.freedesktop.PolicyKit1",
                                         G_BUS_NAME_WATCHER_FLAGS_NONE, on_polkit_appeared, NULL,
                                         &appeared, NULL);
  VB_TEST_WAIT_UNTIL(NULL, appeared, "polkitd to own org.freedesktop.PolicyKit1");
  g_bus_unwatch_name(watch);
}

/* Accounts an earlier run made and could not remove (it was killed): "vbtu<pid>" and
 * "vbtg<pid>" whose process is gone. */
static void
remove_stale_accounts(void)
{
  const char *files[] = {"/etc/passwd", "/etc/group"};

  for (guint f = 0; f < G_N_ELEMENTS(files); f++) {
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(files[f], &text, NULL, NULL))
      continue;
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
      const char *prefix = f == 0 ? "vbtu" : "vbtg";
      g_autofree char *name = NULL;
      guint64 pid = 0;
      char *colon = strchr(lines[i], ':');

      if (colon == NULL || !g_str_has_prefix(lines[i], prefix))
        continue;
      name = g_strndup(lines[i], (gsize)(colon - lines[i]));
      if (!g_ascii_string_to_unsigned(name + 4, 10, 1, G_MAXUINT32, &pid, NULL) ||
          (kill((pid_t)pid, 0) == 0 && (guint)pid != (guint)getpid()))
        continue;
      {
        const char *argv[] = {f == 0 ? "userdel" : "groupdel", name, NULL};

        run(argv, NULL);
      }
    }
  }
}

VbTestPolkit *
vb_test_polkit_new_full(gboolean polkit)
{
  g_autofree char *config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  VbTestPolkit *self;

  if (geteuid() != 0 || !g_file_test(POLKITD, G_FILE_TEST_IS_EXECUTABLE) ||
      g_getenv("VIRTBUS_TEST_POLKIT_POLICY") == NULL) {
    g_test_skip("the polkit tests need root and polkitd");
    return NULL;
  }
  remove_stale_accounts();
  self = g_new0(VbTestPolkit, 1);
  self->user = g_strdup_printf("vbtu%u", (guint)getpid());
  self->group = g_strdup_printf("vbtg%u", (guint)getpid());
  {
    const char *groupadd[] = {"groupadd", self->group, NULL};
    const char *useradd[] = {"useradd",           "-M",       "-N", "-g", "nogroup", "-s",
                             "/usr/sbin/nologin", self->user, NULL};

    g_assert_true(run(groupadd, &error));
    g_assert_no_error(error);
    g_assert_true(run(useradd, &error));
    g_assert_no_error(error);
  }
  tmp = g_dir_make_tmp("vb-sysbus-XXXXXX", &error);
  g_assert_no_error(error);
  g_chmod(tmp, 0755);
  config = write_bus_config(tmp);
  self->bus = vb_test_bus_new_bus(config);
  g_unlink(config);
  g_rmdir(tmp);
  /* without polkit: an instance that takes its own user's calls only, on a bus others reach */
  if (polkit)
    start_polkitd(self);
  vb_test_bus_start(self->bus, polkit);
  return self;
}

VbTestPolkit *
vb_test_polkit_new(void)
{
  return vb_test_polkit_new_full(TRUE);
}

void
vb_test_polkit_join_group(VbTestPolkit *self)
{
  const char *usermod[] = {"usermod", "-a", "-G", self->group, self->user, NULL};
  g_autoptr(GError) error = NULL;

  g_assert_true(run(usermod, &error));
  g_assert_no_error(error);
}

gboolean
vb_test_polkit_call_as_user(VbTestPolkit *self,
                            const char *path,
                            const char *method,
                            const char *const *args,
                            char **output)
{
  g_autofree char *reuid = g_strdup_printf("--reuid=%s", self->user);
  const char *argv[32];
  guint n = 0;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  argv[n++] = "setpriv";
  argv[n++] = reuid;
  argv[n++] = "--regid=nogroup";
  argv[n++] = "--init-groups";
  argv[n++] = "gdbus";
  argv[n++] = "call";
  argv[n++] = "--address";
  argv[n++] = self->bus->address;
  argv[n++] = "--dest";
  argv[n++] = "org.virtbus.Virtbus1";
  argv[n++] = "--object-path";
  argv[n++] = path;
  argv[n++] = "--method";
  argv[n++] = method;
  for (guint i = 0; args[i] != NULL && n < G_N_ELEMENTS(argv) - 1; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                             &status, &error));
  g_assert_no_error(error);
  if (g_spawn_check_wait_status(status, NULL)) {
    *output = g_steal_pointer(&out);
    return TRUE;
  }
  *output = g_steal_pointer(&err);
  return FALSE;
}

void
vb_test_polkit_call_with_agent(VbTestPolkit *self,
                               const char *path,
                               const char *method,
                               char **output)
{
  const char *built = g_getenv("VIRTBUS_TEST_POLKIT_AGENT");
  g_autofree char *reuid = g_strdup_printf("--reuid=%s", self->user);
  g_autofree char *system_bus = g_strdup_printf("DBUS_SYSTEM_BUS_ADDRESS=%s", self->bus->address);
  g_autofree char *dir = NULL;
  g_autofree char *agent = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  int status = 0;

  if (built == NULL)
    g_error("VIRTBUS_TEST_POLKIT_AGENT is not set (meson test sets it)");
  /* a copy the throwaway user can reach, wherever the build tree is */
  dir = g_dir_make_tmp("vb-agent-XXXXXX", &error);
  g_assert_no_error(error);
  g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
  agent = g_build_filename(dir, "vb-test-polkit-agent", NULL);
  g_file_get_contents(built, &contents, &length, &error);
  g_assert_no_error(error);
  g_file_set_contents_full(agent, contents, length, G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error(error);
  {
    const char *argv[] = {"setpriv",
                          reuid,
                          "--regid=nogroup",
                          "--init-groups",
                          "env",
                          system_bus,
                          agent,
                          self->bus->address,
                          path,
                          method,
                          NULL};

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, output,
                               &err, &status, &error));
  }
  g_assert_no_error(error);
  g_unlink(agent);
  g_rmdir(dir);
  if (!g_spawn_check_wait_status(status, &error))
    g_error("the test agent failed: %s: %s", error->message, err);
}

void
vb_test_polkit_free(VbTestPolkit *self)
{
  const char *userdel[] = {"userdel", self != NULL ? self->user : NULL, NULL};
  const char *groupdel[] = {"groupdel", self != NULL ? self->group : NULL, NULL};

  if (self == NULL)
    return;
  g_clear_pointer(&self->bus, vb_test_bus_free);
  if (self->polkitd != NULL) {
    /* it ignores SIGTERM under --fork: SIGKILL to unshare takes the namespace down */
    g_subprocess_force_exit(self->polkitd);
    g_subprocess_wait(self->polkitd, NULL, NULL);
    g_object_unref(self->polkitd);
  }
  run(userdel, NULL);
  run(groupdel, NULL);
  g_free(self->user);
  g_free(self->group);
  g_free(self);
}
