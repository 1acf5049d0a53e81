/* vb-bench.c: what the benchmarks share (vb-bench.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-bench.h"

static int
compare_gint64(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

double
vb_bench_median_us(GArray *samples)
{
  g_array_sort(samples, compare_gint64);
  return (double)g_array_index(samples, gint64, samples->len / 2);
}
