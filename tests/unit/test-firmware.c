/* test-firmware.c: reading QEMU's firmware descriptors, merging the search directories, and
 * choosing one for <os firmware>, against the fixture descriptors in tests/data/qemu-firmware/
 * (modelled on Debian's ovmf package, plus a SeaBIOS and an aarch64 one).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-firmware.h"
#include "vb-test-qemu.h"
#include "vb-test-tree.h"

static GPtrArray *fixtures; /* (element-type VbFirmware) */

#define FLASH_MAPPING                                                                              \
  "\"mapping\": {\"device\": \"flash\", \"executable\": {\"filename\": \"/c.fd\", "                \
  "\"format\": \"raw\"}, \"nvram-template\": {\"filename\": \"/v.fd\", \"format\": \"raw\"}}"
#define TARGETS "\"targets\": [{\"architecture\": \"x86_64\", \"machines\": [\"pc-q35-*\"]}]"

static void
test_parse(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VbFirmware) fw = vb_firmware_parse(
      "/d/10-x.json",
      "{\"interface-types\": [\"uefi\", \"bios\"], " FLASH_MAPPING ", " TARGETS
      ", \"features\": [\"secure-boot\", \"requires-smm\", \"a-feature-from-the-future\"]}",
      -1, &error);
  const VbFirmwareTarget *target;

  g_assert_no_error(error);
  g_assert_cmpstr(fw->name, ==, "10-x.json");
  g_assert_true(fw->uefi && fw->bios && fw->usable);
  g_assert_cmpint(fw->device, ==, VB_FIRMWARE_DEVICE_FLASH);
  g_assert_cmpstr(fw->executable, ==, "/c.fd");
  g_assert_cmpstr(fw->nvram_template, ==, "/v.fd");
  g_assert_cmpuint(fw->features, ==, VB_FIRMWARE_SECURE_BOOT | VB_FIRMWARE_REQUIRES_SMM);
  g_assert_cmpuint(fw->targets->len, ==, 1);
  target = fw->targets->pdata[0];
  g_assert_cmpstr(target->arch, ==, "x86_64");
  g_assert_cmpstr(target->machines[0], ==, "pc-q35-*");
  g_assert_null(target->machines[1]);
}

/* Mappings virtbus cannot run are read but never chosen. */
static void
test_parse_unusable(void)
{
  static const char *const mappings[] = {
      "\"mapping\": {\"device\": \"kernel\", \"filename\": \"/k\"}",
      "\"mapping\": {\"device\": \"flash\", \"mode\": \"combined\", \"executable\": "
      "{\"filename\": \"/c.fd\"}}",
      "\"mapping\": {\"device\": \"flash\", \"executable\": {\"filename\": \"/c.fd\", "
      "\"format\": \"vmdk\"}, \"nvram-template\": {\"filename\": \"/v.fd\", \"format\": "
      "\"vmdk\"}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS(mappings); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *text = g_strdup_printf(
        "{\"interface-types\": [\"uefi\"], %s, " TARGETS ", \"features\": []}", mappings[i]);
    g_autoptr(VbFirmware) fw = vb_firmware_parse("/d/x.json", text, -1, &error);

    g_assert_no_error(error);
    g_assert_false(fw->usable);
  }
}

static void
test_parse_errors(void)
{
  static const struct {
    const char *text;
    const char *message; /* a glob */
  } cases[] = {
      {"{\"interface-types\": [", "firmware descriptor /d/bad.json: *"},
      {"[]", "firmware descriptor /d/bad.json: not a JSON object"},
      {"{\"interface-types\": [1]}", "firmware descriptor /d/bad.json: item 0 of "
                                     "\"interface-types\" is an integer, not a string"},
      {"{\"interface-types\": [\"uefi\"]}",
       "firmware descriptor /d/bad.json has no member \"mapping\""},
      {"{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": {}}}",
       "firmware descriptor /d/bad.json: member \"device\" is an object, not a string"},
      {"{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\"}}",
       "firmware descriptor /d/bad.json has no member \"executable\""},
      {"{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\", \"executable\": "
       "{\"filename\": \"c.fd\"}}}",
       "firmware descriptor /d/bad.json: 'executable' needs an absolute 'filename'"},
      {"{\"interface-types\": [\"bios\"], \"mapping\": {\"device\": \"memory\"}}",
       "firmware descriptor /d/bad.json: 'mapping' needs an absolute 'filename'"},
      {"{\"interface-types\": [\"uefi\"], " FLASH_MAPPING "}",
       "firmware descriptor /d/bad.json has no member \"targets\""},
      {"{\"interface-types\": [\"uefi\"], " FLASH_MAPPING ", \"targets\": [{}]}",
       "firmware descriptor /d/bad.json: a target needs an 'architecture'"},
      {"{\"interface-types\": [\"uefi\"], " FLASH_MAPPING
       ", \"targets\": [{\"architecture\": \"x86_64\"}]}",
       "firmware descriptor /d/bad.json has no member \"machines\""},
      {"{\"interface-types\": [\"uefi\"], " FLASH_MAPPING ", " TARGETS "}",
       "firmware descriptor /d/bad.json has no member \"features\""},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbFirmware) fw = vb_firmware_parse("/d/bad.json", cases[i].text, -1, &error);

    g_assert_null(fw);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
    if (!g_pattern_match_simple(cases[i].message, error->message))
      g_error("case %u: '%s' does not match '%s'", i, error->message, cases[i].message);
  }
}

static void
write_descriptor(const char *dir, const char *name, const char *executable)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autofree char *text =
      executable == NULL
          ? g_strdup("")
          : g_strdup_printf("{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": "
                            "\"flash\", \"mode\": \"stateless\", \"executable\": {\"filename\": "
                            "\"%s\"}}, " TARGETS ", \"features\": []}",
                            executable);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
  g_file_set_contents(path, text, -1, &error);
  g_assert_no_error(error);
}

/* A later directory overrides a file of the same name, an empty one hides it, and what is left
 * is tried in file-name order whichever directory it came from. */
static void
test_load_merge(void)
{
  g_autofree char *top = g_dir_make_tmp("virtbus-firmware-XXXXXX", NULL);
  g_autofree char *vendor = g_build_filename(top, "usr", NULL);
  g_autofree char *admin = g_build_filename(top, "etc", NULL);
  g_autofree char *missing = g_build_filename(top, "none", NULL);
  g_autofree char *readme = g_build_filename(vendor, "README", NULL);
  const char *const dirs[] = {vendor, missing, admin, NULL};
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) firmware = NULL;

  write_descriptor(vendor, "50-b.json", "/vendor/b.fd");
  write_descriptor(vendor, "60-c.json", "/vendor/c.fd");
  write_descriptor(vendor, "70-d.json", "/vendor/d.fd");
  write_descriptor(admin, "10-a.json", "/admin/a.fd");
  write_descriptor(admin, "60-c.json", "/admin/c.fd");
  write_descriptor(admin, "70-d.json", NULL);
  g_file_set_contents(readme, "not a descriptor", -1, &error);
  g_assert_no_error(error);

  firmware = vb_firmware_load(dirs, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(firmware->len, ==, 3);
  g_assert_cmpstr(((VbFirmware *)firmware->pdata[0])->executable, ==, "/admin/a.fd");
  g_assert_cmpstr(((VbFirmware *)firmware->pdata[1])->executable, ==, "/vendor/b.fd");
  g_assert_cmpstr(((VbFirmware *)firmware->pdata[2])->executable, ==, "/admin/c.fd");
  g_assert_null(((VbFirmware *)firmware->pdata[2])->nvram_template); /* stateless */

  /* one broken descriptor is an error naming it, not a silent gap */
  {
    g_autofree char *broken = g_build_filename(admin, "20-broken.json", NULL);
    g_autoptr(GPtrArray) none = NULL;

    g_file_set_contents(broken, "{", -1, &error);
    g_assert_no_error(error);
    none = vb_firmware_load(dirs, &error);
    g_assert_null(none);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
    g_assert_nonnull(strstr(error->message, broken));
  }
  vb_test_remove_tree(top);
}

static void
test_search_dirs(void)
{
  g_auto(GStrv) system = vb_firmware_search_dirs(VB_INSTANCE_SYSTEM);
  g_auto(GStrv) session = vb_firmware_search_dirs(VB_INSTANCE_SESSION);
  g_autofree char *user = g_build_filename(g_get_user_config_dir(), "qemu", "firmware", NULL);

  g_assert_cmpuint(g_strv_length(system), ==, 2);
  g_assert_cmpstr(system[0], ==, "/usr/share/qemu/firmware");
  g_assert_cmpstr(system[1], ==, "/etc/qemu/firmware");
  g_assert_cmpuint(g_strv_length(session), ==, 3);
  g_assert_cmpstr(session[2], ==, user);
}

typedef struct {
  const char *os;       /* inside <os>, after <type> */
  const char *machine;  /* canonical */
  const char *features; /* inside <domain>, after </os> */
  const char *chosen;   /* the descriptor's file name, NULL for none */
} Choice;

static VbDomainDef *
parse_domain(const char *os, const char *machine, const char *features)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = g_strdup_printf(
      "<domain type='qemu'><name>t</name><memory>131072</memory><os%s><type arch='x86_64' "
      "machine='%s'>hvm</type>%s</os>%s</domain>",
      strstr(os, "bios") == os ? " firmware='bios'" : " firmware='efi'", machine,
      strstr(os, "bios") == os ? os + strlen("bios") : os, features);
  VbDomainDef *def = vb_domain_def_parse(xml, strlen(xml), &error);

  g_assert_no_error(error);
  return def;
}

#define SB(x) "<firmware><feature enabled='" x "' name='secure-boot'/></firmware>"
#define KEYS(x) "<firmware><feature enabled='" x "' name='enrolled-keys'/></firmware>"
#define Q35 "pc-q35-7.2"
#define PC "pc-i440fx-7.2"

static void
test_select(void)
{
  static const Choice cases[] = {
      /* first in name order that fits */
      {"", Q35, "", "40-ovmf-x86_64-secure-enrolled.json"},
      {"", PC, "", "60-ovmf-x86_64.json"},
      {SB("yes"), Q35, "", "40-ovmf-x86_64-secure-enrolled.json"},
      {SB("no"), Q35, "", "60-ovmf-x86_64.json"},
      {KEYS("no"), Q35, "", "50-ovmf-x86_64-secure.json"},
      /* SMM: refused by the domain, or asked for through <loader secure> */
      {"", Q35, "<features><smm state='off'/></features>", "60-ovmf-x86_64.json"},
      {"<loader secure='no'/>", Q35, "", "60-ovmf-x86_64.json"},
      {"<loader secure='yes'/>", Q35, "", "40-ovmf-x86_64-secure-enrolled.json"},
      {"<loader type='rom'/>", Q35, "", NULL},
      /* suspend needs the firmware's ACPI support */
      {"", PC, "<pm><suspend-to-mem enabled='yes'/></pm>", "60-ovmf-x86_64.json"},
      {"bios", PC, "<pm><suspend-to-disk enabled='yes'/></pm>", "70-seabios-x86_64.json"},
      /* no BIOS descriptor for q35: QEMU's own BIOS, no error */
      {"bios", Q35, "", NULL},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(VbDomainDef) def = parse_domain(cases[i].os, cases[i].machine, cases[i].features);
    g_autoptr(GError) error = NULL;
    const VbFirmware *fw = vb_firmware_select(fixtures, def, "x86_64", cases[i].machine, &error);

    if (cases[i].chosen == NULL && def->os.firmware == VB_FIRMWARE_BIOS) {
      g_assert_no_error(error);
      g_assert_null(fw);
      continue;
    }
    if (cases[i].chosen == NULL) {
      g_assert_null(fw);
      g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
      continue;
    }
    g_assert_no_error(error);
    if (fw == NULL || !g_str_equal(fw->name, cases[i].chosen))
      g_error("case %u: chose %s, not %s", i, fw != NULL ? fw->name : "nothing", cases[i].chosen);
  }
}

/* No fit for UEFI is an error that says what the domain asked for. */
static void
test_select_none(void)
{
  static const Choice cases[] = {
      {SB("yes"), PC, "",
       "/domain/os/@firmware: none of the 5 firmware descriptors offers 'efi' for x86_64 "
       "machine pc-i440fx-7.2, with secure-boot (on Debian the ovmf package provides UEFI for "
       "x86_64)"},
      {SB("yes"), Q35, "<features><smm state='off'/></features>",
       "*machine pc-q35-7.2, with secure-boot, without SMM (<features><smm>) (*"},
      {"", Q35, "<pm><suspend-to-disk enabled='yes'/></pm>",
       "*machine pc-q35-7.2, with ACPI S4 (*"},
      {"", "virt-7.2", "", "*offers 'efi' for x86_64 machine virt-7.2 (on Debian*"},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(VbDomainDef) def = parse_domain(cases[i].os, cases[i].machine, cases[i].features);
    g_autoptr(GError) error = NULL;

    g_assert_null(vb_firmware_select(fixtures, def, "x86_64", cases[i].machine, &error));
    g_assert_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED);
    if (!g_pattern_match_simple(cases[i].chosen, error->message))
      g_error("case %u: '%s' does not match '%s'", i, error->message, cases[i].chosen);
  }
}

int
main(int argc, char **argv)
{
  int status;

  g_test_init(&argc, &argv, NULL);
  fixtures = vb_test_load_firmware_fixtures();
  g_test_add_func("/virtbus/firmware/parse", test_parse);
  g_test_add_func("/virtbus/firmware/parse-unusable", test_parse_unusable);
  g_test_add_func("/virtbus/firmware/parse-errors", test_parse_errors);
  g_test_add_func("/virtbus/firmware/load-merge", test_load_merge);
  g_test_add_func("/virtbus/firmware/search-dirs", test_search_dirs);
  g_test_add_func("/virtbus/firmware/select", test_select);
  g_test_add_func("/virtbus/firmware/select-none", test_select_none);
  status = g_test_run();
  g_ptr_array_unref(fixtures);
  return status;
}
