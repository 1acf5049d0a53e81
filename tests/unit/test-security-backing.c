/* test-security-backing.c: the backing chain of a qcow2 image that QEMU is given with it, read
 * from images qemu-img makes: relative and absolute names, a raw base, a loop, a protocol
 * backing, a backing with no format (given, never read), and a raw disk whose data looks like
 * a qcow2 header (never read: a guest could point it at any host file).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "vb-security-private.h"
#include "vb-test-tree.h"

static char *dir; /* (owned): the images */

static char *
image_path(const char *name)
{
  return g_build_filename(dir, name, NULL);
}

/* qemu-img create with @args; the test is skipped without qemu-img. */
static void
qemu_img(const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autofree char *err = NULL;
  int status = -1;

  g_ptr_array_add(argv, (char *)"qemu-img");
  g_ptr_array_add(argv, (char *)"create");
  g_ptr_array_add(argv, (char *)"-q");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add(argv, (char *)args[i]);
  g_ptr_array_add(argv, NULL);
  if (!g_spawn_sync(dir, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                    &status, NULL) ||
      !g_spawn_check_wait_status(status, NULL))
    g_error("qemu-img create failed: %s", err != NULL ? err : "(not run)");
}

static VbDiskDef *
disk(const char *name, const char *format)
{
  VbDiskDef *d = g_new0(VbDiskDef, 1);

  d->type = VB_DISK_TYPE_FILE;
  d->source = image_path(name);
  d->driver_format = VB_ABSENT;
  for (guint i = 0; vb_disk_format_names[i] != NULL; i++)
    if (g_str_equal(vb_disk_format_names[i], format))
      d->driver_format = (gint)i;
  g_assert_cmpint(d->driver_format, !=, VB_ABSENT);
  d->seclabels = g_ptr_array_new();
  return d;
}

static void
disk_free(VbDiskDef *d)
{
  g_free(d->source);
  g_ptr_array_unref(d->seclabels);
  g_free(d);
}

/* @disk's chain is exactly @expected (names in dir, NULL-terminated). */
static void
assert_chain(const char *name, const char *format, const char *const *expected)
{
  VbDiskDef *d = disk(name, format);
  g_autoptr(GPtrArray) chain = vb_security_disk_backing(d);
  guint n = g_strv_length((char **)expected);

  for (guint i = 0; i < MIN(n, chain->len); i++) {
    g_autofree char *want = image_path(expected[i]);

    g_assert_cmpstr(chain->pdata[i], ==, want);
  }
  if (chain->len != n)
    g_error("the chain of %s has %u files, not %u", name, chain->len, n);
  disk_free(d);
}

/* The backing format extension of @name made unknown: an image that does not say its
 * backing file's format. */
static void
forget_backing_format(const char *name)
{
  g_autofree char *path = image_path(name);
  g_autofree char *data = NULL;
  gsize length = 0;
  static const guint8 type[] = {0xe2, 0x79, 0x2a, 0xca};
  char *at;

  g_assert_true(g_file_get_contents(path, &data, &length, NULL));
  at = memmem(data, MIN(length, 65536), type, sizeof type);
  g_assert_nonnull(at);
  memset(at, 0x11, sizeof type);
  g_assert_true(g_file_set_contents(path, data, (gssize)length, NULL));
}

static void
test_chain(void)
{
  g_autofree char *absolute_mid = image_path("mid.qcow2");

  qemu_img((const char *[]){"-f", "raw", "base.raw", "1M", NULL});
  qemu_img((const char *[]){"-f", "qcow2", "-b", "base.raw", "-F", "raw", "mid.qcow2", NULL});
  qemu_img((const char *[]){"-f", "qcow2", "-b", absolute_mid, "-F", "qcow2", "top.qcow2", NULL});
  assert_chain("top.qcow2", "qcow2", (const char *[]){"mid.qcow2", "base.raw", NULL});
  assert_chain("mid.qcow2", "qcow2", (const char *[]){"base.raw", NULL});
  assert_chain("base.raw", "raw", (const char *[]){NULL});
  /* the same image declared raw: its header is the guest's data, not read */
  assert_chain("top.qcow2", "raw", (const char *[]){NULL});
}

static void
test_odd_chains(void)
{
  /* a loop ends where it loops */
  qemu_img(
      (const char *[]){"-f", "qcow2", "-u", "-b", "b.qcow2", "-F", "qcow2", "a.qcow2", "1M", NULL});
  qemu_img(
      (const char *[]){"-f", "qcow2", "-u", "-b", "a.qcow2", "-F", "qcow2", "b.qcow2", "1M", NULL});
  assert_chain("a.qcow2", "qcow2", (const char *[]){"b.qcow2", NULL});
  /* a protocol backing is nothing local */
  qemu_img((const char *[]){"-f", "qcow2", "-u", "-b", "nbd://localhost:10809/x", "-F", "raw",
                            "proto.qcow2", "1M", NULL});
  assert_chain("proto.qcow2", "qcow2", (const char *[]){NULL});
  /* a backing with no format given: handed over, never read (it names yet another) */
  qemu_img((const char *[]){"-f", "qcow2", "-u", "-b", "further.raw", "-F", "raw", "said.qcow2",
                            "1M", NULL});
  qemu_img((const char *[]){"-f", "qcow2", "-u", "-b", "said.qcow2", "-F", "qcow2", "unsaid.qcow2",
                            "1M", NULL});
  assert_chain("unsaid.qcow2", "qcow2", (const char *[]){"said.qcow2", "further.raw", NULL});
  forget_backing_format("unsaid.qcow2");
  assert_chain("unsaid.qcow2", "qcow2", (const char *[]){"said.qcow2", NULL});
  /* an image that is not qcow2 at all, or is missing */
  assert_chain("missing.qcow2", "qcow2", (const char *[]){NULL});
}

int
main(int argc, char **argv)
{
  g_autofree char *qemu_img_path = g_find_program_in_path("qemu-img");
  int status;

  g_test_init(&argc, &argv, NULL);
  dir = g_dir_make_tmp("vb-backing-XXXXXX", NULL);
  g_assert_nonnull(dir);
  if (qemu_img_path != NULL) {
    g_test_add_func("/security-backing/chain", test_chain);
    g_test_add_func("/security-backing/odd-chains", test_odd_chains);
  } else {
    g_test_message("qemu-img is not installed (Debian's qemu-utils): no images to read");
  }
  status = g_test_run();
  vb_test_remove_tree(dir);
  g_free(dir);
  return status;
}
