/* vb-qemu-probe.c: asking a QEMU binary what it can do.
 *
 * QEMU starts with no machine (-machine none), no defaults and no user config, its monitor on
 * one end of a socketpair passed as fd 3 (the "-qmp" of the issue, minus a socket path and the
 * race to connect to it), in a clean environment. We query it, reduce the replies to the JSON
 * that vb-qemu-caps.c reads (the cache stores the same), then quit it and reap it. A QEMU that
 * hangs is killed after VB_QEMU_PROBE_TIMEOUT_MS; whatever it wrote on stderr goes into the
 * error.
 *
 * The reduced JSON keeps QEMU's own member names:
 *   {"binary", "version", "package", "target", "kvm": {"present", "enabled"},
 *    "machines": [{"name", "alias", "cpu-max", "is-default", "deprecated"}],
 *    "cpu-definitions": [{"name", "unavailable-features", "deprecated"}],
 *    "types": [...], "commands": [...], "command-line-options": {"option": [params]}}
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vb-error.h"
#include "vb-json.h"
#include "vb-qemu-probe.h"
#include "vb-qmp.h"

/* ---- the queries, over a monitor someone else connected ---- */

typedef enum {
  QUERY_VERSION,
  QUERY_TARGET,
  QUERY_KVM,
  QUERY_MACHINES,
  QUERY_CPU_DEFINITIONS,
  QUERY_TYPES,
  QUERY_COMMANDS,
  QUERY_OPTIONS,
  N_QUERIES,
} Query;

static const struct {
  const char *command;
  const char *arguments; /* (nullable): JSON */
  gboolean optional;     /* some targets lack it: an error means "none" */
  JsonNodeType returns;  /* what QMP's schema says it returns */
} queries[N_QUERIES] = {
    [QUERY_VERSION] = {"query-version", NULL, FALSE, JSON_NODE_OBJECT},
    [QUERY_TARGET] = {"query-target", NULL, FALSE, JSON_NODE_OBJECT},
    [QUERY_KVM] = {"query-kvm", NULL, FALSE, JSON_NODE_OBJECT},
    [QUERY_MACHINES] = {"query-machines", NULL, FALSE, JSON_NODE_ARRAY},
    [QUERY_CPU_DEFINITIONS] = {"query-cpu-definitions", NULL, TRUE, JSON_NODE_ARRAY},
    [QUERY_TYPES] = {"qom-list-types", "{\"abstract\": false}", FALSE, JSON_NODE_ARRAY},
    [QUERY_COMMANDS] = {"query-commands", NULL, FALSE, JSON_NODE_ARRAY},
    [QUERY_OPTIONS] = {"query-command-line-options", NULL, FALSE, JSON_NODE_ARRAY},
};

typedef struct {
  char *binary;
  JsonNode *replies[N_QUERIES]; /* (nullable) (owned) */
  guint n_answered;
  GError *error; /* (nullable) (owned): the first failure */
} MonitorProbe;

static void
monitor_probe_free(MonitorProbe *probe)
{
  g_free(probe->binary);
  for (guint i = 0; i < N_QUERIES; i++)
    g_clear_pointer(&probe->replies[i], json_node_unref);
  g_clear_error(&probe->error);
  g_free(probe);
}

/* Copies the members of @from named in @names into a new object, when present. */
static JsonNode *
pick_members(JsonNode *from, const char *const *names)
{
  JsonBuilder *builder = json_builder_new();
  JsonNode *result;

  json_builder_begin_object(builder);
  if (JSON_NODE_HOLDS_OBJECT(from)) {
    for (guint i = 0; names[i] != NULL; i++) {
      JsonNode *value = json_object_get_member(json_node_get_object(from), names[i]);

      if (value != NULL) {
        json_builder_set_member_name(builder, names[i]);
        json_builder_add_value(builder, json_node_copy(value));
      }
    }
  }
  json_builder_end_object(builder);
  result = json_builder_get_root(builder);
  g_object_unref(builder);
  return result;
}

/* An array of objects reduced to the listed members each. */
static void
add_picked_array(JsonBuilder *builder,
                 const char *name,
                 JsonNode *reply,
                 const char *const *members)
{
  json_builder_set_member_name(builder, name);
  json_builder_begin_array(builder);
  if (reply != NULL && JSON_NODE_HOLDS_ARRAY(reply)) {
    JsonArray *array = json_node_get_array(reply);

    for (guint i = 0; i < json_array_get_length(array); i++)
      json_builder_add_value(builder, pick_members(json_array_get_element(array, i), members));
  }
  json_builder_end_array(builder);
}

/* The "name" of each object of an array, as member @name (or as a value when %NULL). */
static void
add_names(JsonBuilder *builder, const char *name, JsonNode *reply)
{
  if (name != NULL)
    json_builder_set_member_name(builder, name);
  json_builder_begin_array(builder);
  if (reply != NULL && JSON_NODE_HOLDS_ARRAY(reply)) {
    JsonArray *array = json_node_get_array(reply);

    for (guint i = 0; i < json_array_get_length(array); i++) {
      JsonNode *item = json_array_get_element(array, i);
      const char *item_name =
          JSON_NODE_HOLDS_OBJECT(item)
              ? vb_json_node_string(json_object_get_member(json_node_get_object(item), "name"))
              : NULL;

      if (item_name != NULL)
        json_builder_add_string_value(builder, item_name);
    }
  }
  json_builder_end_array(builder);
}

/* A part of query-version's {"qemu": {"major": …}}; 0 when it is not there or not a number,
 * which the capabilities then refuse as too old. */
static guint
version_part(JsonNode *version, const char *part)
{
  VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "query-version"};
  JsonObject *qemu = NULL;
  gint64 value = 0;

  if (!vb_json_get_object(&scope, json_node_get_object(version), "qemu", TRUE, &qemu, NULL) ||
      !vb_json_get_int(&scope, qemu, part, TRUE, 0, 999, &value, NULL))
    return 0;
  return (guint)value;
}

static JsonNode *
reduce(MonitorProbe *probe)
{
  static const char *const machine_members[] = {"name",       "alias",      "cpu-max",
                                                "is-default", "deprecated", NULL};
  static const char *const cpu_members[] = {"name", "unavailable-features", "deprecated", NULL};
  static const char *const kvm_members[] = {"present", "enabled", NULL};
  g_autoptr(JsonBuilder) builder = json_builder_new();
  JsonNode *version = probe->replies[QUERY_VERSION];
  JsonNode *target = probe->replies[QUERY_TARGET];
  JsonNode *options = probe->replies[QUERY_OPTIONS];

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "binary");
  json_builder_add_string_value(builder, probe->binary);
  json_builder_set_member_name(builder, "version");
  json_builder_add_int_value(builder, VB_QEMU_VERSION(version_part(version, "major"),
                                                      version_part(version, "minor"),
                                                      version_part(version, "micro")));
  if (JSON_NODE_HOLDS_OBJECT(version) &&
      json_object_has_member(json_node_get_object(version), "package")) {
    json_builder_set_member_name(builder, "package");
    json_builder_add_value(
        builder, json_node_copy(json_object_get_member(json_node_get_object(version), "package")));
  }
  if (JSON_NODE_HOLDS_OBJECT(target) &&
      json_object_has_member(json_node_get_object(target), "arch")) {
    json_builder_set_member_name(builder, "target");
    json_builder_add_value(
        builder, json_node_copy(json_object_get_member(json_node_get_object(target), "arch")));
  }
  json_builder_set_member_name(builder, "kvm");
  json_builder_add_value(builder, pick_members(probe->replies[QUERY_KVM], kvm_members));
  add_picked_array(builder, "machines", probe->replies[QUERY_MACHINES], machine_members);
  add_picked_array(builder, "cpu-definitions", probe->replies[QUERY_CPU_DEFINITIONS], cpu_members);
  add_names(builder, "types", probe->replies[QUERY_TYPES]);
  add_names(builder, "commands", probe->replies[QUERY_COMMANDS]);

  json_builder_set_member_name(builder, "command-line-options");
  json_builder_begin_object(builder);
  if (options != NULL && JSON_NODE_HOLDS_ARRAY(options)) {
    JsonArray *array = json_node_get_array(options);

    for (guint i = 0; i < json_array_get_length(array); i++) {
      JsonNode *item = json_array_get_element(array, i);
      JsonObject *option = JSON_NODE_HOLDS_OBJECT(item) ? json_node_get_object(item) : NULL;
      JsonNode *params;

      const char *option_name =
          option != NULL ? vb_json_node_string(json_object_get_member(option, "option")) : NULL;

      if (option_name == NULL)
        continue;
      json_builder_set_member_name(builder, option_name);
      params = json_object_get_member(option, "parameters");
      add_names(builder, NULL, params);
    }
  }
  json_builder_end_object(builder);
  json_builder_end_object(builder);
  return json_builder_get_root(builder);
}

typedef struct {
  GTask *task; /* (owned) */
  Query query;
} QueryCall;

static void
on_query_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  QueryCall *call = user_data;
  g_autoptr(GTask) task = call->task;
  MonitorProbe *probe = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  JsonNode *reply = vb_qmp_execute_finish(VB_QMP(source), result, &error);

  if (reply != NULL && JSON_NODE_TYPE(reply) != queries[call->query].returns) {
    error =
        g_error_new(VB_ERROR, VB_ERROR_MONITOR_ERROR, "QEMU answered '%s' with %s, not %s",
                    queries[call->query].command,
                    JSON_NODE_HOLDS_OBJECT(reply)  ? "an object"
                    : JSON_NODE_HOLDS_ARRAY(reply) ? "an array"
                                                   : "a plain value",
                    queries[call->query].returns == JSON_NODE_OBJECT ? "an object" : "an array");
    g_clear_pointer(&reply, json_node_unref);
    if (probe->error == NULL)
      probe->error = g_steal_pointer(&error);
  }
  probe->replies[call->query] = reply;
  if (reply == NULL && !queries[call->query].optional && probe->error == NULL)
    probe->error = g_steal_pointer(&error);
  g_free(call);
  if (++probe->n_answered < N_QUERIES)
    return;

  if (probe->error != NULL) {
    g_task_return_error(task, g_steal_pointer(&probe->error));
  } else {
    g_autoptr(JsonNode) reduced = reduce(probe);
    VbQemuCaps *caps = vb_qemu_caps_new_from_json(reduced, &error);

    if (caps == NULL) {
      g_prefix_error(&error, "Probing %s: ", probe->binary);
      g_task_return_error(task, g_steal_pointer(&error));
    } else {
      g_task_return_pointer(task, caps, (GDestroyNotify)vb_qemu_caps_unref);
    }
  }
}

static void
on_monitor_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MonitorProbe *probe = g_task_get_task_data(task);
  VbQmp *qmp = VB_QMP(source);
  g_autoptr(GError) error = NULL;
  guint version;

  if (!vb_qmp_handshake_finish(qmp, result, &error)) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  version = vb_qmp_get_version(qmp);
  if (version < VB_QEMU_MIN_VERSION) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                            "%s is QEMU %u.%u.%u; virtbus needs QEMU 3.1 or later", probe->binary,
                            version / 1000000, version / 1000 % 1000, version % 1000);
    return;
  }
  /* All queued at once: the client sends them one after the other without a round trip of
   * ours in between, and the replies come back in this order. */
  for (guint i = 0; i < N_QUERIES; i++) {
    g_autoptr(JsonNode) arguments = NULL;
    QueryCall *call = g_new0(QueryCall, 1);

    call->task = g_object_ref(task);
    call->query = (Query)i;
    if (queries[i].arguments != NULL)
      arguments = json_from_string(queries[i].arguments, NULL);
    vb_qmp_execute_async(
        qmp, queries[i].command, arguments != NULL ? json_node_get_object(arguments) : NULL, NULL,
        0, VB_QEMU_PROBE_TIMEOUT_MS, g_task_get_cancellable(task), on_query_done, call);
  }
}

/**
 * vb_qemu_probe_monitor_async:
 * @qmp: a monitor not yet negotiated, or negotiated; left open
 * @binary: the emulator's path, recorded in the result
 *
 * The queries of a probe over a monitor someone else connected (the spawning probe below, and
 * tests that replay recorded replies).
 */
void
vb_qemu_probe_monitor_async(VbQmp *qmp,
                            const char *binary,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new(qmp, cancellable, callback, user_data);
  MonitorProbe *probe = g_new0(MonitorProbe, 1);

  g_task_set_source_tag(task, vb_qemu_probe_monitor_async);
  probe->binary = g_strdup(binary);
  g_task_set_task_data(task, probe, (GDestroyNotify)monitor_probe_free);
  vb_qmp_handshake_async(qmp, cancellable, on_monitor_ready, task);
}

/**
 * vb_qemu_probe_monitor_finish:
 *
 * Returns: (transfer full): the emulator's capabilities
 */
VbQemuCaps *
vb_qemu_probe_monitor_finish(VbQmp *qmp, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, qmp), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- the whole probe: spawn, query, quit, reap ---- */

typedef struct {
  char *binary;
  GSubprocess *qemu; /* (owned) */
  VbQmp *qmp;        /* (owned) */
  GSource *deadline; /* (owned) */
  VbQemuCaps *caps;  /* (nullable) (owned): the result, once the queries answered */
  GError *error;     /* (nullable) (owned): or why not */
  gboolean quit_sent;
} Probe;

static void
probe_free(Probe *probe)
{
  g_free(probe->binary);
  g_clear_object(&probe->qemu);
  g_clear_object(&probe->qmp);
  if (probe->deadline != NULL) {
    g_source_destroy(probe->deadline);
    g_source_unref(probe->deadline);
  }
  g_clear_pointer(&probe->caps, vb_qemu_caps_unref);
  g_clear_error(&probe->error);
  g_free(probe);
}

static void
die_with_parent(gpointer data)
{
  /* A probe outliving a crashed daemon would be an orphan nobody reaps. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* QEMU has exited (and closed stderr): answer with the capabilities or the error. */
static void
on_communicated(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Probe *probe = g_task_get_task_data(task);
  g_autofree char *stderr_text = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), result, NULL, &stderr_text, &error);
  if (probe->caps != NULL) {
    g_task_return_pointer(task, g_steal_pointer(&probe->caps), (GDestroyNotify)vb_qemu_caps_unref);
    return;
  }
  if (probe->error == NULL)
    probe->error = g_error_new(VB_ERROR, VB_ERROR_QEMU_FAILED, "QEMU exited during the probe");
  if (stderr_text != NULL) {
    g_strstrip(stderr_text);
    if (*stderr_text != '\0')
      g_prefix_error(&probe->error, "%s: ", stderr_text);
  }
  g_prefix_error(&probe->error, "Cannot probe %s: ", probe->binary);
  g_task_return_error(task, g_steal_pointer(&probe->error));
}

/* Ends QEMU: politely when it answered, by SIGKILL otherwise, then reaps it. */
static void
finish(GTask *task)
{
  Probe *probe = g_task_get_task_data(task);

  if (probe->caps == NULL)
    g_subprocess_force_exit(probe->qemu);
  g_subprocess_communicate_utf8_async(probe->qemu, NULL, NULL, on_communicated, g_object_ref(task));
}

static void
on_quit(GObject *source, GAsyncResult *result, gpointer user_data)
{
  JsonNode *reply = vb_qmp_execute_finish(VB_QMP(source), result, NULL);

  if (reply != NULL)
    json_node_unref(reply);
  /* QEMU may close the monitor before its reply reaches us: either way it is on its way out,
   * and finish() reaps it. The reference kept the probe alive until now. */
  g_object_unref(user_data);
}

static void
on_probed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Probe *probe = g_task_get_task_data(task);

  probe->caps = vb_qemu_probe_monitor_finish(VB_QMP(source), result, &probe->error);
  if (probe->caps != NULL) {
    vb_qmp_execute_async(probe->qmp, "quit", NULL, NULL, 0, VB_QEMU_PROBE_TIMEOUT_MS, NULL, on_quit,
                         g_object_ref(task));
    probe->quit_sent = TRUE;
  }
  finish(task);
}

static gboolean
on_deadline(gpointer user_data)
{
  GTask *task = user_data;
  Probe *probe = g_task_get_task_data(task);

  /* Killing QEMU ends the monitor, which fails what is pending and finishes the probe. */
  g_subprocess_force_exit(probe->qemu);
  return G_SOURCE_REMOVE;
}

/**
 * vb_qemu_probe_async:
 * @binary: an absolute path to a QEMU system emulator
 *
 * Runs @binary once and learns its capabilities. Completes only after QEMU has been reaped.
 */
void
vb_qemu_probe_async(const char *binary,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  Probe *probe = g_new0(Probe, 1);
  const char *const environment[] = {"LC_ALL=C", "PATH=/usr/local/bin:/usr/bin:/bin", NULL};
  int fds[2];

  g_task_set_source_tag(task, vb_qemu_probe_async);
  probe->binary = g_strdup(binary);
  g_task_set_task_data(task, probe, (GDestroyNotify)probe_free);

  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_FAILED,
                            "Cannot probe %s: no socketpair for its monitor: %s", binary,
                            g_strerror(errno));
    return;
  }
  /* stdin is /dev/null; stderr is kept for the error message of a failed probe. */
  launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ(launcher, (char **)environment);
  g_subprocess_launcher_set_cwd(launcher, "/");
  g_subprocess_launcher_take_fd(launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
  probe->qemu = g_subprocess_launcher_spawn(
      launcher, &error, binary, "-S", "-no-user-config", "-nodefaults", "-nographic", "-machine",
      "none,accel=kvm:tcg", "-chardev", "socket,id=monitor,fd=3", "-mon",
      "chardev=monitor,mode=control", NULL);
  if (probe->qemu == NULL) {
    close(fds[0]);
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_QEMU_FAILED, "Cannot probe %s: %s", binary,
                            error->message);
    return;
  }
  socket = g_socket_new_from_fd(fds[0], &error);
  if (socket == NULL) {
    close(fds[0]);
    probe->error = g_error_new(VB_ERROR, VB_ERROR_FAILED, "%s", error->message);
    finish(task);
    return;
  }
  probe->qmp = vb_qmp_new(socket, NULL);
  probe->deadline = g_timeout_source_new(VB_QEMU_PROBE_TIMEOUT_MS);
  g_source_set_callback(probe->deadline, on_deadline, task, NULL);
  g_source_attach(probe->deadline, g_main_context_get_thread_default());
  vb_qemu_probe_monitor_async(probe->qmp, binary, cancellable, on_probed, g_object_ref(task));
}

/**
 * vb_qemu_probe_finish:
 *
 * Returns: (transfer full): the emulator's capabilities
 */
VbQemuCaps *
vb_qemu_probe_finish(GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}
