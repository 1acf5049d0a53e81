/* vb-domain-stats.c: GetStats (DESIGN.md §3): flat keys of a running domain, from the kernel
 * (CPU time of the QEMU process) and two monitor queries sent together (query-balloon,
 * query-blockstats). A query, not a job: it never waits behind a start or a shutdown.
 *
 *   state.state u, state.reason s          always
 *   cpu.time t (ns)                        QEMU's user + system time
 *   vcpu.current u, vcpu.maximum u         the live definition
 *   balloon.current t, balloon.maximum t   KiB, when the domain has a balloon
 *   block.count u, block.<target>.{rd,wr}.{bytes,reqs} t
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-json.h"

typedef struct {
  VbDomainObj *domain; /* (owned) */
  GVariantDict dict;
  guint waiting;
} Stats;

static void
stats_free(Stats *stats)
{
  g_variant_dict_clear(&stats->dict);
  g_object_unref(stats->domain);
  g_free(stats);
}

/* utime + stime (fields 14 and 15 of /proc/<pid>/stat) in nanoseconds. */
static gboolean
cpu_time(GPid pid, guint64 *ns)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;
  guint64 utime, stime;
  long ticks = sysconf(_SC_CLK_TCK);

  if (!g_file_get_contents(path, &text, NULL, NULL) || (after = strrchr(text, ')')) == NULL)
    return FALSE;
  fields = g_strsplit(after + 2, " ", 0);
  if (g_strv_length(fields) < 13 || ticks <= 0 ||
      !g_ascii_string_to_unsigned(fields[11], 10, 0, G_MAXUINT64, &utime, NULL) ||
      !g_ascii_string_to_unsigned(fields[12], 10, 0, G_MAXUINT64, &stime, NULL))
    return FALSE;
  *ns = (utime + stime) * (G_GUINT64_CONSTANT(1000000000) / (guint64)ticks);
  return TRUE;
}

static const VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "query-blockstats"};

/* The disk a query-blockstats entry is about: its "qdev" is the device's QOM path (which holds
 * the alias as a component), or, with -drive, "device" is "drive-<alias>". */
static const VbDiskDef *
disk_of(const VbDomainDef *def, JsonObject *entry)
{
  const char *qdev = NULL;
  const char *device = NULL;

  if (!vb_json_get_string(&scope, entry, "qdev", FALSE, &qdev, NULL) ||
      !vb_json_get_string(&scope, entry, "device", FALSE, &device, NULL))
    return NULL;

  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];
    const char *alias = disk->info.alias != NULL ? disk->info.alias : disk->info.assigned_alias;
    g_autofree char *component = NULL;
    g_autofree char *drive = NULL;

    if (alias == NULL)
      continue;
    component = g_strdup_printf("/%s/", alias);
    drive = g_strconcat("drive-", alias, NULL);
    if ((qdev != NULL && (g_str_equal(qdev, alias) || strstr(qdev, component) != NULL)) ||
        g_strcmp0(device, drive) == 0 || g_strcmp0(device, alias) == 0)
      return disk;
  }
  return NULL;
}

static void
add_block(Stats *stats, JsonNode *reply)
{
  const VbDomainDef *def = stats->domain->live;
  JsonArray *entries;
  guint count = 0;

  if (reply == NULL || !JSON_NODE_HOLDS_ARRAY(reply))
    return;
  entries = json_node_get_array(reply);
  for (guint i = 0; i < json_array_get_length(entries); i++) {
    JsonNode *node = json_array_get_element(entries, i);
    JsonObject *entry = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    JsonObject *numbers = NULL;
    const VbDiskDef *disk = entry != NULL ? disk_of(def, entry) : NULL;
    static const char *const keys[][2] = {
        {"rd_bytes", "rd.bytes"},
        {"wr_bytes", "wr.bytes"},
        {"rd_operations", "rd.reqs"},
        {"wr_operations", "wr.reqs"},
    };

    if (disk == NULL || disk->target_dev == NULL ||
        !vb_json_get_object(&scope, entry, "stats", TRUE, &numbers, NULL))
      continue;
    count++;
    for (guint k = 0; k < G_N_ELEMENTS(keys); k++) {
      gint64 value = 0;
      g_autofree char *key = NULL;

      if (!vb_json_get_int(&scope, numbers, keys[k][0], TRUE, 0, G_MAXINT64, &value, NULL))
        continue;
      key = g_strdup_printf("block.%s.%s", disk->target_dev, keys[k][1]);
      g_variant_dict_insert(&stats->dict, key, "t", (guint64)value);
    }
  }
  g_variant_dict_insert(&stats->dict, "block.count", "u", count);
}

static void
add_balloon(Stats *stats, JsonNode *reply)
{
  JsonObject *object =
      reply != NULL && JSON_NODE_HOLDS_OBJECT(reply) ? json_node_get_object(reply) : NULL;
  gint64 actual = 0;

  static const VbJsonScope balloon = {VB_ERROR_MONITOR_ERROR, "query-balloon"};

  if (object == NULL ||
      !vb_json_get_int(&balloon, object, "actual", TRUE, 0, G_MAXINT64, &actual, NULL))
    return;
  g_variant_dict_insert(&stats->dict, "balloon.current", "t", (guint64)actual / 1024);
  g_variant_dict_insert(&stats->dict, "balloon.maximum", "t", stats->domain->live->memory_kib);
}

static void
on_query(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Stats *stats = g_task_get_task_data(task);
  g_autoptr(JsonNode) reply = vb_qmp_execute_finish(VB_QMP(source), result, NULL);

  if (reply != NULL && JSON_NODE_HOLDS_ARRAY(reply))
    add_block(stats, reply);
  else
    add_balloon(stats, reply);
  if (--stats->waiting == 0)
    g_task_return_pointer(task, g_variant_ref_sink(g_variant_dict_end(&stats->dict)),
                          (GDestroyNotify)g_variant_unref);
}

void
vb_driver_get_stats_async(VbDriver *self,
                          VbDomainObj *domain,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  Stats *stats = g_new0(Stats, 1);
  const VbDomainDef *def = vb_domain_obj_get_def(domain);
  guint64 ns = 0;

  stats->domain = g_object_ref(domain);
  g_variant_dict_init(&stats->dict, NULL);
  g_task_set_task_data(task, stats, (GDestroyNotify)stats_free);
  g_variant_dict_insert(&stats->dict, "state.state", "u", (guint32)domain->state);
  g_variant_dict_insert(&stats->dict, "state.reason", "s", domain->reason);
  if (domain->process == NULL || domain->process->qmp == NULL ||
      !vb_qmp_is_ready(domain->process->qmp)) {
    g_task_return_pointer(task, g_variant_ref_sink(g_variant_dict_end(&stats->dict)),
                          (GDestroyNotify)g_variant_unref);
    return;
  }
  if (cpu_time(domain->process->pid, &ns))
    g_variant_dict_insert(&stats->dict, "cpu.time", "t", ns);
  g_variant_dict_insert(&stats->dict, "vcpu.current", "u",
                        def->vcpus_current != 0 ? def->vcpus_current : def->vcpus);
  g_variant_dict_insert(&stats->dict, "vcpu.maximum", "u", def->vcpus);
  stats->waiting = 2;
  vb_qmp_execute_async(domain->process->qmp, "query-balloon", NULL, NULL, 0,
                       VB_MONITOR_COMMAND_TIMEOUT_MS, cancellable, on_query, g_object_ref(task));
  vb_qmp_execute_async(domain->process->qmp, "query-blockstats", NULL, NULL, 0,
                       VB_MONITOR_COMMAND_TIMEOUT_MS, cancellable, on_query, g_object_ref(task));
}

GVariant *
vb_driver_get_stats_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer(G_TASK(result), error);
}
