/* fuzz-qemu-native.c: domxml-from-native on arbitrary text.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

#include "vb-domain-def.h"
#include "vb-error.h"
#include "vb-qemu-native.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup((const char *)data, size);
  g_autoptr(GError) error = NULL;
  VbDomainDef *def = vb_qemu_native_parse(text, &error);

  /* Exactly one of the two, and an error is always ours. */
  g_assert((def == NULL) != (error == NULL));
  g_assert(error == NULL || error->domain == VB_ERROR);
  vb_domain_def_free(def);
  return 0;
}
