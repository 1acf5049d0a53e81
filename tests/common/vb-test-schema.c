/* vb-test-schema.c: loads a libvirt RelaxNG schema once and validates documents with it.
 *
 * The schemas come from $VIRTBUS_SCHEMAS (set by the test setup to the project's shared
 * reference copy), else from /usr/share/libvirt/schemas. Not finding them is an error, never a
 * skip: a schema test that cannot run must not pass.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <stdarg.h>
#include <string.h>

#include "vb-error.h"
#include "vb-test-schema.h"

struct _VbTestSchema {
  xmlRelaxNG *schema;
  GString *messages; /* validation messages of the last document */
};

static void collect_message(void *ctx, const char *format, ...) G_GNUC_PRINTF(2, 3);

static void
collect_message(void *ctx, const char *format, ...)
{
  VbTestSchema *self = ctx;
  va_list args;

  va_start(args, format);
  g_string_append_vprintf(self->messages, format, args);
  va_end(args);
}

static char *
find_schema(const char *name)
{
  const char *dirs[] = {g_getenv("VIRTBUS_SCHEMAS"), "/usr/share/libvirt/schemas"};

  for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
    g_autofree char *path = NULL;

    if (dirs[i] == NULL || *dirs[i] == '\0')
      continue;
    path = g_build_filename(dirs[i], name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
      return g_steal_pointer(&path);
  }
  return NULL;
}

VbTestSchema *
vb_test_schema_load(const char *name, GError **error)
{
  g_autofree char *path = find_schema(name);
  xmlRelaxNGParserCtxt *ctxt;
  VbTestSchema *self;

  if (path == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
                "libvirt's %s was found neither in $VIRTBUS_SCHEMAS (%s) nor in "
                "/usr/share/libvirt/schemas",
                name, g_getenv("VIRTBUS_SCHEMAS") != NULL ? g_getenv("VIRTBUS_SCHEMAS") : "unset");
    return NULL;
  }
  self = g_new0(VbTestSchema, 1);
  self->messages = g_string_new(NULL);
  ctxt = xmlRelaxNGNewParserCtxt(path);
  xmlRelaxNGSetParserErrors(ctxt, collect_message, collect_message, self);
  self->schema = xmlRelaxNGParse(ctxt);
  xmlRelaxNGFreeParserCtxt(ctxt);
  if (self->schema == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot load the schema %s: %s", path,
                self->messages->str);
    vb_test_schema_free(self);
    return NULL;
  }
  return self;
}

gboolean
vb_test_schema_validate(VbTestSchema *self, const char *xml, GError **error)
{
  xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "formatted.xml", NULL, XML_PARSE_NONET);
  xmlRelaxNGValidCtxt *ctxt;
  int rc;

  if (doc == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_XML, "the output is not well-formed XML");
    return FALSE;
  }
  g_string_truncate(self->messages, 0);
  ctxt = xmlRelaxNGNewValidCtxt(self->schema);
  xmlRelaxNGSetValidErrors(ctxt, collect_message, collect_message, self);
  rc = xmlRelaxNGValidateDoc(ctxt, doc);
  xmlRelaxNGFreeValidCtxt(ctxt);
  xmlFreeDoc(doc);
  if (rc != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_XML, "the output does not validate: %s",
                g_strstrip(self->messages->str));
    return FALSE;
  }
  return TRUE;
}

void
vb_test_schema_free(VbTestSchema *self)
{
  if (self == NULL)
    return;
  g_clear_pointer(&self->schema, xmlRelaxNGFree);
  g_string_free(self->messages, TRUE);
  g_free(self);
}
