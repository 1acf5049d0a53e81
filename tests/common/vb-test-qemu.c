/* vb-test-qemu.c: real QEMU, paused, running a command virtbus built.
 *
 * The tests adapt a definition to this host first (vb_test_adapt_def): TCG instead of KVM
 * (with the CPU QEMU's "max" for host-passthrough, and no Hyper-V vpindex, which needs KVM),
 * small images made with qemu-img instead of the disks it names, user networking instead of
 * TAP devices (which need a bridge and privileges), free ports on qemu.conf's listen address
 * for displays, files and sockets in a scratch directory (QEMU listening on the sockets, as
 * nothing else is there). Everything else
 * reaches QEMU as built.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vb-domain-prepare.h"
#include "vb-error.h"
#include "vb-firmware.h"
#include "vb-qemu-probe.h"
#include "vb-security.h"
#include "vb-test-qemu.h"
#include "vb-test-wait.h"

#define START_TIMEOUT_MS 30000
#define COMMAND_TIMEOUT_MS 30000
#define EXIT_TIMEOUT_MS 5000

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref(result);
}

/* Runs the default main context until *@result is set, or @timeout_ms pass (the callers act
 * on a timeout themselves: kill QEMU, report the error). */
static gboolean
wait_for(GAsyncResult **result, guint timeout_ms)
{
  VbTestWait wait;

  vb_test_wait_begin(&wait, NULL, timeout_ms, "QEMU");
  while (*result == NULL) {
    if (!vb_test_wait_try(&wait, NULL))
      break;
  }
  vb_test_wait_end(&wait);
  return *result != NULL;
}

VbQemuCaps *
vb_test_qemu_probe(GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vb_qemu_probe_async(VB_TEST_QEMU, NULL, on_result, &result);
  wait_for(&result, START_TIMEOUT_MS * 2);
  if (result == NULL) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_TIMEOUT, "the probe did not finish");
    return NULL;
  }
  return vb_qemu_probe_finish(result, error);
}

static gboolean
make_image(const char *path, const char *format, const char *size, GError **error)
{
  const char *argv[] = {"qemu-img", "create", "-q", "-f", format, path, size, NULL};
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                    NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, error)) {
    g_prefix_error(error, "qemu-img: %s: ", err);
    return FALSE;
  }
  return TRUE;
}

static gint64
free_tcp_port(void)
{
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof addr;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gint64 port = -1;

  if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
      getsockname(fd, (struct sockaddr *)&addr, &length) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0)
    close(fd);
  return port;
}

static void
move_path(char **path, const char *dir, const char *name)
{
  if (*path == NULL)
    return;
  g_free(*path);
  *path = g_build_filename(dir, name, NULL);
}

/**
 * vb_test_adapt_def:
 * @dir: a scratch directory for images and files
 *
 * Rewrites @def for this host as the file comment says.
 */
gboolean
vb_test_adapt_def(VbDomainDef *def, const char *dir, GError **error)
{
  if (def->virt_type == VB_VIRT_KVM) {
    def->virt_type = VB_VIRT_QEMU;
    /* the one enlightenment QEMU refuses under TCG */
    def->features.hyperv_state[VB_HYPERV_VPINDEX] = VB_ABSENT;
  }
  /* host-model is expanded from the probe, TCG's CPU here; host-passthrough needs KVM */
  if (def->cpu != NULL && def->cpu->mode == VB_CPU_MODE_HOST_PASSTHROUGH)
    def->cpu->mode = VB_CPU_MODE_MAXIMUM;
  g_clear_pointer(&def->emulator, g_free);
  def->emulator = g_strdup(VB_TEST_QEMU);
  /* direct kernel boot needs a kernel QEMU can load; the argv golden files cover it */
  g_clear_pointer(&def->os.kernel, g_free);
  g_clear_pointer(&def->os.initrd, g_free);
  g_clear_pointer(&def->os.cmdline, g_free);
  for (guint i = 0; i < def->disks->len; i++) {
    VbDiskDef *disk = def->disks->pdata[i];
    const char *format =
        disk->driver_format == VB_ABSENT ? "raw" : vb_disk_format_names[disk->driver_format];
    g_autofree char *name = g_strdup_printf("disk%u.%s", i, format);

    if (disk->source == NULL)
      continue;
    disk->type = VB_DISK_TYPE_FILE;
    move_path(&disk->source, dir, name);
    if (!make_image(disk->source, format, "16M", error))
      return FALSE;
  }
  for (guint i = 0; i < def->nets->len; i++) {
    VbNetDef *net = def->nets->pdata[i];

    net->type = VB_NET_USER;
    g_clear_pointer(&net->source, g_free);
    g_clear_pointer(&net->target_dev, g_free);
  }
  for (guint i = 0; i < def->graphics->len; i++) {
    VbGraphicsDef *g = def->graphics->pdata[i];

    if (g->port == 0 || g->type == VB_GRAPHICS_VNC)
      g->port = free_tcp_port();
    g->tls_port = 0;
    /* the addresses a domain listens on may not exist here: qemu.conf's default does */
    for (guint l = 0; l < g->listens->len; l++)
      g_clear_pointer(&((VbGraphicsListen *)g->listens->pdata[l])->address, g_free);
  }
  for (guint i = 0; i < def->serials->len; i++) {
    VbSerialDef *serial = def->serials->pdata[i];
    g_autofree char *name = g_strdup_printf("serial%u", i);

    move_path(&serial->source.path, dir, name);
    if (serial->source.type == VB_CHR_UNIX)
      serial->source.unix_mode = 0;
  }
  for (guint i = 0; i < def->channels->len; i++) {
    VbChannelDef *channel = def->channels->pdata[i];
    g_autofree char *name = g_strdup_printf("channel%u", i);

    move_path(&channel->source.path, dir, name);
    /* nothing listens on the other end here: QEMU listens instead */
    if (channel->source.type == VB_CHR_UNIX)
      channel->source.unix_mode = 0;
  }
  for (guint i = 0; i < def->rngs->len; i++)
    g_clear_pointer(&((VbRngDef *)def->rngs->pdata[i])->backend, g_free);
  return TRUE;
}

/**
 * vb_test_load_firmware_fixtures:
 *
 * Returns: (transfer full) (element-type VbFirmware): the descriptors in
 *   tests/data/qemu-firmware/, which the golden argv files are built against
 */
GPtrArray *
vb_test_load_firmware_fixtures(void)
{
  g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "data", "qemu-firmware", NULL);
  const char *const dirs[] = {dir, NULL};
  g_autoptr(GError) error = NULL;
  GPtrArray *firmware = vb_firmware_load(dirs, &error);

  g_assert_no_error(error);
  return firmware;
}

/**
 * vb_test_build_command:
 * @root: the embedded instance's root
 *
 * Builds @def as a start would, for QEMU under TCG.
 */
/* The instance a test builds for: an embedded root, default settings, the host's firmware
 * descriptors (the ovmf package), as a start would read them. */
typedef struct {
  VbPaths *paths;
  VbQemuConf *conf;
  GPtrArray *firmware;
  VbDomainDefaults *defaults;
} TestInstance;

static void
test_instance_clear(TestInstance *instance)
{
  g_clear_pointer(&instance->paths, vb_paths_unref);
  g_clear_pointer(&instance->conf, vb_qemu_conf_unref);
  g_clear_pointer(&instance->firmware, g_ptr_array_unref);
  g_clear_pointer(&instance->defaults, vb_domain_defaults_free);
}

static gboolean
test_instance_init(TestInstance *instance,
                   VbQemuCommandConfig *config,
                   const VbDomainDef *def,
                   VbQemuCaps *caps,
                   const char *root,
                   GError **error)
{
  g_auto(GStrv) firmware_dirs = vb_firmware_search_dirs(VB_INSTANCE_EMBED);

  instance->conf = vb_qemu_conf_new_default(VB_INSTANCE_EMBED);
  if ((instance->paths = vb_paths_new_embed(root, error)) == NULL ||
      (instance->firmware = vb_firmware_load((const char *const *)firmware_dirs, error)) == NULL ||
      (instance->defaults = vb_domain_defaults_new(caps, VB_TEST_QEMU, def->os.arch, TRUE,
                                                   def->os.machine, error)) == NULL)
    return FALSE;
  *config = (VbQemuCommandConfig){
      .conf = instance->conf,
      .paths = instance->paths,
      .defaults = instance->defaults,
      .firmware = instance->firmware,
      .id = 1,
      .now = g_get_real_time() / G_USEC_PER_SEC,
  };
  return TRUE;
}

/**
 * vb_test_build_command:
 * @root: the embedded instance's root
 *
 * Builds @def as a start would, for QEMU under TCG.
 */
VbQemuCommand *
vb_test_build_command(VbDomainDef *def, VbQemuCaps *caps, const char *root, GError **error)
{
  TestInstance instance = {0};
  VbQemuCommandConfig config;
  VbQemuCommand *cmd = NULL;

  if (test_instance_init(&instance, &config, def, caps, root, error) &&
      vb_domain_prepare_start(def, config.defaults, error))
    cmd = vb_qemu_command_build(def, &config, error);
  test_instance_clear(&instance);
  return cmd;
}

/**
 * vb_test_check_def:
 *
 * What a define does (addresses fixed, vb_qemu_command_check()) on a host with KVM: libvirt's
 * corpus is written for one, and vb_test_adapt_def() turns it into TCG only to start it here.
 */
gboolean
vb_test_check_def(VbDomainDef *def, VbQemuCaps *caps, GError **error)
{
  TestInstance instance = {0};
  VbQemuCommandConfig config;
  gboolean ok = FALSE;

  if (test_instance_init(&instance, &config, def, caps, "/virtbus-check", error)) {
    config.kvm_usable = TRUE;
    /* as a define on a host where nothing confines QEMU: the <seclabel> model filled in,
     * the addresses fixed, then the command checked */
    vb_security_fill_default_model(NULL, def);
    ok = vb_domain_prepare_define(def, config.defaults, error) &&
         vb_qemu_command_check(def, &config, error);
  }
  test_instance_clear(&instance);
  return ok;
}

static void
die_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static int
listen_unix(const char *path, GError **error)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_strlcpy(addr.sun_path, path, sizeof addr.sun_path);
  g_unlink(path);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 1) != 0) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot listen on %s: %s", path,
                g_strerror(saved));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

/* The firmware's variable store: a copy of its template, made once (the launcher's part). */
static gboolean
make_nvram(const VbQemuCommand *cmd, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(cmd->nvram);
  g_autofree char *text = NULL;
  gsize length = 0;

  if (g_file_test(cmd->nvram, G_FILE_TEST_EXISTS) || cmd->nvram_template == NULL)
    return TRUE;
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot make %s", dir);
    return FALSE;
  }
  return g_file_get_contents(cmd->nvram_template, &text, &length, error) &&
         g_file_set_contents_full(cmd->nvram, text, (gssize)length, G_FILE_SET_CONTENTS_CONSISTENT,
                                  0600, error);
}

static char *
read_log(const VbTestQemu *self)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents(self->log, &text, NULL, NULL))
    return g_strdup("(no log)");
  /* one line, so that a TAP report shows all of it */
  g_strdelimit(text, "\n", ';');
  return g_strstrip(g_steal_pointer(&text));
}

/**
 * vb_test_qemu_start:
 *
 * Makes the domain's directories and monitor socket (the launcher's part), spawns QEMU with
 * the command's argv and environment and negotiates the monitor.
 */
VbTestQemu *
vb_test_qemu_start(const VbQemuCommand *cmd, GError **error)
{
  g_autoptr(VbTestQemu) self = g_new0(VbTestQemu, 1);
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_auto(GStrv) argv = vb_qemu_command_get_argv(cmd);
  g_auto(GStrv) envp = vb_qemu_command_get_envp(cmd);
  g_autoptr(GAsyncResult) result = NULL;
  int fd;

  for (guint i = 0; i < cmd->fds->len; i++) {
    const VbQemuFdRequest *request = cmd->fds->pdata[i];

    if (request->kind != VB_QEMU_FD_MONITOR) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "the test cannot provide fd %d (TAP for %s)", request->fd, request->alias);
      return NULL;
    }
  }
  if (g_mkdir_with_parents(cmd->run_dir, 0700) != 0 ||
      g_mkdir_with_parents(cmd->lib_dir, 0700) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot make %s", cmd->run_dir);
    return NULL;
  }
  if (cmd->nvram != NULL && !make_nvram(cmd, error))
    return NULL;
  self->log = g_build_filename(cmd->run_dir, "qemu.log", NULL);
  fd = listen_unix(cmd->monitor_path, error);
  if (fd < 0)
    return NULL;
  g_subprocess_launcher_take_fd(launcher, fd, VB_QEMU_MONITOR_FD);
  g_subprocess_launcher_set_environ(launcher, envp);
  g_subprocess_launcher_set_stdout_file_path(launcher, self->log);
  g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
  self->process = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv, error);
  /* the parent's copy of the listening socket goes with the launcher, so a QEMU that dies
   * leaves our connection refused instead of pending */
  g_clear_object(&launcher);
  if (self->process == NULL)
    return NULL;
  self->qmp = vb_qmp_new_for_path(cmd->monitor_path, NULL, error);
  if (self->qmp == NULL)
    return NULL;
  vb_qmp_handshake_async(self->qmp, NULL, on_result, &result);
  if (!wait_for(&result, START_TIMEOUT_MS) || !vb_qmp_handshake_finish(self->qmp, result, error)) {
    g_autofree char *log = NULL;
    g_autoptr(GAsyncResult) exited = NULL;

    if (result == NULL)
      g_set_error_literal(error, VB_ERROR, VB_ERROR_TIMEOUT, "no QMP greeting");
    /* let a dying QEMU finish its message */
    g_subprocess_wait_async(self->process, NULL, on_result, &exited);
    wait_for(&exited, EXIT_TIMEOUT_MS);
    log = read_log(self);
    g_prefix_error(error, "QEMU did not start (%s): ", log);
    return NULL;
  }
  return g_steal_pointer(&self);
}

JsonNode *
vb_test_qemu_execute(VbTestQemu *self, const char *command, JsonObject *args, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vb_qmp_execute_async(self->qmp, command, args, NULL, 0, COMMAND_TIMEOUT_MS, NULL, on_result,
                       &result);
  wait_for(&result, COMMAND_TIMEOUT_MS + 1000);
  if (result == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_TIMEOUT, "'%s' got no answer", command);
    return NULL;
  }
  return vb_qmp_execute_finish(self->qmp, result, error);
}

/* The id QEMU knows a device by: a user alias replaces virtbus's, as in libvirt. */
static const char *
device_id(const VbDeviceInfo *info)
{
  return info->alias != NULL ? info->alias : info->assigned_alias;
}

static void
collect_pci(JsonArray *devices, GHashTable *ids)
{
  for (guint i = 0; i < json_array_get_length(devices); i++) {
    JsonObject *device = json_array_get_object_element(devices, i);
    JsonObject *bridge = json_object_has_member(device, "pci_bridge")
                             ? json_object_get_object_member(device, "pci_bridge")
                             : NULL;

    if (json_object_has_member(device, "qdev_id"))
      g_hash_table_add(ids, g_strdup(json_object_get_string_member(device, "qdev_id")));
    if (bridge != NULL && json_object_has_member(bridge, "devices"))
      collect_pci(json_object_get_array_member(bridge, "devices"), ids);
  }
}

static gboolean
expect_id(GHashTable *ids, const char *id, const char *list, GError **error)
{
  g_autofree GStrv seen = NULL;
  g_autofree char *joined = NULL;

  if (g_hash_table_contains(ids, id))
    return TRUE;
  seen = (GStrv)g_hash_table_get_keys_as_array(ids, NULL);
  joined = g_strjoinv(", ", seen);
  g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "%s does not show '%s' (it shows: %s)", list, id,
              joined);
  return FALSE;
}

/* The PCI devices the domain asked for, by their QEMU ids. */
static GPtrArray *
expected_pci(const VbDomainDef *def)
{
  GPtrArray *ids = g_ptr_array_new();

  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];

    if (disk->target_bus == VB_DISK_BUS_VIRTIO)
      g_ptr_array_add(ids, (char *)device_id(&disk->info));
  }
  for (guint i = 0; i < def->nets->len; i++) {
    const VbNetDef *net = def->nets->pdata[i];

    if (g_strcmp0(net->model, "usb-net") != 0)
      g_ptr_array_add(ids, (char *)device_id(&net->info));
  }
  for (guint i = 0; i < def->controllers->len; i++) {
    const VbControllerDef *c = def->controllers->pdata[i];

    if ((c->type == VB_CONTROLLER_PCI && c->index > 0) || c->type == VB_CONTROLLER_SCSI ||
        c->type == VB_CONTROLLER_VIRTIO_SERIAL ||
        (c->type == VB_CONTROLLER_USB && c->master_startport < 0 &&
         g_strcmp0(c->model, "none") != 0))
      g_ptr_array_add(ids, c->info.assigned_alias);
  }
  for (guint i = 0; i < def->videos->len; i++) {
    const VbVideoDef *video = def->videos->pdata[i];

    if (video->model != VB_VIDEO_NONE)
      g_ptr_array_add(ids, (char *)device_id(&video->info));
  }
  for (guint i = 0; i < def->sounds->len; i++) {
    const VbSoundDef *sound = def->sounds->pdata[i];

    if (sound->model != VB_SOUND_USB)
      g_ptr_array_add(ids, (char *)device_id(&sound->info));
  }
  for (guint i = 0; i < def->rngs->len; i++)
    g_ptr_array_add(ids, (char *)device_id(&((VbRngDef *)def->rngs->pdata[i])->info));
  if (def->memballoon == NULL || !def->memballoon->none)
    g_ptr_array_add(ids, (char *)"balloon0");
  return ids;
}

static gboolean
check_block(VbTestQemu *self, const VbDomainDef *def, GError **error)
{
  g_autoptr(JsonNode) reply = vb_test_qemu_execute(self, "query-block", NULL, error);
  JsonArray *entries;

  if (reply == NULL)
    return FALSE;
  entries = json_node_get_array(reply);
  for (guint i = 0; i < def->disks->len; i++) {
    const VbDiskDef *disk = def->disks->pdata[i];
    const char *alias = device_id(&disk->info);
    g_autofree char *inner = g_strdup_printf("/%s/", alias);
    JsonObject *found = NULL;

    for (guint e = 0; e < json_array_get_length(entries) && found == NULL; e++) {
      JsonObject *entry = json_array_get_object_element(entries, e);
      const char *qdev = json_object_get_string_member_with_default(entry, "qdev", "");

      if (g_str_equal(qdev, alias) || strstr(qdev, inner) != NULL)
        found = entry;
    }
    if (found == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "query-block does not show the disk '%s'",
                  alias);
      return FALSE;
    }
    if (json_object_has_member(found, "inserted") != (disk->source != NULL)) {
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "query-block shows the disk '%s' %s", alias,
                  disk->source != NULL ? "empty" : "with a medium it should not have");
      return FALSE;
    }
    if (disk->source != NULL &&
        json_object_get_boolean_member(json_object_get_object_member(found, "inserted"), "ro") !=
            disk->readonly) {
      g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "query-block shows the disk '%s' %s", alias,
                  disk->readonly ? "writable" : "read-only");
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
check_pci(VbTestQemu *self, const VbDomainDef *def, GError **error)
{
  g_autoptr(JsonNode) reply = vb_test_qemu_execute(self, "query-pci", NULL, error);
  g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) expected = expected_pci(def);
  JsonArray *buses;

  if (reply == NULL)
    return FALSE;
  buses = json_node_get_array(reply);
  for (guint i = 0; i < json_array_get_length(buses); i++)
    collect_pci(json_object_get_array_member(json_array_get_object_element(buses, i), "devices"),
                ids);
  for (guint i = 0; i < expected->len; i++) {
    const char *id = expected->pdata[i];
    g_autoptr(JsonObject) args = NULL;
    g_autofree char *path = NULL;
    g_autoptr(JsonNode) addr = NULL;

    if (g_hash_table_contains(ids, id))
      continue;
    /* Before the firmware ran, bridges have no bus numbers and query-pci lists nothing behind
     * them: such a device must still exist as a PCI device (it has a PCI address). */
    args = json_object_new();
    path = g_strdup_printf("/machine/peripheral/%s", id);
    json_object_set_string_member(args, "path", path);
    json_object_set_string_member(args, "property", "addr");
    addr = vb_test_qemu_execute(self, "qom-get", args, NULL);
    if (addr == NULL)
      return expect_id(ids, id, "query-pci (or QOM, behind a bridge)", error);
  }
  return TRUE;
}

static gboolean
check_chardevs(VbTestQemu *self, const VbDomainDef *def, GError **error)
{
  g_autoptr(JsonNode) reply = vb_test_qemu_execute(self, "query-chardev", NULL, error);
  g_autoptr(GHashTable) labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func(g_free);
  JsonArray *entries;

  if (reply == NULL)
    return FALSE;
  entries = json_node_get_array(reply);
  for (guint i = 0; i < json_array_get_length(entries); i++)
    g_hash_table_add(labels, g_strdup(json_object_get_string_member(
                                 json_array_get_object_element(entries, i), "label")));
  g_ptr_array_add(expected, g_strdup("charmonitor"));
  for (guint i = 0; i < def->serials->len; i++)
    g_ptr_array_add(
        expected,
        g_strdup_printf("char%s", device_id(&((VbSerialDef *)def->serials->pdata[i])->info)));
  for (guint i = 0; i < def->consoles->len; i++) {
    const VbSerialDef *console = def->consoles->pdata[i];

    if (console->target_type == VB_CONSOLE_TARGET_VIRTIO || def->serials->len == 0)
      g_ptr_array_add(expected, g_strdup_printf("char%s", device_id(&console->info)));
  }
  for (guint i = 0; i < def->channels->len; i++)
    g_ptr_array_add(
        expected,
        g_strdup_printf("char%s", device_id(&((VbChannelDef *)def->channels->pdata[i])->info)));
  for (guint i = 0; i < def->redirdevs->len; i++)
    g_ptr_array_add(
        expected,
        g_strdup_printf("char%s", device_id(&((VbRedirdevDef *)def->redirdevs->pdata[i])->info)));
  for (guint i = 0; i < expected->len; i++) {
    if (!expect_id(labels, expected->pdata[i], "query-chardev", error))
      return FALSE;
  }
  return TRUE;
}

/**
 * vb_test_qemu_check:
 *
 * Checks that QEMU is paused before the guest ran, and that its disks, PCI devices and
 * character devices are the ones @def asked for.
 */
gboolean
vb_test_qemu_check(VbTestQemu *self, const VbDomainDef *def, GError **error)
{
  g_autoptr(JsonNode) status = vb_test_qemu_execute(self, "query-status", NULL, error);
  const char *state;

  if (status == NULL)
    return FALSE;
  state = json_object_get_string_member(json_node_get_object(status), "status");
  if (!g_str_equal(state, "prelaunch")) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "QEMU is '%s', not paused before launch", state);
    return FALSE;
  }
  return check_block(self, def, error) && check_pci(self, def, error) &&
         check_chardevs(self, def, error);
}

static void
on_exited(GObject *source, GAsyncResult *result, gpointer user_data)
{
  on_result(source, result, user_data);
}

/**
 * vb_test_qemu_stop:
 *
 * Asks QEMU to quit, kills it if it does not, and reaps it: never leaves a process behind.
 */
void
vb_test_qemu_stop(VbTestQemu *self)
{
  g_autoptr(GAsyncResult) exited = NULL;

  if (self == NULL)
    return;
  if (self->process != NULL) {
    if (self->qmp != NULL && vb_qmp_is_ready(self->qmp)) {
      JsonNode *reply = vb_test_qemu_execute(self, "quit", NULL, NULL);

      if (reply != NULL)
        json_node_unref(reply);
    }
    g_subprocess_wait_async(self->process, NULL, on_exited, &exited);
    if (!wait_for(&exited, EXIT_TIMEOUT_MS)) {
      g_subprocess_force_exit(self->process);
      wait_for(&exited, EXIT_TIMEOUT_MS * 2);
    }
  }
  if (self->qmp != NULL)
    vb_qmp_close(self->qmp);
  g_clear_object(&self->qmp);
  g_clear_object(&self->process);
  g_free(self->log);
  g_free(self);
}
