/* vb-qmp.h: a client of one QEMU monitor (QMP).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vb-qemu-version.h"

G_BEGIN_DECLS

#define VB_TYPE_QMP (vb_qmp_get_type())
G_DECLARE_FINAL_TYPE(VbQmp, vb_qmp, VB, QMP, GObject)

/* No timeout: wait for the reply as long as the connection lives. */
#define VB_QMP_NO_TIMEOUT 0

VbQmp *vb_qmp_new(GSocket *socket, GMainContext *context);
VbQmp *vb_qmp_new_for_fd(int fd, GMainContext *context, GError **error);
VbQmp *vb_qmp_new_for_path(const char *path, GMainContext *context, GError **error);

void vb_qmp_handshake_async(VbQmp *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
gboolean vb_qmp_handshake_finish(VbQmp *self, GAsyncResult *result, GError **error);

gboolean vb_qmp_is_ready(VbQmp *self);
gboolean vb_qmp_is_closed(VbQmp *self);
guint vb_qmp_get_version(VbQmp *self);
const char *vb_qmp_get_package(VbQmp *self);
gboolean vb_qmp_has_capability(VbQmp *self, const char *capability);

void vb_qmp_execute_async(VbQmp *self,
                          const char *command,
                          JsonObject *arguments,
                          const int *fds,
                          guint n_fds,
                          guint timeout_ms,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data);
JsonNode *vb_qmp_execute_finish(VbQmp *self, GAsyncResult *result, GError **error);

void vb_qmp_execute_raw_async(VbQmp *self,
                              const char *json,
                              guint timeout_ms,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
char *vb_qmp_execute_raw_finish(VbQmp *self, GAsyncResult *result, GError **error);

void vb_qmp_close(VbQmp *self);

G_END_DECLS
