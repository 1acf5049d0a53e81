/* test-domain-graphics.c: <graphics> (VNC, SPICE) and <video>: libvirt's listen and port
 * rules, what each view shows, and the errors.
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

/* The first element @opening (e.g. "    <graphics") of @devices' domain in view @flags; the
 * inactive view is also checked against the schema and for a fixed point. */
static char *
element_in_view(const char *devices, const char *opening, VbDomainXmlFlags flags)
{
  g_autofree char *xml = g_strconcat(HEAD, devices, TAIL, NULL);
  g_autofree char *out = NULL;

  g_free(vb_test_format_checked(domain_schema, xml));
  out = vb_test_format_view(xml, flags);
  return vb_test_element_of(out, opening);
}

static void
test_vnc(void)
{
  struct {
    const char *in, *out;
  } cases[] = {
      /* the reference's spelling: port -1 is autoport, an address listen is implied */
      {"<graphics type='vnc' port='-1'/>", "    <graphics type='vnc' port='-1' autoport='yes'>\n"
                                           "      <listen type='address'/>\n"
                                           "    </graphics>\n"},
      {"<graphics type='vnc'/>", "    <graphics type='vnc' port='-1' autoport='yes'>\n"
                                 "      <listen type='address'/>\n"
                                 "    </graphics>\n"},
      /* a port of a running domain is the runtime's choice when autoport is on */
      {"<graphics type='vnc' port='5901' autoport='yes' keymap='de'/>",
       "    <graphics type='vnc' port='-1' autoport='yes' keymap='de'>\n"
       "      <listen type='address'/>\n"
       "    </graphics>\n"},
      {"<graphics type='vnc' port='5903' listen='2001:db8::1'/>",
       "    <graphics type='vnc' port='5903' autoport='no' listen='2001:db8::1'>\n"
       "      <listen type='address' address='2001:db8::1'/>\n"
       "    </graphics>\n"},
      {"<graphics type='vnc' port='5903' autoport='no' listen='127.0.0.1'>"
       "<listen type='address' address='127.0.0.1'/></graphics>",
       "    <graphics type='vnc' port='5903' autoport='no' listen='127.0.0.1'>\n"
       "      <listen type='address' address='127.0.0.1'/>\n"
       "    </graphics>\n"},
      {"<graphics type='vnc'><listen type='socket' socket='/run/user/1000/vnc.sock'/></graphics>",
       "    <graphics type='vnc' socket='/run/user/1000/vnc.sock'>\n"
       "      <listen type='socket' socket='/run/user/1000/vnc.sock'/>\n"
       "    </graphics>\n"},
      {"<graphics type='vnc' socket='/tmp/v.sock'/>",
       "    <graphics type='vnc' socket='/tmp/v.sock'>\n"
       "      <listen type='socket' socket='/tmp/v.sock'/>\n"
       "    </graphics>\n"},
      {"<graphics type='vnc'><listen type='none'/></graphics>", "    <graphics type='vnc'>\n"
                                                                "      <listen type='none'/>\n"
                                                                "    </graphics>\n"},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *out = element_in_view(cases[i].in, "    <graphics", VB_DOMAIN_XML_INACTIVE);

    g_assert_cmpstr(out, ==, cases[i].out);
  }
}

static void
test_spice(void)
{
  g_autofree char *automatic =
      element_in_view("<graphics type='spice' port='-1' tlsPort='-1' autoport='yes'>"
                      "<image compression='off'/></graphics>",
                      "    <graphics", VB_DOMAIN_XML_INACTIVE);
  g_autofree char *fixed =
      element_in_view("<graphics type='spice' port='5930' tlsPort='5931' listen='0.0.0.0'/>",
                      "    <graphics", VB_DOMAIN_XML_INACTIVE);

  g_assert_cmpstr(automatic, ==,
                  "    <graphics type='spice' autoport='yes'>\n"
                  "      <listen type='address'/>\n"
                  "      <image compression='off'/>\n"
                  "    </graphics>\n");
  g_assert_cmpstr(fixed, ==,
                  "    <graphics type='spice' port='5930' tlsPort='5931' autoport='no' "
                  "listen='0.0.0.0'>\n"
                  "      <listen type='address' address='0.0.0.0'/>\n"
                  "    </graphics>\n");
}

/* The password is a secret: only the secure view shows it, and the others lose nothing. */
static void
test_password_secure_only(void)
{
  const char *devices = "<graphics type='vnc' port='-1' passwd='s3cret'/>"
                        "<graphics type='spice' autoport='yes' passwd='an&amp;other'/>";
  g_autofree char *xml = g_strconcat(HEAD, devices, TAIL, NULL);
  g_autofree char *inactive = vb_test_format_view(xml, VB_DOMAIN_XML_INACTIVE);
  g_autofree char *live = vb_test_format_view(xml, VB_DOMAIN_XML_LIVE);
  g_autofree char *secure = vb_test_format_view(xml, VB_DOMAIN_XML_SECURE);
  g_autoptr(VbDomainDef) def = vb_test_parse_ok(inactive);
  g_autoptr(VbDomainDef) with_secrets = vb_test_parse_ok(secure);

  g_assert_null(strstr(inactive, "passwd"));
  g_assert_null(strstr(live, "passwd"));
  g_assert_nonnull(
      strstr(secure, "<graphics type='vnc' port='-1' autoport='yes' passwd='s3cret'>"));
  g_assert_nonnull(strstr(secure, "<graphics type='spice' autoport='yes' passwd='an&amp;other'>"));
  /* the model keeps it whatever the view */
  g_assert_null(((VbGraphicsDef *)def->graphics->pdata[0])->passwd);
  g_assert_cmpstr(((VbGraphicsDef *)with_secrets->graphics->pdata[1])->passwd, ==, "an&other");
}

static void
test_video(void)
{
  g_autofree char *qxl = element_in_view(
      "<video><model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' "
      "primary='yes'/><address type='pci' domain='0' bus='0' slot='1' function='0'/></video>",
      "    <video", VB_DOMAIN_XML_LIVE);
  g_autofree char *none =
      element_in_view("<video><model type='none'/></video>", "    <video", VB_DOMAIN_XML_INACTIVE);
  g_autofree char *bare = element_in_view("<video/>", "    <video", VB_DOMAIN_XML_INACTIVE);

  g_assert_cmpstr(qxl, ==,
                  "    <video>\n"
                  "      <model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' "
                  "primary='yes'/>\n"
                  "      <alias name='video0'/>\n"
                  "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' "
                  "function='0x0'/>\n"
                  "    </video>\n");
  g_assert_cmpstr(none, ==,
                  "    <video>\n"
                  "      <model type='none'/>\n"
                  "    </video>\n");
  /* the machine's default model is chosen at start, as libvirt does at define */
  g_assert_cmpstr(bare, ==, "    <video/>\n");
}

static void
test_errors(void)
{
  VbTestRefusal cases[] = {
      {"<graphics type='vnc' port='5800'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/graphics/@port: '5800' is not a port (-1 for automatic, or "
       "5900 to 65535)"},
      {"<graphics type='vnc' autoport='no'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/graphics/@autoport: autoport='no' needs a port"},
      {"<graphics type='vnc' listen='127.0.0.1'><listen type='address' address='::1'/>"
       "</graphics>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/graphics/@listen: '127.0.0.1' does not match the address of "
       "the first <listen>"},
      {"<graphics type='vnc'><listen type='socket' socket='vnc.sock'/></graphics>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/graphics/listen/@socket: 'vnc.sock' is not an absolute path"},
      {"<graphics type='vnc'><listen type='network' network='default'/></graphics>",
       VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/graphics/listen/@type: 'network' is not supported by virtbus "
       "(supported: 'address', 'socket', 'none')"},
      {"<graphics type='vnc'><listen type='address'/><listen type='none'/></graphics>",
       VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/graphics/listen[2]: QEMU serves a display on one <listen> "
       "only"},
      {"<graphics type='vnc'/><graphics type='vnc'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/graphics[2]/@type: a domain has one 'vnc' display at most"},
      {"<graphics type='vnc' keymap='de;rm'/>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/graphics/@keymap: 'de;rm' is not a keymap name (such as "
       "'en-us' or 'de')"},
      {"<graphics type='sdl'/>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/graphics/@type: 'sdl' is not supported by virtbus (supported: "
       "'vnc', 'spice')"},
      {"<graphics type='spice'><image compression='zstd'/></graphics>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/graphics/image/@compression: 'zstd' is not allowed (allowed: "
       "'auto_glz', 'auto_lz', 'quic', 'glz', 'lz', 'off')"},
      {"<graphics type='spice'><gl enable='yes'/></graphics>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/graphics/gl: the element <gl> is not supported by virtbus"},
      {"<video><model type='none'/></video><video><model type='vga'/></video>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/video[1]: a 'none' video must be the "
       "only <video>"},
      {"<video><model type='vga' primary='yes'/></video><video><model type='virtio' "
       "primary='yes'/></video>",
       VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/video[2]: only one <video> can be "
       "primary"},
      {"<video><model type='vga' heads='0'/></video>", VB_ERROR_INVALID_CONFIG,
       "line 3: /domain/devices/video/model/@heads: a video device has at least one head"},
      {"<video><model type='ramfb'/></video>", VB_ERROR_NOT_SUPPORTED,
       "line 3: /domain/devices/video/model/@type: 'ramfb' is not supported by virtbus*"},
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

  g_test_add_func("/virtbus/domain-graphics/vnc", test_vnc);
  g_test_add_func("/virtbus/domain-graphics/spice", test_spice);
  g_test_add_func("/virtbus/domain-graphics/password-secure-only", test_password_secure_only);
  g_test_add_func("/virtbus/domain-graphics/video", test_video);
  g_test_add_func("/virtbus/domain-graphics/errors", test_errors);
  status = g_test_run();
  vb_test_schema_free(domain_schema);
  return status;
}
