/* fuzz-qemu-conf.c: qemu.conf parsing, syntax and typed settings, on arbitrary bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

#include "vb-error.h"
#include "vb-qemu-conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* Session: the system instance would look users up through NSS on every input. */
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuConf) conf = vb_qemu_conf_load_from_data("fuzz.conf", (const char *)data, size,
                                                           VB_INSTANCE_SESSION, &error);

  /* Exactly one of the two, and an error is always ours and says where. */
  g_assert((conf == NULL) != (error == NULL));
  if (error != NULL) {
    g_assert(error->domain == VB_ERROR);
    g_assert(g_str_has_prefix(error->message, "fuzz.conf:"));
  }
  return 0;
}
