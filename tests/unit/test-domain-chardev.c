/* test-domain-chardev.c: character devices (<serial>, <console>, <channel>, <redirdev>): their
 * sources, port numbering, live-only pty paths, and the errors.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-error.h"
#include "vb-test-domain.h"

static VbTestSchema *domain_schema; /* (owned): loaded once in main() */

#define HEAD VB_TEST_DOMAIN_HEAD
#define TAIL VB_TEST_DOMAIN_TAIL

/* The <devices> of @devices' domain in view @flags, after checking the inactive view against
 * the schema and for a fixed point. */
static char *
devices_in_view(const char *devices, VbDomainXmlFlags flags)
{
  g_autofree char *xml = g_strconcat(HEAD, devices, TAIL, NULL);
  g_autofree char *out = NULL;
  const char *start, *end;

  g_free(vb_test_format_checked(domain_schema, xml));
  out = vb_test_format_view(xml, flags);
  start = strstr(out, "  <devices>\n");
  end = strstr(out, "  </devices>\n");
  g_assert_nonnull(start);
  g_assert_nonnull(end);
  start += strlen("  <devices>\n");
  return g_strndup(start, (gsize)(end - start));
}

static void
test_serial_console(void)
{
  const char *in = "<serial type='pty'><source path='/dev/pts/4'/></serial>"
                   "<serial type='file'><source path='/var/log/g.log' append='on'/>"
                   "<target type='isa-serial' port='3'><model name='isa-serial'/></target></serial>"
                   "<serial type='unix'><source mode='bind' path='/run/s.sock'/></serial>"
                   "<serial type='null'/>"
                   "<console type='pty'><target type='serial'/></console>"
                   "<console type='pty'><target type='virtio'/></console>";
  g_autofree char *inactive = devices_in_view(in, VB_DOMAIN_XML_INACTIVE);
  g_autofree char *live = devices_in_view(in, VB_DOMAIN_XML_LIVE);

  /* ports given are kept, others get the lowest free one; the pty path is the runtime's */
  g_assert_cmpstr(inactive, ==,
                  "    <serial type='pty'>\n"
                  "      <target port='0'/>\n"
                  "    </serial>\n"
                  "    <serial type='file'>\n"
                  "      <source path='/var/log/g.log' append='on'/>\n"
                  "      <target type='isa-serial' port='3'>\n"
                  "        <model name='isa-serial'/>\n"
                  "      </target>\n"
                  "    </serial>\n"
                  "    <serial type='unix'>\n"
                  "      <source mode='bind' path='/run/s.sock'/>\n"
                  "      <target port='1'/>\n"
                  "    </serial>\n"
                  "    <serial type='null'>\n"
                  "      <target port='2'/>\n"
                  "    </serial>\n"
                  "    <console type='pty'>\n"
                  "      <target type='serial' port='0'/>\n"
                  "    </console>\n"
                  "    <console type='pty'>\n"
                  "      <target type='virtio' port='1'/>\n"
                  "    </console>\n");
  g_assert_nonnull(strstr(live, "    <serial type='pty'>\n"
                                "      <source path='/dev/pts/4'/>\n"
                                "      <target port='0'/>\n"
                                "      <alias name='serial0'/>\n"
                                "    </serial>\n"));
  /* the first serial console is serial0 itself */
  g_assert_nonnull(strstr(live, "      <target type='serial' port='0'/>\n"
                                "      <alias name='serial0'/>\n"));
  g_assert_nonnull(strstr(live, "      <target type='virtio' port='1'/>\n"
                                "      <alias name='console1'/>\n"));
}

static void
test_channels_and_redirdevs(void)
{
  g_autofree char *out = devices_in_view(
      "<channel type='unix'><source mode='bind'/>"
      "<target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>"
      "<address type='virtio-serial' controller='0' bus='0' port='1'/></channel>"
      "<channel type='spicevmc'><target type='virtio'/></channel>"
      "<redirdev bus='usb' type='spicevmc'><boot order='1'/></redirdev><redirdev type='spicevmc'/>",
      VB_DOMAIN_XML_LIVE);

  /* state='connected' is the guest agent's status, not configuration */
  g_assert_cmpstr(out, ==,
                  "    <channel type='unix'>\n"
                  "      <source mode='bind'/>\n"
                  "      <target type='virtio' name='org.qemu.guest_agent.0'/>\n"
                  "      <alias name='channel0'/>\n"
                  "      <address type='virtio-serial' controller='0' bus='0' port='1'/>\n"
                  "    </channel>\n"
                  "    <channel type='spicevmc'>\n"
                  "      <target type='virtio' name='com.redhat.spice.0'/>\n"
                  "      <alias name='channel1'/>\n"
                  "    </channel>\n"
                  "    <redirdev bus='usb' type='spicevmc'>\n"
                  "      <boot order='1'/>\n"
                  "      <alias name='redir0'/>\n"
                  "    </redirdev>\n"
                  "    <redirdev bus='usb' type='spicevmc'>\n"
                  "      <alias name='redir1'/>\n"
                  "    </redirdev>\n");
}

static void
test_errors(void)
{
  VbTestRefusal cases[] = {
      {"<serial type='stdio'/>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/serial/@type: 'stdio' is not supported by virtbus (supported: "
       "'pty', 'file', 'unix', 'null', 'spicevmc')"},
      {"<serial type='tcp'><source mode='bind' host='0' service='4555'/></serial>",
       VB_ERROR_NOT_SUPPORTED, "line 3: /domain/devices/serial/@type: 'tcp' is not supported*"},
      {"<serial/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/serial: a <serial> needs a type such as 'pty'"},
      {"<serial type='file'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/serial: a 'file' character device needs <source path='…'/>"},
      {"<serial type='file'><source path='log.txt'/></serial>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/serial/source/@path: 'log.txt' is not an absolute path"},
      {"<serial type='unix'><source mode='bind'/></serial>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/serial/source: a 'unix' character device needs <source "
       "path='…'/>"},
      {"<serial type='unix'><source mode='listen' path='/a'/></serial>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/serial/source/@mode: 'listen' is not allowed (allowed: 'bind', "
       "'connect')"},
      {"<serial type='spicevmc'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/serial/@type: 'spicevmc' is for <channel> and <redirdev> only"},
      {"<serial type='pty'><target port='0'/></serial><serial type='pty'><target port='0'/>"
       "</serial>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/serial[2]: the port 0 is taken by another <serial>"},
      {"<serial type='pty'><target type='isa-serial'><model name='pci-serial'/></target></serial>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/serial/target/model/@name: the model 'pci-serial' does not fit "
       "the target type 'isa-serial'"},
      {"<serial type='pty'><target type='system-serial'/></serial>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/serial/target/@type: 'system-serial' is not supported*"},
      {"<serial type='pty'><log file='/var/log/x'/></serial>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/serial/log: the element <log> is not supported by virtbus"},
      {"<console type='pty'><target type='sclp'/></console>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/console/target/@type: 'sclp' is not supported*"},
      {"<channel type='unix'><source mode='bind'/></channel>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/channel: a channel needs <target type='virtio' name='…'/>"},
      {"<channel type='unix'><source mode='bind'/><target type='virtio'/></channel>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/channel/target: a virtio channel needs a name, e.g. "
       "'org.qemu.guest_agent.0'"},
      {"<channel type='pty'><target type='guestfwd' address='10.0.2.1' port='4600'/></channel>",
       VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/channel/target/@type: 'guestfwd' is not supported*"},
      {"<channel type='spicevmc'><target type='virtio'/></channel>"
       "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/channel[2]/target/@name: two channels are named "
       "'com.redhat.spice.0'"},
      {"<redirdev bus='usb' type='tcp'><source mode='connect' host='h' service='4000'/>"
       "</redirdev>",
       VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/redirdev/@type: 'tcp' is not supported by virtbus (supported: "
       "'spicevmc')"},
      {"<redirdev bus='usb'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/redirdev: a <redirdev> needs a type: 'spicevmc'"},
  };

  vb_test_assert_refusals(HEAD, TAIL, cases, G_N_ELEMENTS(cases));
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init(&argc, &argv, NULL);
  domain_schema = vb_test_schema_load("domain.rng", &error);
  g_assert_no_error(error);

  g_test_add_func("/virtbus/domain-chardev/serial-console", test_serial_console);
  g_test_add_func("/virtbus/domain-chardev/channels-redirdevs", test_channels_and_redirdevs);
  g_test_add_func("/virtbus/domain-chardev/errors", test_errors);
  status = g_test_run();
  vb_test_schema_free(domain_schema);
  return status;
}
