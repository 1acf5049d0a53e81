/* vb-test-wait.h: the one way tests wait: for a condition on a main context, or for a gate
 * another thread opens; always with a timeout, and a failure that says what was awaited.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Long enough for a TCG guest on a loaded 2-core machine; a test that needs it is broken. */
#define VB_TEST_WAIT_TIMEOUT_MS 30000

typedef struct {
  gint64 deadline; /* monotonic µs */
  GSource *wakeup; /* (owned): makes the blocking iteration return by the deadline */
  const char *what;
} VbTestWait;

void
vb_test_wait_begin(VbTestWait *wait, GMainContext *context, guint timeout_ms, const char *what);
/* One blocking iteration of @context; fails the test once the deadline has passed. */
void vb_test_wait_iterate(VbTestWait *wait, GMainContext *context);
/* For waits whose timeout is an answer (a QEMU that does not exit in time is then killed):
 * one blocking iteration, FALSE once the deadline has passed. */
gboolean vb_test_wait_try(VbTestWait *wait, GMainContext *context);
void vb_test_wait_end(VbTestWait *wait);

/* Iterates @context (NULL: the default) until @condition holds, at most @timeout_ms; on timeout
 * the test fails with "timed out after N ms waiting for @what". */
#define VB_TEST_WAIT_UNTIL_TIMEOUT(context, condition, timeout_ms, what)                           \
  do {                                                                                             \
    VbTestWait vb_test_wait_;                                                                      \
                                                                                                   \
    vb_test_wait_begin(&vb_test_wait_, (context), (timeout_ms), (what));                           \
    while (!(condition))                                                                           \
      vb_test_wait_iterate(&vb_test_wait_, (context));                                             \
    vb_test_wait_end(&vb_test_wait_);                                                              \
  } while (0)
#define VB_TEST_WAIT_UNTIL(context, condition, what)                                               \
  VB_TEST_WAIT_UNTIL_TIMEOUT(context, condition, VB_TEST_WAIT_TIMEOUT_MS, what)

/* A gate between threads: one side opens it, the other waits for it. Opening is for good. */
typedef struct {
  GMutex lock;
  GCond changed;
  gboolean open;
} VbTestGate;

void vb_test_gate_init(VbTestGate *gate);
void vb_test_gate_clear(VbTestGate *gate);
void vb_test_gate_open(VbTestGate *gate);
void vb_test_gate_wait(VbTestGate *gate, const char *what);

G_END_DECLS
