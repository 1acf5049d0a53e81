/* vb-security-backing.c: the backing files of a qcow2 image, which QEMU opens read-only below
 * it, so that they are given to QEMU's user and labelled as the image is (libvirt does the
 * same for the whole chain). Read from the images' own headers, as QEMU reads them: a backing
 * name relative to the image that names it, a chain of at most MAX_DEPTH, each file once (a
 * chain that loops ends where it loops). A backing "file" that is not one (nbd://…, json:…)
 * ends the chain: there is nothing local to give.
 *
 * Only a header of an image known to be qcow2 is read: the domain's disk with format qcow2, a
 * backing file whose image names its format qcow2 (the backing format extension). A header
 * inside an image of another or unknown format is the guest's data, and following it could
 * hand any file of the host to QEMU (libvirt's format probing problem): such a backing file is
 * given, and not read.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vb-security-private.h"

#define MAX_DEPTH 32
/* the qcow2 specification's own limit on a backing file name */
#define MAX_BACKING_NAME 1023
#define QCOW2_MAGIC "QFI\xfb"
/* what is read of an image: its header, extensions and backing name, which the format keeps in
 * the first cluster; a name past the first 64 KiB (a cluster size above it, and a writer that
 * put it there) is not seen, and QEMU's own open of it then fails on its permissions */
#define HEADER_READ 65536
#define V2_HEADER_LENGTH 72
#define EXT_END 0
#define EXT_BACKING_FORMAT 0xe2792acaU

static guint64
be64(const guint8 *p)
{
  guint64 value = 0;

  for (guint i = 0; i < 8; i++)
    value = value << 8 | p[i];
  return value;
}

static guint32
be32(const guint8 *p)
{
  return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

/* The backing format the header extensions of @header (@length bytes read) name, or NULL. */
static char *
backing_format(const guint8 *header, gsize length)
{
  guint32 version = be32(header + 4);
  gsize at = version >= 3 && length >= 104 ? be32(header + 100) : V2_HEADER_LENGTH;

  while (at + 8 <= length) {
    guint32 type = be32(header + at), size = be32(header + at + 4);

    if (type == EXT_END || size > length - at - 8)
      return NULL;
    if (type == EXT_BACKING_FORMAT && size > 0 && size < 32)
      return g_strndup((const char *)header + at + 8, size);
    at += 8 + ((size + 7) & ~7u);
  }
  return NULL;
}

/**
 * vb_qcow2_parse_backing:
 * @data: the start of a qcow2 image: its header, extensions and backing name (all within its
 *   first cluster, as the format requires; what lies past @length is not looked at)
 * @format: (out) (transfer full) (nullable): the backing file's format, when the image says it
 *
 * Hostile data: every offset and size is checked against @length.
 *
 * Returns: (transfer full) (nullable): the backing file name as the image gives it; NULL when
 *   @data is not a qcow2 header, names none, or names something other than a local file
 */
char *
vb_qcow2_parse_backing(const guint8 *data, gsize length, char **format)
{
  guint64 offset;
  guint32 size;
  char *name;

  *format = NULL;
  if (length < V2_HEADER_LENGTH || memcmp(data, QCOW2_MAGIC, 4) != 0)
    return NULL;
  offset = be64(data + 8);
  size = be32(data + 16);
  if (offset == 0 || size == 0 || size > MAX_BACKING_NAME || offset > length ||
      size > length - offset)
    return NULL;
  name = g_strndup((const char *)data + offset, size);
  if (strlen(name) != size || strstr(name, "://") != NULL || g_str_has_prefix(name, "json:")) {
    g_free(name);
    return NULL;
  }
  *format = backing_format(data, length);
  return name;
}

/* The backing file named in @path's qcow2 header, as an absolute path, and its format. */
static char *
backing_of(const char *path, char **format)
{
  g_autofree guint8 *header = g_malloc(HEADER_READ);
  g_autofree char *name = NULL;
  g_autofree char *dir = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  ssize_t length = fd >= 0 ? pread(fd, header, HEADER_READ, 0) : -1;

  if (fd >= 0)
    close(fd);
  *format = NULL;
  if (length <= 0 || (name = vb_qcow2_parse_backing(header, (gsize)length, format)) == NULL)
    return NULL;
  if (g_path_is_absolute(name))
    return g_canonicalize_filename(name, NULL);
  dir = g_path_get_dirname(path);
  return g_canonicalize_filename(name, dir);
}

static void
add_chain(GPtrArray *files, const char *path)
{
  g_autofree char *current = g_strdup(path);

  for (guint depth = 0; depth < MAX_DEPTH; depth++) {
    g_autofree char *format = NULL;
    char *next = backing_of(current, &format);
    gboolean seen = next == NULL || g_str_equal(next, path);

    for (guint i = 0; !seen && i < files->len; i++)
      seen = g_str_equal(files->pdata[i], next);
    if (seen) {
      g_free(next);
      return;
    }
    g_ptr_array_add(files, g_strdup(next));
    g_free(current);
    current = next;
    if (g_strcmp0(format, "qcow2") != 0)
      return; /* raw, or not said: given, never read */
  }
}

/**
 * vb_security_disk_backing:
 *
 * Blocking (reads the images' headers): for workers.
 *
 * Returns: (transfer full) (element-type filename): the backing files of @disk's image,
 *   nearest first; none unless the disk is a local qcow2 image
 */
GPtrArray *
vb_security_disk_backing(const VbDiskDef *disk)
{
  GPtrArray *files = g_ptr_array_new_with_free_func(g_free);

  if ((disk->type == VB_DISK_TYPE_FILE || disk->type == VB_DISK_TYPE_BLOCK) &&
      disk->source != NULL && disk->driver_format != VB_ABSENT &&
      g_str_equal(vb_disk_format_names[disk->driver_format], "qcow2"))
    add_chain(files, disk->source);
  return files;
}
