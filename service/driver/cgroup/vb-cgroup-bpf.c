/* vb-cgroup-bpf.c: the device ACL on the unified (v2) hierarchy, which has no devices
 * controller: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the domain's cgroup, asked by
 * the kernel at each open or mknod of a device node by a process in it. It allows exactly the
 * rules given (the same list cgroup v1's devices.allow gets) and denies everything else.
 *
 * The program, for each rule in turn: the device type must match, then the major and the
 * minor unless the rule has '*', then the access must ask for nothing the rule lacks (read,
 * or read and write; never mknod); a match returns 1 (allow). Past the last rule it returns 0.
 * Written out as instructions here (no compiler, no libbpf): a dozen per rule at most.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vb-cgroup-private.h"
#include "vb-error.h"

/* registers: r1 the context, then what is read from it */
#define R0 0
#define R1 1
#define R_TYPE 2
#define R_ACCESS 3
#define R_MAJOR 4
#define R_MINOR 5
#define R_TMP 6

/* the verifier's own limit is far above; an ACL this long is a configuration error */
#define MAX_RULES 1024
#define VERIFIER_LOG_SIZE 4096

static void
emit(GArray *program, guint8 code, guint8 dst, guint8 src, gint16 off, gint32 imm)
{
  struct bpf_insn insn = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};

  g_array_append_val(program, insn);
}

static void
emit_rule(GArray *program, const VbDeviceRule *rule)
{
  guint32 allowed = BPF_DEVCG_ACC_READ | (rule->write ? BPF_DEVCG_ACC_WRITE : 0);
  /* the block's length, for the jumps past it: type, [major], [minor], mov, and, jne, mov, exit */
  gint16 length = 6 + (rule->major != VB_DEVICE_ANY) + (rule->minor != VB_DEVICE_ANY);
  gint16 at = 0;

  emit(program, BPF_JMP | BPF_JNE | BPF_K, R_TYPE, 0, (gint16)(length - ++at),
       rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  if (rule->major != VB_DEVICE_ANY)
    emit(program, BPF_JMP | BPF_JNE | BPF_K, R_MAJOR, 0, (gint16)(length - ++at),
         (gint32)rule->major);
  if (rule->minor != VB_DEVICE_ANY)
    emit(program, BPF_JMP | BPF_JNE | BPF_K, R_MINOR, 0, (gint16)(length - ++at),
         (gint32)rule->minor);
  emit(program, BPF_ALU64 | BPF_MOV | BPF_X, R_TMP, R_ACCESS, 0, 0);
  emit(program, BPF_ALU | BPF_AND | BPF_K, R_TMP, 0, 0, (gint32)(~allowed & 0xffff));
  at += 2;
  emit(program, BPF_JMP | BPF_JNE | BPF_K, R_TMP, 0, (gint16)(length - ++at), 0);
  emit(program, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 1);
  emit(program, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* Returns: (transfer full) (element-type struct bpf_insn): the program for @rules */
static GArray *
build_program(const GArray *rules)
{
  GArray *program = g_array_new(FALSE, FALSE, sizeof(struct bpf_insn));
  /* the context: access_type (access << 16 | type), major, minor, each 32 bits */
  const gint16 access_type = offsetof(struct bpf_cgroup_dev_ctx, access_type);

  emit(program, BPF_LDX | BPF_W | BPF_MEM, R_TYPE, R1, access_type, 0);
  emit(program, BPF_ALU | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
  emit(program, BPF_LDX | BPF_W | BPF_MEM, R_ACCESS, R1, access_type, 0);
  emit(program, BPF_ALU | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
  emit(program, BPF_LDX | BPF_W | BPF_MEM, R_MAJOR, R1,
       (gint16)offsetof(struct bpf_cgroup_dev_ctx, major), 0);
  emit(program, BPF_LDX | BPF_W | BPF_MEM, R_MINOR, R1,
       (gint16)offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
  for (guint i = 0; i < rules->len; i++)
    emit_rule(program, &g_array_index(rules, VbDeviceRule, i));
  emit(program, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
  emit(program, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  return program;
}

static int
bpf(int cmd, union bpf_attr *attr)
{
  return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

/**
 * vb_cgroup_bpf_attach:
 * @dir: a cgroup of the unified hierarchy
 * @rules: (element-type VbDeviceRule)
 *
 * Loads the program of @rules and attaches it to @dir, where it stays until the cgroup is
 * removed. The error says what the kernel (or its verifier) said.
 */
gboolean
vb_cgroup_bpf_attach(const char *dir, const GArray *rules, GError **error)
{
  g_autoptr(GArray) program = NULL;
  g_autofree char *log = g_malloc0(VERIFIER_LOG_SIZE);
  union bpf_attr load, attach;
  int prog_fd, dir_fd, saved;

  if (rules->len > MAX_RULES) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "the device ACL has %u rules, more than the %d a cgroup's program takes",
                rules->len, MAX_RULES);
    return FALSE;
  }
  program = build_program(rules);
  memset(&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = (guint64)(guintptr)program->data;
  load.insn_cnt = program->len;
  load.license = (guint64)(guintptr) "LGPL-2.1-or-later";
  load.log_buf = (guint64)(guintptr)log;
  load.log_size = VERIFIER_LOG_SIZE;
  load.log_level = 1;
  prog_fd = bpf(BPF_PROG_LOAD, &load);
  if (prog_fd < 0) {
    saved = errno;
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED,
                "cannot load the device ACL program for %s: %s%s%s", dir, g_strerror(saved),
                *log != '\0' ? "; the verifier says: " : "", g_strstrip(log));
    return FALSE;
  }
  dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    saved = errno;
    close(prog_fd);
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot open the cgroup %s: %s", dir,
                g_strerror(saved));
    return FALSE;
  }
  memset(&attach, 0, sizeof attach);
  attach.target_fd = (guint32)dir_fd;
  attach.attach_bpf_fd = (guint32)prog_fd;
  attach.attach_type = BPF_CGROUP_DEVICE;
  if (bpf(BPF_PROG_ATTACH, &attach) != 0) {
    saved = errno;
    close(dir_fd);
    close(prog_fd);
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot attach the device ACL program to %s: %s",
                dir, g_strerror(saved));
    return FALSE;
  }
  /* attached, the program lives as long as the cgroup */
  close(dir_fd);
  close(prog_fd);
  return TRUE;
}
