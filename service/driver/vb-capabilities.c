/* vb-capabilities.c: the emulators of one instance and their capabilities.
 *
 * Nothing happens at creation: an emulator is probed the first time someone needs it (DESIGN.md
 * §5), and callers that need the same emulator meanwhile wait for that one probe. Results are
 * kept in memory and in the instance's cache directory, one JSON file per binary named by the
 * SHA-256 of its path. An entry is valid while the binary's size, mtime and ctime, the
 * usability of /dev/kvm for the user QEMU runs as, and virtbus's version are what they were at
 * the probe. Checking that (stat, open /dev/kvm, read the file) is disk work, so it runs in a
 * worker thread that touches nothing shared; the tables below are only used on the context the
 * object was created on.
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

#include "vb-capabilities.h"
#include "vb-error.h"
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

typedef struct {
  VbQemuCaps *caps; /* (owned) */
  Stamp stamp;
} Entry;

typedef struct {
  GPtrArray *waiters; /* (owned) (element-type GTask) */
  Stamp stamp;        /* of the binary when the probe started */
} PendingProbe;

struct _VbCapabilities {
  GObject parent_instance;

  char *cache_dir;   /* (owned): …/cache/qemu/capabilities */
  guint cache_mode;  /* of the instance's cache directory */
  GStrv search_dirs; /* (owned): qemu.conf emulator_search_path, then the system dirs */
  uid_t qemu_uid;    /* who QEMU runs as, for /dev/kvm */
  gid_t qemu_gid;
  GHashTable *entries; /* (owned): binary → Entry */
  GHashTable *probes;  /* (owned): binary → PendingProbe */
  guint n_probes;      /* probes started, for tests */
};

G_DEFINE_TYPE(VbCapabilities, vb_capabilities, G_TYPE_OBJECT)

static void
entry_free(Entry *entry)
{
  vb_qemu_caps_unref(entry->caps);
  g_free(entry);
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
  G_OBJECT_CLASS(vb_capabilities_parent_class)->finalize(object);
}

static void
vb_capabilities_class_init(VbCapabilitiesClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = vb_capabilities_finalize;
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

/* Replaces /usr/bin in the search (tests that must see only their own emulators). */
void
vb_capabilities_set_system_dirs(VbCapabilities *self, const char *const *dirs)
{
  g_strfreev(self->search_dirs);
  self->search_dirs = build_search_dirs(NULL, dirs);
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
  CHECK_VALID, /* the entry in memory or the cache file holds */
  CHECK_PROBE, /* nothing valid: probe */
} CheckResult;

typedef struct {
  char *binary;
  char *cache_file;
  uid_t qemu_uid;
  gid_t qemu_gid;
  Entry *memory; /* (nullable) (owned): a copy of the memory entry, to check */
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
  if (check->memory != NULL)
    entry_free(check->memory);
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
  caps_node = json_object_get_member(root, "capabilities");
  if (caps_node == NULL || !JSON_NODE_HOLDS_OBJECT(caps_node) ||
      !json_object_has_member(root, "size") || !json_object_has_member(root, "mtime") ||
      !json_object_has_member(root, "ctime") || !json_object_has_member(root, "kvm") ||
      !json_object_has_member(root, "virtbus") || !json_object_has_member(root, "binary")) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_FAILED, "members are missing");
    return NULL;
  }
  cached.size = json_object_get_int_member_with_default(root, "size", -1);
  cached.mtime_ns = json_object_get_int_member_with_default(root, "mtime", -1);
  cached.ctime_ns = json_object_get_int_member_with_default(root, "ctime", -1);
  cached.kvm_usable = json_object_get_boolean_member_with_default(root, "kvm", FALSE);
  if (g_strcmp0(json_object_get_string_member_with_default(root, "virtbus", ""), PACKAGE_VERSION) !=
          0 ||
      g_strcmp0(json_object_get_string_member_with_default(root, "binary", ""), binary) != 0 ||
      !stamp_equal(&cached, stamp))
    return NULL; /* stale: an upgrade, another binary, or the binary changed */
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
  if (check->memory != NULL && stamp_equal(&check->memory->stamp, &check->stamp)) {
    check->caps = vb_qemu_caps_ref(check->memory->caps);
    check->result = CHECK_VALID;
  } else {
    check->caps = load_cache_file(check->cache_file, check->binary, &check->stamp, &error);
    check->result = check->caps != NULL ? CHECK_VALID : CHECK_PROBE;
    if (error != NULL)
      check->warning = g_strdup_printf("Ignoring the capability cache %s (%s): probing %s again",
                                       check->cache_file, error->message, check->binary);
  }
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
  else if (!g_file_set_contents_full(save->cache_file, save->contents, -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    g_warning("Cannot write the capability cache: %s", error->message);
  g_task_return_boolean(task, TRUE);
}

static char *
cache_contents(const char *binary, const Stamp *stamp, const VbQemuCaps *caps)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  g_autoptr(JsonGenerator) generator = json_generator_new();
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
  json_generator_set_root(generator, root);
  return json_generator_to_data(generator, NULL);
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

  g_assert(g_hash_table_steal_extended(self->probes, call->binary, (gpointer *)&key,
                                       (gpointer *)&probe));
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
  Entry *entry;
  Save *save;

  call->caps = vb_qemu_probe_finish(result, &call->error);
  if (call->caps == NULL) {
    complete_probe(call);
    return;
  }
  entry = g_new0(Entry, 1);
  entry->caps = vb_qemu_caps_ref(call->caps);
  entry->stamp = probe->stamp;
  g_hash_table_replace(self->entries, g_strdup(call->binary), entry);

  /* The waiters are answered once the file is written, so that a later lookup in another
   * process (or after a restart) finds it. */
  save = g_new0(Save, 1);
  save->cache_dir = g_strdup(self->cache_dir);
  save->cache_mode = self->cache_mode;
  save->cache_file = vb_capabilities_get_cache_file(self, call->binary);
  save->contents = cache_contents(call->binary, &probe->stamp, call->caps);
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
    Entry *entry = g_new0(Entry, 1);

    entry->caps = vb_qemu_caps_ref(check->caps);
    entry->stamp = check->stamp;
    g_hash_table_replace(self->entries, g_strdup(check->binary), entry);
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
  check = g_new0(Check, 1);
  check->binary = g_strdup(binary);
  check->cache_file = vb_capabilities_get_cache_file(self, binary);
  check->qemu_uid = self->qemu_uid;
  check->qemu_gid = self->qemu_gid;
  memory = g_hash_table_lookup(self->entries, binary);
  if (memory != NULL) {
    check->memory = g_new0(Entry, 1);
    check->memory->caps = vb_qemu_caps_ref(memory->caps);
    check->memory->stamp = memory->stamp;
  }
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

typedef struct {
  char *arch;   /* (owned): libvirt's */
  char *binary; /* (owned) */
} Found;

static void
found_free(Found *found)
{
  g_free(found->arch);
  g_free(found->binary);
  g_free(found);
}

/* The emulator for each guest architecture in @dirs: qemu-system-<target>, the first directory
 * that has it winning, and qemu-kvm for the host's architecture when there is no
 * qemu-system-<host>. Sorted by architecture. Blocking: run in a thread. */
static GPtrArray *
discover(const char *const *dirs)
{
  g_autoptr(GHashTable) by_arch = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *kvm_binary = NULL;
  g_autoptr(GList) arches = NULL;
  GPtrArray *result = g_ptr_array_new_with_free_func((GDestroyNotify)found_free);

  for (guint i = 0; dirs[i] != NULL; i++) {
    g_autoptr(GDir) dir = g_dir_open(dirs[i], 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
      g_autofree char *path = g_build_filename(dirs[i], name, NULL);
      const char *arch = NULL;

      if (g_str_has_prefix(name, "qemu-system-"))
        arch = vb_arch_from_qemu_target(name + strlen("qemu-system-"));
      else if (strcmp(name, "qemu-kvm") != 0)
        continue;
      if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
          !g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
        continue;
      if (arch != NULL && !g_hash_table_contains(by_arch, arch))
        g_hash_table_insert(by_arch, g_strdup(arch), g_steal_pointer(&path));
      else if (arch == NULL && kvm_binary == NULL)
        kvm_binary = g_steal_pointer(&path);
    }
  }
  if (kvm_binary != NULL && !g_hash_table_contains(by_arch, vb_arch_get_host()))
    g_hash_table_insert(by_arch, g_strdup(vb_arch_get_host()), g_steal_pointer(&kvm_binary));

  arches = g_list_sort(g_hash_table_get_keys(by_arch), (GCompareFunc)strcmp);
  for (GList *l = arches; l != NULL; l = l->next) {
    Found *found = g_new0(Found, 1);

    found->arch = g_strdup(l->data);
    found->binary = g_strdup(g_hash_table_lookup(by_arch, l->data));
    g_ptr_array_add(result, found);
  }
  return result;
}

static char *
describe_search(const char *const *dirs)
{
  g_autofree char *joined = g_strjoinv(", ", (char **)dirs);

  return g_strdup_printf("searched %s", joined);
}

/* ---- the host ---- */

void
vb_host_caps_free(VbHostCaps *self)
{
  if (self == NULL)
    return;
  g_free(self->uuid);
  g_ptr_array_unref(self->emulators);
  g_free(self);
}

/* The host's UUID as libvirt reports it: SMBIOS when readable (root), else the machine id. */
static char *
read_host_uuid(void)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents("/sys/class/dmi/id/product_uuid", &text, NULL, NULL)) {
    g_strstrip(text);
    if (g_uuid_string_is_valid(text))
      return g_ascii_strdown(text, -1);
    g_clear_pointer(&text, g_free);
  }
  if (g_file_get_contents("/etc/machine-id", &text, NULL, NULL)) {
    g_strstrip(text);
    if (strlen(text) == 32) {
      g_autofree char *uuid = g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", text, text + 8,
                                              text + 12, text + 16, text + 20);

      if (g_uuid_string_is_valid(uuid))
        return g_ascii_strdown(uuid, -1);
    }
  }
  return NULL;
}

typedef struct {
  GStrv dirs;
  uid_t qemu_uid;
  gid_t qemu_gid;
  /* Results. */
  GPtrArray *found; /* (element-type Found) */
  char *uuid;
  gboolean kvm_usable;
  /* While looking up each emulator. */
  guint n_pending;
  GPtrArray *emulators; /* (element-type VbQemuCaps) */
} HostQuery;

static void
host_query_free(HostQuery *query)
{
  g_strfreev(query->dirs);
  if (query->found != NULL)
    g_ptr_array_unref(query->found);
  g_free(query->uuid);
  if (query->emulators != NULL)
    g_ptr_array_unref(query->emulators);
  g_free(query);
}

static void
host_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  HostQuery *query = data;

  query->found = discover((const char *const *)query->dirs);
  query->uuid = read_host_uuid();
  query->kvm_usable = vb_host_kvm_usable(query->qemu_uid, query->qemu_gid);
  g_task_return_boolean(task, TRUE);
}

static void
host_finish(GTask *task)
{
  HostQuery *query = g_task_get_task_data(task);
  VbHostCaps *host = g_new0(VbHostCaps, 1);

  host->uuid = g_steal_pointer(&query->uuid);
  host->arch = vb_arch_get_host();
  host->kvm_usable = query->kvm_usable;
  host->secmodel = "none";
  host->emulators = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_caps_unref);
  /* In architecture order, whatever order the lookups finished in. */
  for (guint i = 0; i < query->emulators->len; i++) {
    if (query->emulators->pdata[i] != NULL)
      g_ptr_array_add(host->emulators, g_steal_pointer(&query->emulators->pdata[i]));
  }
  g_task_return_pointer(task, host, (GDestroyNotify)vb_host_caps_free);
}

typedef struct {
  GTask *task; /* (owned) */
  guint index;
} HostLookup;

static void
on_host_lookup(GObject *source, GAsyncResult *result, gpointer user_data)
{
  HostLookup *lookup = user_data;
  g_autoptr(GTask) task = lookup->task;
  HostQuery *query = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  VbQemuCaps *caps = vb_capabilities_lookup_finish(VB_CAPABILITIES(source), result, &error);

  /* One broken emulator must not hide the others: it is left out, with a warning. */
  if (caps == NULL)
    g_warning("Leaving an emulator out of the capabilities: %s", error->message);
  query->emulators->pdata[lookup->index] = caps;
  g_free(lookup);
  if (--query->n_pending == 0)
    host_finish(task);
}

static void
on_host_discovered(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  HostQuery *query = g_task_get_task_data(task);

  g_task_propagate_boolean(G_TASK(result), NULL);
  query->emulators = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_caps_unref);
  g_ptr_array_set_size(query->emulators, query->found->len);
  query->n_pending = query->found->len;
  if (query->n_pending == 0) {
    host_finish(task);
    return;
  }
  for (guint i = 0; i < query->found->len; i++) {
    Found *found = query->found->pdata[i];
    HostLookup *lookup = g_new0(HostLookup, 1);

    lookup->task = g_object_ref(task);
    lookup->index = i;
    vb_capabilities_lookup_async(VB_CAPABILITIES(source), found->binary,
                                 g_task_get_cancellable(task), on_host_lookup, lookup);
  }
}

/**
 * vb_capabilities_get_host_async:
 *
 * Discovers the emulators and looks each up (probing those not cached, all at once).
 */
void
vb_capabilities_get_host_async(VbCapabilities *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  g_autoptr(GTask) thread_task = NULL;
  HostQuery *query = g_new0(HostQuery, 1);

  g_task_set_source_tag(task, vb_capabilities_get_host_async);
  query->dirs = g_strdupv(self->search_dirs);
  query->qemu_uid = self->qemu_uid;
  query->qemu_gid = self->qemu_gid;
  g_task_set_task_data(task, query, (GDestroyNotify)host_query_free);
  thread_task = g_task_new(self, cancellable, on_host_discovered, g_object_ref(task));
  g_task_set_task_data(thread_task, query, NULL);
  g_task_run_in_thread(thread_task, host_in_thread);
}

VbHostCaps *
vb_capabilities_get_host_finish(VbCapabilities *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- a domain's defaults ---- */

typedef struct {
  char *arch;     /* (nullable): as the domain gave it */
  char *machine;  /* (nullable) */
  char *emulator; /* (nullable) */
  GStrv dirs;
  char *found; /* (nullable): the emulator the search found */
} Resolve;

static void
resolve_free(Resolve *resolve)
{
  g_free(resolve->arch);
  g_free(resolve->machine);
  g_free(resolve->emulator);
  g_strfreev(resolve->dirs);
  g_free(resolve->found);
  g_free(resolve);
}

static void
resolve_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Resolve *resolve = data;
  g_autoptr(GPtrArray) found = discover((const char *const *)resolve->dirs);
  const char *arch = resolve->arch != NULL ? resolve->arch : vb_arch_get_host();

  for (guint i = 0; i < found->len; i++) {
    Found *one = found->pdata[i];

    if (strcmp(one->arch, arch) == 0)
      resolve->found = g_strdup(one->binary);
  }
  if (resolve->found == NULL) {
    g_autofree char *searched = describe_search((const char *const *)resolve->dirs);

    g_task_return_new_error(task, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                            "No emulator for architecture '%s': no qemu-system-* for it (%s)", arch,
                            searched);
    return;
  }
  g_task_return_boolean(task, TRUE);
}

static void
on_resolve_lookup(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Resolve *resolve = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(VbQemuCaps) caps =
      vb_capabilities_lookup_finish(VB_CAPABILITIES(source), result, &error);
  VbDomainDefaults *defaults;
  const char *emulator = resolve->emulator != NULL ? resolve->emulator : resolve->found;

  if (caps == NULL) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  defaults = vb_domain_defaults_new(caps, emulator, resolve->arch, resolve->emulator != NULL,
                                    resolve->machine, &error);
  if (defaults == NULL) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  g_task_return_pointer(task, g_steal_pointer(&defaults), (GDestroyNotify)vb_domain_defaults_free);
}

static void
on_resolve_found(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Resolve *resolve = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  GCancellable *cancellable = g_task_get_cancellable(task);

  vb_capabilities_lookup_async(VB_CAPABILITIES(source), resolve->found, cancellable,
                               on_resolve_lookup, g_steal_pointer(&task));
}

/**
 * vb_capabilities_resolve_async:
 * @arch: (nullable): the domain's <os><type arch>; the host's when %NULL
 * @machine: (nullable): its <os><type machine>, canonical or an alias; the emulator's default
 *   when %NULL
 * @emulator: (nullable): its <emulator>; found by architecture when %NULL
 */
void
vb_capabilities_resolve_async(VbCapabilities *self,
                              const char *arch,
                              const char *machine,
                              const char *emulator,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  Resolve *resolve = g_new0(Resolve, 1);

  g_task_set_source_tag(task, vb_capabilities_resolve_async);
  resolve->arch = g_strdup(arch);
  resolve->machine = g_strdup(machine);
  resolve->emulator = g_strdup(emulator);
  resolve->dirs = g_strdupv(self->search_dirs);
  g_task_set_task_data(task, resolve, (GDestroyNotify)resolve_free);
  if (arch != NULL && vb_arch_get_wordsize(arch) == 0) {
    g_task_return_new_error(task, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                            "Architecture '%s' is not one virtbus knows", arch);
    return;
  }
  if (emulator != NULL) {
    vb_capabilities_lookup_async(self, emulator, cancellable, on_resolve_lookup,
                                 g_steal_pointer(&task));
  } else {
    GTask *thread_task = g_task_new(self, cancellable, on_resolve_found, g_steal_pointer(&task));

    g_task_set_task_data(thread_task, resolve, NULL);
    g_task_run_in_thread(thread_task, resolve_in_thread);
    g_object_unref(thread_task);
  }
}

/**
 * vb_capabilities_resolve_finish:
 *
 * Returns: (transfer full): the domain's architecture, canonical machine and emulator
 */
VbDomainDefaults *
vb_capabilities_resolve_finish(VbCapabilities *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}
