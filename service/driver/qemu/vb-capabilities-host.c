/* vb-capabilities-host.c: the emulators an instance can use (discovery in qemu.conf's
 * emulator_search_path, then the system directories), the host's capabilities built from
 * their probes, and resolving a domain's emulator and defaults. Directory scans and file
 * reads run in worker threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-capabilities-private.h"
#include "vb-error.h"

static void
found_free(VbFoundEmulator *found)
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
    VbFoundEmulator *found = g_new0(VbFoundEmulator, 1);

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

static void
on_dir_changed(
    GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer user_data)
{
  vb_capabilities_forget(user_data, "an emulator search directory changed");
}

/* Keeps what the search found until one of its directories changes: resolving a domain's
 * emulator then needs no thread and no disk. */
static void
remember_discovery(VbCapabilities *self, GPtrArray *found)
{
  if (self->dir_monitors == NULL) {
    self->dir_monitors =
        g_ptr_array_new_with_free_func((GDestroyNotify)vb_capabilities_drop_monitor);
    for (guint i = 0; self->search_dirs[i] != NULL; i++) {
      g_autoptr(GFile) dir = g_file_new_for_path(self->search_dirs[i]);
      g_autoptr(GError) error = NULL;
      GFileMonitor *monitor = g_file_monitor_directory(dir, G_FILE_MONITOR_NONE, NULL, &error);

      if (monitor == NULL) {
        /* unwatched, the result could go stale unseen: search every time instead */
        g_debug("Capabilities: cannot watch %s (%s)", self->search_dirs[i], error->message);
        g_clear_pointer(&self->dir_monitors, g_ptr_array_unref);
        return;
      }
      g_signal_connect(monitor, "changed", G_CALLBACK(on_dir_changed), self);
      g_ptr_array_add(self->dir_monitors, monitor);
    }
  }
  g_clear_pointer(&self->discovered, g_ptr_array_unref);
  self->discovered = g_ptr_array_ref(found);
}

/* ---- the host ---- */

void
vb_host_caps_free(VbHostCaps *self)
{
  if (self == NULL)
    return;
  g_free(self->uuid);
  g_ptr_array_unref(self->secmodels);
  g_ptr_array_unref(self->emulators);
  g_free(self);
}

static void
secmodel_free(VbHostSecmodel *secmodel)
{
  g_free(secmodel->model);
  g_free(secmodel->kvm_label);
  g_free(secmodel->tcg_label);
  g_free(secmodel);
}

/* One <secmodel> per model the security host lists, with its base labels. */
static GPtrArray *
host_secmodels(const VbSecurityHost *security)
{
  GPtrArray *secmodels = g_ptr_array_new_with_free_func((GDestroyNotify)secmodel_free);
  g_auto(GStrv) models = security != NULL ? vb_security_host_get_models(security) : NULL;

  for (guint i = 0; models != NULL && models[i] != NULL; i++) {
    VbHostSecmodel *secmodel = g_new0(VbHostSecmodel, 1);
    gint model = VB_ABSENT;

    secmodel->model = g_strdup(models[i]);
    for (guint m = 0; m < VB_SECMODEL_N; m++)
      if (g_str_equal(vb_secmodel_names[m], models[i]))
        model = (gint)m;
    if (model != VB_ABSENT) {
      secmodel->kvm_label = vb_security_host_get_baselabel(security, model, VB_VIRT_KVM);
      secmodel->tcg_label = vb_security_host_get_baselabel(security, model, VB_VIRT_QEMU);
    }
    g_ptr_array_add(secmodels, secmodel);
  }
  if (secmodels->len == 0) {
    VbHostSecmodel *none = g_new0(VbHostSecmodel, 1);

    none->model = g_strdup("none");
    g_ptr_array_add(secmodels, none);
  }
  return secmodels;
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
  GPtrArray *found; /* (element-type VbFoundEmulator) */
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
  host->secmodels = host_secmodels(VB_CAPABILITIES(g_task_get_source_object(task))->security);
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
  remember_discovery(VB_CAPABILITIES(source), query->found);
  query->emulators = g_ptr_array_new_with_free_func((GDestroyNotify)vb_qemu_caps_unref);
  g_ptr_array_set_size(query->emulators, query->found->len);
  query->n_pending = query->found->len;
  if (query->n_pending == 0) {
    host_finish(task);
    return;
  }
  for (guint i = 0; i < query->found->len; i++) {
    VbFoundEmulator *found = query->found->pdata[i];
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
  char *found;    /* (nullable): the emulator the search found */
  GPtrArray *all; /* (nullable) (element-type VbFoundEmulator): what the thread's search found */
} Resolve;

static void
resolve_free(Resolve *resolve)
{
  g_free(resolve->arch);
  g_free(resolve->machine);
  g_free(resolve->emulator);
  g_strfreev(resolve->dirs);
  g_free(resolve->found);
  g_clear_pointer(&resolve->all, g_ptr_array_unref);
  g_free(resolve);
}

static void
resolve_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Resolve *resolve = data;

  resolve->all = discover((const char *const *)resolve->dirs);
  g_task_return_boolean(task, TRUE);
}

/* The emulator @found has for @arch, or an error saying where the search looked. */
static char *
pick_emulator(GPtrArray *found, const char *arch, const char *const *dirs, GError **error)
{
  for (guint i = 0; i < found->len; i++) {
    VbFoundEmulator *one = found->pdata[i];

    if (strcmp(one->arch, arch) == 0)
      return g_strdup(one->binary);
  }
  {
    g_autofree char *searched = describe_search(dirs);

    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "No emulator for architecture '%s': no qemu-system-* for it (%s)", arch, searched);
  }
  return NULL;
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

/* Takes @task: picks the emulator for the domain's architecture from @found, then its
 * capabilities. */
static void
resolve_from(VbCapabilities *self, GPtrArray *found, GTask *task)
{
  Resolve *resolve = g_task_get_task_data(task);
  const char *arch = resolve->arch != NULL ? resolve->arch : vb_arch_get_host();
  GError *error = NULL;

  resolve->found = pick_emulator(found, arch, (const char *const *)resolve->dirs, &error);
  if (resolve->found == NULL) {
    g_task_return_error(task, error);
    g_object_unref(task);
    return;
  }
  vb_capabilities_lookup_async(self, resolve->found, g_task_get_cancellable(task),
                               on_resolve_lookup, task);
}

static void
on_resolve_found(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Resolve *resolve = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;

  VbCapabilities *self = VB_CAPABILITIES(source);

  if (!g_task_propagate_boolean(G_TASK(result), &error)) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  remember_discovery(self, resolve->all);
  resolve_from(self, resolve->all, g_steal_pointer(&task));
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
  } else if (self->discovered != NULL) {
    resolve_from(self, self->discovered, g_steal_pointer(&task));
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
