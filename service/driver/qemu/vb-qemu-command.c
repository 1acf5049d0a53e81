/* vb-qemu-command.c: the QEMU command line of a domain: the build's shared helpers, the
 * environment, the monitor and the order of everything. The machine-wide options are in
 * vb-qemu-command-machine.c, the qemu namespace in vb-qemu-command-namespace.c, each device
 * family in a vb-qemu-command-*.c of its own.
 *
 * The order of options follows libvirt's, so a user comparing the two finds things in the same
 * place. Building touches nothing on the host (see vb-qemu-command.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "vb-qemu-command-private.h"

/* libvirt shortens the name in per-domain directories to keep socket paths short. */
#define VB_SHORT_NAME_MAX 20

/* A fixed PATH: QEMU and its helpers never see the daemon's own environment. */
#define VB_QEMU_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void
fd_request_free(VbQemuFdRequest *request)
{
  g_free(request->alias);
  g_free(request->bridge);
  g_free(request->ifname);
  g_free(request);
}

void
vb_qemu_command_free(VbQemuCommand *self)
{
  if (self == NULL)
    return;
  g_free(self->binary);
  g_ptr_array_unref(self->env);
  g_ptr_array_unref(self->args);
  g_ptr_array_unref(self->fds);
  g_ptr_array_unref(self->setup);
  g_ptr_array_unref(self->taints);
  g_free(self->monitor_path);
  g_free(self->lib_dir);
  g_free(self->nvram);
  g_free(self->nvram_template);
  g_free(self->run_dir);
  g_free(self);
}

static VbQemuCommand *
command_new(void)
{
  VbQemuCommand *self = g_new0(VbQemuCommand, 1);

  self->env = g_ptr_array_new_with_free_func(g_free);
  self->args = g_ptr_array_new_with_free_func(g_free);
  self->fds = g_ptr_array_new_with_free_func((GDestroyNotify)fd_request_free);
  self->setup = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_monitor_command_free);
  self->taints = g_ptr_array_new_with_free_func(g_free);
  return self;
}

/**
 * vb_domain_short_dir_name:
 *
 * Returns: "domain-<id>-<name>", the name cut to 20 characters (as libvirt does), for the
 *   per-domain directories
 */
char *
vb_domain_short_dir_name(const VbDomainDef *def, gint64 id)
{
  const char *end =
      g_utf8_offset_to_pointer(def->name, MIN(g_utf8_strlen(def->name, -1), VB_SHORT_NAME_MAX));
  g_autofree char *name = g_strndup(def->name, (gsize)(end - def->name));

  return g_strdup_printf("domain-%" G_GINT64_FORMAT "-%s", id, name);
}

gboolean
vb_qemu_build_has(const VbQemuBuild *b, const char *flag)
{
  if (g_hash_table_contains(b->caps_removed, flag))
    return FALSE;
  return g_hash_table_contains(b->caps_added, flag) || vb_qemu_caps_has_flag(b->caps, flag);
}

void
vb_qemu_build_arg(VbQemuBuild *b, const char *option, const char *value)
{
  g_ptr_array_add(b->cmd->args, g_strdup(option));
  if (value != NULL)
    g_ptr_array_add(b->cmd->args, g_strdup(value));
}

void
vb_qemu_build_argf(VbQemuBuild *b, const char *option, const char *format, ...)
{
  va_list args;

  g_ptr_array_add(b->cmd->args, g_strdup(option));
  va_start(args, format);
  g_ptr_array_add(b->cmd->args, g_strdup_vprintf(format, args));
  va_end(args);
}

VbQemuProps *
vb_qemu_device_new(const char *driver, const char *id)
{
  VbQemuProps *props = vb_qemu_props_new();

  vb_qemu_props_add_string(props, "driver", driver);
  if (id != NULL)
    vb_qemu_props_add_string(props, "id", id);
  return props;
}

/* A device's QEMU id: its user alias (ua-…) when it has one, as libvirt does, else the alias
 * virtbus gives it. Controllers keep theirs, since their buses are named after it. */
const char *
vb_qemu_device_id(const VbDeviceInfo *info)
{
  return info->alias != NULL ? info->alias : info->assigned_alias;
}

/* Takes @props. The text is written at the end, once <qemu:override> has been applied. */
void
vb_qemu_build_device(VbQemuBuild *b, VbQemuProps *props)
{
  guint index;

  g_ptr_array_add(b->cmd->args, g_strdup("-device"));
  index = b->cmd->args->len;
  g_ptr_array_add(b->cmd->args, NULL);
  g_ptr_array_add(b->devices, props);
  g_array_append_val(b->device_args, index);
}

/* Sets @error naming where in the definition the problem is: @device (a device of the
 * domain, or NULL for the domain) and the path @below it, as vb_domain_def_path() builds it. */
void
vb_qemu_build_error(const VbQemuBuild *b,
                    GError **error,
                    VbError code,
                    gconstpointer device,
                    const char *below,
                    const char *format,
                    ...)
{
  g_autofree char *path = vb_domain_def_path(b->def, device, below);
  g_autofree char *message = NULL;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, VB_ERROR, code, "%s: %s", path, message);
}

/* Takes @props: a -blockdev, always JSON (QEMU reads nested members no other way). */
void
vb_qemu_build_blockdev(VbQemuBuild *b, VbQemuProps *props)
{
  g_autoptr(VbQemuProps) owned = props;

  g_ptr_array_add(b->cmd->args, g_strdup("-blockdev"));
  g_ptr_array_add(b->cmd->args, vb_qemu_build_json(b, owned));
}

/* @props as JSON text; a value that is not UTF-8 fails the build (at its end), and the text is
 * then an empty placeholder nobody sees. */
char *
vb_qemu_build_json(VbQemuBuild *b, const VbQemuProps *props)
{
  char *text = vb_qemu_props_to_json(props, b->failed == NULL ? &b->failed : NULL);

  return text != NULL ? text : g_strdup("");
}

/* Takes @arguments: a monitor command the launcher runs before 'cont'. @secret names the
 * member of @arguments that must never be shown. */
void
vb_qemu_build_setup(VbQemuBuild *b, const char *execute, VbQemuProps *arguments, const char *secret)
{
  g_autoptr(VbQemuProps) owned = arguments;
  g_autoptr(JsonNode) node = vb_qemu_props_to_node(owned);
  VbQemuMonitorCommand *command = g_new0(VbQemuMonitorCommand, 1);

  command->execute = g_strdup(execute);
  command->arguments = json_node_dup_object(node);
  command->secret = g_strdup(secret);
  g_ptr_array_add(b->cmd->setup, command);
}

void
vb_qemu_monitor_command_free(VbQemuMonitorCommand *self)
{
  if (self == NULL)
    return;
  g_free(self->execute);
  g_clear_pointer(&self->arguments, json_object_unref);
  g_free(self->secret);
  g_free(self);
}

JsonObject *
vb_qemu_monitor_command_to_json(const VbQemuMonitorCommand *self)
{
  JsonObject *command = json_object_new();
  JsonObject *arguments = json_object_new();
  g_autoptr(GList) names = json_object_get_members(self->arguments);

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member(arguments, l->data,
                           json_node_copy(json_object_get_member(self->arguments, l->data)));
  json_object_set_string_member(command, "execute", self->execute);
  json_object_set_object_member(command, "arguments", arguments);
  return command;
}

char *
vb_qemu_monitor_command_to_redacted(const VbQemuMonitorCommand *self)
{
  g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
  JsonObject *command = vb_qemu_monitor_command_to_json(self);

  if (self->secret != NULL)
    json_object_set_string_member(json_object_get_object_member(command, "arguments"), self->secret,
                                  "…");
  json_node_take_object(node, command);
  /* values the build checked, and "…": always valid UTF-8 */
  return json_to_string(node, FALSE);
}

/* An fd the launcher opens, numbered in the order asked for after the monitor's. */
VbQemuFdRequest *
vb_qemu_build_request_fd(VbQemuBuild *b, VbQemuFdKind kind)
{
  VbQemuFdRequest *request = g_new0(VbQemuFdRequest, 1);

  request->kind = kind;
  request->fd = (int)b->next_fd++;
  g_ptr_array_add(b->cmd->fds, request);
  return request;
}

/* Fails unless the emulator has the QOM type @driver, which @what needs. */
gboolean
vb_qemu_build_need_device(const VbQemuBuild *b,
                          const char *driver,
                          const char *what,
                          GError **error)
{
  g_autofree char *flag = g_strconcat("device.", driver, NULL);

  if (vb_qemu_build_has(b, flag))
    return TRUE;
  g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
              "%s needs the QEMU device '%s', which %s does not have", what, driver,
              vb_qemu_caps_get_binary(b->caps));
  return FALSE;
}

/* A UNIX socket in the domain's run directory; fails when the path is too long for one. */
char *
vb_qemu_build_socket_path(VbQemuBuild *b, const char *name, GError **error)
{
  return vb_paths_build_socket_path(b->cmd->run_dir, name, error);
}

void
vb_qemu_build_env(VbQemuBuild *b, const char *name, const char *value)
{
  g_ptr_array_add(b->cmd->env, g_strdup_printf("%s=%s", name, value != NULL ? value : ""));
}

static void
build_env(VbQemuBuild *b)
{
  const char *home = b->cmd->lib_dir;

  vb_qemu_build_env(b, "LC_ALL", "C");
  vb_qemu_build_env(b, "PATH", VB_QEMU_PATH);
  vb_qemu_build_env(b, "HOME", home);
  {
    g_autofree char *data = g_build_filename(home, ".local", "share", NULL);
    g_autofree char *cache = g_build_filename(home, ".cache", NULL);
    g_autofree char *config = g_build_filename(home, ".config", NULL);

    vb_qemu_build_env(b, "XDG_DATA_HOME", data);
    vb_qemu_build_env(b, "XDG_CACHE_HOME", cache);
    vb_qemu_build_env(b, "XDG_CONFIG_HOME", config);
  }
  if (b->def->clock.offset == VB_CLOCK_TIMEZONE)
    vb_qemu_build_env(b, "TZ", b->def->clock.timezone);
  /* before -audiodev (QEMU 4.0) the audio backend came from the environment */
  if (vb_qemu_caps_get_version(b->caps) < VB_QEMU_VERSION(4, 0, 0))
    vb_qemu_build_env(b, "QEMU_AUDIO_DRV", "none");
}

static gboolean
build_monitor(VbQemuBuild *b, GError **error)
{
  VbQemuCommand *cmd = b->cmd;

  cmd->monitor_path = vb_qemu_build_socket_path(b, "monitor.sock", error);
  if (cmd->monitor_path == NULL)
    return FALSE;
  if (b->config->export) {
    g_autoptr(GString) chardev = g_string_new("socket,id=charmonitor,path=");

    vb_qemu_keyval_append(chardev, cmd->monitor_path);
    g_string_append(chardev, ",server=on,wait=off");
    vb_qemu_build_arg(b, "-chardev", chardev->str);
  } else {
    const VbQemuFdRequest *request = vb_qemu_build_request_fd(b, VB_QEMU_FD_MONITOR);

    vb_qemu_build_argf(b, "-chardev", "socket,id=charmonitor,fd=%d,server=on,wait=off",
                       request->fd);
  }
  vb_qemu_build_arg(b, "-mon", "chardev=charmonitor,id=monitor,mode=control");
  return TRUE;
}

static void
build_sandbox(VbQemuBuild *b)
{
  if (vb_qemu_build_has(b, "seccomp-sandbox"))
    vb_qemu_build_arg(b, "-sandbox",
                      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
}

static void
build_clear(VbQemuBuild *b)
{
  g_clear_pointer(&b->caps_added, g_hash_table_unref);
  g_clear_pointer(&b->caps_removed, g_hash_table_unref);
  g_clear_pointer(&b->devices, g_ptr_array_unref);
  g_clear_pointer(&b->device_args, g_array_unref);
  g_clear_pointer(&b->bootindex, g_hash_table_unref);
  g_clear_pointer(&b->audiodev, g_free);
  g_clear_error(&b->failed);
  vb_qemu_pci_clear(b);
}

/* <boot dev='…'> gives the first device of each kind a bootindex, in order. */
static void
assign_bootindex(VbQemuBuild *b)
{
  const VbDomainDef *def = b->def;
  const GArray *devs = def->os.boot_devs;
  gboolean any = FALSE;

  for (guint i = 0; i < def->disks->len && !any; i++)
    any = ((const VbDiskDef *)def->disks->pdata[i])->info.boot_order != 0;
  for (guint i = 0; i < def->nets->len && !any; i++)
    any = ((const VbNetDef *)def->nets->pdata[i])->info.boot_order != 0;
  if (any || def->os.kernel != NULL)
    return;
  for (guint i = 0; i < MAX(devs->len, 1); i++) {
    VbBootDev dev = devs->len > 0 ? g_array_index(devs, VbBootDev, i) : VB_BOOT_HD;
    const VbDeviceInfo *info = NULL;

    if (dev == VB_BOOT_NETWORK) {
      if (def->nets->len > 0)
        info = &((const VbNetDef *)def->nets->pdata[0])->info;
    } else {
      VbDiskDevice want = dev == VB_BOOT_CDROM ? VB_DISK_DEVICE_CDROM
                          : dev == VB_BOOT_FD  ? VB_DISK_DEVICE_FLOPPY
                                               : VB_DISK_DEVICE_DISK;

      for (guint d = 0; d < def->disks->len && info == NULL; d++) {
        const VbDiskDef *disk = def->disks->pdata[d];

        if (disk->device == want)
          info = &disk->info;
      }
    }
    if (info != NULL && !g_hash_table_contains(b->bootindex, info))
      g_hash_table_insert(b->bootindex, (gpointer)info, GUINT_TO_POINTER(i + 1));
  }
}

guint
vb_qemu_build_bootindex(const VbQemuBuild *b, const VbDeviceInfo *info)
{
  if (info->boot_order != 0)
    return (guint)info->boot_order;
  return GPOINTER_TO_UINT(g_hash_table_lookup(b->bootindex, info));
}

static gboolean
build_all(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;
  g_autofree char *uuid = vb_domain_def_get_uuid_string(def);
  g_autoptr(GString) name = g_string_new("guest=");

  if (!vb_qemu_build_caps_changes(b, error) || !vb_qemu_build_accelerator(b, error))
    return FALSE;
  build_env(b);
  assign_bootindex(b);
  vb_qemu_keyval_append(name, def->name);
  g_string_append(name, ",debug-threads=on");
  vb_qemu_build_arg(b, "-name", name->str);
  vb_qemu_build_arg(b, "-S", NULL);
  if (!vb_qemu_build_firmware(b, error))
    return FALSE;
  vb_qemu_build_machine(b);
  if (!vb_qemu_build_cpu(b, error))
    return FALSE;
  if (b->loader_secure && b->loader_pflash)
    vb_qemu_build_arg(b, "-global", "driver=cfi.pflash01,property=secure,value=on");
  vb_qemu_build_memory_and_cpus(b);
  vb_qemu_build_arg(b, "-uuid", uuid);
  if (def->graphics->len == 0)
    vb_qemu_build_arg(b, "-display", "none");
  vb_qemu_build_arg(b, "-no-user-config", NULL);
  vb_qemu_build_arg(b, "-nodefaults", NULL);
  if (!build_monitor(b, error) || !vb_qemu_build_clock(b, error))
    return FALSE;
  vb_qemu_build_arg(b, "-no-shutdown", NULL);
  if (def->on_reboot == VB_LIFECYCLE_DESTROY)
    vb_qemu_build_arg(b, "-no-reboot", NULL);
  vb_qemu_build_boot(b);
  vb_qemu_build_pm(b);
  if (!vb_qemu_build_pit(b, error) || !vb_qemu_pci_prepare(b, error) ||
      !vb_qemu_build_controllers(b, error) || !vb_qemu_build_disks(b, error) ||
      !vb_qemu_build_nets(b, error) || !vb_qemu_build_chardevs(b, error) ||
      !vb_qemu_build_display(b, error) || !vb_qemu_build_small_devices(b, error) ||
      !vb_qemu_build_lifecycle(b, error))
    return FALSE;
  build_sandbox(b);
  vb_qemu_build_compat(b);
  vb_qemu_build_arg(b, "-msg", "timestamp=on");
  vb_qemu_build_namespace_args(b);
  if (!vb_qemu_build_finish_devices(b, error))
    return FALSE;
  if (b->failed != NULL) {
    g_propagate_error(error, g_steal_pointer(&b->failed));
    return FALSE;
  }
  return TRUE;
}

/**
 * vb_qemu_command_build:
 * @def: a definition that passed the parser
 * @config: the emulator (its defaults and caps) and the instance
 *
 * Returns: (transfer full): the command, or %NULL with @error naming the element or value
 *   QEMU cannot be given
 */
VbQemuCommand *
vb_qemu_command_build(const VbDomainDef *def, const VbQemuCommandConfig *config, GError **error)
{
  g_autoptr(VbQemuCommand) cmd = command_new();
  g_autofree char *dir_name = vb_domain_short_dir_name(def, config->id);
  const char *machine = config->defaults->machine;
  VbQemuBuild b = {
      .def = def,
      .config = config,
      .caps = config->defaults->caps,
      .cmd = cmd,
      .q35 = g_str_has_prefix(machine, "pc-q35") || g_str_equal(machine, "q35"),
      .caps_added = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
      .caps_removed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
      .devices = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_props_free),
      .device_args = g_array_new(FALSE, FALSE, sizeof(guint)),
      .bootindex = g_hash_table_new(NULL, NULL),
      .next_fd = VB_QEMU_MONITOR_FD,
  };
  gboolean ok;

  cmd->binary = g_strdup(config->defaults->emulator);
  cmd->lib_dir = g_build_filename(vb_paths_get(config->paths, VB_PATH_STATE_DIR), dir_name, NULL);
  cmd->run_dir = g_build_filename(vb_paths_get(config->paths, VB_PATH_RUN_DIR), dir_name, NULL);
  ok = build_all(&b, error);
  build_clear(&b);
  return ok ? g_steal_pointer(&cmd) : NULL;
}

/**
 * vb_qemu_command_check:
 * @config: as a start would give it; its export and id are not used
 *
 * What a define can know without starting anything: the command build, in its export mode
 * (no fds, nothing created), refuses @def exactly when a start would refuse it, with the same
 * named error. DefineXML runs it so that nothing it accepts fails later for a reason known now.
 */
gboolean
vb_qemu_command_check(const VbDomainDef *def, const VbQemuCommandConfig *config, GError **error)
{
  VbQemuCommandConfig check = *config;
  g_autoptr(VbQemuCommand) cmd = NULL;

  check.export = TRUE;
  check.id = -1;
  cmd = vb_qemu_command_build(def, &check, error);
  return cmd != NULL;
}

GStrv
vb_qemu_command_get_argv(const VbQemuCommand *self)
{
  GStrv argv = g_new0(char *, self->args->len + 2);

  argv[0] = g_strdup(self->binary);
  for (guint i = 0; i < self->args->len; i++)
    argv[i + 1] = g_strdup(self->args->pdata[i]);
  return argv;
}

GStrv
vb_qemu_command_get_envp(const VbQemuCommand *self)
{
  GStrv envp = g_new0(char *, self->env->len + 1);

  for (guint i = 0; i < self->env->len; i++)
    envp[i] = g_strdup(self->env->pdata[i]);
  return envp;
}
