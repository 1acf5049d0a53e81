/* vb-driver-convert.c: what the driver answers without a domain: the host's capabilities XML,
 * and domain XML to and from a QEMU command line ("qemu-argv", DESIGN.md §3).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "vb-domain-prepare.h"
#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-firmware.h"
#include "vb-qemu-native.h"

#define NATIVE_FORMAT "qemu-argv"

static gboolean
check_format(const char *format, GError **error)
{
  if (g_strcmp0(format, NATIVE_FORMAT) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "the native format '%s' is not supported: only '" NATIVE_FORMAT "' is", format);
    return FALSE;
  }
  return TRUE;
}

static void
on_host(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(VbHostCaps) host = NULL;
  GError *error = NULL;
  char *xml;

  host = vb_capabilities_get_host_finish(VB_CAPABILITIES(source), result, &error);
  if (host == NULL || (xml = vb_capabilities_format_xml(host, &error)) == NULL) {
    g_task_return_error(task, error);
    return;
  }
  g_task_return_pointer(task, xml, g_free);
}

/* The capabilities XML (libvirt's capability.rng); probes the emulators not probed yet. */
void
vb_driver_get_capabilities_xml_async(VbDriver *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  GTask *task = g_task_new(self, cancellable, callback, user_data);

  g_task_set_source_tag(task, vb_driver_get_capabilities_xml_async);
  vb_capabilities_get_host_async(self->caps, cancellable, on_host, task);
}

char *
vb_driver_get_capabilities_xml_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

static void
on_default_emulator(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(VbDomainDefaults) defaults = NULL;
  GError *error = NULL;
  guint number;

  defaults = vb_capabilities_resolve_finish(VB_CAPABILITIES(source), result, &error);
  if (defaults == NULL) {
    g_task_return_error(task, error);
    return;
  }
  number = vb_qemu_caps_get_version(defaults->caps);
  g_task_return_pointer(
      task, g_strdup_printf("%u.%u.%u", number / 1000000, number / 1000 % 1000, number % 1000),
      g_free);
}

/* The version of the emulator a domain without <emulator> gets. */
void
vb_driver_get_hypervisor_version_async(VbDriver *self,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  GTask *task = g_task_new(self, cancellable, callback, user_data);

  g_task_set_source_tag(task, vb_driver_get_hypervisor_version_async);
  vb_capabilities_resolve_async(self->caps, NULL, NULL, NULL, cancellable, on_default_emulator,
                                task);
}

char *
vb_driver_get_hypervisor_version_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* -- to native ---------------------------------------------------------------------------- */

typedef struct {
  VbDomainDef *def;
  VbDomainDefaults *defaults;
  VbQemuConf *conf;
  VbPaths *paths;
} Export;

static void
export_free(Export *export)
{
  g_clear_pointer(&export->def, vb_domain_def_free);
  g_clear_pointer(&export->defaults, vb_domain_defaults_free);
  vb_qemu_conf_unref(export->conf);
  vb_paths_unref(export->paths);
  g_free(export);
}

/* (worker) the command a start would build, for export: nothing made, the monitor a path */
static void
export_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Export *export = data;
  g_auto(GStrv) dirs = vb_firmware_search_dirs(export->conf->instance);
  g_autoptr(GPtrArray) firmware = NULL;
  g_autoptr(VbQemuCommand) cmd = NULL;
  GError *error = NULL;
  VbQemuCommandConfig config = {
      .defaults = export->defaults,
      .conf = export->conf,
      .paths = export->paths,
      .id = -1,
      .kvm_usable = TRUE,
      .export = TRUE,
      .now = g_get_real_time() / G_USEC_PER_SEC,
      .default_bridge = vb_host_default_bridge(),
  };

  if (export->def->os.firmware != VB_ABSENT) {
    if ((firmware = vb_firmware_load((const char *const *)dirs, &error)) == NULL) {
      g_task_return_error(task, error);
      return;
    }
    config.firmware = firmware;
  }
  if (!vb_domain_prepare_start(export->def, export->defaults, &error) ||
      (cmd = vb_qemu_command_build(export->def, &config, &error)) == NULL) {
    g_task_return_error(task, error);
    return;
  }
  g_task_return_pointer(task, vb_qemu_command_to_native(cmd), g_free);
}

static void
on_export_resolved(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Export *export = g_task_get_task_data(task);
  GError *error = NULL;

  export->defaults = vb_capabilities_resolve_finish(VB_CAPABILITIES(source), result, &error);
  if (export->defaults == NULL) {
    g_task_return_error(task, error);
    return;
  }
  g_task_run_in_thread(task, export_thread);
}

void
vb_driver_xml_to_native_async(VbDriver *self,
                              const char *format,
                              const char *xml,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  Export *export = g_new0(Export, 1);
  GError *error = NULL;

  g_task_set_source_tag(task, vb_driver_xml_to_native_async);
  export->conf = vb_qemu_conf_ref(self->conf);
  export->paths = vb_paths_ref(self->paths);
  g_task_set_task_data(task, export, (GDestroyNotify)export_free);
  if (!check_format(format, &error) ||
      (export->def = vb_domain_def_parse(xml, strlen(xml), &error)) == NULL) {
    vb_error_shorten(error);
    g_task_return_error(task, error);
    return;
  }
  vb_capabilities_resolve_async(self->caps, export->def->os.arch, export->def->os.machine,
                                export->def->emulator, cancellable, on_export_resolved,
                                g_object_ref(task));
}

char *
vb_driver_xml_to_native_finish(VbDriver *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/**
 * vb_driver_xml_from_native:
 *
 * Returns: (transfer full): the domain XML @native describes (CPU only: answers at once)
 */
char *
vb_driver_xml_from_native(VbDriver *self, const char *format, const char *native, GError **error)
{
  g_autoptr(VbDomainDef) def = NULL;

  if (!check_format(format, error) || (def = vb_qemu_native_parse(native, error)) == NULL)
    return NULL;
  return vb_domain_def_format(def, VB_DOMAIN_XML_INACTIVE, error);
}
