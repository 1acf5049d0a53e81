/* vb-security-private.h: the parts of the security layer, for its own files and tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vb-security.h"

G_BEGIN_DECLS

/* vb-security-host.c: read once, then never changed (shared by every start) */
struct _VbSecurityHost {
  VbSecModel primary; /* the model that confines QEMU: SELinux, AppArmor or none */
  guint models;       /* 1 << VbSecModel of each model the host has */
  uid_t uid;          /* who QEMU runs as by default: qemu.conf's user, or the caller */
  gid_t gid;
  struct {
    char *kvm;     /* process contexts, from the policy */
    char *tcg;     /* for emulated (type='qemu') domains */
    char *file;    /* an image's, and a shareable image's (with no categories) */
    char *content; /* read-only content: CD-ROMs, kernels, firmware */
  } selinux;
  struct {
    char *parser; /* apparmor_parser */
    char *base;   /* /etc/apparmor.d */
    char *dir;    /* its virtbus/ directory: TEMPLATE.qemu and the domains' profiles */
  } apparmor;
};

/* vb-security-remember.c */
typedef enum {
  VB_REMEMBER_NONE, /* nothing remembered: not ours to give back */
  VB_REMEMBER_KEPT, /* another running domain still uses the file */
  VB_REMEMBER_LAST, /* the last user stopped: give the file back */
} VbRemember;
gboolean vb_remember_take(const char *path, const char *name, const char *current, GError **error);
VbRemember vb_remember_release(const char *path, const char *name, char **first);
void vb_remember_forget(const char *path, const char *name);

/* vb-security-dac.c */
gboolean vb_dac_own(const char *path, uid_t uid, gid_t gid, gboolean remember, GError **error);
void vb_dac_give_back(const char *path, gboolean remember);
gboolean vb_dac_check_reachable(const char *path, const VbSecurityChild *who, GError **error);
gboolean vb_dac_parse_label(const char *label, uid_t *uid, gid_t *gid, GError **error);

/* vb-security-selinux.c */
typedef struct {
  char *path;   /* (owned) */
  char *label;  /* (owned): what QEMU's domain may open it as */
  gboolean own; /* the domain's own (its directories, NVRAM): labelled for good */
} VbSelinuxFile;
GPtrArray *vb_selinux_files_of(const VbSecurityHost *host,
                               const VbQemuConf *conf,
                               const VbDomainDef *def,
                               const char *const *own_dirs,
                               const char *const *own_files);
gboolean vb_selinux_label(const VbSelinuxFile *file, gboolean remember, GError **error);
void vb_selinux_restore(const VbSelinuxFile *file, gboolean remember);

/* vb-security-apparmor.c */
char *vb_apparmor_profile_name(const VbDomainDef *def);
char *vb_apparmor_files_text(const VbDomainDef *def,
                             const char *const *own_dirs,
                             const char *const *own_files,
                             GError **error);
char *vb_apparmor_profile_text(const char *template, const char *name);
gboolean vb_apparmor_load(const VbSecurityHost *host,
                          const VbDomainDef *def,
                          const char *const *own_dirs,
                          const char *const *own_files,
                          GError **error);
void vb_apparmor_unload(const VbSecurityHost *host, const VbDomainDef *def);
void vb_apparmor_remove(const VbSecurityHost *host, const VbDomainDef *def);

/* vb-security-backing.c */
GPtrArray *vb_security_disk_backing(const VbDiskDef *disk);
char *vb_qcow2_parse_backing(const guint8 *data, gsize length, char **format);

/* vb-security.c */
GPtrArray *vb_security_files_of(const VbQemuConf *conf, const VbDomainDef *def);
const VbSeclabelDef *vb_security_find_seclabel(const VbDomainDef *def, VbSecModel model);

G_END_DECLS
