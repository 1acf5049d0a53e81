/* test-domain-copy.c: vb_domain_def_copy() gives an equal definition that shares nothing: a
 * running domain's live definition and the one for its next start are different objects.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-domain-def.h"
#include "vb-domain-xml.h"
#include "vb-test-domain.h"

#define ALL_VIEWS (VB_DOMAIN_XML_LIVE | VB_DOMAIN_XML_SECURE)

/* What the device fixtures leave out: the qemu namespace, labels, a CPU with features,
 * timers, metadata, a kernel boot. */
static const char extras[] =
    "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
    "  <name>extras</name>\n"
    "  <title>t</title><description>d</description>\n"
    "  <metadata><x:m xmlns:x='urn:x'>kept</x:m></metadata>\n"
    "  <memory>1048576</memory>\n"
    "  <os><type arch='x86_64' machine='q35'>hvm</type><kernel>/k</kernel><initrd>/i</initrd>"
    "<cmdline>console=ttyS0</cmdline><boot dev='hd'/><boot dev='network'/></os>\n"
    "  <features><acpi/><hyperv><vendor_id state='on' value='abc'/></hyperv></features>\n"
    "  <cpu mode='custom'><model>Westmere</model><vendor>Intel</vendor>"
    "<feature policy='require' name='aes'/><feature policy='disable' name='x2apic'/></cpu>\n"
    "  <clock offset='timezone' timezone='Europe/Paris'><timer name='rtc' tickpolicy='catchup'/>"
    "<timer name='hpet' present='no'/></clock>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'><source file='/d.img'><seclabel model='dac' "
    "relabel='no'/></source><target dev='vda' bus='virtio'/><serial>S1</serial></disk>\n"
    "    <graphics type='vnc' passwd='pw' keymap='de'><listen type='address' "
    "address='127.0.0.1'/></graphics>\n"
    "    <serial type='file'><source path='/var/log/s.log'/></serial>\n"
    "    <channel type='unix'><source mode='bind' path='/run/a.sock'/>"
    "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n"
    "  </devices>\n"
    "  <seclabel type='static' model='selinux' relabel='yes'>"
    "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>\n"
    "  <qemu:commandline><qemu:arg value='-newarg'/><qemu:env name='E' value='V'/>"
    "</qemu:commandline>\n"
    "  <qemu:capabilities><qemu:del capability='drive'/></qemu:capabilities>\n"
    "</domain>\n";

/* Changes everything the copy owns; none of it may show in the original. */
static void
mutate(VbDomainDef *copy)
{
  g_autoptr(GPtrArray) infos = vb_domain_def_get_device_infos(copy);
  GPtrArray *families[] = {copy->disks,    copy->controllers,   copy->nets,      copy->inputs,
                           copy->serials,  copy->consoles,      copy->channels,  copy->graphics,
                           copy->sounds,   copy->audios,        copy->videos,    copy->redirdevs,
                           copy->rngs,     copy->panics,        copy->seclabels, copy->clock.timers,
                           copy->qemu.env, copy->qemu.overrides};

  for (guint i = 0; i < infos->len; i++) {
    VbDeviceInfo *info = infos->pdata[i];

    g_free(info->alias);
    info->alias = g_strdup_printf("ua-mutated-%u", i);
    g_free(info->assigned_alias);
    info->assigned_alias = g_strdup("mutated");
    info->address.slot = 31;
  }
  g_free(copy->name);
  copy->name = g_strdup("mutated");
  g_free(copy->os.machine);
  copy->os.machine = g_strdup("mutated");
  g_array_set_size(copy->os.boot_devs, 0);
  if (copy->cpu != NULL)
    g_ptr_array_set_size(copy->cpu->features, 0);
  g_clear_pointer(&copy->metadata, g_strfreev);
  /* then every family emptied: each element freed, in the copy only */
  for (guint i = 0; i < G_N_ELEMENTS(families); i++)
    g_ptr_array_set_size(families[i], 0);
  g_clear_pointer(&copy->watchdog, vb_watchdog_def_free);
  g_clear_pointer(&copy->memballoon, vb_memballoon_def_free);
}

static void
check_copy(const char *what, const char *xml)
{
  g_autoptr(VbDomainDef) def = vb_test_parse_ok(xml);
  g_autofree char *before = vb_test_format(def, ALL_VIEWS);
  g_autoptr(VbDomainDef) copy = vb_domain_def_copy(def);
  g_autofree char *copied = vb_test_format(copy, ALL_VIEWS);
  g_autoptr(GPtrArray) ours = vb_domain_def_get_device_infos(def);
  g_autoptr(GPtrArray) theirs = vb_domain_def_get_device_infos(copy);
  g_autofree char *after = NULL;

  g_test_message("%s", what);
  g_assert_cmpstr(copied, ==, before);
  /* the one list of device families: each device is a different object in the copy */
  g_assert_cmpuint(ours->len, ==, theirs->len);
  g_assert_cmpuint(ours->len, >, 0);
  for (guint i = 0; i < ours->len; i++) {
    g_assert_true(ours->pdata[i] != theirs->pdata[i]);
    g_assert_cmpstr(((VbDeviceInfo *)ours->pdata[i])->assigned_alias, ==,
                    ((VbDeviceInfo *)theirs->pdata[i])->assigned_alias);
  }
  mutate(copy);
  after = vb_test_format(def, ALL_VIEWS);
  g_assert_cmpstr(after, ==, before);
  /* both are freed at the end: ASan reports any memory they would share */
}

static void
test_fixtures(void)
{
  static const char *const fixtures[] = {
      "virt-install-headless.xml", "virt-install-pc-ide-ac97.xml", "virt-install-q35-spice.xml",
      "virt-install-uefi.xml",     "virt-install-windows.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS(fixtures); i++) {
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "data", "domains", fixtures[i], NULL);
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;

    g_file_get_contents(path, &xml, NULL, &error);
    g_assert_no_error(error);
    check_copy(fixtures[i], xml);
  }
  {
    g_autofree char *path =
        g_test_build_filename(G_TEST_DIST, "data", "qemu-argv", "pc-many-devices.xml", NULL);
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;

    g_file_get_contents(path, &xml, NULL, &error);
    g_assert_no_error(error);
    check_copy("pc-many-devices.xml", xml);
  }
}

static void
test_extras(void)
{
  check_copy("extras", extras);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/domain-copy/fixtures", test_fixtures);
  g_test_add_func("/virtbus/domain-copy/extras", test_extras);
  return g_test_run();
}
