/* vb-bus-options.h: the a{sv} options every method ends with: each key known to the method
 * and of its type, else InvalidArgs naming it (DESIGN.md §3).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  const char *name;
  const char *type; /* a GVariant type string: "b", "s" */
} VbOptionSpec;

/* @known: ends with {NULL, NULL} */
gboolean vb_bus_check_options(GVariant *options,
                              const char *method,
                              const VbOptionSpec *known,
                              GError **error);
gboolean vb_bus_option_bool(GVariant *options, const char *name);
/* (nullable) */
const char *vb_bus_option_string(GVariant *options, const char *name);

G_END_DECLS
