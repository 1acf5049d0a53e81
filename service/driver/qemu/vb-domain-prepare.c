/* vb-domain-prepare.c: what a define and a start fix in a domain definition, in order, as
 * libvirt's post-parse and start-time preparation do.
 *
 * A define stores the guest's hardware: the CPU model (vb-domain-cpu.c), then the implicit
 * controllers and every address (vb-domain-address.c). A start does the same again (a
 * definition stored before a rule existed gets it now; a stored one is left as it is), then
 * fixes what only the running guest shows: memory aligned as QEMU will size it, and host-model
 * expanded into the CPU of this host. The live definition shows all of it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-address.h"
#include "vb-domain-cpu.h"
#include "vb-domain-prepare.h"
#include "vb-error.h"

/* libvirt's alignment of guest memory on x86 (and the other targets but ppc64): whole MiB */
#define MEMORY_ALIGN_KIB 1024

/**
 * vb_domain_prepare_define:
 *
 * What a define (and a create) fixes before the definition is checked and stored.
 */
gboolean
vb_domain_prepare_define(VbDomainDef *def, const VbDomainDefaults *defaults, GError **error)
{
  return vb_domain_cpu_complete(def, defaults, error) &&
         vb_domain_assign_addresses(def, defaults->machine, error);
}

static gboolean
align_memory(VbDomainDef *def, GError **error)
{
  guint64 aligned;

  if (def->memory_kib > G_MAXUINT64 - (MEMORY_ALIGN_KIB - 1)) {
    g_autofree char *path = vb_domain_def_path(def, NULL, "memory");

    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: %" G_GUINT64_FORMAT " KiB overflows when rounded up to whole MiB", path,
                def->memory_kib);
    return FALSE;
  }
  aligned = (def->memory_kib + MEMORY_ALIGN_KIB - 1) / MEMORY_ALIGN_KIB * MEMORY_ALIGN_KIB;
  def->memory_kib = aligned;
  return TRUE;
}

/**
 * vb_domain_prepare_start:
 * @def: the definition the guest will run: becomes the live one
 *
 * What a start (and domxml-to-native, which shows a start's command) fixes before the command
 * is built.
 */
gboolean
vb_domain_prepare_start(VbDomainDef *def, const VbDomainDefaults *defaults, GError **error)
{
  if (!vb_domain_prepare_define(def, defaults, error) || !align_memory(def, error))
    return FALSE;
  if (def->cpu != NULL && def->cpu->mode == VB_CPU_MODE_HOST_MODEL) {
    VbCpuDef *expanded = vb_domain_cpu_expand_host_model(def, def->cpu, defaults->caps, error);

    if (expanded == NULL)
      return FALSE;
    vb_cpu_def_free(def->cpu);
    def->cpu = expanded;
  }
  return TRUE;
}
