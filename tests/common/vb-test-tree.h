/* vb-test-tree.h: scratch directories for tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void vb_test_remove_tree(const char *path);

G_END_DECLS
