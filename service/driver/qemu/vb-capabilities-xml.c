/* vb-capabilities-xml.c: the host's capabilities in libvirt's XML (capability.rng), as
 * `virsh capabilities` shows them: the host, then one <guest> per emulated architecture with
 * its emulator, machine types (canonical names, then aliases pointing at them) and domain types.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-capabilities.h"
#include "vb-xml-writer.h"

/* Whether KVM on this host runs guests of @arch. */
static gboolean
kvm_runs(const char *host, const char *arch)
{
  return strcmp(host, arch) == 0 || (strcmp(host, "x86_64") == 0 && strcmp(arch, "i686") == 0) ||
         (strcmp(host, "aarch64") == 0 && strcmp(arch, "armv7l") == 0);
}

static void
write_machines(VbXmlWriter *w, const VbQemuCaps *caps)
{
  const GPtrArray *machines = vb_qemu_caps_get_machines(caps);

  for (guint i = 0; i < machines->len; i++) {
    const VbQemuMachine *machine = machines->pdata[i];

    vb_xml_writer_start(w, "machine");
    if (machine->max_cpus > 0)
      vb_xml_writer_attr_printf(w, "maxCpus", "%u", machine->max_cpus);
    if (machine->deprecated)
      vb_xml_writer_attr(w, "deprecated", "yes");
    vb_xml_writer_text(w, machine->name);
    vb_xml_writer_end(w);
    if (machine->alias == NULL)
      continue;
    vb_xml_writer_start(w, "machine");
    vb_xml_writer_attr(w, "canonical", machine->name);
    if (machine->max_cpus > 0)
      vb_xml_writer_attr_printf(w, "maxCpus", "%u", machine->max_cpus);
    if (machine->deprecated)
      vb_xml_writer_attr(w, "deprecated", "yes");
    vb_xml_writer_text(w, machine->alias);
    vb_xml_writer_end(w);
  }
}

static void
write_toggle(VbXmlWriter *w, const char *name, const char *toggle, const char *by_default)
{
  vb_xml_writer_start(w, name);
  vb_xml_writer_attr(w, "default", by_default);
  vb_xml_writer_attr(w, "toggle", toggle);
  vb_xml_writer_end(w);
}

/* The guest features libvirt lists for QEMU: what the domain XML may turn on and off. */
static void
write_features(VbXmlWriter *w, const char *arch)
{
  gboolean x86 = strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0;

  vb_xml_writer_start(w, "features");
  if (strcmp(arch, "i686") == 0) {
    vb_xml_writer_start(w, "pae");
    vb_xml_writer_end(w);
    vb_xml_writer_start(w, "nonpae");
    vb_xml_writer_end(w);
  }
  if (x86 || strcmp(arch, "aarch64") == 0)
    write_toggle(w, "acpi", "yes", "on");
  if (x86)
    write_toggle(w, "apic", "no", "on");
  vb_xml_writer_start(w, "cpuselection");
  vb_xml_writer_end(w);
  vb_xml_writer_start(w, "deviceboot");
  vb_xml_writer_end(w);
  write_toggle(w, "disksnapshot", "no", "on");
  vb_xml_writer_end(w);
}

/**
 * vb_capabilities_format_xml:
 *
 * Returns: (transfer full): libvirt's capabilities XML for @host
 */
char *
vb_capabilities_format_xml(const VbHostCaps *host, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();

  vb_xml_writer_start(w, "capabilities");
  vb_xml_writer_start(w, "host");
  if (host->uuid != NULL)
    vb_xml_writer_element_text(w, "uuid", host->uuid);
  vb_xml_writer_start(w, "cpu");
  vb_xml_writer_element_text(w, "arch", host->arch);
  vb_xml_writer_end(w);
  for (guint i = 0; i < host->secmodels->len; i++) {
    const VbHostSecmodel *secmodel = host->secmodels->pdata[i];

    vb_xml_writer_start(w, "secmodel");
    vb_xml_writer_element_text(w, "model", secmodel->model);
    vb_xml_writer_element_text(w, "doi", "0");
    if (secmodel->kvm_label != NULL) {
      vb_xml_writer_start(w, "baselabel");
      vb_xml_writer_attr(w, "type", "kvm");
      vb_xml_writer_text(w, secmodel->kvm_label);
      vb_xml_writer_end(w);
    }
    if (secmodel->tcg_label != NULL) {
      vb_xml_writer_start(w, "baselabel");
      vb_xml_writer_attr(w, "type", "qemu");
      vb_xml_writer_text(w, secmodel->tcg_label);
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);

  for (guint i = 0; i < host->emulators->len; i++) {
    const VbQemuCaps *caps = host->emulators->pdata[i];
    const char *arch = vb_qemu_caps_get_arch(caps);

    vb_xml_writer_start(w, "guest");
    vb_xml_writer_element_text(w, "os_type", "hvm");
    vb_xml_writer_start(w, "arch");
    vb_xml_writer_attr(w, "name", arch);
    vb_xml_writer_element_text(w, "wordsize", vb_arch_get_wordsize(arch) == 64 ? "64" : "32");
    vb_xml_writer_element_text(w, "emulator", vb_qemu_caps_get_binary(caps));
    write_machines(w, caps);
    vb_xml_writer_start(w, "domain");
    vb_xml_writer_attr(w, "type", "qemu");
    vb_xml_writer_end(w);
    /* KVM needs the device usable by QEMU's user, a binary built with it and a guest of the
     * host's own architecture. HVF is macOS only: never here. */
    if (host->kvm_usable && vb_qemu_caps_has_flag(caps, "device.kvm-accel") &&
        kvm_runs(host->arch, arch)) {
      vb_xml_writer_start(w, "domain");
      vb_xml_writer_attr(w, "type", "kvm");
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
    write_features(w, arch);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
  /* Names come from the host (an emulator's path) and QEMU: one XML cannot carry is left out
   * of nothing, the document is refused whole. */
  return vb_xml_writer_finish(w, error);
}
