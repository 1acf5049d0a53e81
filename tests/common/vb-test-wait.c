/* vb-test-wait.c: waits with a deadline (vb-test-wait.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-test-wait.h"

static gboolean
on_wakeup(gpointer data)
{
  return G_SOURCE_CONTINUE; /* only there to end a blocking iteration */
}

void
vb_test_wait_begin(VbTestWait *wait, GMainContext *context, guint timeout_ms, const char *what)
{
  wait->deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  wait->what = what;
  wait->wakeup = g_timeout_source_new(timeout_ms);
  g_source_set_callback(wait->wakeup, on_wakeup, NULL, NULL);
  g_source_attach(wait->wakeup, context);
}

void
vb_test_wait_iterate(VbTestWait *wait, GMainContext *context)
{
  if (g_get_monotonic_time() >= wait->deadline)
    g_error("timed out waiting for %s", wait->what);
  g_main_context_iteration(context, TRUE);
}

gboolean
vb_test_wait_try(VbTestWait *wait, GMainContext *context)
{
  if (g_get_monotonic_time() >= wait->deadline)
    return FALSE;
  g_main_context_iteration(context, TRUE);
  return TRUE;
}

void
vb_test_wait_end(VbTestWait *wait)
{
  g_source_destroy(wait->wakeup);
  g_source_unref(wait->wakeup);
}

void
vb_test_gate_init(VbTestGate *gate)
{
  g_mutex_init(&gate->lock);
  g_cond_init(&gate->changed);
  gate->open = FALSE;
}

void
vb_test_gate_clear(VbTestGate *gate)
{
  g_mutex_clear(&gate->lock);
  g_cond_clear(&gate->changed);
}

void
vb_test_gate_open(VbTestGate *gate)
{
  g_mutex_lock(&gate->lock);
  gate->open = TRUE;
  g_cond_broadcast(&gate->changed);
  g_mutex_unlock(&gate->lock);
}

void
vb_test_gate_wait(VbTestGate *gate, const char *what)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)VB_TEST_WAIT_TIMEOUT_MS * 1000;

  g_mutex_lock(&gate->lock);
  while (!gate->open) {
    if (!g_cond_wait_until(&gate->changed, &gate->lock, deadline)) {
      g_mutex_unlock(&gate->lock);
      g_error("timed out waiting for %s", what);
    }
  }
  g_mutex_unlock(&gate->lock);
}
