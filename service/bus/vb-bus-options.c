/* vb-bus-options.c: checking a method's options (vb-bus-options.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-bus-options.h"
#include "vb-error.h"

gboolean
vb_bus_check_options(GVariant *options,
                     const char *method,
                     const VbOptionSpec *known,
                     GError **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init(&iter, options);
  while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
    const VbOptionSpec *spec = known;

    while (spec != NULL && spec->name != NULL && !g_str_equal(spec->name, key))
      spec++;
    if (spec == NULL || spec->name == NULL) {
      g_autoptr(GString) names = g_string_new(NULL);

      for (spec = known; spec != NULL && spec->name != NULL; spec++)
        g_string_append_printf(names, "%s'%s'", names->len > 0 ? ", " : "", spec->name);
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s has no option '%s' (%s)", method, key,
                  names->len > 0 ? names->str : "it takes none");
      g_variant_unref(value);
      return FALSE;
    }
    if (!g_variant_is_of_type(value, G_VARIANT_TYPE(spec->type))) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s: option '%s' is '%s', not '%s'",
                  method, key, g_variant_get_type_string(value), spec->type);
      g_variant_unref(value);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
vb_bus_option_bool(GVariant *options, const char *name)
{
  gboolean value = FALSE;

  g_variant_lookup(options, name, "b", &value);
  return value;
}

const char *
vb_bus_option_string(GVariant *options, const char *name)
{
  const char *value = NULL;

  g_variant_lookup(options, name, "&s", &value);
  return value;
}
