/* vb-shim-lsm.c: LD_PRELOADed into the LSM tests, the libselinux and libapparmor calls
 * virtbus makes, served from a small fake policy and recorded, because SELinux and AppArmor
 * are not enabled on the test machines (libvirt's tests shim the same calls).
 *
 *   VB_SHIM_DIR   the fake policy (virtual_domain_context, virtual_image_context), calls.log
 *                 (one line per call that changes something) and mode, the words:
 *     selinux     SELinux is "enabled"; apparmor: AppArmor is
 *     fail=CALL   that call fails with EACCES (setexeccon, aa_change_onexec);
 *                 fail=setfilecon:PATH fails giving PATH an sVirt (svirt_*) label only
 *
 * A file's label lives in its user.vbshim.selinux attribute (a file without one has
 * system_u:object_r:default_t:s0). The mode file is read at each call, so a test switches
 * between cases by rewriting it (never the environment: the daemon's threads read it while
 * the test runs). Calls made in a forked child (setexeccon, aa_change_onexec)
 * are logged with the child's pid, which is QEMU's after exec. Plain C and system calls only:
 * it also runs between fork and exec.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LABEL_XATTR "user.vbshim.selinux"
#define DEFAULT_LABEL "system_u:object_r:default_t:s0"

struct selabel_handle;

/* the shim's own exports, declared here: it includes neither library's headers */
int is_selinux_enabled(void);
const char *selinux_virtual_domain_context_path(void);
const char *selinux_virtual_image_context_path(void);
int getfilecon_raw(const char *path, char **con);
int setfilecon_raw(const char *path, const char *con);
int setexeccon_raw(const char *con);
struct selabel_handle *selabel_open(unsigned int backend, const void *options, unsigned int n);
int selabel_lookup_raw(struct selabel_handle *handle, char **con, const char *key, int type);
void selabel_close(struct selabel_handle *handle);
int aa_is_enabled(void);
int aa_change_onexec(const char *profile);

/* Whether the mode file has @word, whitespace-delimited. */
static int
mode_has(const char *word)
{
  const char *dir = getenv("VB_SHIM_DIR");
  char path[4096], text[4096];
  size_t length = strlen(word);
  ssize_t n;
  int fd;

  if (dir == NULL || snprintf(path, sizeof path, "%s/mode", dir) >= (int)sizeof path)
    return 0;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0)
    return 0;
  text[n] = '\0';
  for (const char *at = text; (at = strstr(at, word)) != NULL; at += length) {
    if ((at == text || at[-1] == ' ' || at[-1] == '\n') &&
        (at[length] == '\0' || at[length] == ' ' || at[length] == '\n'))
      return 1;
  }
  return 0;
}

static int
on(const char *lsm)
{
  return mode_has(lsm);
}

static int
failing(const char *call)
{
  char word[4200];

  if (snprintf(word, sizeof word, "fail=%s", call) >= (int)sizeof word || !mode_has(word))
    return 0;
  errno = EACCES;
  return 1;
}

/* "PID CALL A [B]" into calls.log */
static void
record(const char *call, const char *a, const char *b)
{
  const char *dir = getenv("VB_SHIM_DIR");
  char path[4096], line[8192];
  int fd, n;

  if (dir == NULL || snprintf(path, sizeof path, "%s/calls.log", dir) >= (int)sizeof path)
    return;
  n = snprintf(line, sizeof line, "%d %s %s%s%s\n", (int)getpid(), call, a, b != NULL ? " " : "",
               b != NULL ? b : "");
  if (n <= 0 || n >= (int)sizeof line)
    return;
  fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  if (write(fd, line, (size_t)n) != n)
    n = 0;
  close(fd);
}

static const char *
policy_file(char *buffer, size_t size, const char *name)
{
  const char *dir = getenv("VB_SHIM_DIR");

  if (dir == NULL || snprintf(buffer, size, "%s/%s", dir, name) >= (int)size)
    return NULL;
  return buffer;
}

int
is_selinux_enabled(void)
{
  return on("selinux");
}

const char *
selinux_virtual_domain_context_path(void)
{
  static __thread char buffer[4096];

  return policy_file(buffer, sizeof buffer, "virtual_domain_context");
}

const char *
selinux_virtual_image_context_path(void)
{
  static __thread char buffer[4096];

  return policy_file(buffer, sizeof buffer, "virtual_image_context");
}

int
getfilecon_raw(const char *path, char **con)
{
  char value[1024];
  ssize_t n = getxattr(path, LABEL_XATTR, value, sizeof value - 1);

  if (n < 0 && errno != ENODATA)
    return -1;
  if (n < 0)
    *con = strdup(DEFAULT_LABEL);
  else {
    value[n] = '\0';
    *con = strdup(value);
  }
  return *con != NULL ? 0 : -1;
}

int
setfilecon_raw(const char *path, const char *con)
{
  char word[4200];

  /* only an sVirt label fails: giving PATH back its own still works (the test checks undo) */
  if (strstr(con, ":svirt_") != NULL &&
      snprintf(word, sizeof word, "setfilecon:%s", path) < (int)sizeof word && failing(word))
    return -1;
  if (setxattr(path, LABEL_XATTR, con, strlen(con), 0) != 0)
    return -1;
  record("setfilecon", path, con);
  return 0;
}

int
setexeccon_raw(const char *con)
{
  if (failing("setexeccon"))
    return -1;
  record("setexeccon", con != NULL ? con : "(null)", NULL);
  return 0;
}

/* the policy's file contexts: one label for every path */
static int handle_dummy;

struct selabel_handle *
selabel_open(unsigned int backend, const void *options, unsigned int n)
{
  return on("selinux") ? (struct selabel_handle *)&handle_dummy : NULL;
}

int
selabel_lookup_raw(struct selabel_handle *handle, char **con, const char *key, int type)
{
  *con = strdup(DEFAULT_LABEL);
  return *con != NULL ? 0 : -1;
}

void
selabel_close(struct selabel_handle *handle)
{
}

int
aa_is_enabled(void)
{
  if (on("apparmor"))
    return 1;
  errno = ENOSYS;
  return 0;
}

int
aa_change_onexec(const char *profile)
{
  if (failing("aa_change_onexec"))
    return -1;
  record("aa_change_onexec", profile, NULL);
  return 0;
}

/* what the tests look up to know the shim is in: without it they would test the host */
int vb_shim_lsm_active(void);

int
vb_shim_lsm_active(void)
{
  return 1;
}
