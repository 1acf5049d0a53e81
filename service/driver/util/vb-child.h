/* vb-child.h: what code between fork and exec may use to give up: async-signal-safe only.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The child's exit status when it stopped before exec. */
#define VB_CHILD_SETUP_FAILED 125

void vb_child_fail(const char *what) G_GNUC_NORETURN;
void vb_child_write_number(int fd, long number, int *saved_errno);

G_END_DECLS
