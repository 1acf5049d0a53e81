/* vb-test-qmp-peer.h: the QEMU end of a monitor, scripted, for tests of the QMP client.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vb-qemu-caps.h"

G_BEGIN_DECLS

typedef struct _VbTestQmpPeer VbTestQmpPeer;

/* Runs in the peer's own thread with blocking I/O on its end of the socketpair. */
typedef void (*VbTestQmpScript)(VbTestQmpPeer *peer, gpointer data);

VbTestQmpPeer *vb_test_qmp_peer_start(VbTestQmpScript script, gpointer data, GSocket **client);
void vb_test_qmp_peer_join(VbTestQmpPeer *peer);

/* For scripts. */
void vb_test_qmp_peer_send(VbTestQmpPeer *peer, const char *bytes, gsize length);
void vb_test_qmp_peer_send_text(VbTestQmpPeer *peer, const char *text);
void vb_test_qmp_peer_send_greeting(VbTestQmpPeer *peer);
JsonObject *vb_test_qmp_peer_read_command(VbTestQmpPeer *peer, GArray *fds);
JsonObject *vb_test_qmp_peer_expect(VbTestQmpPeer *peer, const char *execute);
void vb_test_qmp_peer_reply(VbTestQmpPeer *peer, JsonObject *command, const char *return_json);
void vb_test_qmp_peer_reply_error(VbTestQmpPeer *peer,
                                  JsonObject *command,
                                  const char *class,
                                  const char *desc);
void vb_test_qmp_peer_negotiate(VbTestQmpPeer *peer);
void vb_test_qmp_peer_hang_up(VbTestQmpPeer *peer);

/* The probe's queries (vb_qemu_probe_monitor_async) answered by @script. */
VbQemuCaps *
vb_test_probe_with_peer(VbTestQmpScript script, gpointer data, const char *binary, GError **error);

G_END_DECLS
