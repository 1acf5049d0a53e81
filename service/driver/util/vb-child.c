/* vb-child.c: giving up between fork and exec, with a line on stderr (the domain's log) that
 * says why. Only write() and _exit(): strerror() and printf() may allocate, and the parent
 * has threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "vb-child.h"

/* @number in decimal into @out (at least 21 bytes); returns its length */
static size_t
format_number(long number, char *out)
{
  char digits[21];
  size_t n = 0, length = 0;
  unsigned long value = number < 0 ? 0UL - (unsigned long)number : (unsigned long)number;

  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < sizeof digits);
  if (number < 0)
    out[length++] = '-';
  while (n > 0)
    out[length++] = digits[--n];
  return length;
}

/**
 * vb_child_write_number:
 * @saved_errno: (out): errno after a failed write, else left alone
 *
 * Writes @number in decimal to @fd (a pid into cgroup.procs, say).
 */
void
vb_child_write_number(int fd, long number, int *saved_errno)
{
  char text[24];
  size_t length = format_number(number, text);

  if (write(fd, text, length) != (ssize_t)length)
    *saved_errno = errno != 0 ? errno : EIO;
}

/**
 * vb_child_fail:
 * @what: the step that failed
 *
 * Says "virtbus: cannot confine QEMU: WHAT (errno N)" on stderr and ends the child.
 */
void
vb_child_fail(const char *what)
{
  static const char prefix[] = "virtbus: cannot confine QEMU: ";
  char line[256];
  size_t n = 0;
  long saved = errno;

  for (size_t i = 0; prefix[i] != '\0' && n < sizeof line - 40; i++)
    line[n++] = prefix[i];
  for (size_t i = 0; what[i] != '\0' && n < sizeof line - 40; i++)
    line[n++] = what[i];
  for (const char *s = " (errno "; *s != '\0'; s++)
    line[n++] = *s;
  n += format_number(saved, line + n);
  line[n++] = ')';
  line[n++] = '\n';
  if (write(STDERR_FILENO, line, n) < 0) {
    /* nothing left to say it with */
  }
  _exit(VB_CHILD_SETUP_FAILED);
}
