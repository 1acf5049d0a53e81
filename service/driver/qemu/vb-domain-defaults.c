/* vb-domain-defaults.c: what a domain leaves out of <os><type> and <emulator>, filled in from
 * its emulator's capabilities: the architecture, and a machine alias made canonical.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-capabilities.h"
#include "vb-error.h"

void
vb_domain_defaults_free(VbDomainDefaults *self)
{
  if (self == NULL)
    return;
  g_free(self->arch);
  g_free(self->machine);
  g_free(self->emulator);
  g_clear_pointer(&self->caps, vb_qemu_caps_unref);
  g_free(self);
}

/* Whether an emulator of @emulated runs guests of @wanted: the same, or the 32-bit half of a
 * 64-bit target, as libvirt allows. */
static gboolean
arch_runs(const char *emulated, const char *wanted)
{
  return strcmp(emulated, wanted) == 0 ||
         (strcmp(emulated, "x86_64") == 0 && strcmp(wanted, "i686") == 0) ||
         (strcmp(emulated, "aarch64") == 0 && strcmp(wanted, "armv7l") == 0);
}

/**
 * vb_domain_defaults_new:
 * @caps: the emulator's capabilities
 * @emulator: its path
 * @arch: (nullable): the domain's <os><type arch>
 * @emulator_given: the domain named the emulator, so it decides a missing arch
 * @machine: (nullable): the domain's <os><type machine>, canonical or an alias
 *
 * Returns: (transfer full): the defaults, or %NULL when the emulator cannot run the domain's
 *   architecture or has no such machine
 */
VbDomainDefaults *
vb_domain_defaults_new(VbQemuCaps *caps,
                       const char *emulator,
                       const char *arch,
                       gboolean emulator_given,
                       const char *machine,
                       GError **error)
{
  g_autoptr(VbDomainDefaults) defaults = g_new0(VbDomainDefaults, 1);
  const VbQemuMachine *found;

  /* Without an arch, a named emulator decides it; else the host does. */
  if (arch != NULL)
    defaults->arch = g_strdup(arch);
  else if (emulator_given)
    defaults->arch = g_strdup(vb_qemu_caps_get_arch(caps));
  else
    defaults->arch = g_strdup(vb_arch_get_host());
  if (!arch_runs(vb_qemu_caps_get_arch(caps), defaults->arch)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "Emulator %s emulates %s, not the domain's architecture %s", emulator,
                vb_qemu_caps_get_arch(caps), defaults->arch);
    return NULL;
  }
  if (machine != NULL) {
    found = vb_qemu_caps_lookup_machine(caps, machine);
    if (found == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "Machine type '%s' is not supported by %s (the capabilities XML lists those "
                  "it has)",
                  machine, emulator);
      return NULL;
    }
  } else {
    found = vb_qemu_caps_get_default_machine(caps);
  }
  defaults->machine = g_strdup(found->name);
  defaults->emulator = g_strdup(emulator);
  defaults->caps = vb_qemu_caps_ref(caps);
  return g_steal_pointer(&defaults);
}
