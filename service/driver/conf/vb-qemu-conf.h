/* vb-qemu-conf.h: the typed settings of qemu.conf (qemu.conf(5)).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "vb-domain-def.h"
#include "vb-instance.h"
#include "vb-paths.h"

G_BEGIN_DECLS

/* Largest qemu.conf we read; libvirt's own files are about 40 KiB. */
#define VB_QEMU_CONF_MAX_SIZE (1024 * 1024)

const char *vb_deprecation_behavior_to_string(VbDeprecationBehavior behavior);
gboolean vb_deprecation_behavior_from_string(const char *text, VbDeprecationBehavior *out);

/* Read-only once loaded; every field has its documented default when the file does not set it. */
typedef struct {
  VbInstanceKind instance;
  char *filename; /* (owned): the file read, or that would have been read */
  gboolean file_exists;

  /* Who QEMU runs as. Resolved only for the system instance: the others run QEMU as the
   * calling user, whatever the file says. */
  char *user;  /* (owned) */
  char *group; /* (owned) */
  uid_t uid;
  gid_t gid;
  gboolean dynamic_ownership;
  gboolean remember_owner;

  GStrv security_drivers; /* (owned): empty = use what the host offers; {"none"} = none */
  gboolean security_default_confined;
  gboolean security_require_confined;
  gboolean clear_emulator_capabilities;

  GStrv cgroup_controllers; /* (owned) */
  GStrv cgroup_device_acl;  /* (owned) */

  char *vnc_listen; /* (owned) */
  gboolean vnc_auto_unix_socket;
  guint remote_display_port_min;
  guint remote_display_port_max;
  char *spice_listen; /* (owned) */
  gboolean spice_tls;

  VbDeprecationBehavior deprecation_behavior;
  GStrv emulator_search_path;  /* (owned): extra directories holding emulators */
  GHashTable *network_bridges; /* (owned): libvirt network name → host bridge */
  gboolean log_timestamp;

  /* One line per setting we ignored (unknown key, duplicate, user/group outside the system
   * instance): the caller logs them. */
  GPtrArray *warnings; /* (owned) (element-type utf8) */
} VbQemuConf;

VbQemuConf *vb_qemu_conf_new_default(VbInstanceKind instance);
VbQemuConf *vb_qemu_conf_load(const char *filename, VbInstanceKind instance, GError **error);
/* The qemu.conf of the instance @paths name, its warnings logged (one each). */
VbQemuConf *vb_qemu_conf_load_for(const VbPaths *paths, GError **error);
VbQemuConf *vb_qemu_conf_load_from_data(
    const char *filename, const char *data, gsize length, VbInstanceKind instance, GError **error);
/* Reference-counted and read-only once loaded. */
VbQemuConf *vb_qemu_conf_ref(VbQemuConf *self);
void vb_qemu_conf_unref(VbQemuConf *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuConf, vb_qemu_conf_unref)

const char *vb_qemu_conf_lookup_bridge(const VbQemuConf *self, const char *network);
gboolean vb_qemu_conf_security_disabled(const VbQemuConf *self);

G_END_DECLS
