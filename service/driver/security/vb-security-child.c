/* vb-security-child.c: step 3 of a start, in the forked child before exec: QEMU's exec label
 * or AppArmor profile, its user and no capabilities.
 *
 * The label comes first, while the child still has the privilege to ask for it: both
 * setexeccon() and aa_change_onexec() only write the process's attr/exec file, which the
 * kernel applies at exec, so QEMU's first instruction already runs confined. (They format the
 * request into a buffer with the C library, which glibc makes safe after fork; libvirt does
 * the same in its child.)
 *
 * Only system calls here, no allocation and no locks (the daemon has threads: after fork
 * only async-signal-safe calls are allowed), so the capability sets are cleared with prctl()
 * and capset() directly rather than through libcap-ng's state. The order matters: the
 * bounding set can only be cut while CAP_SETPCAP is held, and setresuid() to a user other
 * than root clears the permitted and effective sets (no PR_SET_KEEPCAPS) but not the
 * inheritable set, which capset() then clears. Any failure ends the child before QEMU runs
 * one instruction, with a line in the domain's log (its stderr): vb_child_fail().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <selinux/selinux.h>
#include <sys/apparmor.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vb-child.h"
#include "vb-security.h"

/**
 * vb_security_child_setup:
 *
 * Async-signal-safe: runs between fork and exec.
 */
void
vb_security_child_setup(const VbSecurityChild *child)
{
  if (child->exec_label != NULL && setexeccon_raw(child->exec_label) != 0)
    vb_child_fail("setexeccon");
  if (child->profile != NULL && aa_change_onexec(child->profile) != 0)
    vb_child_fail("aa_change_onexec");
  if (child->change_ids) {
    if (setgroups((size_t)child->n_groups, child->groups) != 0)
      vb_child_fail("setgroups");
    if (setresgid(child->gid, child->gid, child->gid) != 0)
      vb_child_fail("setresgid");
  }
  if (child->clear_caps) {
    for (int cap = 0; cap <= child->cap_last; cap++) {
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
        vb_child_fail("dropping the capability bounding set");
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
      vb_child_fail("clearing the ambient capabilities");
  }
  if (child->change_ids && setresuid(child->uid, child->uid, child->uid) != 0)
    vb_child_fail("setresuid");
  if (child->clear_caps) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};

    if (syscall(SYS_capset, &header, data) != 0)
      vb_child_fail("capset");
  }
}
