/* vb-qemu-version.h: QEMU's version as one number, shared by the monitor client, the
 * capabilities and the command builder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/* major * 1000000 + minor * 1000 + micro, as libvirt counts. */
#define VB_QEMU_VERSION(major, minor, micro) ((major)*1000000u + (minor)*1000u + (micro))

/* The oldest QEMU virtbus drives (DESIGN.md §5). */
#define VB_QEMU_MIN_VERSION VB_QEMU_VERSION(3, 1, 0)
