/* format-domain: parse domain XML files and print them as virtbus formats them.
 *
 * A developer's tool for comparing our layout with libvirt's (the corpus holds libvirt's own
 * output beside each input): format-domain [--live] [--secure] FILE...
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>

#include "vb-domain-xml.h"

int
main(int argc, char **argv)
{
  VbDomainXmlFlags flags = VB_DOMAIN_XML_INACTIVE;
  int status = 0;

  for (int i = 1; i < argc; i++) {
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    gsize length;

    if (g_str_equal(argv[i], "--live")) {
      flags |= VB_DOMAIN_XML_LIVE;
      continue;
    }
    if (g_str_equal(argv[i], "--secure")) {
      flags |= VB_DOMAIN_XML_SECURE;
      continue;
    }
    if (!g_file_get_contents(argv[i], &text, &length, &error) ||
        (def = vb_domain_def_parse(text, length, &error)) == NULL) {
      fprintf(stderr, "%s: %s\n", argv[i], error->message);
      status = 1;
      continue;
    }
    {
      g_autofree char *xml = vb_domain_def_format(def, flags, &error);

      if (xml == NULL) {
        fprintf(stderr, "%s: %s\n", argv[i], error->message);
        status = 1;
        continue;
      }
      fputs(xml, stdout);
    }
  }
  return status;
}
