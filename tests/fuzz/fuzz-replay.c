/* fuzz-replay.c: a main() for fuzz targets when libFuzzer is not available: it feeds each file
 * named on the command line to LLVMFuzzerTestOneInput once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    g_autofree char *contents = NULL;
    g_autoptr(GError) error = NULL;
    gsize length = 0;

    if (!g_file_get_contents(argv[i], &contents, &length, &error)) {
      g_printerr("%s\n", error->message);
      return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)contents, length);
    g_print("replayed %s\n", argv[i]);
  }
  return 0;
}
