/* vb-conf-file.h: libvirt's configuration file syntax (qemu.conf and friends), untyped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VB_CONF_STRING,
  VB_CONF_INTEGER,
  VB_CONF_LIST,
} VbConfType;

typedef struct _VbConfValue VbConfValue;
struct _VbConfValue {
  VbConfType type;
  guint line;       /* 1-based, where the value starts */
  guint column;     /* 1-based, in bytes */
  char *string;     /* (nullable) (owned): VB_CONF_STRING, valid UTF-8 */
  gint64 integer;   /* VB_CONF_INTEGER */
  GPtrArray *items; /* (nullable) (owned) (element-type VbConfValue): VB_CONF_LIST */
};

typedef struct {
  char *name; /* (owned) */
  guint line;
  guint column;
  VbConfValue *value; /* (owned) */
} VbConfEntry;

typedef struct _VbConfFile VbConfFile;

VbConfFile *
vb_conf_file_parse(const char *filename, const char *data, gsize length, GError **error);
void vb_conf_file_free(VbConfFile *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbConfFile, vb_conf_file_free)

const char *vb_conf_file_get_filename(const VbConfFile *self);
guint vb_conf_file_get_n_entries(const VbConfFile *self);
const VbConfEntry *vb_conf_file_get_entry(const VbConfFile *self, guint index);
const VbConfEntry *vb_conf_file_lookup(const VbConfFile *self, const char *name);

const char *vb_conf_type_to_string(VbConfType type);
const VbConfValue *vb_conf_entry_get_item(const VbConfEntry *entry, guint index);

void vb_conf_file_set_value_error(const VbConfFile *self,
                                  const VbConfEntry *entry,
                                  const VbConfValue *value,
                                  GError **error,
                                  const char *format,
                                  ...) G_GNUC_PRINTF(5, 6);

gboolean
vb_conf_file_get_string(const VbConfFile *self, const char *name, char **inout, GError **error);
gboolean
vb_conf_file_get_bool(const VbConfFile *self, const char *name, gboolean *inout, GError **error);
gboolean vb_conf_file_get_int(const VbConfFile *self,
                              const char *name,
                              gint64 min,
                              gint64 max,
                              gint64 *inout,
                              GError **error);
gboolean vb_conf_file_get_string_list(const VbConfFile *self,
                                      const char *name,
                                      gboolean allow_single_string,
                                      GStrv *inout,
                                      GError **error);

G_END_DECLS
