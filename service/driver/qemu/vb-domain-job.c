/* vb-domain-job.c: the per-domain job queue (DESIGN.md §2). Every operation on a domain is a
 * job; a domain runs one job at a time, in the order they were asked for, and different
 * domains run theirs side by side. A destroy goes to the head of the queue and cancels the
 * waits of the job that runs (a start waiting for a greeting, a shutdown waiting for the
 * guest), so that it never waits behind a stuck job.
 *
 * A job is the GTask of the operation: it is over when the task has returned its result.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-driver-private.h"

struct _VbJob {
  GTask *task; /* (owned) */
  VbJobFunc func;
  GCancellable *cancellable; /* (owned): what the job's waits use */
  gulong caller_handler;     /* on the caller's cancellable, which cancels ours */
  gulong completed_handler;
};

static void
on_caller_cancelled(GCancellable *caller, gpointer user_data)
{
  g_cancellable_cancel(G_CANCELLABLE(user_data));
}

static void
job_free(VbJob *job)
{
  GCancellable *caller = g_task_get_cancellable(job->task);

  if (caller != NULL && job->caller_handler != 0)
    g_cancellable_disconnect(caller, job->caller_handler);
  if (job->completed_handler != 0)
    g_signal_handler_disconnect(job->task, job->completed_handler);
  g_object_unref(job->cancellable);
  g_object_unref(job->task);
  g_free(job);
}

static void run_next(VbDomainObj *self);

static void
on_job_completed(GObject *task, GParamSpec *pspec, gpointer user_data)
{
  VbDomainObj *self = VB_DOMAIN_OBJ(user_data);
  VbJob *job = self->job;

  g_return_if_fail(job != NULL && G_OBJECT(job->task) == task);
  self->job = NULL;
  job_free(job);
  run_next(self);
  g_object_unref(self);
}

static void
run_next(VbDomainObj *self)
{
  while (self->job == NULL && !g_queue_is_empty(&self->jobs)) {
    VbJob *job = g_queue_pop_head(&self->jobs);

    /* a caller that gave up while its job waited gets its answer now, and nothing runs */
    if (g_cancellable_is_cancelled(job->cancellable)) {
      g_task_return_new_error(job->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              "the operation was cancelled before it ran");
      job_free(job);
      continue;
    }
    self->job = job;
    job->completed_handler = g_signal_connect(job->task, "notify::completed",
                                              G_CALLBACK(on_job_completed), g_object_ref(self));
    job->func(self, job->task);
  }
}

/**
 * vb_domain_job_enqueue:
 * @task: the operation, whose source object is the driver and whose result ends the job
 * @func: what runs the job, once it is the domain's turn
 * @first: a destroy: goes first and cancels the waits of the running job
 */
void
vb_domain_job_enqueue(VbDomainObj *self, GTask *task, VbJobFunc func, gboolean first)
{
  VbJob *job = g_new0(VbJob, 1);
  GCancellable *caller = g_task_get_cancellable(task);

  job->task = g_object_ref(task);
  job->func = func;
  job->cancellable = g_cancellable_new();
  if (caller != NULL)
    job->caller_handler = g_cancellable_connect(caller, G_CALLBACK(on_caller_cancelled),
                                                g_object_ref(job->cancellable), g_object_unref);
  if (first) {
    if (self->job != NULL) {
      /* the job that runs ends early; the destroy then finds what that job left */
      g_object_set_data(G_OBJECT(task), "vb-preempted", GINT_TO_POINTER(TRUE));
      g_cancellable_cancel(self->job->cancellable);
    }
    g_queue_push_head(&self->jobs, job);
  } else {
    g_queue_push_tail(&self->jobs, job);
  }
  run_next(self);
}

/* (transfer none): what the running job's waits are cancelled by */
GCancellable *
vb_domain_job_get_cancellable(VbDomainObj *self)
{
  g_return_val_if_fail(self->job != NULL, NULL);
  return self->job->cancellable;
}
