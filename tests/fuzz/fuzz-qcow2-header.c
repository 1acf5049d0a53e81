/* fuzz-qcow2-header.c: the qcow2 header reader that finds a disk's backing files (the images
 * are the guest's, or anyone's), on arbitrary bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "vb-security-private.h"

/* the qcow2 specification's limit on a backing name, as the reader applies it */
#define MAX_BACKING_NAME 1023

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *format = NULL;
  g_autofree char *name = vb_qcow2_parse_backing(data, size, &format);

  /* a name is a local path: bounded, whole, never a protocol; a format only with a name */
  if (name != NULL) {
    g_assert(*name != '\0' && strlen(name) <= MAX_BACKING_NAME);
    g_assert(strstr(name, "://") == NULL && !g_str_has_prefix(name, "json:"));
  } else {
    g_assert(format == NULL);
  }
  g_assert(format == NULL || strlen(format) < 32);
  return 0;
}
