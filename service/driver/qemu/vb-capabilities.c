/* vb-capabilities.c: the emulators of one instance and their capabilities.
 *
 * Nothing happens at creation: an emulator is probed the first time someone needs it (DESIGN.md
 * §5), and callers that need the same emulator meanwhile wait for that one probe. Results are
 * kept in memory and in the instance's cache directory, one JSON file per binary named by the
 * SHA-256 of its path. An entry is valid while the binary's size, mtime and ctime, the
 * usability of /dev/kvm for the user QEMU runs as, and virtbus's version are what they were at
 * the probe. Checking that (stat, open /dev/kvm, read the file) is disk work, so it runs in a
 * worker thread that touches nothing shared; the tables below are only used on the context the
 * object was created on. Discovery, the host's capabilities and a domain's defaults are in
 * vb-capabilities-host.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-capabilities-private.h"
#include "vb-error.h"
#include "vb-file.h"
#include "vb-json.h"
#include "vb-qemu-probe.h"

#define KVM_DEVICE "/dev/kvm"
#define CACHE_SUBDIR "capabilities"

/* What a cached probe result depends on. */
typedef struct {
  gint64 size;
  gint64 mtime_ns;
  gint64 ctime_ns;
  gboolean kvm_usable;
} Stamp;

/* A binary's capabilities in memory, answered without touching the disk for as long as the
 * monitor has seen no change to the binary (and /dev/kvm none, see kvm_monitor). */
typedef struct {
  VbQemuCaps *caps;      /* (owned) */
  GFileMonitor *monitor; /* (owned) (nullable): the binary's; NULL where none could be made */
} Entry;

typedef struct {
  GPtrArray *waiters; /* (owned) (element-type GTask) */
  Stamp stamp;        /* of the binary when the probe started */
} PendingProbe;

G_DEFINE_TYPE(VbCapabilities, vb_capabilities, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* Stops a monitor for good: GIO may still hold it (and an event) for a moment, so its
 * handlers go first, and with them any pointer to us. */
void
vb_capabilities_drop_monitor(GFileMonitor *monitor)
{
  if (monitor == NULL)
    return;
  g_signal_handlers_disconnect_matched(monitor, G_SIGNAL_MATCH_ID,
                                       g_signal_lookup("changed", G_TYPE_FILE_MONITOR), 0, NULL,
                                       NULL, NULL);
  g_file_monitor_cancel(monitor);
  g_object_unref(monitor);
}

static void
entry_free(Entry *entry)
{
  vb_qemu_caps_unref(entry->caps);
  vb_capabilities_drop_monitor(entry->monitor);
  g_free(entry);
}

/* What was kept in memory may be stale: the next lookups look again. */
void
vb_capabilities_forget(VbCapabilities *self, const char *why)
{
  g_debug("Capabilities: forgetting what is in memory (%s)", why);
  g_hash_table_remove_all(self->entries);
  g_clear_pointer(&self->discovered, g_ptr_array_unref);
  g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
on_binary_changed(
    GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer user_data)
{
  VbCapabilities *self = user_data;
  GHashTableIter iter;
  gpointer key, value;

  /* the entry this monitor watches, whatever spelling of the path the lookup used */
  g_hash_table_iter_init(&iter, self->entries);
  while (g_hash_table_iter_next(&iter, &key, &value)) {
    if (((Entry *)value)->monitor == monitor) {
      g_debug("Capabilities: %s changed", (const char *)key);
      g_hash_table_iter_remove(&iter);
      break;
    }
  }
  g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
on_kvm_changed(
    GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer user_data)
{
  /* KVM usable or not is part of every emulator's capabilities */
  vb_capabilities_forget(user_data, "/dev/kvm changed");
}

/* Keeps @caps in memory, watched: a package upgrade or a chmod of /dev/kvm drops it. */
static void
remember(VbCapabilities *self, const char *binary, VbQemuCaps *caps)
{
  g_autoptr(GFile) file = g_file_new_for_path(binary);
  g_autoptr(GError) error = NULL;
  Entry *entry = g_new0(Entry, 1);

  entry->caps = vb_qemu_caps_ref(caps);
  entry->monitor = g_file_monitor_file(file, G_FILE_MONITOR_WATCH_HARD_LINKS, NULL, &error);
  if (entry->monitor == NULL) {
    /* without a watch the entry cannot be trusted later: answer this once, keep nothing */
    g_debug("Capabilities: cannot watch %s (%s): not kept in memory", binary, error->message);
    entry_free(entry);
    return;
  }
  g_signal_connect(entry->monitor, "changed", G_CALLBACK(on_binary_changed), self);
  if (self->kvm_monitor == NULL) {
    g_autoptr(GFile) kvm = g_file_new_for_path(KVM_DEVICE);

    self->kvm_monitor = g_file_monitor_file(kvm, G_FILE_MONITOR_NONE, NULL, NULL);
    if (self->kvm_monitor != NULL)
      g_signal_connect(self->kvm_monitor, "changed", G_CALLBACK(on_kvm_changed), self);
  }
  g_hash_table_replace(self->entries, g_strdup(binary), entry);
}

static void
pending_probe_free(PendingProbe *probe)
{
  g_ptr_array_unref(probe->waiters);
  g_free(probe);
}

static void
vb_capabilities_finalize(GObject *object)
{
  VbCapabilities *self = VB_CAPABILITIES(object);

  g_free(self->cache_dir);
  g_strfreev(self->search_dirs);
  g_hash_table_unref(self->entries);
  g_hash_table_unref(self->probes);
  g_clear_pointer(&self->discovered, g_ptr_array_unref);
  g_clear_pointer(&self->dir_monitors, g_ptr_array_unref);
  g_clear_pointer(&self->kvm_monitor, vb_capabilities_drop_monitor);
  g_clear_pointer(&self->security, vb_security_host_unref);
  G_OBJECT_CLASS(vb_capabilities_parent_class)->finalize(object);
}

static void
vb_capabilities_class_init(VbCapabilitiesClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = vb_capabilities_finalize;

  /**
   * VbCapabilities::changed:
   *
   * What was kept in memory was dropped, because an emulator, a search directory or /dev/kvm
   * changed: the next lookup or resolution looks again.
   */
  signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vb_capabilities_init(VbCapabilities *self)
{
  self->entries =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)entry_free);
  self->probes =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)pending_probe_free);
}

static GStrv
build_search_dirs(const char *const *extra, const char *const *system)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

  /* The configured directories come first: one names them to use the QEMU found there. */
  if (extra != NULL)
    g_strv_builder_addv(builder, (const char **)extra);
  g_strv_builder_addv(builder, (const char **)system);
  return g_strv_builder_end(builder);
}

/**
 * vb_capabilities_new:
 *
 * Touches neither disk nor QEMU: all of that waits for the first lookup.
 */
VbCapabilities *
vb_capabilities_new(const VbPaths *paths, const VbQemuConf *conf)
{
  VbCapabilities *self = g_object_new(VB_TYPE_CAPABILITIES, NULL);
  static const char *const system_dirs[] = {"/usr/bin", NULL};

  self->cache_dir = g_build_filename(vb_paths_get(paths, VB_PATH_CACHE_DIR), CACHE_SUBDIR, NULL);
  self->cache_mode = vb_paths_get_mode(paths, VB_PATH_CACHE_DIR);
  self->search_dirs =
      build_search_dirs((const char *const *)conf->emulator_search_path, system_dirs);
  self->qemu_uid = conf->uid;
  self->qemu_gid = conf->gid;
  return self;
}

/* What the <secmodel>s of the host say: the driver's security host. */
void
vb_capabilities_set_security(VbCapabilities *self, VbSecurityHost *security)
{
  g_clear_pointer(&self->security, vb_security_host_unref);
  self->security = vb_security_host_ref(security);
}

/* Replaces /usr/bin in the search (tests that must see only their own emulators). */
void
vb_capabilities_set_system_dirs(VbCapabilities *self, const char *const *dirs)
{
  g_strfreev(self->search_dirs);
  self->search_dirs = build_search_dirs(NULL, dirs);
  g_clear_pointer(&self->dir_monitors, g_ptr_array_unref);
  vb_capabilities_forget(self, "the search directories changed");
}

guint
vb_capabilities_get_probe_count(VbCapabilities *self)
{
  return self->n_probes;
}

char *
vb_capabilities_get_cache_file(VbCapabilities *self, const char *binary)
{
  g_autofree char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
  g_autofree char *name = g_strconcat(hash, ".json", NULL);

  return g_build_filename(self->cache_dir, name, NULL);
}

/* ---- /dev/kvm ---- */

static gboolean
in_group(uid_t uid, gid_t primary, gid_t wanted)
{
  struct passwd pwd, *found = NULL;
  char buffer[4096];
  gid_t groups[256];
  int n_groups = G_N_ELEMENTS(groups);

  if (primary == wanted)
    return TRUE;
  if (getpwuid_r(uid, &pwd, buffer, sizeof buffer, &found) != 0 || found == NULL)
    return FALSE;
  if (getgrouplist(pwd.pw_name, primary, groups, &n_groups) < 0)
    return FALSE;
  for (int i = 0; i < n_groups; i++) {
    if (groups[i] == wanted)
      return TRUE;
  }
  return FALSE;
}

/**
 * vb_host_default_bridge:
 *
 * Returns: (nullable): "virbr0" when the host has it (the bridge of libvirt's network named
 *   'default', which virt-install's domains name), else %NULL
 */
const char *
vb_host_default_bridge(void)
{
  return g_file_test("/sys/class/net/virbr0", G_FILE_TEST_EXISTS) ? "virbr0" : NULL;
}

/**
 * vb_host_kvm_usable:
 *
 * Whether /dev/kvm opens read-write for @uid/@gid: tried for real when that is us, read from
 * the device's owner and mode otherwise (the system daemon is root; QEMU is not).
 */
gboolean
vb_host_kvm_usable(uid_t uid, gid_t gid)
{
  struct stat st;

  if (uid == geteuid()) {
    int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);

    if (fd < 0)
      return FALSE;
    close(fd);
    return TRUE;
  }
  if (g_stat(KVM_DEVICE, &st) != 0 || !S_ISCHR(st.st_mode))
    return FALSE;
  if (uid == 0)
    return TRUE;
  if (st.st_uid == uid)
    return (st.st_mode & 0600) == 0600;
  if (in_group(uid, gid, st.st_gid))
    return (st.st_mode & 0060) == 0060;
  return (st.st_mode & 0006) == 0006;
}

/* ---- lookup: validate in a thread, probe on the main context, save in a thread ---- */

typedef enum {
  CHECK_VALID, /* the cache file holds */
  CHECK_PROBE, /* nothing valid: probe */
} CheckResult;

typedef struct {
  char *binary;
  char *cache_file;
  uid_t qemu_uid;
  gid_t qemu_gid;
  /* Results. */
  CheckResult result;
  Stamp stamp;
  VbQemuCaps *caps; /* (nullable) (owned) */
  char *warning;    /* (nullable) (owned): logged on the main context */
} Check;

static void
check_free(Check *check)
{
  g_free(check->binary);
  g_free(check->cache_file);
  g_clear_pointer(&check->caps, vb_qemu_caps_unref);
  g_free(check->warning);
  g_free(check);
}

static gboolean
stamp_equal(const Stamp *a, const Stamp *b)
{
  return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns &&
         a->kvm_usable == b->kvm_usable;
}

static gboolean
read_stamp(const char *binary, uid_t uid, gid_t gid, Stamp *stamp, GError **error)
{
  struct stat st;

  if (stat(binary, &st) != 0) {
    int saved = errno;

    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "Emulator %s: %s", binary,
                g_strerror(saved));
    return FALSE;
  }
  if (!S_ISREG(st.st_mode) || access(binary, X_OK) != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED, "Emulator %s is not an executable file",
                binary);
    return FALSE;
  }
  stamp->size = st.st_size;
  stamp->mtime_ns = (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_mtim.tv_nsec;
  stamp->ctime_ns = (gint64)st.st_ctim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_ctim.tv_nsec;
  stamp->kvm_usable = vb_host_kvm_usable(uid, gid);
  return TRUE;
}

/* Reads a cache file. Returns NULL without error when it is absent or stale, NULL with an error
 * when it cannot be read as one of ours. */
static VbQemuCaps *
load_cache_file(const char *path, const char *binary, const Stamp *stamp, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable();
  JsonObject *root;
  JsonNode *caps_node;
  Stamp cached = {0};

  if (!g_file_get_contents(path, &contents, &length, &local_error)) {
    if (g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return NULL;
    g_set_error_literal(error, VB_ERROR, VB_ERROR_FAILED, local_error->message);
    return NULL;
  }
  if (!json_parser_load_from_data(parser, contents, (gssize)length, &local_error)) {
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "not JSON: %s", local_error->message);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_FAILED, "not a JSON object");
    return NULL;
  }
  root = json_node_get_object(json_parser_get_root(parser));
  {
    VbJsonScope scope = {VB_ERROR_FAILED, "the cache file"};
    JsonObject *caps_object = NULL;
    const char *version = NULL, *cached_binary = NULL;

    if (!vb_json_get_object(&scope, root, "capabilities", TRUE, &caps_object, error) ||
        !vb_json_get_int(&scope, root, "size", TRUE, G_MININT64, G_MAXINT64, &cached.size, error) ||
        !vb_json_get_int(&scope, root, "mtime", TRUE, G_MININT64, G_MAXINT64, &cached.mtime_ns,
                         error) ||
        !vb_json_get_int(&scope, root, "ctime", TRUE, G_MININT64, G_MAXINT64, &cached.ctime_ns,
                         error) ||
        !vb_json_get_bool(&scope, root, "kvm", TRUE, &cached.kvm_usable, error) ||
        !vb_json_get_string(&scope, root, "virtbus", TRUE, &version, error) ||
        !vb_json_get_string(&scope, root, "binary", TRUE, &cached_binary, error))
      return NULL;
    if (g_strcmp0(version, PACKAGE_VERSION) != 0 || g_strcmp0(cached_binary, binary) != 0 ||
        !stamp_equal(&cached, stamp))
      return NULL; /* stale: an upgrade, another binary, or the binary changed */
  }
  caps_node = json_object_get_member(root, "capabilities");
  return vb_qemu_caps_new_from_json(caps_node, error);
}

static void
check_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Check *check = data;
  g_autoptr(GError) error = NULL;

  if (!read_stamp(check->binary, check->qemu_uid, check->qemu_gid, &check->stamp, &error)) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  check->caps = load_cache_file(check->cache_file, check->binary, &check->stamp, &error);
  check->result = check->caps != NULL ? CHECK_VALID : CHECK_PROBE;
  if (error != NULL)
    check->warning = g_strdup_printf("Ignoring the capability cache %s (%s): probing %s again",
                                     check->cache_file, error->message, check->binary);
  g_task_return_boolean(task, TRUE);
}

typedef struct {
  char *cache_dir;
  guint cache_mode;
  char *cache_file;
  char *contents;
} Save;

static void
save_free(Save *save)
{
  g_free(save->cache_dir);
  g_free(save->cache_file);
  g_free(save->contents);
  g_free(save);
}

static void
save_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Save *save = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname(save->cache_dir);

  /* A cache that cannot be written costs a probe next time, nothing more: warn and go on. */
  if (g_mkdir_with_parents(parent, (int)save->cache_mode) != 0 ||
      (g_mkdir(save->cache_dir, 0755) != 0 && errno != EEXIST))
    g_warning("Cannot create the capability cache %s: %s", save->cache_dir, g_strerror(errno));
  else if (!vb_file_replace(save->cache_file, save->contents, -1, 0644, &error))
    g_warning("Cannot write the capability cache: %s", error->message);
  g_task_return_boolean(task, TRUE);
}

/* Returns: (nullable): the cache file's text; NULL when it cannot be JSON (a binary whose path
 * is not UTF-8): such a binary is probed again each time the daemon starts, nothing worse */
static char *
cache_contents(const char *binary, const Stamp *stamp, const VbQemuCaps *caps)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "virtbus");
  json_builder_add_string_value(builder, PACKAGE_VERSION);
  json_builder_set_member_name(builder, "binary");
  json_builder_add_string_value(builder, binary);
  json_builder_set_member_name(builder, "size");
  json_builder_add_int_value(builder, stamp->size);
  json_builder_set_member_name(builder, "mtime");
  json_builder_add_int_value(builder, stamp->mtime_ns);
  json_builder_set_member_name(builder, "ctime");
  json_builder_add_int_value(builder, stamp->ctime_ns);
  json_builder_set_member_name(builder, "kvm");
  json_builder_add_boolean_value(builder, stamp->kvm_usable);
  json_builder_set_member_name(builder, "capabilities");
  json_builder_add_value(builder, vb_qemu_caps_to_json(caps));
  json_builder_end_object(builder);
  root = json_builder_get_root(builder);
  return vb_json_write(root, NULL);
}

typedef struct {
  VbCapabilities *self; /* (owned) */
  char *binary;         /* (owned) */
  VbQemuCaps *caps;     /* (nullable) (owned) */
  GError *error;        /* (nullable) (owned) */
} ProbeCall;

static void
probe_call_free(ProbeCall *call)
{
  g_object_unref(call->self);
  g_free(call->binary);
  g_clear_pointer(&call->caps, vb_qemu_caps_unref);
  g_clear_error(&call->error);
  g_free(call);
}

/* Answers everyone who waited for the probe of call->binary. */
static void
complete_probe(ProbeCall *call)
{
  VbCapabilities *self = call->self;
  PendingProbe *probe = NULL;
  g_autofree char *key = NULL;
  gboolean pending;

  /* kept outside the assertion, which G_DISABLE_ASSERT would take away with its effect */
  pending =
      g_hash_table_steal_extended(self->probes, call->binary, (gpointer *)&key, (gpointer *)&probe);
  g_assert(pending);
  for (guint i = 0; i < probe->waiters->len; i++) {
    GTask *waiter = probe->waiters->pdata[i];

    if (call->caps != NULL)
      g_task_return_pointer(waiter, vb_qemu_caps_ref(call->caps),
                            (GDestroyNotify)vb_qemu_caps_unref);
    else
      g_task_return_error(waiter, g_error_copy(call->error));
  }
  pending_probe_free(probe);
  probe_call_free(call);
}

static void
on_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
  complete_probe(user_data);
}

static void
on_probe_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  ProbeCall *call = user_data;
  VbCapabilities *self = call->self;
  PendingProbe *probe = g_hash_table_lookup(self->probes, call->binary);
  g_autoptr(GTask) save_task = NULL;
  g_autofree char *contents = NULL;
  Save *save;

  call->caps = vb_qemu_probe_finish(result, &call->error);
  if (call->caps == NULL) {
    complete_probe(call);
    return;
  }
  remember(self, call->binary, call->caps);

  /* The waiters are answered once the file is written, so that a later lookup in another
   * process (or after a restart) finds it. */
  contents = cache_contents(call->binary, &probe->stamp, call->caps);
  if (contents == NULL) {
    complete_probe(call);
    return;
  }
  save = g_new0(Save, 1);
  save->cache_dir = g_strdup(self->cache_dir);
  save->cache_mode = self->cache_mode;
  save->cache_file = vb_capabilities_get_cache_file(self, call->binary);
  save->contents = g_steal_pointer(&contents);
  save_task = g_task_new(self, NULL, on_saved, call);
  g_task_set_task_data(save_task, save, (GDestroyNotify)save_free);
  g_task_run_in_thread(save_task, save_in_thread);
}

static void
start_probe(VbCapabilities *self, const char *binary, const Stamp *stamp, GTask *waiter)
{
  PendingProbe *probe = g_hash_table_lookup(self->probes, binary);
  ProbeCall *call;

  if (probe != NULL) {
    g_ptr_array_add(probe->waiters, waiter);
    return;
  }
  probe = g_new0(PendingProbe, 1);
  probe->waiters = g_ptr_array_new_with_free_func(g_object_unref);
  probe->stamp = *stamp;
  g_ptr_array_add(probe->waiters, waiter);
  g_hash_table_insert(self->probes, g_strdup(binary), probe);
  self->n_probes++;

  call = g_new0(ProbeCall, 1);
  call->self = g_object_ref(self);
  call->binary = g_strdup(binary);
  vb_qemu_probe_async(binary, NULL, on_probe_done, call);
}

static void
on_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) waiter = user_data;
  VbCapabilities *self = VB_CAPABILITIES(source);
  Check *check = g_task_get_task_data(G_TASK(result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    g_task_return_error(waiter, g_steal_pointer(&error));
    return;
  }
  if (check->warning != NULL)
    g_warning("%s", check->warning);
  if (check->result == CHECK_VALID) {
    remember(self, check->binary, check->caps);
    g_task_return_pointer(waiter, g_steal_pointer(&check->caps),
                          (GDestroyNotify)vb_qemu_caps_unref);
    return;
  }
  start_probe(self, check->binary, &check->stamp, g_steal_pointer(&waiter));
}

/**
 * vb_capabilities_lookup_async:
 * @binary: an emulator's absolute path
 *
 * The emulator's capabilities: from memory or the cache when still valid, else from a probe,
 * shared with every other caller waiting for the same binary.
 */
void
vb_capabilities_lookup_async(VbCapabilities *self,
                             const char *binary,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *waiter = g_task_new(self, cancellable, callback, user_data);
  g_autoptr(GTask) task = NULL;
  Check *check;
  Entry *memory;

  g_task_set_source_tag(waiter, vb_capabilities_lookup_async);
  if (!g_path_is_absolute(binary)) {
    g_task_return_new_error(waiter, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                            "Emulator '%s' is not an absolute path", binary);
    g_object_unref(waiter);
    return;
  }
  /* In memory and unchanged since (its monitor says so): no thread, no disk. */
  memory = g_hash_table_lookup(self->entries, binary);
  if (memory != NULL) {
    g_task_return_pointer(waiter, vb_qemu_caps_ref(memory->caps),
                          (GDestroyNotify)vb_qemu_caps_unref);
    g_object_unref(waiter);
    return;
  }
  check = g_new0(Check, 1);
  check->binary = g_strdup(binary);
  check->cache_file = vb_capabilities_get_cache_file(self, binary);
  check->qemu_uid = self->qemu_uid;
  check->qemu_gid = self->qemu_gid;

  task = g_task_new(self, cancellable, on_checked, waiter);
  g_task_set_task_data(task, check, (GDestroyNotify)check_free);
  g_task_run_in_thread(task, check_in_thread);
}

VbQemuCaps *
vb_capabilities_lookup_finish(VbCapabilities *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- discovery ---- */
