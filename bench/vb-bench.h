/* vb-bench.h: what the benchmarks share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The median of @samples (gint64 microseconds, sorted in place), in microseconds. */
double vb_bench_median_us(GArray *samples);

G_END_DECLS
