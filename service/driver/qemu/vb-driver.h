/* vb-driver.h: the QEMU driver of one instance: its domains, defined, started, stopped and
 * found again after a restart of the process that holds the driver.
 *
 * Everything runs on the main context of the thread that opened the driver; every operation
 * that waits (for QEMU, the disk, a worker thread) is asynchronous. Operations on one domain
 * run one at a time in the order they were asked for (a destroy goes first: see
 * vb_driver_destroy_async()); queries answer at once from what the driver knows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vb-domain-def.h"
#include "vb-domain-state.h"
#include "vb-domain-xml.h"
#include "vb-paths.h"
#include "vb-qemu-conf.h"

G_BEGIN_DECLS

#define VB_TYPE_DRIVER (vb_driver_get_type())
G_DECLARE_FINAL_TYPE(VbDriver, vb_driver, VB, DRIVER, GObject)

#define VB_TYPE_DOMAIN_OBJ (vb_domain_obj_get_type())
G_DECLARE_FINAL_TYPE(VbDomainObj, vb_domain_obj, VB, DOMAIN_OBJ, GObject)

/* Opening: configs are read and running domains reconnected before the driver is returned;
 * autostart domains are started after, in parallel (failures are logged with their names). */
void vb_driver_open_async(VbPaths *paths,
                          VbQemuConf *conf,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data);
VbDriver *vb_driver_open_finish(GAsyncResult *result, GError **error);

/* Waits until every domain's queued operations are done and its status file is on disk. */
void vb_driver_flush_async(VbDriver *self, GAsyncReadyCallback callback, gpointer user_data);
gboolean vb_driver_flush_finish(VbDriver *self, GAsyncResult *result, GError **error);

VbPaths *vb_driver_get_paths(VbDriver *self);
VbQemuConf *vb_driver_get_conf(VbDriver *self);
GStrv vb_driver_get_security_models(VbDriver *self);
/* The configs that could not be read when the driver opened: "FILE: why", one each. */
const GPtrArray *vb_driver_get_load_errors(VbDriver *self);

/* (transfer container) (element-type VbDomainObj): every domain, by name */
GPtrArray *vb_driver_list_domains(VbDriver *self);
/* (transfer none) (nullable) */
VbDomainObj *vb_driver_lookup_by_name(VbDriver *self, const char *name);
VbDomainObj *vb_driver_lookup_by_uuid(VbDriver *self, const char *uuid);
VbDomainObj *vb_driver_lookup_by_id(VbDriver *self, gint64 id);

/* Define: a new persistent domain, or the new config of the one with that name and UUID (for
 * its next start, when it runs). The config is on disk, whole, before the call returns. */
void vb_driver_define_xml_async(VbDriver *self,
                                const char *xml,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
VbDomainObj *vb_driver_define_xml_finish(VbDriver *self, GAsyncResult *result, GError **error);

typedef enum {
  VB_START_NONE = 0,
  VB_START_PAUSED = 1 << 0, /* leave the CPUs stopped: state paused, reason user */
} VbStartFlags;

/* A transient domain, started at once; gone from the table when it stops. */
void vb_driver_create_xml_async(VbDriver *self,
                                const char *xml,
                                VbStartFlags flags,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
VbDomainObj *vb_driver_create_xml_finish(VbDriver *self, GAsyncResult *result, GError **error);

/* The operations on one domain: each is queued on the domain and finishes with a boolean. */
void vb_driver_undefine_async(VbDriver *self,
                              VbDomainObj *domain,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
void vb_driver_start_async(VbDriver *self,
                           VbDomainObj *domain,
                           VbStartFlags flags,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
/* The ACPI power button; finishes once QEMU took the request, not when the guest is off. */
void vb_driver_shutdown_async(VbDriver *self,
                              VbDomainObj *domain,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
/* The power button, and a reset instead of the power-off that follows (libvirt's fake
 * reboot), so the guest shuts down cleanly and boots again in the same QEMU. */
void vb_driver_reboot_async(VbDriver *self,
                            VbDomainObj *domain,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
void vb_driver_reset_async(VbDriver *self,
                           VbDomainObj *domain,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
void vb_driver_suspend_async(VbDriver *self,
                             VbDomainObj *domain,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
void vb_driver_resume_async(VbDriver *self,
                            VbDomainObj *domain,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);

typedef enum {
  VB_DESTROY_NONE = 0,
  VB_DESTROY_GRACEFUL = 1 << 0, /* SIGTERM only: fail if QEMU does not exit */
} VbDestroyFlags;

/* SIGTERM, then SIGKILL after VB_DESTROY_TERM_TIMEOUT_MS; finishes once QEMU is reaped. It
 * does not wait behind the domain's running job: it cancels that job's waits and runs next. */
#define VB_DESTROY_TERM_TIMEOUT_MS 10000
void vb_driver_destroy_async(VbDriver *self,
                             VbDomainObj *domain,
                             VbDestroyFlags flags,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
void vb_driver_set_autostart_async(VbDriver *self,
                                   VbDomainObj *domain,
                                   gboolean autostart,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
gboolean vb_driver_operation_finish(VbDriver *self, GAsyncResult *result, GError **error);

/* Statistics of a running domain as flat keys (DESIGN.md §3 GetStats): a{sv}. */
void vb_driver_get_stats_async(VbDriver *self,
                               VbDomainObj *domain,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
GVariant *vb_driver_get_stats_finish(VbDriver *self, GAsyncResult *result, GError **error);

/* Without a domain: the capabilities XML (may probe), domain XML to and from "qemu-argv". */
void vb_driver_get_capabilities_xml_async(VbDriver *self,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
char *vb_driver_get_capabilities_xml_finish(VbDriver *self, GAsyncResult *result, GError **error);

/* The default emulator's QEMU version, "major.minor.micro" (probed the first time). */
void vb_driver_get_hypervisor_version_async(VbDriver *self,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
char *vb_driver_get_hypervisor_version_finish(VbDriver *self, GAsyncResult *result, GError **error);
void vb_driver_xml_to_native_async(VbDriver *self,
                                   const char *format,
                                   const char *xml,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
char *vb_driver_xml_to_native_finish(VbDriver *self, GAsyncResult *result, GError **error);
char *
vb_driver_xml_from_native(VbDriver *self, const char *format, const char *native, GError **error);

/* A running domain's monitor (tainting it "custom-monitor"), console, display, screenshot. */
void vb_driver_monitor_command_async(VbDriver *self,
                                     VbDomainObj *domain,
                                     const char *command,
                                     gboolean human,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
char *vb_driver_monitor_command_finish(VbDriver *self, GAsyncResult *result, GError **error);
void vb_driver_open_console_async(VbDriver *self,
                                  VbDomainObj *domain,
                                  const char *device,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
int vb_driver_open_console_finish(VbDriver *self, GAsyncResult *result, GError **error);
void vb_driver_open_graphics_async(VbDriver *self,
                                   VbDomainObj *domain,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
int vb_driver_open_graphics_finish(VbDriver *self, GAsyncResult *result, GError **error);
void vb_driver_screenshot_async(VbDriver *self,
                                VbDomainObj *domain,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
GBytes *vb_driver_screenshot_finish(VbDriver *self, GAsyncResult *result, GError **error);

/* Autodestroy: @domain is destroyed when vb_driver_owner_gone() is told @owner went away (the
 * D-Bus layer binds owners to bus names). */
void vb_driver_set_autodestroy(VbDriver *self, VbDomainObj *domain, const char *owner);
void vb_driver_owner_gone(VbDriver *self, const char *owner);

/* What a domain shows; all answer at once. */
const char *vb_domain_obj_get_name(VbDomainObj *self);
const char *vb_domain_obj_get_uuid(VbDomainObj *self);
gint64 vb_domain_obj_get_id(VbDomainObj *self);
VbDomainState vb_domain_obj_get_state(VbDomainObj *self);
const char *vb_domain_obj_get_state_reason(VbDomainObj *self);
gboolean vb_domain_obj_is_active(VbDomainObj *self);
gboolean vb_domain_obj_is_persistent(VbDomainObj *self);
gboolean vb_domain_obj_get_autostart(VbDomainObj *self);
/* (transfer none): the live definition while the domain runs, else the persistent one */
const VbDomainDef *vb_domain_obj_get_def(VbDomainObj *self);
/* (transfer none) (nullable): the definition for the next start */
const VbDomainDef *vb_domain_obj_get_persistent_def(VbDomainObj *self);
/* (element-type utf8) (transfer none): libvirt's taint names, while running */
const GPtrArray *vb_domain_obj_get_taints(VbDomainObj *self);
/* (nullable): the QEMU process while running */
GPid vb_domain_obj_get_pid(VbDomainObj *self);
char *vb_domain_obj_get_xml(VbDomainObj *self, VbDomainXmlFlags flags, GError **error);

G_END_DECLS
