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
 *    "machines": [{"name", "alias", "cpu-max", "is-default", "deprecated", "default-cpu-type"}],
 *    "cpu-definitions": [{"name", "typename", "alias-of", "unavailable-features", "deprecated",
 *                         "vendor", "features"}],
 *    "cpu-max": {"vendor", "features", "disabled"},
 *    "types": [...], "commands": [...], "command-line-options": {"option": [params]}}
 * "cpu-max" is the static expansion of QEMU's "max" CPU (the host's CPU under KVM, all that TCG
 * emulates under TCG): the CPU features QEMU knows, on and off. Each usable named model gets its
 * own expansion's vendor and features, so that host-model can be expanded without QEMU running
 * (vb-domain-cpu.c). Both are absent where QEMU cannot expand CPU models.
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
  QUERY_CPU_MAX,
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
    [QUERY_CPU_MAX] = {"query-cpu-model-expansion",
                       "{\"type\": \"static\", \"model\": {\"name\": \"max\"}}", TRUE,
                       JSON_NODE_OBJECT},
};

/* More named models than any QEMU has (7.2 lists 132, half of them usable): a hostile monitor
 * does not get to make us queue without end. */
#define MAX_EXPANDED_MODELS 256

typedef struct {
  char *binary;
  JsonNode *replies[N_QUERIES]; /* (nullable) (owned) */
  guint n_answered;
  GHashTable *expansions; /* (owned): model name → its static expansion (JsonNode) */
  guint n_expanding;      /* expansions asked for and not answered yet */
  GError *error;          /* (nullable) (owned): the first failure */
} MonitorProbe;

static void
monitor_probe_free(MonitorProbe *probe)
{
  g_free(probe->binary);
  for (guint i = 0; i < N_QUERIES; i++)
    g_clear_pointer(&probe->replies[i], json_node_unref);
  g_hash_table_unref(probe->expansions);
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

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static JsonNode *
string_array(GPtrArray *strings)
{
  JsonArray *array = json_array_sized_new(strings->len);

  g_ptr_array_sort(strings, compare_strings);
  for (guint i = 0; i < strings->len; i++)
    json_array_add_string_element(array, strings->pdata[i]);
  return json_node_init_array(json_node_alloc(), array);
}

/* A static expansion's {"model": {"props": {…}}} into @into as "vendor" and the features that
 * are on ("features") and, when @with_disabled, off ("disabled"), sorted. FALSE, and nothing
 * set, when the reply is not of that shape. */
static gboolean
expansion_into(JsonObject *into, JsonNode *reply, gboolean with_disabled)
{
  VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "query-cpu-model-expansion"};
  g_autoptr(GPtrArray) on = g_ptr_array_new();
  g_autoptr(GPtrArray) off = g_ptr_array_new();
  g_autoptr(GList) names = NULL;
  JsonObject *model = NULL;
  JsonObject *props = NULL;
  const char *vendor = NULL;

  if (reply == NULL || !JSON_NODE_HOLDS_OBJECT(reply) ||
      !vb_json_get_object(&scope, json_node_get_object(reply), "model", TRUE, &model, NULL) ||
      !vb_json_get_object(&scope, model, "props", TRUE, &props, NULL) ||
      !vb_json_get_string(&scope, props, "vendor", FALSE, &vendor, NULL))
    return FALSE;
  names = json_object_get_members(props);
  for (GList *l = names; l != NULL; l = l->next) {
    JsonNode *value = json_object_get_member(props, l->data);

    if (JSON_NODE_HOLDS_VALUE(value) && json_node_get_value_type(value) == G_TYPE_BOOLEAN)
      g_ptr_array_add(json_node_get_boolean(value) ? on : off, l->data);
  }
  if (vendor != NULL)
    json_object_set_string_member(into, "vendor", vendor);
  json_object_set_member(into, "features", string_array(on));
  if (with_disabled)
    json_object_set_member(into, "disabled", string_array(off));
  return TRUE;
}

/* query-cpu-definitions' models, each with its own expansion when it has one. */
static void
add_cpu_definitions(JsonBuilder *builder, MonitorProbe *probe)
{
  static const char *const members[] = {
      "name", "typename", "alias-of", "unavailable-features", "deprecated", NULL};
  JsonNode *reply = probe->replies[QUERY_CPU_DEFINITIONS];

  json_builder_set_member_name(builder, "cpu-definitions");
  json_builder_begin_array(builder);
  if (reply != NULL && JSON_NODE_HOLDS_ARRAY(reply)) {
    JsonArray *array = json_node_get_array(reply);

    for (guint i = 0; i < json_array_get_length(array); i++) {
      JsonNode *item = json_array_get_element(array, i);
      JsonNode *picked = pick_members(item, members);
      const char *name =
          JSON_NODE_HOLDS_OBJECT(item)
              ? vb_json_node_string(json_object_get_member(json_node_get_object(item), "name"))
              : NULL;

      if (name != NULL)
        expansion_into(json_node_get_object(picked), g_hash_table_lookup(probe->expansions, name),
                       FALSE);
      json_builder_add_value(builder, picked);
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
  static const char *const machine_members[] = {
      "name", "alias", "cpu-max", "is-default", "deprecated", "default-cpu-type", NULL};
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
  add_cpu_definitions(builder, probe);
  {
    g_autoptr(JsonObject) max = json_object_new();

    if (expansion_into(max, probe->replies[QUERY_CPU_MAX], TRUE)) {
      json_builder_set_member_name(builder, "cpu-max");
      json_builder_add_value(builder, json_node_init_object(json_node_alloc(), max));
    }
  }
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

typedef struct {
  GTask *task; /* (owned) */
  char *model; /* (owned) */
} ExpansionCall;

static void
finish_probe(GTask *task)
{
  MonitorProbe *probe = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reduced = NULL;
  VbQemuCaps *caps;

  if (probe->error != NULL) {
    g_task_return_error(task, g_steal_pointer(&probe->error));
    return;
  }
  reduced = reduce(probe);
  caps = vb_qemu_caps_new_from_json(reduced, &error);
  if (caps == NULL) {
    g_prefix_error(&error, "Probing %s: ", probe->binary);
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  g_task_return_pointer(task, caps, (GDestroyNotify)vb_qemu_caps_unref);
}

static void
on_expansion_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  ExpansionCall *call = user_data;
  g_autoptr(GTask) task = call->task;
  MonitorProbe *probe = g_task_get_task_data(task);
  JsonNode *reply = vb_qmp_execute_finish(VB_QMP(source), result, NULL);

  /* a model QEMU does not expand is only no candidate for host-model */
  if (reply != NULL && JSON_NODE_HOLDS_OBJECT(reply))
    g_hash_table_insert(probe->expansions, g_steal_pointer(&call->model), reply);
  else if (reply != NULL)
    json_node_unref(reply);
  g_free(call->model);
  g_free(call);
  if (--probe->n_expanding == 0)
    finish_probe(task);
}

/* Whether a model from query-cpu-definitions is one a host-model CPU can be based on: usable
 * with the probe's accelerator, not QEMU's "max", "host" or "base", and not a versioned name
 * ("Westmere-v1"), which its unversioned alias stands for, as in libvirt's CPU map. */
static const char *
base_candidate(JsonNode *item)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT(item) ? json_node_get_object(item) : NULL;
  JsonNode *missing =
      object != NULL ? json_object_get_member(object, "unavailable-features") : NULL;
  const char *name =
      object != NULL ? vb_json_node_string(json_object_get_member(object, "name")) : NULL;
  const char *version;

  if (name == NULL || missing == NULL || !JSON_NODE_HOLDS_ARRAY(missing) ||
      json_array_get_length(json_node_get_array(missing)) != 0 || g_str_equal(name, "max") ||
      g_str_equal(name, "host") || g_str_equal(name, "base"))
    return NULL;
  version = strrchr(name, '-');
  if (version != NULL && version[1] == 'v' && version[2] != '\0' &&
      strspn(version + 2, "0123456789") == strlen(version + 2))
    return NULL;
  return name;
}

/* The second round, once the first answered: each candidate model's static expansion. */
static void
expand_models(GTask *task, VbQmp *qmp)
{
  MonitorProbe *probe = g_task_get_task_data(task);
  JsonNode *models = probe->replies[QUERY_CPU_DEFINITIONS];

  g_autoptr(JsonObject) max = json_object_new();

  /* without a usable "max" there is no host CPU to base a model on */
  if (probe->error == NULL && expansion_into(max, probe->replies[QUERY_CPU_MAX], FALSE) &&
      models != NULL && JSON_NODE_HOLDS_ARRAY(models)) {
    JsonArray *array = json_node_get_array(models);

    for (guint i = 0; i < json_array_get_length(array); i++) {
      const char *name = base_candidate(json_array_get_element(array, i));
      g_autoptr(JsonObject) arguments = NULL;
      JsonObject *model;
      ExpansionCall *call;

      if (name == NULL || probe->n_expanding >= MAX_EXPANDED_MODELS)
        continue;
      arguments = json_object_new();
      model = json_object_new();
      json_object_set_string_member(model, "name", name);
      json_object_set_string_member(arguments, "type", "static");
      json_object_set_object_member(arguments, "model", model);
      call = g_new0(ExpansionCall, 1);
      call->task = g_object_ref(task);
      call->model = g_strdup(name);
      probe->n_expanding++;
      vb_qmp_execute_async(qmp, "query-cpu-model-expansion", arguments, NULL, 0,
                           VB_QEMU_PROBE_TIMEOUT_MS, g_task_get_cancellable(task),
                           on_expansion_done, call);
    }
  }
  if (probe->n_expanding == 0)
    finish_probe(task);
}

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
  expand_models(task, VB_QMP(source));
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
  probe->expansions =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)json_node_unref);
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
