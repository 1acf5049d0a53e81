/* vb-test-security.h: what the confinement tests share: a private mount namespace with a
 * throwaway QEMU user, root-owned images, and reading back owners, attributes, /proc and
 * the cgroups.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-test-driver.h"

G_BEGIN_DECLS

/* the throwaway user (and group) QEMU runs as, and a second group it is in */
#define VB_TEST_QEMU_UID 64123
#define VB_TEST_EXTRA_GID 64124
#define VB_TEST_QEMU_CONF "user = \"vbtest-qemu\"\ngroup = \"vbtest-qemu\"\n"

/* Before any thread: this process gets a mount namespace of its own, where /etc/passwd and
 * /etc/group have the throwaway user. When it cannot (not root), every test that asks
 * vb_test_security_skipped() is skipped, saying why. */
void vb_test_security_enter_namespace(void);
gboolean vb_test_security_skipped(void);

/* A line of /proc/PID/status, after its name and the tab. */
char *vb_test_status_line(GPid pid, const char *name);
/* A root-owned 0600 1 MiB raw image @name in @dir below the driver's root. */
char *vb_test_root_image(VbTestDriver *t, const char *dir, const char *name);
void vb_test_assert_owner(const char *path, uid_t uid, gid_t gid);
/* The extended attribute @name of @path, or NULL. */
char *vb_test_xattr(const char *path, const char *name);
/* @xml with @devices added to its <devices> (before the <memballoon> of vb_test_bare_xml()). */
char *vb_test_xml_with_devices(const char *xml, const char *devices);
/* @xml with @elements added at the end of its <domain> (a <seclabel>, say). */
char *vb_test_xml_with_domain_elements(const char *xml, const char *elements);
/* A file disk <disk> on @path as @target, with @extra inside its <source> and after it. */
char *
vb_test_disk_xml(const char *path, const char *target, const char *source_extra, const char *extra);

/* A qcow2 image over a qcow2 base (named relative to it), made by qemu-img in layers/ below the
 * driver's root; and the <disk> of the top one. */
void vb_test_qcow2_layers(VbTestDriver *t, char **base, char **top);
char *vb_test_qcow2_disk_xml(const char *path);

/* The daemon's own cgroup in the v1 devices hierarchy, or NULL without one. */
char *vb_test_own_devices_cgroup(void);
/* The directory of @domain's cgroup in that hierarchy (while it runs: its id is in the name). */
char *vb_test_domain_cgroup_dir(const char *own, VbDomainObj *domain);

G_END_DECLS
