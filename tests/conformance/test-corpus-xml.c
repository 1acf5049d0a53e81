/* test-corpus-xml.c: how much of libvirt's own test corpus virtbus accepts.
 *
 * Reads every input domain in $VIRTBUS_CORPUS: the files *.xml whose root is <domain>, leaving
 * out libvirt's expected outputs (*.x86_64-latest.xml). Prints one line per file,
 *   NAME: accepted | not-supported <element path> | error <message>
 * and finally
 *   corpus-xml: A accepted, N not-supported, E errors, T total
 * An accepted file must also format, in each view (inactive, live, live with secrets), to XML
 * that validates against domain.rng and reads back to the same output. Every input is
 * accepted by libvirt, so InvalidXML/InvalidConfig or an invalid output is an error here, and
 * any error fails the test; NotSupported is reported, not failed. Exits 77 (skipped) when
 * $VIRTBUS_CORPUS is unset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-test-domain.h"
#include "vb-test-qemu.h"
#include "vb-test-schema.h"

/* The element path of a NotSupported message: "line N: /domain/x/@y: …" → "/domain/x/@y". */
static char *
path_of(const char *message)
{
  const char *start = message[0] == '/' ? message : strstr(message, ": /");
  const char *end;

  if (start == NULL)
    return g_strdup(message);
  if (start != message)
    start += 2;
  end = strstr(start, ": ");
  return end != NULL ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
}

/* Each view of @def validates and is a fixed point of parse and format. */
static gboolean
check_views(VbTestSchema *schema, const VbDomainDef *def, GError **error)
{
  static const VbDomainXmlFlags views[] = {VB_DOMAIN_XML_INACTIVE, VB_DOMAIN_XML_LIVE,
                                           VB_DOMAIN_XML_LIVE | VB_DOMAIN_XML_SECURE};

  for (guint v = 0; v < G_N_ELEMENTS(views); v++) {
    g_autofree char *once = vb_domain_def_format(def, views[v], error);
    g_autoptr(VbDomainDef) again = NULL;
    g_autofree char *twice = NULL;

    if (once == NULL || !vb_test_schema_validate(schema, once, error))
      return FALSE;
    again = vb_domain_def_parse(once, strlen(once), error);
    if (again == NULL)
      return FALSE;
    twice = vb_domain_def_format(again, views[v], error);
    if (twice == NULL)
      return FALSE;
    if (!g_str_equal(once, twice)) {
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "view %u does not read back to the same XML",
                  (guint)views[v]);
      return FALSE;
    }
  }
  return TRUE;
}

int
main(int argc, char **argv)
{
  g_auto(VbTestCorpus) set = {0};
  g_autoptr(GError) error = NULL;
  g_autoptr(VbTestSchema) schema = NULL;
  const char *corpus;
  GPtrArray *names;
  VbQemuCaps *caps;
  int status;
  guint accepted = 0, not_supported = 0, errors = 0;

  if ((status = vb_test_corpus_open("corpus-xml", &set)) != 0)
    return status;
  corpus = set.dir;
  names = set.names;
  caps = set.caps;
  schema = vb_test_schema_load("domain.rng", &error);
  if (schema == NULL) {
    g_printerr("corpus-xml: %s\n", error->message);
    return 1;
  }
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *path = g_build_filename(corpus, names->pdata[i], NULL);
    g_autofree char *xml = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    gsize length;

    g_clear_error(&error);
    if (!g_file_get_contents(path, &xml, &length, &error)) {
      g_print("%s: error %s\n", (char *)names->pdata[i], error->message);
      errors++;
      continue;
    }
    /* accepted means accepted by a define: parsed, and nothing a start would refuse */
    def = vb_domain_def_parse(xml, length, &error);
    if (def != NULL && !vb_test_check_def(def, caps, &error))
      g_clear_pointer(&def, vb_domain_def_free);
    if (def == NULL) {
      if (g_error_matches(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED)) {
        g_autofree char *element = path_of(error->message);

        g_print("%s: not-supported %s\n", (char *)names->pdata[i], element);
        not_supported++;
      } else {
        g_print("%s: error %s\n", (char *)names->pdata[i], error->message);
        errors++;
      }
      continue;
    }
    if (!check_views(schema, def, &error)) {
      g_print("%s: error %s\n", (char *)names->pdata[i], error->message);
      errors++;
      continue;
    }
    g_print("%s: accepted\n", (char *)names->pdata[i]);
    accepted++;
  }
  g_print("corpus-xml: %u accepted, %u not-supported, %u errors, %u total\n", accepted,
          not_supported, errors, names->len);
  return errors == 0 && names->len > 0 ? 0 : 1;
}
