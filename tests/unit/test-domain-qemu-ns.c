/* test-domain-qemu-ns.c: libvirt's QEMU namespace: matched by URI whatever the prefix, written
 * back with libvirt's "qemu:" prefix, and its errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-error.h"
#include "vb-test-domain.h"

static VbTestSchema *domain_schema; /* (owned): loaded once in main() */

#define NS "http://libvirt.org/schemas/domain/qemu/1.0"
#define HEAD_WITH(ns_decl)                                                                         \
  "<domain type='kvm'" ns_decl "><name>d</name><memory>1048576</memory>"                           \
  "<os><type>hvm</type></os>\n<devices/>\n"

static const char *const expected_tail = "  <devices/>\n"
                                         "  <qemu:commandline>\n"
                                         "    <qemu:arg value='-newarg'/>\n"
                                         "    <qemu:arg value='a b&amp;c'/>\n"
                                         "    <qemu:env name='QEMU_ENV' value='VAL'/>\n"
                                         "    <qemu:env name='_EMPTY'/>\n"
                                         "  </qemu:commandline>\n"
                                         "</domain>\n";

/* Any prefix, or a default namespace, reads the same and formats as libvirt does. */
static void
test_prefixes(void)
{
  const char *inputs[] = {
      HEAD_WITH(" xmlns:qemu='" NS "'") "<qemu:commandline><qemu:arg value='-newarg'/>"
                                        "<qemu:arg value='a b&amp;c'/>"
                                        "<qemu:env name='QEMU_ENV' value='VAL'/>"
                                        "<qemu:env name='_EMPTY'/></qemu:commandline></domain>",
      HEAD_WITH(" xmlns:q='" NS "'") "<q:commandline><q:arg value='-newarg'/>"
                                     "<q:arg value='a b&amp;c'/><q:env name='QEMU_ENV' "
                                     "value='VAL'/><q:env name='_EMPTY'/></q:commandline></domain>",
      HEAD_WITH("") "<commandline xmlns='" NS "'><arg value='-newarg'/><arg value='a b&amp;c'/>"
                    "<env name='QEMU_ENV' value='VAL'/><env name='_EMPTY'/></commandline>"
                    "</domain>",
  };

  for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
    g_autofree char *out = vb_test_format_checked(domain_schema, inputs[i]);
    const char *tail = strstr(out, "  <devices/>\n");

    g_assert_true(g_str_has_prefix(out, "<domain type='kvm' xmlns:qemu='" NS "'>\n"));
    g_assert_cmpstr(tail, ==, expected_tail);
  }
}

static void
test_all_elements(void)
{
  g_autofree char *out = vb_test_format_checked(
      domain_schema,
      HEAD_WITH(" xmlns:qemu='" NS "'") "<qemu:deprecation behavior='reject'/>"
                                        "<qemu:override><qemu:device alias='ua-disk'>"
                                        "<qemu:frontend>"
                                        "<qemu:property name='p1' type='string' value=''/>"
                                        "<qemu:property name='p2' type='signed' value='-5'/>"
                                        "<qemu:property name='p3' type='unsigned' value='7'/>"
                                        "<qemu:property name='p4' type='bool' value='true'/>"
                                        "<qemu:property name='p5' type='remove'/>"
                                        "</qemu:frontend></qemu:device></qemu:override>"
                                        "<qemu:capabilities><qemu:del capability='drive'/>"
                                        "<qemu:add capability='blockdev'/></qemu:capabilities>"
                                        "</domain>");

  /* libvirt's order: commandline, capabilities, override, deprecation */
  g_assert_cmpstr(strstr(out, "  <devices/>\n"), ==,
                  "  <devices/>\n"
                  "  <qemu:capabilities>\n"
                  "    <qemu:add capability='blockdev'/>\n"
                  "    <qemu:del capability='drive'/>\n"
                  "  </qemu:capabilities>\n"
                  "  <qemu:override>\n"
                  "    <qemu:device alias='ua-disk'>\n"
                  "      <qemu:frontend>\n"
                  "        <qemu:property name='p1' type='string' value=''/>\n"
                  "        <qemu:property name='p2' type='signed' value='-5'/>\n"
                  "        <qemu:property name='p3' type='unsigned' value='7'/>\n"
                  "        <qemu:property name='p4' type='bool' value='true'/>\n"
                  "        <qemu:property name='p5' type='remove'/>\n"
                  "      </qemu:frontend>\n"
                  "    </qemu:device>\n"
                  "  </qemu:override>\n"
                  "  <qemu:deprecation behavior='reject'/>\n"
                  "</domain>\n");
}

static void
test_errors(void)
{
  VbTestRefusal cases[] = {
      {"<qemu:commandline><qemu:env name='1BAD' value='x'/></qemu:commandline>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/qemu:commandline/qemu:env/@name: '1BAD' is not an environment "
       "variable name (a letter or '_', then letters, digits or '_')"},
      {"<qemu:commandline><qemu:env name='A-B'/></qemu:commandline>", VB_ERROR_INVALID_CONFIG,
       "*/qemu:env/@name: 'A-B' is not an environment variable name*"},
      {"<qemu:commandline><qemu:arg/></qemu:commandline>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/qemu:commandline/qemu:arg: <arg> needs a 'value'"},
      {"<qemu:commandline/><qemu:commandline/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/qemu:commandline[2]: a domain has one <commandline> at most"},
      {"<qemu:capabilities><qemu:add/></qemu:capabilities>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/qemu:capabilities/qemu:add: <add> needs a non-empty 'capability'"},
      {"<qemu:deprecation behavior='panic'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/qemu:deprecation/@behavior: 'panic' is not allowed (allowed: 'none', "
       "'omit', 'reject', 'crash')"},
      {"<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
       "<qemu:property name='id' type='string' value='y'/></qemu:frontend></qemu:device>"
       "</qemu:override>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/qemu:override/qemu:device/qemu:frontend/qemu:property/@name: the 'id' "
       "property cannot be overridden: it is the device's alias"},
      {"<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
       "<qemu:property name='n' type='signed' value='12x'/></qemu:frontend></qemu:device>"
       "</qemu:override>",
       VB_ERROR_INVALID_CONFIG, "*/qemu:property/@value: '12x' is not a signed 64-bit value"},
      {"<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
       "<qemu:property name='n' type='unsigned' value='-1'/></qemu:frontend></qemu:device>"
       "</qemu:override>",
       VB_ERROR_INVALID_CONFIG, "*/qemu:property/@value: '-1' is not an unsigned 64-bit value"},
      {"<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
       "<qemu:property name='n' type='bool' value='yes'/></qemu:frontend></qemu:device>"
       "</qemu:override>",
       VB_ERROR_INVALID_CONFIG,
       "*/qemu:property/@value: 'yes' is not a bool ('true' or 'false') value"},
      {"<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
       "<qemu:property name='n' type='remove' value='1'/></qemu:frontend></qemu:device>"
       "</qemu:override>",
       VB_ERROR_INVALID_CONFIG, "*/qemu:property: a 'remove' property takes no value"},
      {"<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
       "<qemu:property name='n' type='number' value='1'/></qemu:frontend></qemu:device>"
       "</qemu:override>",
       VB_ERROR_INVALID_CONFIG,
       "*/qemu:property/@type: 'number' is not allowed (allowed: 'string', 'signed', "
       "'unsigned', 'bool', 'remove')"},
      {"<qemu:override><qemu:device alias='ua-x'/><qemu:device alias='ua-x'/></qemu:override>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/qemu:override/qemu:device[2]/@alias: the device 'ua-x' is overridden "
       "twice"},
      {"<qemu:override><qemu:device alias='ua-x'><qemu:backend/></qemu:device></qemu:override>",
       VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/qemu:override/qemu:device/qemu:backend: the element <backend> is not "
       "supported by virtbus"},
      {"<qemu:frobnicate/>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/qemu:frobnicate: the element <frobnicate> is not supported by virtbus"},
  };

  vb_test_assert_refusals(HEAD_WITH(" xmlns:qemu='" NS "'"), "</domain>", cases,
                          G_N_ELEMENTS(cases));
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init(&argc, &argv, NULL);
  domain_schema = vb_test_schema_load("domain.rng", &error);
  g_assert_no_error(error);

  g_test_add_func("/virtbus/domain-qemu-ns/prefixes", test_prefixes);
  g_test_add_func("/virtbus/domain-qemu-ns/all-elements", test_all_elements);
  g_test_add_func("/virtbus/domain-qemu-ns/errors", test_errors);
  status = g_test_run();
  vb_test_schema_free(domain_schema);
  return status;
}
