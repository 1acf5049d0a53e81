/* test-client.c: the virtbus command as a user runs it: over qemu:///embed (the driver in the
 * command's own process, one command after another finding the domain again), and over
 * qemu:///session against virtbusd on a private bus. Every verb; --json parsed; the exit codes
 * of the error classes; the console's marker, also through a pty as a terminal user sees it;
 * edit with a scripted $EDITOR.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pty.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vb-test-bus.h"
#include "vb-test-tree.h"
#include "vb-test-wait.h"

#define MARKER "VIRTBUS-GUEST-READY"

typedef struct {
  char *dir;       /* scratch */
  char *uri;       /* the embed URI, or qemu:///session */
  char **env;      /* the environment the commands run with */
  char *out, *err; /* the last command's output */
} Client;

static void
client_init(Client *c, const char *uri, const char *bus_address)
{
  g_autoptr(GError) error = NULL;

  c->dir = g_dir_make_tmp("vb-client-XXXXXX", &error);
  g_assert_no_error(error);
  c->uri = uri != NULL ? g_strdup(uri) : g_strdup_printf("qemu:///embed?root=%s/root", c->dir);
  c->env = g_get_environ();
  c->env = g_environ_unsetenv(c->env, "VIRTBUS_DEFAULT_URI");
  if (bus_address != NULL)
    c->env = g_environ_setenv(c->env, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
  if (uri == NULL) {
    g_autofree char *root = g_build_filename(c->dir, "root", NULL);

    vb_test_guard_root(root);
  }
}

static void
client_clear(Client *c)
{
  vb_test_remove_tree(c->dir);
  g_free(c->dir);
  g_free(c->uri);
  g_strfreev(c->env);
  g_free(c->out);
  g_free(c->err);
  memset(c, 0, sizeof *c);
}

/* Starts virtbus -c URI ARGS… (NULL-terminated), its standard streams pipes; @verb gets the
 * first argument, for messages. */
static GSubprocess *
spawn_valist(Client *c, va_list args, const char **verb)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv("VIRTBUS_TEST_CLIENT");
  const char *arg;
  GSubprocess *process;

  g_assert_nonnull(binary);
  g_ptr_array_add(argv, (char *)binary);
  g_ptr_array_add(argv, (gpointer) "-c");
  g_ptr_array_add(argv, c->uri);
  while ((arg = va_arg(args, const char *)) != NULL)
    g_ptr_array_add(argv, (char *)arg);
  *verb = argv->len > 3 ? argv->pdata[3] : "";
  g_ptr_array_add(argv, NULL);
  g_subprocess_launcher_set_environ(launcher, c->env);
  process = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error(error);
  return process;
}

static GSubprocess *
spawn(Client *c, ...)
{
  GSubprocess *process;
  const char *verb;
  va_list args;

  va_start(args, c);
  process = spawn_valist(c, args, &verb);
  va_end(args);
  return process;
}

/* Runs virtbus -c URI ARGS… (NULL-terminated); returns its exit status. */
static int
run(Client *c, ...)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *verb;
  va_list args;

  va_start(args, c);
  process = spawn_valist(c, args, &verb);
  va_end(args);
  g_clear_pointer(&c->out, g_free);
  g_clear_pointer(&c->err, g_free);
  g_subprocess_communicate_utf8(process, NULL, NULL, &c->out, &c->err, &error);
  g_assert_no_error(error);
  if (!g_subprocess_get_if_exited(process))
    g_error("virtbus %s was killed by signal %d: %s", verb, g_subprocess_get_term_sig(process),
            c->err);
  g_test_message("virtbus %s → %d%s%s", verb, g_subprocess_get_exit_status(process),
                 c->err[0] != '\0' ? ": " : "", c->err);
  return g_subprocess_get_exit_status(process);
}

static void
ok(Client *c, int status)
{
  if (status != 0)
    g_error("virtbus failed (%d): %s%s", status, c->err, c->out);
}

static void
out_holds(Client *c, const char *text)
{
  if (strstr(c->out, text) == NULL)
    g_error("the output does not hold '%s':\n%s", text, c->out);
}

static JsonNode *
out_json(Client *c)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string(c->out, &error);

  if (node == NULL)
    g_error("not JSON (%s):\n%s", error->message, c->out);
  return node;
}

static char *
write_domain(Client *c, const char *name, gboolean guest)
{
  const char *built = g_getenv("VIRTBUS_TEST_GUEST");
  g_autofree char *file = g_strdup_printf("%s/%s.xml", c->dir, name);
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;

  if (guest)
    xml = g_strdup_printf(
        "<domain type='qemu'>\n  <name>%s</name>\n  <memory unit='MiB'>128</memory>\n"
        "  <vcpu>1</vcpu>\n  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n"
        "    <kernel>%s/vmlinuz</kernel>\n    <initrd>%s/initramfs.img</initrd>\n"
        "    <cmdline>console=ttyS0 quiet</cmdline>\n  </os>\n  <features><acpi/></features>\n"
        "  <cpu mode='maximum'/>\n  <devices>\n    <serial type='pty'/>\n"
        "    <graphics type='vnc'><listen type='none'/></graphics>\n"
        "    <video><model type='vga'/></video>\n    <memballoon model='none'/>\n"
        "  </devices>\n</domain>\n",
        name, built, built);
  else
    xml = g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
                          "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
                          "<devices><memballoon model='none'/></devices></domain>\n",
                          name);
  g_assert_true(g_file_set_contents(file, xml, -1, &error));
  return g_steal_pointer(&file);
}

/* What bash completion offers for the words of @line (the last one being completed). */
static char *
complete(Client *c, const char *line)
{
  g_autofree char *script =
      g_test_build_filename(G_TEST_DIST, "..", "data", "bash-completion", "virtbus", NULL);
  g_autofree char *bindir = g_path_get_dirname(g_getenv("VIRTBUS_TEST_CLIENT"));
  g_autofree char *program = g_strdup_printf(
      "PATH=%s:$PATH; source %s; COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
      "_virtbus; printf '%%s\\n' \"${COMPREPLY[@]}\"",
      bindir, script, line);
  const char *argv[] = {"bash", "-c", program, NULL};
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync(NULL, (char **)argv, c->env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status,
               &error);
  g_assert_no_error(error);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  return out;
}

/* The daily verbs over qemu:///embed, each command a process of its own. */
static void
test_embed(void)
{
  Client c = {0};
  g_autofree char *file = NULL;
  g_autofree char *editor = NULL;
  g_autofree char *png = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (g_getenv("VIRTBUS_TEST_GUEST") == NULL) {
    g_test_skip("the test guest is not built");
    return;
  }
  client_init(&c, NULL, NULL);
  file = write_domain(&c, "demo", TRUE);

  ok(&c, run(&c, "list", "--all", NULL));
  out_holds(&c, " Id   Name   State");
  ok(&c, run(&c, "uri", NULL));
  out_holds(&c, c.uri);
  ok(&c, run(&c, "define", file, NULL));
  out_holds(&c, "Domain 'demo' defined");
  {
    g_autofree char *verbs = complete(&c, "virtbus dom");
    g_autofree char *line = g_strdup_printf("virtbus -c '%s' domstate d", c.uri);
    g_autofree char *names = complete(&c, line);

    g_assert_nonnull(strstr(verbs, "dominfo\n"));
    g_assert_nonnull(strstr(verbs, "domstate\n"));
    g_assert_null(strstr(verbs, "list\n"));
    g_assert_cmpstr(names, ==, "demo\n");
  }
  ok(&c, run(&c, "--json", "list", "--all", NULL));
  {
    g_autoptr(JsonNode) node = out_json(&c);
    JsonArray *list = json_node_get_array(node);
    JsonObject *first;

    g_assert_cmpuint(json_array_get_length(list), ==, 1);
    first = json_array_get_object_element(list, 0);
    g_assert_cmpstr(json_object_get_string_member(first, "name"), ==, "demo");
    g_assert_cmpstr(json_object_get_string_member(first, "state"), ==, "shutoff");
    g_assert_true(json_object_get_null_member(first, "id"));
  }

  /* the console: the guest's marker, printed as it comes */
  ok(&c, run(&c, "start", "demo", "--console", "--until", MARKER, "--timeout", "120", NULL));
  out_holds(&c, MARKER);
  ok(&c, run(&c, "list", NULL));
  out_holds(&c, "demo   running");
  ok(&c, run(&c, "--json", "dominfo", "demo", NULL));
  {
    g_autoptr(JsonNode) node = out_json(&c);
    JsonObject *info = json_node_get_object(node);

    g_assert_cmpstr(json_object_get_string_member(info, "state"), ==, "running");
    g_assert_cmpint(json_object_get_int_member(info, "id"), >, 0);
    g_assert_cmpint(json_object_get_int_member(info, "memory_kib"), ==, 131072);
    g_assert_true(json_object_get_boolean_member(info, "persistent"));
  }
  ok(&c, run(&c, "dominfo", "demo", NULL));
  out_holds(&c, "State:          running");
  ok(&c, run(&c, "domstate", "--reason", "demo", NULL));
  /* started paused until the console was held: resumed */
  out_holds(&c, "running (unpaused)");
  ok(&c, run(&c, "--json", "domstats", "demo", NULL));
  {
    g_autoptr(JsonNode) node = out_json(&c);

    g_assert_true(json_object_has_member(json_node_get_object(node), "cpu.time"));
  }

  png = g_build_filename(c.dir, "screen.png", NULL);
  ok(&c, run(&c, "screenshot", "demo", png, NULL));
  g_assert_true(g_file_get_contents(png, &contents, &length, NULL));
  g_assert_cmpuint(length, >, 24);
  g_assert_cmpmem(contents, 8, "\x89PNG\r\n\x1a\n", 8);

  ok(&c, run(&c, "qemu-monitor-command", "demo", "--hmp", "info status", NULL));
  out_holds(&c, "running");
  ok(&c, run(&c, "qemu-monitor-command", "demo", "{\"execute\":\"query-status\"}", NULL));
  out_holds(&c, "\"return\"");
  ok(&c, run(&c, "--json", "dominfo", "demo", NULL));
  out_holds(&c, "custom-monitor");
  ok(&c, run(&c, "dumpxml", "demo", NULL));
  out_holds(&c, "<name>demo</name>");
  out_holds(&c, " id='");
  ok(&c, run(&c, "vncdisplay", "demo", NULL) == 2 ? 0 : 1);

  ok(&c, run(&c, "list", "--inactive", "--name", NULL));
  g_assert_cmpstr(c.out, ==, "");
  ok(&c, run(&c, "list", "--uuid", NULL));
  g_assert_true(g_uuid_string_is_valid(g_strstrip(c.out)));
  ok(&c, run(&c, "--json", "domstate", "demo", NULL));
  {
    g_autoptr(JsonNode) node = out_json(&c);

    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(node), "state"), ==,
                    "running");
  }
  ok(&c, run(&c, "--json", "uri", NULL));
  out_holds(&c, "\"uri\" : \"qemu:///embed?root=");
  ok(&c, run(&c, "dumpxml", "--security-info", "demo", NULL));
  out_holds(&c, "<graphics type='vnc'");

  ok(&c, run(&c, "suspend", "demo", NULL));
  ok(&c, run(&c, "domstate", "demo", NULL));
  out_holds(&c, "paused");
  ok(&c, run(&c, "resume", "demo", NULL));

  /* edit: the next start's config, through $EDITOR */
  editor = g_build_filename(c.dir, "editor", NULL);
  g_assert_true(g_file_set_contents_full(editor,
                                         "#!/bin/sh\nsed -i 's|>1</vcpu>|>2</vcpu>|' \"$1\"\n", -1,
                                         G_FILE_SET_CONTENTS_NONE, 0755, NULL));
  c.env = g_environ_setenv(c.env, "EDITOR", editor, TRUE);
  c.env = g_environ_unsetenv(c.env, "VISUAL");
  ok(&c, run(&c, "edit", "demo", NULL));
  out_holds(&c, "XML configuration edited");
  ok(&c, run(&c, "dumpxml", "--inactive", "demo", NULL));
  out_holds(&c, ">2</vcpu>");
  ok(&c, run(&c, "edit", "demo", NULL));
  out_holds(&c, "not changed");

  ok(&c, run(&c, "shutdown", "demo", "--wait", "--timeout", "120", NULL));
  out_holds(&c, "is shut off");
  ok(&c, run(&c, "domstate", "demo", NULL));
  out_holds(&c, "shut off");
  ok(&c, run(&c, "autostart", "demo", NULL));
  ok(&c, run(&c, "dominfo", "demo", NULL));
  out_holds(&c, "Autostart:      enable");
  ok(&c, run(&c, "domstate", "demo", NULL));
  out_holds(&c, "shut off");
  /* after a boot (the run directory emptied) the first command's driver autostarts it, and
   * that command ends only once the start is done: the next one finds it running */
  {
    g_autofree char *marker = g_build_filename(c.dir, "root", "run", "qemu", "autostarted", NULL);

    g_assert_cmpint(g_unlink(marker), ==, 0);
    ok(&c, run(&c, "uri", NULL));
    ok(&c, run(&c, "domstate", "--reason", "demo", NULL));
    out_holds(&c, "running (booted)");
    ok(&c, run(&c, "destroy", "demo", NULL));
  }
  ok(&c, run(&c, "autostart", "--disable", "demo", NULL));
  ok(&c, run(&c, "undefine", "demo", NULL));

  /* a transient domain: create, reset, reboot, destroy, and it is gone */
  {
    g_autofree char *transient = write_domain(&c, "passing", FALSE);

    ok(&c, run(&c, "create", transient, "--paused", NULL));
    out_holds(&c, "Domain 'passing' created");
    ok(&c, run(&c, "domstate", "passing", NULL));
    out_holds(&c, "paused");
    ok(&c, run(&c, "resume", "passing", NULL));
    ok(&c, run(&c, "reset", "passing", NULL));
    out_holds(&c, "was reset");
    ok(&c, run(&c, "reboot", "passing", NULL));
    out_holds(&c, "is being rebooted");
    ok(&c, run(&c, "--json", "dominfo", "passing", NULL));
    out_holds(&c, "\"persistent\" : false");
    g_assert_cmpint(run(&c, "create", transient, "--autodestroy", NULL), ==, 2);
    g_assert_nonnull(strstr(c.err, "autodestroy"));
    ok(&c, run(&c, "destroy", "passing", "--graceful", NULL));
    out_holds(&c, "Domain 'passing' destroyed");
    g_assert_cmpint(run(&c, "domstate", "passing", NULL), ==, 3);
  }
  ok(&c, run(&c, "list", "--all", "--name", NULL));
  g_assert_cmpstr(c.out, ==, "");
  client_clear(&c);
}

/* What users get wrong, and the exit code scripts branch on */
static void
test_errors(void)
{
  Client c = {0};
  g_autofree char *bad = NULL;
  g_autofree char *file = NULL;
  g_autoptr(GError) error = NULL;

  client_init(&c, NULL, NULL);
  g_assert_cmpint(run(&c, "start", "nope", NULL), ==, 3);
  g_assert_nonnull(strstr(c.err, "'nope'"));
  bad = g_build_filename(c.dir, "bad.xml", NULL);
  g_assert_true(
      g_file_set_contents(bad, "<domain type='qemu'>\n<name>x</name>\n<memory>", -1, &error));
  g_assert_cmpint(run(&c, "define", bad, NULL), ==, 2);
  g_assert_nonnull(strstr(c.err, "line"));
  g_assert_cmpint(run(&c, "frobnicate", NULL), ==, 2);
  g_assert_nonnull(strstr(c.err, "unknown verb 'frobnicate'"));
  g_assert_cmpint(run(&c, "start", NULL), ==, 2);
  g_assert_nonnull(strstr(c.err, "usage: virtbus start"));
  g_assert_cmpint(run(&c, "define", "/nonexistent/domain.xml", NULL), ==, 1);
  g_assert_nonnull(strstr(c.err, "/nonexistent/domain.xml"));
  /* the same name with another UUID */
  file = write_domain(&c, "twice", FALSE);
  ok(&c, run(&c, "define", file, NULL));
  {
    g_autofree char *text = NULL;
    g_autofree char *other = g_build_filename(c.dir, "other.xml", NULL);

    g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
    {
      g_auto(GStrv) parts = g_strsplit(text, "<memory", 2);
      g_autofree char *with_uuid = g_strdup_printf(
          "%s<uuid>00000000-0000-4000-8000-000000000001</uuid><memory%s", parts[0], parts[1]);

      g_assert_true(g_file_set_contents(other, with_uuid, -1, NULL));
    }
    g_assert_cmpint(run(&c, "define", other, NULL), ==, 1);
    g_assert_nonnull(strstr(c.err, "twice"));
  }
  ok(&c, run(&c, "undefine", "twice", NULL));
  client_clear(&c);

  /* URIs */
  client_init(&c, "qemu:///embed?root=relative/dir", NULL);
  g_assert_cmpint(run(&c, "list", NULL), !=, 0);
  g_assert_nonnull(strstr(c.err, "relative/dir"));
  client_clear(&c);
  client_init(&c, "qemu+ssh://host/system", NULL);
  g_assert_cmpint(run(&c, "list", NULL), !=, 0);
  g_assert_nonnull(strstr(c.err, "qemu+ssh"));
  client_clear(&c);
}

/* The console as a terminal user has it: raw keys, Ctrl+] to leave. */
static void
test_console_pty(void)
{
  Client c = {0};
  g_autofree char *file = NULL;
  g_autoptr(GString) seen = g_string_new(NULL);
  const char *binary = g_getenv("VIRTBUS_TEST_CLIENT");
  int master = -1, status = 0;
  pid_t pid;

  if (g_getenv("VIRTBUS_TEST_GUEST") == NULL) {
    g_test_skip("the test guest is not built");
    return;
  }
  client_init(&c, NULL, NULL);
  file = write_domain(&c, "typed", TRUE);
  ok(&c, run(&c, "define", file, NULL));
  pid = forkpty(&master, NULL, NULL, NULL);
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    execle(binary, binary, "-c", c.uri, "start", "typed", "--console", (char *)NULL, c.env);
    _exit(127);
  }
  {
    gint64 deadline = g_get_monotonic_time() + VB_TEST_WAIT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

    while (strstr(seen->str, MARKER) == NULL) {
      GPollFD poll = {master, G_IO_IN, 0};
      char buffer[1024];
      ssize_t n;

      if (g_get_monotonic_time() > deadline)
        g_error("no marker through the pty; it showed: %s", seen->str);
      if (g_poll(&poll, 1, 200) <= 0)
        continue;
      n = read(master, buffer, sizeof buffer);
      if (n <= 0)
        g_error("the pty closed; it showed: %s", seen->str);
      g_string_append_len(seen, buffer, n);
    }
  }
  g_assert_nonnull(strstr(seen->str, "Ctrl+]"));
  g_assert_cmpint(write(master, "\x1d", 1), ==, 1);
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(master);
  ok(&c, run(&c, "destroy", "typed", NULL));
  client_clear(&c);
}

/* docs/guide.md: its sh blocks run in order as one script (in a scratch directory, with the
 * client on PATH), and each of its xml blocks is defined. A type='kvm' example is defined as
 * type='qemu' (CPU mode 'maximum') on a host without KVM, as the guide says to. */
static void
test_guide(void)
{
  Client c = {0};
  g_autofree char *guide = g_test_build_filename(G_TEST_DIST, "..", "docs", "guide.md", NULL);
  g_autofree char *text = NULL;
  g_autofree char *bindir = g_path_get_dirname(g_getenv("VIRTBUS_TEST_CLIENT"));
  g_autofree char *vms = NULL;
  g_autoptr(GString) script = g_string_new("set -euo pipefail\n");
  g_autoptr(GRegex) fence =
      g_regex_new("^```(sh|xml)\n(.*?)^```$", G_REGEX_MULTILINE | G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GError) error = NULL;
  gboolean kvm = access("/dev/kvm", R_OK | W_OK) == 0;
  guint sh_blocks = 0, xml_blocks = 0;

  client_init(&c, NULL, NULL);
  g_assert_true(g_file_get_contents(guide, &text, NULL, &error));
  g_regex_match(fence, text, 0, &match);
  while (g_match_info_matches(match)) {
    g_autofree char *kind = g_match_info_fetch(match, 1);
    g_autofree char *body = g_match_info_fetch(match, 2);

    if (g_str_equal(kind, "sh")) {
      g_string_append(script, body);
      sh_blocks++;
    } else {
      g_autofree char *file = g_strdup_printf("%s/example-%u.xml", c.dir, xml_blocks++);
      g_autofree char *name = NULL;
      g_autoptr(GRegex) name_regex = g_regex_new("<name>([^<]+)</name>", 0, 0, NULL);
      g_autoptr(GMatchInfo) name_match = NULL;

      if (!kvm && strstr(body, "type='kvm'") != NULL) {
        g_auto(GStrv) parts = g_strsplit(body, "<domain type='kvm'>", 2);
        g_autofree char *joined = g_strjoinv("<domain type='qemu'>", parts);
        g_auto(GStrv) cpu = g_strsplit(joined, "mode='host-passthrough'", 2);

        g_free(body);
        body = g_strjoinv("mode='maximum'", cpu);
      }
      g_assert_true(g_file_set_contents(file, body, -1, &error));
      ok(&c, run(&c, "define", file, NULL));
      g_assert_true(g_regex_match(name_regex, body, 0, &name_match));
      name = g_match_info_fetch(name_match, 1);
      ok(&c, run(&c, "undefine", name, NULL));
    }
    g_match_info_next(match, NULL);
  }
  g_assert_cmpuint(sh_blocks, >=, 5);
  g_assert_cmpuint(xml_blocks, >=, 3);

  /* the script's own root, guarded like the client's */
  vms = g_build_filename(c.dir, "vms", NULL);
  vb_test_guard_root(vms);
  {
    g_autofree char *path = g_strdup_printf("%s:%s", bindir, g_getenv("PATH"));
    g_auto(GStrv) env = g_environ_setenv(g_strdupv(c.env), "PATH", path, TRUE);
    const char *argv[] = {"bash", "-c", script->str, NULL};
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    g_spawn_sync(c.dir, (char **)argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                 &error);
    g_assert_no_error(error);
    if (!g_spawn_check_wait_status(status, NULL))
      g_error("the guide's examples failed:\n%s\n--- stderr:\n%s\n--- the script:\n%s", out, err,
              script->str);
    g_assert_nonnull(strstr(out, "Domain 'first' started"));
  }
  client_clear(&c);
}

typedef struct {
  gboolean done;
  char *out;
} Listener;

static void
on_listener_done(GObject *source, GAsyncResult *result, gpointer data)
{
  Listener *listener = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), result, &listener->out, &err, &error);
  g_assert_no_error(error);
  listener->done = TRUE;
}

/* Runs a listening verb (event, qemu-monitor-event: each leaves after its first event) and
 * suspends and resumes @domain until it has heard one: it may subscribe after any given
 * toggle, never after all of them. Returns what it printed. */
static char *
listen_while_toggling(Client *c, const char *verb, const char *domain)
{
  g_autoptr(GSubprocess) process = NULL;
  Listener listener = {FALSE, NULL};
  gint64 deadline = g_get_monotonic_time() + VB_TEST_WAIT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  if (g_str_equal(verb, "event"))
    process = spawn(c, "--json", verb, "--timeout", "60", NULL);
  else
    process = spawn(c, "--json", verb, domain, "--timeout", "60", NULL);
  g_subprocess_communicate_utf8_async(process, NULL, NULL, on_listener_done, &listener);
  while (!listener.done) {
    if (g_get_monotonic_time() > deadline)
      g_error("virtbus %s heard nothing", verb);
    ok(c, run(c, "suspend", domain, NULL));
    ok(c, run(c, "resume", domain, NULL));
    while (g_main_context_iteration(NULL, FALSE))
      ;
  }
  g_assert_true(g_subprocess_get_successful(process));
  return listener.out;
}

/* qemu:///session: the same command against virtbusd on a (private) session bus */
static void
test_session(void)
{
  g_autoptr(VbTestBus) t = vb_test_bus_new();
  Client c = {0};
  g_autofree char *file = NULL;

  if (t == NULL)
    return;
  client_init(&c, "qemu:///session", t->address);
  file = write_domain(&c, "served", FALSE);
  ok(&c, run(&c, "define", file, NULL));
  ok(&c, run(&c, "start", "served", NULL));
  ok(&c, run(&c, "--json", "list", NULL));
  {
    g_autoptr(JsonNode) node = out_json(&c);
    JsonObject *first = json_array_get_object_element(json_node_get_array(node), 0);

    g_assert_cmpstr(json_object_get_string_member(first, "name"), ==, "served");
    g_assert_cmpstr(json_object_get_string_member(first, "state"), ==, "running");
  }
  ok(&c, run(&c, "version", NULL));
  out_holds(&c, "Running against daemon: " PACKAGE_VERSION);
  ok(&c, run(&c, "--json", "version", NULL));
  {
    g_autoptr(JsonNode) node = out_json(&c);

    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(node), "client"), ==,
                    PACKAGE_VERSION);
  }
  ok(&c, run(&c, "capabilities", NULL));
  out_holds(&c, "<capabilities>");
  ok(&c, run(&c, "domxml-to-native", "qemu-argv", file, NULL));
  out_holds(&c, "-name guest=served");
  {
    g_autofree char *argv_file = g_build_filename(c.dir, "served.args", NULL);

    g_assert_true(g_file_set_contents(argv_file, c.out, -1, NULL));
    ok(&c, run(&c, "domxml-from-native", "qemu-argv", argv_file, NULL));
    out_holds(&c, "<name>served</name>");
  }
  /* the same domain by id and by UUID */
  ok(&c, run(&c, "--json", "dominfo", "served", NULL));
  {
    g_autoptr(JsonNode) node = out_json(&c);
    JsonObject *info = json_node_get_object(node);
    g_autofree char *id =
        g_strdup_printf("%" G_GINT64_FORMAT, json_object_get_int_member(info, "id"));
    g_autofree char *uuid = g_strdup(json_object_get_string_member(info, "uuid"));

    ok(&c, run(&c, "domstate", id, NULL));
    out_holds(&c, "running");
    ok(&c, run(&c, "domstate", uuid, NULL));
    out_holds(&c, "running");
  }
  /* lifecycle events and QEMU's own, as they come */
  {
    g_autofree char *events = listen_while_toggling(&c, "event", "served");
    g_autofree char *qemu_events = listen_while_toggling(&c, "qemu-monitor-event", "served");

    g_auto(GStrv) lines = g_strsplit(events, "\n", -1);
    g_autoptr(JsonNode) event = NULL;
    g_autoptr(JsonNode) qemu_event = NULL;
    const char *name;

    /* one event, one line of JSON (and the empty rest after its newline) */
    g_assert_cmpuint(g_strv_length(lines), ==, 2);
    event = json_from_string(lines[0], NULL);
    g_assert_nonnull(event);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(event), "domain"), ==,
                    "served");
    name = json_object_get_string_member(json_node_get_object(event), "event");
    g_assert_true(g_str_equal(name, "suspended") || g_str_equal(name, "resumed"));
    qemu_event = json_from_string(qemu_events, NULL);
    g_assert_nonnull(qemu_event);
    name = json_object_get_string_member(json_node_get_object(qemu_event), "event");
    g_assert_true(g_str_equal(name, "STOP") || g_str_equal(name, "RESUME"));
  }
  ok(&c, run(&c, "destroy", "served", NULL));
  ok(&c, run(&c, "undefine", "served", NULL));
  client_clear(&c);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/embed", test_embed);
  g_test_add_func("/client/errors", test_errors);
  g_test_add_func("/client/console-pty", test_console_pty);
  g_test_add_func("/client/session", test_session);
  g_test_add_func("/client/guide", test_guide);
  return g_test_run();
}
