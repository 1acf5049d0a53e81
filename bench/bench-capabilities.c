/* bench-capabilities.c: what a capability lookup costs, cold and cached.
 *
 *   cold:   a fresh cache directory, so the lookup probes QEMU (spawn, eight queries, quit, reap)
 *   file:   a new VbCapabilities on the cache the cold runs left (a restarted daemon)
 *   memory: the same VbCapabilities again (answered at once: no thread, no disk, the binary
 *           watched for changes)
 *
 * Usage: bench-capabilities [EMULATOR [ROUNDS]]. Prints the median of each and the ratios.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "vb-bench.h"
#include "vb-capabilities.h"

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **)user_data = g_object_ref(result);
}

/* One lookup, in microseconds. */
static gint64
timed_lookup(VbCapabilities *capabilities, const char *binary)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps = NULL;
  gint64 start = g_get_monotonic_time();

  vb_capabilities_lookup_async(capabilities, binary, NULL, on_result, &result);
  while (result == NULL)
    g_main_context_iteration(NULL, TRUE);
  caps = vb_capabilities_lookup_finish(capabilities, result, &error);
  if (caps == NULL)
    g_error("%s", error->message);
  return g_get_monotonic_time() - start;
}

static double
median_ms(GArray *samples)
{
  return vb_bench_median_us(samples) / 1000.0;
}

static void
remove_cache(const char *root)
{
  g_autofree char *command = g_strdup_printf("rm -rf '%s/cache'", root);

  if (system(command) != 0)
    g_error("cannot clear %s/cache", root);
}

int
main(int argc, char **argv)
{
  const char *binary = argc > 1 ? argv[1] : "/usr/bin/qemu-system-x86_64";
  guint rounds = argc > 2 ? (guint)atoi(argv[2]) : 10;
  g_autofree char *root = g_dir_make_tmp("vb-bench-caps-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbPaths) paths = vb_paths_new_embed(root, &error);
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_new_default(VB_INSTANCE_EMBED);
  g_autoptr(GArray) cold = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) file = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) memory = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(VbCapabilities) warm = NULL;
  double cold_ms, file_ms, memory_ms;

  if (paths == NULL)
    g_error("%s", error->message);
  for (guint i = 0; i < rounds; i++) {
    g_autoptr(VbCapabilities) capabilities = vb_capabilities_new(paths, conf);
    g_autoptr(VbCapabilities) restarted = vb_capabilities_new(paths, conf);
    gint64 t;

    remove_cache(root);
    t = timed_lookup(capabilities, binary);
    g_array_append_val(cold, t);
    t = timed_lookup(restarted, binary);
    g_array_append_val(file, t);
    g_assert(vb_capabilities_get_probe_count(restarted) == 0);
  }
  warm = vb_capabilities_new(paths, conf);
  timed_lookup(warm, binary);
  for (guint i = 0; i < rounds * 10; i++) {
    gint64 t = timed_lookup(warm, binary);

    g_array_append_val(memory, t);
  }
  g_assert(vb_capabilities_get_probe_count(warm) == 0);
  remove_cache(root);
  g_rmdir(root);

  cold_ms = median_ms(cold);
  file_ms = median_ms(file);
  memory_ms = median_ms(memory);
  g_print("emulator %s, %u rounds (medians)\n", binary, rounds);
  g_print("cold probe:            %8.2f ms\n", cold_ms);
  g_print("cached, from the file: %8.3f ms  (cold / file = %.0fx)\n", file_ms, cold_ms / file_ms);
  g_print("cached, in memory:     %8.3f ms  (cold / memory = %.0fx)\n", memory_ms,
          cold_ms / memory_ms);
  return 0;
}
