/* vb-test-driver.h: a driver on an embedded root of its own, with the tiny test guest
 * (tests/guest), its serial console captured, the driver's events recorded and, at the end,
 * a check that no QEMU it started is left and the run directory is empty.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-driver.h"

G_BEGIN_DECLS

typedef struct {
  char *root;
  VbPaths *paths;
  VbQemuConf *conf;
  VbDriver *driver;      /* (nullable) between vb_test_driver_drop() and _reopen() */
  GPtrArray *events;     /* (element-type utf8): "name event detail" */
  GHashTable *pids;      /* pids of every QEMU seen running */
  GHashTable *consoles;  /* name → GString: what the guest wrote on its serial port */
  GPtrArray *listeners;  /* (element-type GSocketService) */
  GPtrArray *readers;    /* what reads the consoles, until they close */
  GCancellable *reading; /* cancelled at the end: the readers let go of the harness */
  GPtrArray *handlers;   /* signal handlers on the driver */
} VbTestDriver;

/* NULL (and the test skipped) when the test guest is not built. */
VbTestDriver *vb_test_driver_new(void);
/* The same with qemu.conf @text read as @instance's (the system's: QEMU confined as it says). */
VbTestDriver *vb_test_driver_new_with_conf(VbInstanceKind instance, const char *text);
void vb_test_driver_free(VbTestDriver *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbTestDriver, vb_test_driver_free)

/* Lets go of the driver with its domains running on, as a daemon that exits does. */
void vb_test_driver_drop(VbTestDriver *self);
void vb_test_driver_reopen(VbTestDriver *self);

/* A domain booting the test guest: @knobs go on its kernel command line (virtbus.poweroff=N,
 * …), @extra into <domain> (on_* elements) and @devices into <devices>. */
char *vb_test_guest_xml(VbTestDriver *self,
                        const char *name,
                        const char *knobs,
                        const char *extra,
                        const char *devices);
/* A domain with no OS at all (firmware only): fast to start, ignores the power button. */
char *vb_test_bare_xml(const char *name);

VbDomainObj *vb_test_define(VbTestDriver *self, const char *xml);
VbDomainObj *vb_test_define_full(VbTestDriver *self, const char *xml, GError **error);
VbDomainObj *
vb_test_create(VbTestDriver *self, const char *xml, VbStartFlags flags, GError **error);

typedef enum {
  VB_TEST_START,
  VB_TEST_START_PAUSED,
  VB_TEST_SHUTDOWN,
  VB_TEST_REBOOT,
  VB_TEST_RESET,
  VB_TEST_SUSPEND,
  VB_TEST_RESUME,
  VB_TEST_DESTROY,
  VB_TEST_DESTROY_GRACEFUL,
  VB_TEST_UNDEFINE,
  VB_TEST_AUTOSTART,
  VB_TEST_NO_AUTOSTART,
} VbTestOp;

/* Queues @op and returns without waiting: the result lands in *@result. */
void vb_test_begin(VbTestDriver *self, VbTestOp op, VbDomainObj *domain, GAsyncResult **result);
gboolean vb_test_end(VbTestDriver *self, GAsyncResult **result, GError **error);
gboolean vb_test_run(VbTestDriver *self, VbTestOp op, VbDomainObj *domain, GError **error);
/* vb_test_run(), failing the test on an error. */
void vb_test_ok(VbTestDriver *self, VbTestOp op, VbDomainObj *domain);

/* A file of the instance: @name in the directory of @kind. */
char *vb_test_path(VbTestDriver *self, VbPathKind kind, const char *name);
gboolean vb_test_file_contains(const char *path, const char *needle);

void vb_test_wait_state(VbTestDriver *self,
                        VbDomainObj *domain,
                        VbDomainState state,
                        const char *reason);
/* Waits until @marker has appeared @count times on the domain's serial console. */
void vb_test_wait_console(VbTestDriver *self, const char *name, const char *marker, guint count);
guint vb_test_console_count(VbTestDriver *self, const char *name, const char *marker);
guint
vb_test_count_events(VbTestDriver *self, const char *name, const char *event, const char *detail);
void vb_test_clear_events(VbTestDriver *self);

G_END_DECLS
