/* vb-test-bus.h: a private session bus (dbus-daemon) with virtbusd from the build tree serving
 * an embedded root of its own on it; every process started is reaped by its pid, on failure too,
 * and virtbusd's log is printed when a test fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vb-dbus-generated.h"

G_BEGIN_DECLS

typedef struct {
  char *dir;           /* scratch: the bus socket, the root, the logs */
  char *root;          /* the embedded root virtbusd serves */
  GSubprocess *bus;    /* dbus-daemon */
  char *address;       /* its address */
  GSubprocess *daemon; /* (nullable) virtbusd */
  char *log;           /* virtbusd's stderr */
  GDBusConnection *connection;
  VbDBusConnect *connect; /* a proxy of /org/virtbus/Virtbus1 */
  GPtrArray *events;      /* (element-type utf8): "path event detail" of Connect.DomainEvent */
  gboolean polkit;        /* virtbusd runs with --polkit */
  gulong event_handler;
} VbTestBus;

/* From now on, a test an assertion aborts kills the QEMU processes whose status files are in
 * @root's run directory (one root at a time: the last one given). */
void vb_test_guard_root(const char *root);

/* NULL (test skipped) when virtbusd or dbus-daemon is not there. */
VbTestBus *vb_test_bus_new(void);
VbTestBus *vb_test_bus_new_bus(const char *config);
void vb_test_bus_start(VbTestBus *self, gboolean polkit);
void vb_test_bus_free(VbTestBus *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbTestBus, vb_test_bus_free)

/* Stops virtbusd (SIGKILL when @kill, else SIGTERM) and starts it again on the same root. */
void vb_test_bus_restart(VbTestBus *self, gboolean kill);

VbDBusDomain *vb_test_bus_domain(VbTestBus *self, const char *path);
/* DefineXML, failing the test on an error; returns the object path. */
char *vb_test_bus_define(VbTestBus *self, const char *xml);
guint
vb_test_bus_count_events(VbTestBus *self, const char *path, const char *event, const char *detail);
/* Waits until the proxy's cached State is @state (PropertiesChanged). */
void vb_test_bus_wait_state(VbTestBus *self, VbDBusDomain *domain, const char *state);

G_END_DECLS
