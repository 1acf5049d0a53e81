/* vb-qemu-conf.c: reading qemu.conf into typed settings with libvirt's defaults.
 *
 * An administrator's full libvirt qemu.conf must load: settings we do not know are reported as
 * warnings and otherwise ignored. Settings we do know are checked strictly, and a bad one fails
 * the whole load with its file, line, column and name, so a typo never silently becomes a
 * default.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vb-conf-file.h"
#include "vb-error.h"
#include "vb-qemu-conf.h"

/* The settings this file reads; anything else in a qemu.conf draws a warning. */
static const char *const known_settings[] = {
    "user",
    "group",
    "dynamic_ownership",
    "remember_owner",
    "security_driver",
    "security_default_confined",
    "security_require_confined",
    "clear_emulator_capabilities",
    "cgroup_controllers",
    "cgroup_device_acl",
    "vnc_listen",
    "vnc_auto_unix_socket",
    "remote_display_port_min",
    "remote_display_port_max",
    "deprecation_behavior",
    "emulator_search_path",
    "network_bridges",
    "spice_listen",
    "spice_tls",
    "log_timestamp",
    NULL,
};

static const char *const default_cgroup_controllers[] = {
    "cpu", "devices", "memory", "blkio", "cpuset", "cpuacct", NULL,
};

/* The controllers libvirt knows by these names (cgroup v1 names; v2 maps them). */
static const char *const known_cgroup_controllers[] = {
    "cpu",   "cpuacct", "cpuset",     "memory",       "devices", "freezer",
    "blkio", "net_cls", "perf_event", "name=systemd", NULL,
};

static const char *const default_cgroup_device_acl[] = {
    "/dev/null",    "/dev/full", "/dev/zero", "/dev/random",
    "/dev/urandom", "/dev/ptmx", "/dev/kvm",  NULL,
};

static const char *const known_security_drivers[] = {"selinux", "apparmor", "none", NULL};

const char *
vb_deprecation_behavior_to_string(VbDeprecationBehavior behavior)
{
  g_return_val_if_fail((guint)behavior <= VB_DEPRECATION_CRASH, NULL);
  return vb_deprecation_behavior_names[behavior];
}

gboolean
vb_deprecation_behavior_from_string(const char *text, VbDeprecationBehavior *out)
{
  for (guint i = 0; vb_deprecation_behavior_names[i] != NULL; i++) {
    if (g_strcmp0(text, vb_deprecation_behavior_names[i]) == 0) {
      *out = (VbDeprecationBehavior)i;
      return TRUE;
    }
  }
  return FALSE;
}

static void
conf_clear(VbQemuConf *self)
{
  g_free(self->filename);
  g_free(self->user);
  g_free(self->group);
  g_strfreev(self->security_drivers);
  g_strfreev(self->cgroup_controllers);
  g_strfreev(self->cgroup_device_acl);
  g_free(self->vnc_listen);
  g_free(self->spice_listen);
  g_strfreev(self->emulator_search_path);
  g_clear_pointer(&self->network_bridges, g_hash_table_unref);
  g_clear_pointer(&self->warnings, g_ptr_array_unref);
}

/* Shared read-only: a job holds its reference while a reload replaces the daemon's. */
VbQemuConf *
vb_qemu_conf_ref(VbQemuConf *self)
{
  return g_atomic_rc_box_acquire(self);
}

void
vb_qemu_conf_unref(VbQemuConf *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full(self, (GDestroyNotify)conf_clear);
}

/**
 * vb_qemu_conf_new_default:
 *
 * The settings in force when qemu.conf sets nothing. User and group are left unresolved for the
 * system instance (vb_qemu_conf_load resolves them); the other instances run QEMU as us.
 *
 * Returns: (transfer full): defaults for @instance
 */
VbQemuConf *
vb_qemu_conf_new_default(VbInstanceKind instance)
{
  VbQemuConf *self = g_atomic_rc_box_new0(VbQemuConf);

  self->instance = instance;
  self->filename = g_strdup("qemu.conf");
  if (instance == VB_INSTANCE_SYSTEM) {
    self->user = g_strdup(VB_DEFAULT_QEMU_USER);
    self->group = g_strdup(VB_DEFAULT_QEMU_GROUP);
    self->uid = (uid_t)-1;
    self->gid = (gid_t)-1;
  } else {
    self->uid = geteuid();
    self->gid = getegid();
    self->user = g_strdup_printf("+%u", (guint)self->uid);
    self->group = g_strdup_printf("+%u", (guint)self->gid);
  }
  self->dynamic_ownership = TRUE;
  self->remember_owner = TRUE;
  self->security_drivers = g_new0(char *, 1);
  self->security_default_confined = TRUE;
  self->security_require_confined = FALSE;
  /* Since libvirt 6.0 QEMU running as root keeps its capabilities (drvqemu, "Linux process
   * capabilities"); setting this to 1 asks for the older behaviour. Non-root QEMU has none. */
  self->clear_emulator_capabilities = FALSE;
  self->cgroup_controllers = g_strdupv((GStrv)default_cgroup_controllers);
  self->cgroup_device_acl = g_strdupv((GStrv)default_cgroup_device_acl);
  self->vnc_listen = g_strdup("127.0.0.1");
  self->vnc_auto_unix_socket = FALSE;
  self->remote_display_port_min = 5900;
  self->remote_display_port_max = 65535;
  self->spice_listen = g_strdup("127.0.0.1");
  self->spice_tls = FALSE;
  self->deprecation_behavior = VB_DEPRECATION_NONE;
  self->emulator_search_path = g_new0(char *, 1);
  self->network_bridges = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  self->log_timestamp = TRUE;
  self->warnings = g_ptr_array_new_with_free_func(g_free);
  return self;
}

static gboolean
parse_id_number(const char *text, guint32 *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32 - 1, &value, NULL))
    return FALSE;
  *out = (guint32)value;
  return TRUE;
}

/* Looks @name up through NSS as a user or a group. Returns 0 (with *found) or an errno. */
static int
lookup_name(const char *name, gboolean group, guint32 *id, gboolean *found)
{
  gsize size = 16384;

  for (;;) {
    g_autofree char *buffer = g_malloc(size);
    int rc;

    if (group) {
      struct group grp, *result = NULL;

      rc = getgrnam_r(name, &grp, buffer, size, &result);
      *found = result != NULL;
      if (*found)
        *id = grp.gr_gid;
    } else {
      struct passwd pwd, *result = NULL;

      rc = getpwnam_r(name, &pwd, buffer, size, &result);
      *found = result != NULL;
      if (*found)
        *id = pwd.pw_uid;
    }
    if (rc != ERANGE || size >= 1024 * 1024)
      return rc;
    size *= 4;
  }
}

/* "+N" is a numeric id; anything else a name, which as in libvirt may also be a bare number
 * when no account has that name. */
static gboolean
resolve_id(const char *text, gboolean group, guint32 *id_out, char **why)
{
  const char *kind = group ? "group" : "user";
  gboolean found = FALSE;
  int rc;

  if (text[0] == '+') {
    if (!parse_id_number(text + 1, id_out)) {
      *why = g_strdup_printf("'%s' is not a valid numeric %s id", text, kind);
      return FALSE;
    }
    return TRUE;
  }
  rc = lookup_name(text, group, id_out, &found);
  if (found || parse_id_number(text, id_out))
    return TRUE;
  *why = rc != 0 ? g_strdup_printf("cannot look up %s '%s': %s", kind, text, g_strerror(rc))
                 : g_strdup_printf("there is no %s '%s' on this host", kind, text);
  return FALSE;
}

static gboolean
read_identity(VbQemuConf *self, const VbConfFile *file, GError **error)
{
  g_autofree char *user = NULL;
  g_autofree char *group = NULL;
  g_autofree char *why = NULL;
  guint32 id;

  if (!vb_conf_file_get_string(file, "user", &user, error) ||
      !vb_conf_file_get_string(file, "group", &group, error))
    return FALSE;

  if (self->instance != VB_INSTANCE_SYSTEM) {
    const char *names[] = {"user", "group"};

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
      const VbConfEntry *entry = vb_conf_file_lookup(file, names[i]);

      if (entry != NULL)
        g_ptr_array_add(self->warnings,
                        g_strdup_printf("%s:%u: setting '%s' ignored: the %s instance runs QEMU "
                                        "as the calling user",
                                        self->filename, entry->line, names[i],
                                        vb_instance_kind_to_string(self->instance)));
    }
    return TRUE;
  }

  if (user != NULL) {
    g_free(self->user);
    self->user = g_steal_pointer(&user);
  }
  if (group != NULL) {
    g_free(self->group);
    self->group = g_steal_pointer(&group);
  }
  if (!resolve_id(self->user, FALSE, &id, &why)) {
    const VbConfEntry *entry = vb_conf_file_lookup(file, "user");

    if (entry != NULL)
      vb_conf_file_set_value_error(file, entry, NULL, error, "%s", why);
    else
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "%s: the built-in default user: %s (set 'user' in this file)", self->filename,
                  why);
    return FALSE;
  }
  self->uid = (uid_t)id;
  if (!resolve_id(self->group, TRUE, &id, &why)) {
    const VbConfEntry *entry = vb_conf_file_lookup(file, "group");

    if (entry != NULL)
      vb_conf_file_set_value_error(file, entry, NULL, error, "%s", why);
    else
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "%s: the built-in default group: %s (set 'group' in this file)", self->filename,
                  why);
    return FALSE;
  }
  self->gid = (gid_t)id;
  return TRUE;
}

/* Checks each item of a string-list setting against @allowed, and for repeats. */
static gboolean
check_list_items(const VbConfFile *file,
                 const char *name,
                 GStrv values,
                 const char *const *allowed,
                 GError **error)
{
  const VbConfEntry *entry = vb_conf_file_lookup(file, name);
  g_autoptr(GHashTable) seen = NULL;

  if (entry == NULL)
    return TRUE;
  seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; values[i] != NULL; i++) {
    const VbConfValue *item = vb_conf_entry_get_item(entry, i);

    if (allowed != NULL && !g_strv_contains(allowed, values[i])) {
      g_autofree char *choices = g_strjoinv("', '", (GStrv)allowed);
      vb_conf_file_set_value_error(file, entry, item, error, "unknown value '%s' (allowed: '%s')",
                                   values[i], choices);
      return FALSE;
    }
    if (!g_hash_table_add(seen, values[i])) {
      vb_conf_file_set_value_error(file, entry, item, error, "'%s' is listed twice", values[i]);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
check_absolute_paths(const VbConfFile *file, const char *name, GStrv values, GError **error)
{
  const VbConfEntry *entry = vb_conf_file_lookup(file, name);

  if (entry == NULL)
    return TRUE;
  for (guint i = 0; values[i] != NULL; i++) {
    if (!g_path_is_absolute(values[i])) {
      vb_conf_file_set_value_error(file, entry, vb_conf_entry_get_item(entry, i), error,
                                   "'%s' is not an absolute path", values[i]);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
read_security(VbQemuConf *self, const VbConfFile *file, GError **error)
{
  const VbConfEntry *entry;

  if (!vb_conf_file_get_string_list(file, "security_driver", TRUE, &self->security_drivers,
                                    error) ||
      !check_list_items(file, "security_driver", self->security_drivers, known_security_drivers,
                        error))
    return FALSE;
  entry = vb_conf_file_lookup(file, "security_driver");
  if (entry != NULL && g_strv_contains((const char *const *)self->security_drivers, "none") &&
      g_strv_length(self->security_drivers) > 1) {
    vb_conf_file_set_value_error(file, entry, NULL, error,
                                 "'none' disables the security drivers and cannot be combined "
                                 "with others");
    return FALSE;
  }
  return vb_conf_file_get_bool(file, "security_default_confined", &self->security_default_confined,
                               error) &&
         vb_conf_file_get_bool(file, "security_require_confined", &self->security_require_confined,
                               error) &&
         vb_conf_file_get_bool(file, "clear_emulator_capabilities",
                               &self->clear_emulator_capabilities, error) &&
         vb_conf_file_get_bool(file, "dynamic_ownership", &self->dynamic_ownership, error) &&
         vb_conf_file_get_bool(file, "remember_owner", &self->remember_owner, error);
}

static gboolean
read_cgroups(VbQemuConf *self, const VbConfFile *file, GError **error)
{
  return vb_conf_file_get_string_list(file, "cgroup_controllers", FALSE, &self->cgroup_controllers,
                                      error) &&
         check_list_items(file, "cgroup_controllers", self->cgroup_controllers,
                          known_cgroup_controllers, error) &&
         vb_conf_file_get_string_list(file, "cgroup_device_acl", FALSE, &self->cgroup_device_acl,
                                      error) &&
         check_absolute_paths(file, "cgroup_device_acl", self->cgroup_device_acl, error);
}

static gboolean
check_not_empty(const VbConfFile *file, const char *name, const char *value, GError **error)
{
  const VbConfEntry *entry = vb_conf_file_lookup(file, name);

  if (entry != NULL && *value == '\0') {
    vb_conf_file_set_value_error(file, entry, NULL, error, "must not be empty");
    return FALSE;
  }
  return TRUE;
}

static gboolean
read_display(VbQemuConf *self, const VbConfFile *file, GError **error)
{
  gint64 port_min = self->remote_display_port_min;
  gint64 port_max = self->remote_display_port_max;
  const VbConfEntry *entry;

  if (!vb_conf_file_get_string(file, "vnc_listen", &self->vnc_listen, error) ||
      !check_not_empty(file, "vnc_listen", self->vnc_listen, error) ||
      !vb_conf_file_get_bool(file, "vnc_auto_unix_socket", &self->vnc_auto_unix_socket, error) ||
      !vb_conf_file_get_string(file, "spice_listen", &self->spice_listen, error) ||
      !check_not_empty(file, "spice_listen", self->spice_listen, error) ||
      !vb_conf_file_get_bool(file, "spice_tls", &self->spice_tls, error) ||
      !vb_conf_file_get_int(file, "remote_display_port_min", 5900, 65535, &port_min, error) ||
      !vb_conf_file_get_int(file, "remote_display_port_max", 5900, 65535, &port_max, error))
    return FALSE;
  if (port_min > port_max) {
    entry = vb_conf_file_lookup(file, "remote_display_port_max");
    if (entry == NULL)
      entry = vb_conf_file_lookup(file, "remote_display_port_min");
    vb_conf_file_set_value_error(file, entry, NULL, error,
                                 "remote_display_port_min (%" G_GINT64_FORMAT
                                 ") is above remote_display_port_max (%" G_GINT64_FORMAT ")",
                                 port_min, port_max);
    return FALSE;
  }
  self->remote_display_port_min = (guint)port_min;
  self->remote_display_port_max = (guint)port_max;
  return TRUE;
}

/* Linux interface names: 1 to 15 bytes, no '/', ':' or white space, not "." or "..". */
static gboolean
is_valid_bridge_name(const char *name)
{
  gsize len = strlen(name);

  if (len == 0 || len > 15 || g_str_equal(name, ".") || g_str_equal(name, ".."))
    return FALSE;
  for (const char *c = name; *c != '\0'; c++) {
    if (*c == '/' || *c == ':' || g_ascii_isspace(*c) || !g_ascii_isprint(*c))
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_network_bridges(VbQemuConf *self, const VbConfFile *file, GError **error)
{
  g_auto(GStrv) pairs = NULL;
  const VbConfEntry *entry;

  if (!vb_conf_file_get_string_list(file, "network_bridges", TRUE, &pairs, error))
    return FALSE;
  entry = vb_conf_file_lookup(file, "network_bridges");
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++) {
    const VbConfValue *item = vb_conf_entry_get_item(entry, i);
    const char *equals = strchr(pairs[i], '=');
    g_autofree char *network = NULL;
    const char *bridge;

    if (equals == NULL || equals == pairs[i]) {
      vb_conf_file_set_value_error(file, entry, item, error,
                                   "'%s' is not of the form \"network=bridge\"", pairs[i]);
      return FALSE;
    }
    network = g_strndup(pairs[i], (gsize)(equals - pairs[i]));
    bridge = equals + 1;
    if (!is_valid_bridge_name(bridge)) {
      vb_conf_file_set_value_error(file, entry, item, error,
                                   "'%s' is not a valid bridge name for network '%s' (1 to 15 "
                                   "bytes, no '/', ':' or white space)",
                                   bridge, network);
      return FALSE;
    }
    if (g_hash_table_contains(self->network_bridges, network)) {
      vb_conf_file_set_value_error(file, entry, item, error, "network '%s' is mapped twice",
                                   network);
      return FALSE;
    }
    g_hash_table_insert(self->network_bridges, g_steal_pointer(&network), g_strdup(bridge));
  }
  return TRUE;
}

static gboolean
read_driver_misc(VbQemuConf *self, const VbConfFile *file, GError **error)
{
  g_autofree char *deprecation = NULL;

  if (!vb_conf_file_get_string(file, "deprecation_behavior", &deprecation, error))
    return FALSE;
  if (deprecation != NULL &&
      !vb_deprecation_behavior_from_string(deprecation, &self->deprecation_behavior)) {
    vb_conf_file_set_value_error(file, vb_conf_file_lookup(file, "deprecation_behavior"), NULL,
                                 error,
                                 "unknown value '%s' (allowed: 'none', 'omit', 'reject', "
                                 "'crash')",
                                 deprecation);
    return FALSE;
  }
  return vb_conf_file_get_string_list(file, "emulator_search_path", TRUE,
                                      &self->emulator_search_path, error) &&
         check_absolute_paths(file, "emulator_search_path", self->emulator_search_path, error) &&
         check_list_items(file, "emulator_search_path", self->emulator_search_path, NULL, error) &&
         vb_conf_file_get_bool(file, "log_timestamp", &self->log_timestamp, error);
}

static void
collect_warnings(VbQemuConf *self, const VbConfFile *file)
{
  g_autoptr(GHashTable) first_line = g_hash_table_new(g_str_hash, g_str_equal);

  for (guint i = 0; i < vb_conf_file_get_n_entries(file); i++) {
    const VbConfEntry *entry = vb_conf_file_get_entry(file, i);
    gpointer seen = g_hash_table_lookup(first_line, entry->name);

    if (seen != NULL) {
      g_ptr_array_add(self->warnings,
                      g_strdup_printf("%s:%u: setting '%s' repeats the one at line %u, which "
                                      "wins; this one is ignored",
                                      self->filename, entry->line, entry->name,
                                      GPOINTER_TO_UINT(seen)));
      continue;
    }
    g_hash_table_insert(first_line, entry->name, GUINT_TO_POINTER(entry->line));
    if (!g_strv_contains(known_settings, entry->name))
      g_ptr_array_add(self->warnings, g_strdup_printf("%s:%u: unknown setting '%s' ignored",
                                                      self->filename, entry->line, entry->name));
  }
}

/**
 * vb_qemu_conf_load_from_data:
 * @filename: the name used in messages
 * @data: the file's contents
 * @length: bytes in @data
 * @instance: whose configuration this is
 * @error: return location for a VB_ERROR_INVALID_CONFIG error naming file, line, column and
 *   setting
 *
 * Returns: (transfer full) (nullable): the settings
 */
VbQemuConf *
vb_qemu_conf_load_from_data(
    const char *filename, const char *data, gsize length, VbInstanceKind instance, GError **error)
{
  g_autoptr(VbQemuConf) self = vb_qemu_conf_new_default(instance);
  g_autoptr(VbConfFile) file = NULL;

  g_free(self->filename);
  self->filename = g_strdup(filename);
  self->file_exists = TRUE;

  if (length > VB_QEMU_CONF_MAX_SIZE) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: the file is %zu bytes, more than the %d bytes a qemu.conf may have", filename,
                length, VB_QEMU_CONF_MAX_SIZE);
    return NULL;
  }
  file = vb_conf_file_parse(filename, data, length, error);
  if (file == NULL)
    return NULL;

  collect_warnings(self, file);
  if (!read_identity(self, file, error) || !read_security(self, file, error) ||
      !read_cgroups(self, file, error) || !read_display(self, file, error) ||
      !read_network_bridges(self, file, error) || !read_driver_misc(self, file, error))
    return NULL;
  return g_steal_pointer(&self);
}

/**
 * vb_qemu_conf_load:
 * @filename: the instance's qemu.conf (vb_paths_get_qemu_conf())
 * @instance: whose configuration this is
 * @error: return location for a VB_ERROR error
 *
 * Reads @filename; a missing file means every default. This reads a small local file and, for
 * the system instance, may consult NSS for user and group: call it at start-up or from a worker
 * thread, never from a D-Bus handler.
 *
 * Returns: (transfer full) (nullable): the settings
 */
VbQemuConf *
vb_qemu_conf_load(const char *filename, VbInstanceKind instance, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  struct stat st;

  if (g_stat(filename, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > VB_QEMU_CONF_MAX_SIZE) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "%s: the file is %" G_GINT64_FORMAT
                " bytes, more than the %d bytes a qemu.conf may have",
                filename, (gint64)st.st_size, VB_QEMU_CONF_MAX_SIZE);
    return NULL;
  }
  if (!g_file_get_contents(filename, &data, &length, &local_error)) {
    if (g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      g_autoptr(VbQemuConf) self = vb_qemu_conf_load_from_data(filename, "", 0, instance, error);

      if (self != NULL)
        self->file_exists = FALSE;
      return g_steal_pointer(&self);
    }
    g_set_error(error, VB_ERROR, VB_ERROR_FAILED, "cannot read %s: %s", filename,
                local_error->message);
    return NULL;
  }
  return vb_qemu_conf_load_from_data(filename, data, length, instance, error);
}

VbQemuConf *
vb_qemu_conf_load_for(const VbPaths *paths, GError **error)
{
  VbQemuConf *conf =
      vb_qemu_conf_load(vb_paths_get_qemu_conf(paths), vb_paths_get_instance(paths), error);

  for (guint i = 0; conf != NULL && i < conf->warnings->len; i++)
    g_warning("%s", (const char *)conf->warnings->pdata[i]);
  return conf;
}

/**
 * vb_qemu_conf_lookup_bridge:
 *
 * Returns: (nullable): the host bridge that qemu.conf network_bridges maps @network to
 */
const char *
vb_qemu_conf_lookup_bridge(const VbQemuConf *self, const char *network)
{
  return g_hash_table_lookup(self->network_bridges, network);
}

/* TRUE when security_driver = "none" switched the LSM drivers off. */
gboolean
vb_qemu_conf_security_disabled(const VbQemuConf *self)
{
  return g_strv_length(self->security_drivers) == 1 &&
         g_str_equal(self->security_drivers[0], "none");
}
