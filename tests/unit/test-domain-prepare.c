/* test-domain-prepare.c: what a define and a start fix in a definition besides its addresses
 * (vb-domain-prepare.c, vb-domain-cpu.c), against QEMU 7.2's recorded capabilities: the
 * machine's default CPU model, feature names, host-model expansion and memory alignment.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-prepare.h"
#include "vb-domain-xml.h"
#include "vb-error.h"

#define DOMAIN(arch, cpu)                                                                          \
  "<domain type='kvm'><name>t</name><memory>219100</memory>"                                       \
  "<os><type arch='" arch "' machine='pc'>hvm</type></os>" cpu                                     \
  "<devices><memballoon model='none'/></devices></domain>"

static VbQemuCaps *caps;           /* (owned): the recorded probe */
static VbQemuCaps *caps_no_expand; /* (owned): the same without "cpu-max" */

static VbQemuCaps *
load_caps(gboolean with_cpu_max)
{
  g_autofree char *path =
      g_test_build_filename(G_TEST_DIST, "data", "qemu-caps", "qemu-7.2-x86_64.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  VbQemuCaps *loaded;

  json_parser_load_from_file(parser, path, &error);
  g_assert_no_error(error);
  if (!with_cpu_max)
    json_object_remove_member(json_node_get_object(json_parser_get_root(parser)), "cpu-max");
  loaded = vb_qemu_caps_new_from_json(json_parser_get_root(parser), &error);
  g_assert_no_error(error);
  return loaded;
}

/* @xml parsed and prepared as a define (or a start) would; NULL with @error when refused. */
static VbDomainDef *
prepared(const char *xml, VbQemuCaps *with, gboolean start, GError **error)
{
  g_autoptr(VbDomainDef) def = vb_domain_def_parse(xml, strlen(xml), error);
  g_autoptr(VbDomainDefaults) defaults = NULL;

  if (def == NULL)
    g_error("the test domain does not parse: %s", (*error)->message);
  defaults = vb_domain_defaults_new(with, "/usr/bin/qemu-system-x86_64", def->os.arch, TRUE,
                                    def->os.machine, error);
  g_assert_nonnull(defaults);
  if (!(start ? vb_domain_prepare_start(def, defaults, error)
              : vb_domain_prepare_define(def, defaults, error)))
    return NULL;
  return g_steal_pointer(&def);
}

static char *
cpu_xml(const VbDomainDef *def)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE, &error);
  const char *start, *end;

  g_assert_no_error(error);
  start = strstr(xml, "<cpu");
  if (start == NULL)
    return g_strdup("");
  end = strstr(start, "</cpu>");
  end = end != NULL ? end + strlen("</cpu>") : strstr(start, "/>") + 2;
  return g_strndup(start, end - start);
}

static void
test_default_model(void)
{
  static const struct {
    const char *xml;
    const char *cpu;
  } cases[] = {
      /* QEMU's default for the machine, written as libvirt writes it */
      {DOMAIN("x86_64", ""), "<cpu mode='custom' match='exact' check='none'>\n"
                             "    <model fallback='forbid'>qemu64</model>\n"
                             "  </cpu>"},
      /* an i686 guest of qemu-system-x86_64 gets the same default, as in libvirt */
      {DOMAIN("i686", ""), "<cpu mode='custom' match='exact' check='none'>\n"
                           "    <model fallback='forbid'>qemu64</model>\n"
                           "  </cpu>"},
      /* a <cpu> with only a topology gets the model too, and keeps the topology */
      {DOMAIN("x86_64", "<cpu><topology sockets='1' cores='1' threads='1'/></cpu>"),
       "<cpu mode='custom' match='exact' check='none'>\n"
       "    <model fallback='forbid'>qemu64</model>\n"
       "    <topology sockets='1' dies='1' cores='1' threads='1'/>\n"
       "  </cpu>"},
      /* a named model, host-passthrough and maximum are left as given */
      {DOMAIN("x86_64", "<cpu><model>Westmere</model></cpu>"), "<cpu>\n"
                                                               "    <model>Westmere</model>\n"
                                                               "  </cpu>"},
      {DOMAIN("x86_64", "<cpu mode='host-passthrough'/>"), "<cpu mode='host-passthrough'/>"},
      {DOMAIN("x86_64", "<cpu mode='maximum'/>"), "<cpu mode='maximum'/>"},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbDomainDef) def = prepared(cases[i].xml, caps, FALSE, &error);
    g_autofree char *cpu = NULL;

    g_assert_no_error(error);
    cpu = cpu_xml(def);
    if (g_strcmp0(cpu, cases[i].cpu) != 0)
      g_error("case %u: %s\nis not\n%s", i, cpu, cases[i].cpu);
  }
}

static void
test_feature_names(void)
{
  /* QEMU's names, the older '_' spellings and the aliases libvirt's CPU map uses */
  static const char *const known[] = {"sse4.2", "sse4_1", "pclmuldq", "lahf_lm", "nx", "xd"};
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) unchecked = NULL;
  VbDomainDef *refused;

  for (guint i = 0; i < G_N_ELEMENTS(known); i++) {
    g_autofree char *xml = g_strdup_printf(
        DOMAIN("x86_64", "<cpu><model>qemu64</model><feature policy='require' name='%s'/></cpu>"),
        known[i]);
    g_autoptr(VbDomainDef) def = prepared(xml, caps, FALSE, &error);

    g_assert_no_error(error);
    g_assert_nonnull(def);
  }
  refused = prepared(DOMAIN("x86_64", "<cpu mode='host-model'><feature policy='disable' "
                                      "name='sse4_9'/></cpu>"),
                     caps, FALSE, &error);
  g_assert_null(refused);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_cmpstr(error->message, ==,
                  "/domain/cpu/feature[@name='sse4_9']: /usr/bin/qemu-system-x86_64 knows no "
                  "CPU feature 'sse4_9' (its CPU models list the ones it has)");
  g_clear_error(&error);

  /* an emulator that cannot expand its CPUs cannot say: QEMU checks them at start */
  unchecked = prepared(DOMAIN("x86_64", "<cpu><model>qemu64</model><feature policy='require' "
                                        "name='sse4_9'/></cpu>"),
                       caps_no_expand, FALSE, &error);
  g_assert_no_error(error);
  g_assert_nonnull(unchecked);
}

static gboolean
feature_has(const VbCpuDef *cpu, const char *name, gint policy)
{
  for (guint i = 0; i < cpu->features->len; i++) {
    const VbCpuFeature *feature = cpu->features->pdata[i];

    if (g_str_equal(feature->name, name))
      return feature->policy == policy;
  }
  return FALSE;
}

static void
test_host_model(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) def = NULL;
  g_autoptr(VbDomainDef) defined = NULL;
  const VbQemuCpuModel *base;
  const char *const *host = vb_qemu_caps_get_cpu_max_features(caps);
  VbDomainDef *refused;
  guint n_required = 0;

  /* a define leaves it for the start to expand */
  defined = prepared(DOMAIN("x86_64", "<cpu mode='host-model'/>"), caps, FALSE, &error);
  g_assert_no_error(error);
  g_assert_cmpint(defined->cpu->mode, ==, VB_CPU_MODE_HOST_MODEL);

  def = prepared(DOMAIN("x86_64", "<cpu mode='host-model'><feature policy='disable' name='sse2'/>"
                                  "<feature policy='disable' name='avx2'/></cpu>"),
                 caps, TRUE, &error);
  g_assert_no_error(error);
  g_assert_cmpint(def->cpu->mode, ==, VB_CPU_MODE_CUSTOM);
  /* the recorded "max" is TCG's, AMD's vendor: of the AMD models TCG runs, Opteron_G2 and
   * qemu64 have the most features (29), and the name decides */
  g_assert_cmpstr(vb_qemu_caps_get_cpu_max_vendor(caps), ==, "AuthenticAMD");
  g_assert_cmpstr(def->cpu->model, ==, "Opteron_G2");
  base = vb_qemu_caps_lookup_cpu_model(caps, "Opteron_G2");
  g_assert_cmpuint(g_strv_length(base->features), ==, 29);

  /* the model plus the required features are the host's, but for what the domain disabled */
  for (guint i = 0; host[i] != NULL; i++) {
    gboolean in_base = g_strv_contains((const char *const *)base->features, host[i]);

    if (g_str_equal(host[i], "sse2")) {
      g_assert_true(in_base);
      g_assert_true(feature_has(def->cpu, "sse2", VB_CPU_FEATURE_DISABLE));
    } else if (g_str_equal(host[i], "avx2")) {
      g_assert_false(in_base);
      g_assert_false(feature_has(def->cpu, "avx2", VB_CPU_FEATURE_REQUIRE));
    } else if (!in_base) {
      g_assert_true(feature_has(def->cpu, host[i], VB_CPU_FEATURE_REQUIRE));
      n_required++;
    }
  }
  g_assert_cmpuint(def->cpu->features->len, ==, n_required + 1);

  /* no expansion, no host-model */
  refused = prepared(DOMAIN("x86_64", "<cpu mode='host-model'/>"), caps_no_expand, TRUE, &error);
  g_assert_null(refused);
  g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
  g_assert_nonnull(strstr(error->message, "/domain/cpu/@mode: 'host-model' needs the host CPU"));
}

static void
test_memory_alignment(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbDomainDef) defined = prepared(DOMAIN("x86_64", ""), caps, FALSE, &error);
  g_autoptr(VbDomainDef) started = NULL;
  g_autoptr(VbDomainDef) whole = NULL;

  /* the stored definition keeps what the user wrote; the running one has whole MiB */
  g_assert_no_error(error);
  g_assert_cmpuint(defined->memory_kib, ==, 219100);
  started = prepared(DOMAIN("x86_64", ""), caps, TRUE, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(started->memory_kib, ==, 219136);
  g_assert_cmpuint(started->current_memory_kib, ==, 219100);
  whole = prepared("<domain type='kvm'><name>t</name><memory unit='MiB'>512</memory>"
                   "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>",
                   caps, TRUE, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(whole->memory_kib, ==, 512 * 1024);
}

int
main(int argc, char **argv)
{
  int status;

  g_test_init(&argc, &argv, NULL);
  caps = load_caps(TRUE);
  caps_no_expand = load_caps(FALSE);
  g_test_add_func("/virtbus/domain-prepare/default-model", test_default_model);
  g_test_add_func("/virtbus/domain-prepare/feature-names", test_feature_names);
  g_test_add_func("/virtbus/domain-prepare/host-model", test_host_model);
  g_test_add_func("/virtbus/domain-prepare/memory-alignment", test_memory_alignment);
  status = g_test_run();
  vb_qemu_caps_unref(caps);
  vb_qemu_caps_unref(caps_no_expand);
  return status;
}
