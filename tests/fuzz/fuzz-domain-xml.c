/* fuzz-domain-xml.c: domain XML parsing on arbitrary bytes. Whatever parses must format, in the
 * inactive view and in the live view with secrets, to XML that parses again to the same text
 * (the round-trip property of the formatter).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = vb_domain_def_parse((const char *)data, size, &error);
  static const VbDomainXmlFlags views[] = {VB_DOMAIN_XML_INACTIVE,
                                           VB_DOMAIN_XML_LIVE | VB_DOMAIN_XML_SECURE};

  if (def == NULL) {
    g_assert(error != NULL && error->domain == VB_ERROR);
    return 0;
  }
  for (guint v = 0; v < G_N_ELEMENTS(views); v++) {
    /* what the parser accepted always formats, and reads back to the same */
    g_autofree char *once = vb_domain_def_format(def, views[v], &error);
    g_autoptr(VbDomainDef) again = NULL;
    g_autofree char *twice = NULL;

    g_assert_no_error(error);
    again = vb_domain_def_parse(once, strlen(once), &error);
    g_assert_no_error(error);
    twice = vb_domain_def_format(again, views[v], &error);
    g_assert_no_error(error);
    g_assert_cmpstr(once, ==, twice);
  }
  return 0;
}
