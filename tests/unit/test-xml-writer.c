/* test-xml-writer.c: what the XML writer escapes and what it refuses, and the round trip of
 * awkward values through format → parse → format.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-domain-def.h"
#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-test-domain.h"
#include "vb-xml-writer.h"

static void
test_escapes(void)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;

  vb_xml_writer_start(w, "a");
  vb_xml_writer_attr(w, "v", "x\ny\tz\r'\"<&>é");
  vb_xml_writer_start(w, "b");
  vb_xml_writer_text(w, "l1\nl2\tend\r'\"<&>");
  vb_xml_writer_end(w);
  vb_xml_writer_end(w);
  xml = vb_xml_writer_finish(w, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(xml, ==,
                  "<a v='x&#10;y&#9;z&#13;&apos;&quot;&lt;&amp;&gt;é'>\n"
                  "  <b>l1\nl2\tend&#13;'\"&lt;&amp;&gt;</b>\n"
                  "</a>\n");
}

static void
test_refusals(void)
{
  static const struct {
    const char *attribute; /* NULL: as text of <c> */
    const char *value;
    const char *message;
  } cases[] = {
      {"path", "/a\001b",
       "/a/c/@path: the value holds the character U+0001, which XML cannot carry"},
      {"path", "/a\xff", "/a/c/@path: the value is not valid UTF-8, which XML cannot carry"},
      {NULL, "x\033[0m", "/a/c: the value holds the character U+001B, which XML cannot carry"},
      {NULL, "\xef\xbf\xbe", "/a/c: the value holds the character U+FFFE, which XML cannot carry"},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;

    vb_xml_writer_start(w, "a");
    vb_xml_writer_start(w, "c");
    if (cases[i].attribute != NULL)
      vb_xml_writer_attr(w, cases[i].attribute, cases[i].value);
    else
      vb_xml_writer_text(w, cases[i].value);
    vb_xml_writer_end(w);
    /* the first refusal is the one reported; later good values change nothing */
    vb_xml_writer_start(w, "d");
    vb_xml_writer_attr(w, "ok", "fine");
    vb_xml_writer_end(w);
    vb_xml_writer_end(w);
    xml = vb_xml_writer_finish(w, &error);
    g_assert_null(xml);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS);
    g_assert_cmpstr(error->message, ==, cases[i].message);
  }
}

/* A path with a newline, a tab and non-ASCII reads back as it was written. */
static void
test_round_trip(void)
{
  static const char xml[] = "<domain type='qemu'>\n"
                            "  <name>demo</name>\n"
                            "  <memory>219200</memory>\n"
                            "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                            "  <devices>\n"
                            "    <disk type='file' device='disk'>\n"
                            "      <source file='/var/lib/a&#10;b&#9;c é.img'/>\n"
                            "      <target dev='vda' bus='virtio'/>\n"
                            "    </disk>\n"
                            "  </devices>\n"
                            "</domain>\n";
  g_autoptr(VbDomainDef) def = vb_test_parse_ok(xml);
  g_autofree char *once = vb_test_format(def, VB_DOMAIN_XML_INACTIVE);
  g_autoptr(VbDomainDef) again = vb_test_parse_ok(once);
  g_autofree char *twice = vb_test_format(again, VB_DOMAIN_XML_INACTIVE);
  const VbDiskDef *disk = again->disks->pdata[0];

  g_assert_cmpstr(disk->source, ==, "/var/lib/a\nb\tc é.img");
  g_assert_nonnull(strstr(once, "file='/var/lib/a&#10;b&#9;c é.img'"));
  g_assert_cmpstr(once, ==, twice);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/xml-writer/escapes", test_escapes);
  g_test_add_func("/virtbus/xml-writer/refusals", test_refusals);
  g_test_add_func("/virtbus/xml-writer/round-trip", test_round_trip);
  return g_test_run();
}
