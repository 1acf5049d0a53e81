/* vb-qemu-command.h: the QEMU command line (argv and environment) that starts a domain.
 *
 * Building is pure: it reads the definition, the emulator's capabilities and the instance's
 * settings and creates nothing, so the same inputs give the same command, and export
 * (domxml-to-native) is the same call. What needs the host (the monitor's listening socket,
 * TAP devices, passwords set over the monitor) is listed in the command for the launcher.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-capabilities.h"
#include "vb-domain-def.h"
#include "vb-paths.h"
#include "vb-qemu-conf.h"

G_BEGIN_DECLS

/* The fd QEMU finds its monitor's listening socket on; further fds follow it. */
#define VB_QEMU_MONITOR_FD 3

typedef struct {
  const VbDomainDefaults *defaults; /* arch, canonical machine, emulator, its caps */
  const VbQemuConf *conf;
  const VbPaths *paths;
  gint64 id;                 /* the domain's id; -1 for export, as libvirt's tests show */
  gboolean kvm_usable;       /* /dev/kvm is usable by the user QEMU runs as */
  gboolean privileged;       /* the daemon runs as root (any instance): it opens TAP devices */
  gboolean export;           /* for domxml-to-native: the monitor as a path QEMU creates */
  gint64 now;                /* seconds since the epoch, for <clock offset='variable'> */
  const GPtrArray *firmware; /* (element-type VbFirmware) (nullable): for <os firmware> */
  /* (nullable): the bridge of the network 'default' when qemu.conf maps none: the host's
   * virbr0 if it has one (vb_host_default_bridge()) */
  const char *default_bridge;
} VbQemuCommandConfig;

typedef enum {
  VB_QEMU_FD_MONITOR,       /* a listening UNIX socket bound at the command's monitor_path */
  VB_QEMU_FD_TAP,           /* a TAP device (named @ifname when set), added to @bridge if set */
  VB_QEMU_FD_BRIDGE_HELPER, /* a TAP device on @bridge made by qemu-bridge-helper */
} VbQemuFdKind;

typedef struct {
  VbQemuFdKind kind;
  int fd;       /* where QEMU expects it */
  char *alias;  /* (owned) (nullable): the device it serves */
  char *bridge; /* (owned) (nullable) */
  char *ifname; /* (owned) (nullable) */
} VbQemuFdRequest;

/* A monitor command the launcher sends before 'cont', kept as data: the launcher sends the
 * real values, and everything that shows it (the log, domxml-to-native) shows it redacted. */
typedef struct {
  char *execute;         /* (owned) */
  JsonObject *arguments; /* (owned) */
  char *secret;          /* (owned) (nullable): the member of @arguments never shown */
} VbQemuMonitorCommand;

void vb_qemu_monitor_command_free(VbQemuMonitorCommand *self);
/* {"execute": …, "arguments": {…}} with the real values, for the monitor. */
JsonObject *vb_qemu_monitor_command_to_json(const VbQemuMonitorCommand *self);
/* The same as compact text, the secret's value replaced by "…", for logs and exports. */
char *vb_qemu_monitor_command_to_redacted(const VbQemuMonitorCommand *self);

typedef struct {
  char *binary;
  GPtrArray *env;     /* (owned) (element-type utf8): NAME=value, in order */
  GPtrArray *args;    /* (owned) (element-type utf8): after the binary */
  GPtrArray *fds;     /* (owned) (element-type VbQemuFdRequest) */
  GPtrArray *setup;   /* (owned) (element-type VbQemuMonitorCommand): run before 'cont' */
  GPtrArray *taints;  /* (owned) (element-type utf8): libvirt's taint names */
  char *monitor_path; /* (owned) */
  char *lib_dir;      /* (owned): the domain's HOME */
  char *run_dir;      /* (owned): the domain's sockets */
  /* (owned) (nullable): the firmware's variable store, which the launcher makes as a copy of
   * @nvram_template (when given) if it does not exist yet */
  char *nvram;
  char *nvram_template;
} VbQemuCommand;

VbQemuCommand *
vb_qemu_command_build(const VbDomainDef *def, const VbQemuCommandConfig *config, GError **error);
gboolean
vb_qemu_command_check(const VbDomainDef *def, const VbQemuCommandConfig *config, GError **error);
void vb_qemu_command_free(VbQemuCommand *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VbQemuCommand, vb_qemu_command_free)

GStrv vb_qemu_command_get_argv(const VbQemuCommand *self);
GStrv vb_qemu_command_get_envp(const VbQemuCommand *self);
char *vb_qemu_command_to_native(const VbQemuCommand *self);
char *vb_qemu_command_to_lines(const VbQemuCommand *self);

char *vb_domain_short_dir_name(const VbDomainDef *def, gint64 id);
const char *vb_qemu_nic_driver(const char *model);
const char *vb_qemu_nic_model(const char *driver);

/* The address QEMU listens on for a display over TCP, or NULL (a UNIX socket, no listener). */
const char *vb_qemu_display_tcp_address(const VbQemuConf *conf, const VbGraphicsDef *g);

G_END_DECLS
