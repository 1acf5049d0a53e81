/* test-domain-seclabel.c: <seclabel> for the domain and per disk: libvirt's defaults, what
 * each view shows, and the errors.
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
#define DEVICES_END "<input type='tablet' bus='usb'/></devices>\n"

static char *
seclabels_of(const char *seclabels, VbDomainXmlFlags flags)
{
  g_autofree char *xml = g_strconcat(HEAD, DEVICES_END, seclabels, "</domain>\n", NULL);
  g_free(vb_test_format_checked(domain_schema, xml)); /* valid and a fixed point */
  g_autofree char *out = vb_test_format_view(xml, flags);
  const char *start = strstr(out, "  </devices>\n");

  g_assert_nonnull(start);
  return g_strdup(start + strlen("  </devices>\n"));
}

static void
test_domain_seclabels(void)
{
  struct {
    const char *in, *inactive, *live;
  } cases[] = {
      /* type defaults to dynamic, relabel to yes; model order as given */
      {"<seclabel model='selinux'/>",
       "  <seclabel type='dynamic' model='selinux' relabel='yes'/>\n</domain>\n", NULL},
      /* the active driver takes a model-less dynamic label */
      {"<seclabel type='dynamic'/>", "  <seclabel type='dynamic' relabel='yes'/>\n</domain>\n",
       NULL},
      {"<seclabel type='none'/>", "  <seclabel type='none'/>\n</domain>\n", NULL},
      /* model 'none' forces type none, as libvirt fixes old configs */
      {"<seclabel type='dynamic' model='none'/>",
       "  <seclabel type='none' model='none'/>\n</domain>\n", NULL},
      {"<seclabel type='none' model='dac'/>", "  <seclabel type='none' model='dac'/>\n</domain>\n",
       NULL},
      /* static: label kept, imagelabel is the runtime's, so live only */
      {"<seclabel type='static' model='selinux' relabel='yes'><label>u:r:t:s0</label>"
       "<imagelabel>u:r:i:s0</imagelabel></seclabel>",
       "  <seclabel type='static' model='selinux' relabel='yes'>\n"
       "    <label>u:r:t:s0</label>\n"
       "  </seclabel>\n"
       "</domain>\n",
       "  <seclabel type='static' model='selinux' relabel='yes'>\n"
       "    <label>u:r:t:s0</label>\n"
       "    <imagelabel>u:r:i:s0</imagelabel>\n"
       "  </seclabel>\n"
       "</domain>\n"},
      {"<seclabel type='static' model='apparmor'><label>virt-x</label></seclabel>",
       "  <seclabel type='static' model='apparmor' relabel='no'>\n"
       "    <label>virt-x</label>\n"
       "  </seclabel>\n"
       "</domain>\n",
       NULL},
      /* a dumped running domain: the assigned labels show in the live view only */
      {"<seclabel type='dynamic' model='selinux' relabel='yes'><label>u:r:svirt_t:s0:c1,c2</label>"
       "<imagelabel>u:r:svirt_image_t:s0:c1,c2</imagelabel><baselabel>u:r:svirt_t:s0</baselabel>"
       "</seclabel>",
       "  <seclabel type='dynamic' model='selinux' relabel='yes'>\n"
       "    <baselabel>u:r:svirt_t:s0</baselabel>\n"
       "  </seclabel>\n"
       "</domain>\n",
       "  <seclabel type='dynamic' model='selinux' relabel='yes'>\n"
       "    <label>u:r:svirt_t:s0:c1,c2</label>\n"
       "    <imagelabel>u:r:svirt_image_t:s0:c1,c2</imagelabel>\n"
       "    <baselabel>u:r:svirt_t:s0</baselabel>\n"
       "  </seclabel>\n"
       "</domain>\n"},
      {"<seclabel type='dynamic' model='selinux'/><seclabel type='none' model='dac'/>",
       "  <seclabel type='dynamic' model='selinux' relabel='yes'/>\n"
       "  <seclabel type='none' model='dac'/>\n"
       "</domain>\n",
       NULL},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *inactive = seclabels_of(cases[i].in, VB_DOMAIN_XML_INACTIVE);
    g_autofree char *live = seclabels_of(cases[i].in, VB_DOMAIN_XML_LIVE);

    g_assert_cmpstr(inactive, ==, cases[i].inactive);
    g_assert_cmpstr(live, ==, cases[i].live != NULL ? cases[i].live : cases[i].inactive);
  }
}

static void
test_disk_seclabels(void)
{
  g_autofree char *xml =
      g_strconcat(HEAD,
                  "<disk type='block' device='disk'><source dev='/dev/vg/d'>"
                  "<seclabel model='selinux' relabel='yes'><label>u:r:t:s0</label></seclabel>"
                  "<seclabel model='dac' relabel='no'/></source><target dev='vda'/></disk>",
                  VB_TEST_DOMAIN_TAIL, NULL);
  g_autofree char *out = vb_test_format_checked(domain_schema, xml);
  g_autofree char *disk = vb_test_element_of(out, "    <disk");

  g_assert_cmpstr(disk, ==,
                  "    <disk type='block' device='disk'>\n"
                  "      <source dev='/dev/vg/d'>\n"
                  "        <seclabel model='selinux' relabel='yes'>\n"
                  "          <label>u:r:t:s0</label>\n"
                  "        </seclabel>\n"
                  "        <seclabel model='dac' relabel='no'/>\n"
                  "      </source>\n"
                  "      <target dev='vda' bus='virtio'/>\n"
                  "    </disk>\n");
}

static void
test_seclabel_errors(void)
{
  VbTestRefusal domain_cases[] = {
      {"<seclabel type='dynamic' model='selinux' relabel='no'/>", VB_ERROR_INVALID_CONFIG,
       "line 4: /domain/seclabel/@relabel: a dynamic label needs relabel='yes'"},
      {"<seclabel type='none' model='dac' relabel='yes'/>", VB_ERROR_INVALID_CONFIG,
       "line 4: /domain/seclabel/@relabel: relabel='yes' cannot go with type='none'"},
      {"<seclabel type='static' model='selinux'/>", VB_ERROR_INVALID_CONFIG,
       "line 4: /domain/seclabel: a static <seclabel> needs a <label>"},
      {"<seclabel type='static'><label>x</label></seclabel>", VB_ERROR_INVALID_CONFIG,
       "line 4: /domain/seclabel: a static label needs a security model ('selinux', "
       "'apparmor' or 'dac')"},
      {"<seclabel type='dynamic'/><seclabel type='none' model='dac'/>", VB_ERROR_INVALID_CONFIG,
       "line 4: /domain/seclabel[1]: a dynamic label needs a model when there are several "
       "<seclabel>s"},
      {"<seclabel model='dac'/><seclabel type='none' model='dac'/>", VB_ERROR_INVALID_CONFIG,
       "line 4: /domain/seclabel[2]/@model: the security model 'dac' has two <seclabel>s"},
      {"<seclabel type='dynamic' model='smack'/>", VB_ERROR_INVALID_CONFIG,
       "line 4: /domain/seclabel/@model: 'smack' is not allowed (allowed: 'selinux', "
       "'apparmor', 'dac', 'none')"},
      {"<seclabel type='sometimes'/>", VB_ERROR_INVALID_CONFIG,
       "line 4: /domain/seclabel/@type: 'sometimes' is not allowed (allowed: 'dynamic', "
       "'static', 'none')"},
  };
  VbTestRefusal disk_cases[] = {
      {"<seclabel model='selinux' relabel='no'><label>x</label></seclabel>",
       VB_ERROR_INVALID_CONFIG, "*/disk/source/seclabel: a <label> cannot go with relabel='no'"},
      {"<seclabel model='selinux'/>", VB_ERROR_INVALID_CONFIG,
       "*/disk/source/seclabel: a device <seclabel> needs a <label>, or relabel='no'"},
      {"<seclabel relabel='no'/><seclabel model='dac' relabel='no'/>", VB_ERROR_INVALID_CONFIG,
       "*/disk/source/seclabel[1]: each of several <seclabel>s needs a model"},
  };

  vb_test_assert_refusals(HEAD DEVICES_END, "</domain>\n", domain_cases,
                          G_N_ELEMENTS(domain_cases));
  vb_test_assert_refusals(HEAD "<disk type='file'><source file='/a'>",
                          "</source><target dev='vda'/></disk>" VB_TEST_DOMAIN_TAIL, disk_cases,
                          G_N_ELEMENTS(disk_cases));
  /* an element the reader does not take is named, not dropped */
  vb_test_assert_parse_fails(HEAD DEVICES_END "<seclabel type='none'><label>x</label></seclabel>"
                                              "</domain>",
                             VB_ERROR_NOT_SUPPORTED,
                             "line 4: /domain/seclabel/label: the element <label> is not "
                             "supported by virtbus");
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init(&argc, &argv, NULL);
  domain_schema = vb_test_schema_load("domain.rng", &error);
  g_assert_no_error(error);

  g_test_add_func("/virtbus/domain-seclabel/domain", test_domain_seclabels);
  g_test_add_func("/virtbus/domain-seclabel/disk", test_disk_seclabels);
  g_test_add_func("/virtbus/domain-seclabel/errors", test_seclabel_errors);
  status = g_test_run();
  vb_test_schema_free(domain_schema);
  return status;
}
