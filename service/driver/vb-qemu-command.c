/* vb-qemu-command.c: the QEMU command line of a domain: the machine-wide options, the
 * environment and the qemu namespace; the device families live in vb-qemu-command-*.c.
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
  self->setup = g_ptr_array_new_with_free_func(g_free);
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

/* Takes @props: a -blockdev, always JSON (QEMU reads nested members no other way). */
void
vb_qemu_build_blockdev(VbQemuBuild *b, VbQemuProps *props)
{
  g_autoptr(VbQemuProps) owned = props;

  g_ptr_array_add(b->cmd->args, g_strdup("-blockdev"));
  g_ptr_array_add(b->cmd->args, vb_qemu_props_to_json(owned));
}

/* Takes @arguments: a monitor command the launcher runs before 'cont'. */
void
vb_qemu_build_setup(VbQemuBuild *b, const char *execute, VbQemuProps *arguments)
{
  g_autoptr(VbQemuProps) command = vb_qemu_props_new();

  vb_qemu_props_add_string(command, "execute", execute);
  vb_qemu_props_add_object(command, "arguments", arguments);
  g_ptr_array_add(b->cmd->setup, vb_qemu_props_to_json(command));
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

static void
add_env(VbQemuBuild *b, const char *name, const char *value)
{
  g_ptr_array_add(b->cmd->env, g_strdup_printf("%s=%s", name, value != NULL ? value : ""));
}

static void
build_env(VbQemuBuild *b)
{
  const char *home = b->cmd->lib_dir;

  add_env(b, "LC_ALL", "C");
  add_env(b, "PATH", VB_QEMU_PATH);
  add_env(b, "HOME", home);
  {
    g_autofree char *data = g_build_filename(home, ".local", "share", NULL);
    g_autofree char *cache = g_build_filename(home, ".cache", NULL);
    g_autofree char *config = g_build_filename(home, ".config", NULL);

    add_env(b, "XDG_DATA_HOME", data);
    add_env(b, "XDG_CACHE_HOME", cache);
    add_env(b, "XDG_CONFIG_HOME", config);
  }
  if (b->def->clock.offset == VB_CLOCK_TIMEZONE)
    add_env(b, "TZ", b->def->clock.timezone);
  /* before -audiodev (QEMU 4.0) the audio backend came from the environment */
  if (vb_qemu_caps_get_version(b->caps) < VB_QEMU_VERSION(4, 0, 0))
    add_env(b, "QEMU_AUDIO_DRV", "none");
}

/* <qemu:capabilities>: checked against the names virtbus knows, then applied to this build. */
static gboolean
apply_caps_changes(VbQemuBuild *b, GError **error)
{
  const VbQemuNamespace *ns = &b->def->qemu;
  const GStrv lists[] = {ns->caps_add, ns->caps_del};
  GHashTable *tables[] = {b->caps_added, b->caps_removed};

  for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
    for (guint i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
      const char *flag = lists[l][i];

      if (!vb_qemu_caps_flag_is_known(flag)) {
        g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                    "/domain/qemu:capabilities/qemu:%s/@capability: virtbus knows no "
                    "capability '%s' (see docs/capabilities.md)",
                    l == 0 ? "add" : "del", flag);
        return FALSE;
      }
      g_hash_table_add(tables[l], g_strdup(flag));
    }
  }
  if (g_hash_table_size(b->caps_added) + g_hash_table_size(b->caps_removed) > 0)
    g_ptr_array_add(b->cmd->taints, g_strdup("custom-hypervisor-feature"));
  return TRUE;
}

static gboolean
check_accelerator(VbQemuBuild *b, GError **error)
{
  switch (b->def->virt_type) {
  case VB_VIRT_HVF:
    g_set_error_literal(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                        "/domain/@type: 'hvf' is macOS's hypervisor; on Linux a domain is "
                        "'kvm' or 'qemu'");
    return FALSE;
  case VB_VIRT_KVM:
    if (!b->config->kvm_usable) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "/domain/@type: 'kvm' needs /dev/kvm, which is missing or not usable by "
                  "the user QEMU runs as; use type='qemu' (TCG) instead");
      return FALSE;
    }
    if (!vb_qemu_build_has(b, "kvm")) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "/domain/@type: 'kvm' is not enabled in %s", vb_qemu_caps_get_binary(b->caps));
      return FALSE;
    }
    b->kvm = TRUE;
    return TRUE;
  case VB_VIRT_QEMU:
  default:
    if (!vb_qemu_build_has(b, "tcg")) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "/domain/@type: 'qemu' needs TCG, which %s does not have",
                  vb_qemu_caps_get_binary(b->caps));
      return FALSE;
    }
    return TRUE;
  }
}

static const char *
timer_policy(const VbDomainDef *def, VbTimerName name, gint *present)
{
  for (guint i = 0; i < def->clock.timers->len; i++) {
    const VbTimer *timer = def->clock.timers->pdata[i];

    if (timer->name == name) {
      if (present != NULL)
        *present = timer->present;
      return timer->tickpolicy == VB_ABSENT ? "" : vb_timer_tickpolicy_names[timer->tickpolicy];
    }
  }
  if (present != NULL)
    *present = VB_ABSENT;
  return NULL;
}

static void
append_on_off(GString *out, const char *name, gint state)
{
  if (state != VB_ABSENT)
    g_string_append_printf(out, ",%s=%s", name, state ? "on" : "off");
}

static void
build_machine(VbQemuBuild *b)
{
  const VbDomainDef *def = b->def;
  g_autoptr(GString) machine = g_string_new(NULL);
  gint hpet = VB_ABSENT;
  guint version = vb_qemu_caps_get_version(b->caps);

  vb_qemu_keyval_append(machine, b->config->defaults->machine);
  g_string_append_printf(machine, ",accel=%s,usb=off", b->kvm ? "kvm" : "tcg");
  if (def->has_features) {
    append_on_off(machine, "vmport", def->features.vmport);
    append_on_off(machine, "smm", def->features.smm);
  }
  g_string_append(machine, ",dump-guest-core=off");
  timer_policy(def, VB_TIMER_HPET, &hpet);
  if (hpet == 0 && version >= VB_QEMU_VERSION(7, 0, 0))
    g_string_append(machine, ",hpet=off");
  if (version >= VB_QEMU_VERSION(5, 0, 0))
    g_string_append_printf(machine, ",acpi=%s",
                           def->has_features && def->features.acpi ? "on" : "off");
  if (def->os.loader != NULL && def->os.loader_type == VB_LOADER_PFLASH) {
    g_string_append(machine, ",pflash0=libvirt-pflash0-format");
    if (def->os.nvram != NULL)
      g_string_append(machine, ",pflash1=libvirt-pflash1-format");
  }
  vb_qemu_build_arg(b, "-machine", machine->str);
  if (hpet == 0 && version < VB_QEMU_VERSION(7, 0, 0))
    vb_qemu_build_arg(b, "-no-hpet", NULL);
  if (version < VB_QEMU_VERSION(5, 0, 0) && !(def->has_features && def->features.acpi))
    vb_qemu_build_arg(b, "-no-acpi", NULL);
}

/* Hyper-V enlightenments as QEMU's -cpu properties, in libvirt's order. */
static gboolean
append_hyperv(VbQemuBuild *b, GString *cpu, GError **error)
{
  const VbFeatures *f = &b->def->features;

  if (!b->def->has_features || !f->hyperv)
    return TRUE;
  /* QEMU refuses these without KVM: say so before it does */
  if (!b->kvm &&
      (f->hyperv_mode == VB_HYPERV_MODE_PASSTHROUGH || f->hyperv_state[VB_HYPERV_VPINDEX] == 1)) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "/domain/features/hyperv%s: needs KVM; a type='qemu' (TCG) domain cannot "
                "have it",
                f->hyperv_mode == VB_HYPERV_MODE_PASSTHROUGH ? "/@mode" : "/vpindex");
    return FALSE;
  }
  if (f->hyperv_mode == VB_HYPERV_MODE_PASSTHROUGH) {
    g_string_append(cpu, ",hv-passthrough=on");
    return TRUE;
  }
  for (guint i = 0; i < VB_HYPERV_N_FEATURES; i++) {
    if (f->hyperv_state[i] != 1)
      continue;
    switch ((VbHypervFeature)i) {
    case VB_HYPERV_SPINLOCKS:
      g_string_append_printf(cpu, ",hv-spinlocks=0x%" G_GINT64_MODIFIER "x",
                             f->hyperv_spinlock_retries);
      break;
    case VB_HYPERV_VENDOR_ID:
      g_string_append(cpu, ",hv-vendor-id=");
      vb_qemu_keyval_append(cpu, f->hyperv_vendor_id);
      break;
    case VB_HYPERV_TLBFLUSH:
      g_string_append(cpu, ",hv-tlbflush=on");
      break;
    case VB_HYPERV_STIMER:
      g_string_append(cpu, ",hv-stimer=on");
      if (f->hyperv_stimer_direct == 1)
        g_string_append(cpu, ",hv-stimer-direct=on");
      break;
    default:
      g_string_append_printf(cpu, ",hv-%s=on", vb_hyperv_feature_names[i]);
      break;
    }
  }
  return TRUE;
}

static gboolean
build_cpu(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;
  const VbCpuDef *cpu = def->cpu;
  const char *arch = b->config->defaults->arch;
  g_autoptr(GString) out = g_string_new(NULL);
  gint present = VB_ABSENT;

  if (cpu != NULL && cpu->mode != VB_ABSENT && cpu->mode != VB_CPU_MODE_CUSTOM) {
    if (cpu->mode == VB_CPU_MODE_MAXIMUM) {
      g_string_append(out, "max");
    } else if (!b->kvm) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "/domain/cpu/@mode: '%s' needs KVM; a type='qemu' (TCG) domain can use "
                  "mode='maximum' or a named model",
                  vb_cpu_mode_names[cpu->mode]);
      return FALSE;
    } else {
      /* host-model is the host's CPU as KVM sees it: QEMU's "host" without migration */
      g_string_append(out, "host");
      if (cpu->mode == VB_CPU_MODE_HOST_PASSTHROUGH && cpu->migratable != VB_ABSENT)
        g_string_append_printf(out, ",migratable=%s", cpu->migratable ? "on" : "off");
      g_ptr_array_add(b->cmd->taints, g_strdup("host-cpu"));
    }
  } else if (cpu != NULL && cpu->model != NULL) {
    gboolean known = FALSE;
    const GPtrArray *models = vb_qemu_caps_get_cpu_models(b->caps);

    for (guint i = 0; i < models->len && !known; i++)
      known = g_str_equal(((const VbQemuCpuModel *)models->pdata[i])->name, cpu->model);
    if (!known && models->len > 0) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "/domain/cpu/model: %s has no CPU model '%s'", vb_qemu_caps_get_binary(b->caps),
                  cpu->model);
      return FALSE;
    }
    vb_qemu_keyval_append(out, cpu->model);
  } else if (g_str_equal(arch, "x86_64")) {
    g_string_append(out, "qemu64");
  } else if (g_str_equal(arch, "i686")) {
    g_string_append(out, "qemu32");
  } else if (cpu == NULL || cpu->features->len == 0) {
    return TRUE; /* the machine's own CPU */
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "/domain/cpu: CPU features need a <model> on %s", arch);
    return FALSE;
  }
  for (guint i = 0; cpu != NULL && i < cpu->features->len; i++) {
    const VbCpuFeature *feature = cpu->features->pdata[i];
    gboolean on = feature->policy == VB_ABSENT || feature->policy == VB_CPU_FEATURE_FORCE ||
                  feature->policy == VB_CPU_FEATURE_REQUIRE ||
                  feature->policy == VB_CPU_FEATURE_OPTIONAL;

    g_string_append_c(out, ',');
    vb_qemu_keyval_append(out, feature->name);
    g_string_append(out, on ? "=on" : "=off");
  }
  if (def->has_features && def->features.apic_eoi != VB_ABSENT)
    g_string_append_printf(out, ",kvm-pv-eoi=%s", def->features.apic_eoi ? "on" : "off");
  timer_policy(def, VB_TIMER_KVMCLOCK, &present);
  if (present == 0)
    g_string_append(out, ",kvmclock=off");
  if (!append_hyperv(b, out, error))
    return FALSE;
  timer_policy(def, VB_TIMER_HYPERVCLOCK, &present);
  if (present == 1)
    g_string_append(out, ",hv-time=on");
  for (guint i = 0; i < def->panics->len; i++) {
    if (((const VbPanicDef *)def->panics->pdata[i])->model == VB_PANIC_HYPERV)
      g_string_append(out, ",hv-crash=on");
  }
  vb_qemu_build_arg(b, "-cpu", out->str);
  return TRUE;
}

static void
build_memory_and_cpus(VbQemuBuild *b)
{
  const VbDomainDef *def = b->def;
  const VbCpuDef *cpu = def->cpu;
  g_autoptr(GString) smp = g_string_new(NULL);
  guint current = def->vcpus_current != 0 ? def->vcpus_current : def->vcpus;

  vb_qemu_build_argf(b, "-m", "size=%" G_GUINT64_FORMAT "k", def->memory_kib);
  g_string_append_printf(smp, "%u", current);
  if (current != def->vcpus)
    g_string_append_printf(smp, ",maxcpus=%u", def->vcpus);
  if (cpu != NULL && cpu->has_topology) {
    g_string_append_printf(smp, ",sockets=%u", cpu->sockets);
    if (cpu->dies > 1)
      g_string_append_printf(smp, ",dies=%u", cpu->dies);
    g_string_append_printf(smp, ",cores=%u,threads=%u", cpu->cores, cpu->threads);
  } else {
    g_string_append_printf(smp, ",sockets=%u,cores=1,threads=1", def->vcpus);
  }
  vb_qemu_build_arg(b, "-smp", smp->str);
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

static gboolean
build_clock(VbQemuBuild *b, GError **error)
{
  const VbClockDef *clock = &b->def->clock;
  g_autoptr(GString) rtc = g_string_new("base=");
  const char *policy;

  switch (clock->offset) {
  case VB_CLOCK_UTC:
    g_string_append(rtc, "utc");
    break;
  case VB_CLOCK_LOCALTIME:
  case VB_CLOCK_TIMEZONE:
    g_string_append(rtc, "localtime");
    break;
  case VB_CLOCK_VARIABLE:
  default: {
    g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc(b->config->now);
    g_autoptr(GDateTime) base = g_date_time_add_seconds(now, (gdouble)clock->adjustment);
    g_autoptr(GDateTime) shown = NULL;
    g_autofree char *text = NULL;

    if (base == NULL) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                  "/domain/clock/@adjustment: %" G_GINT64_FORMAT " seconds is out of range",
                  clock->adjustment);
      return FALSE;
    }
    shown = clock->basis == 1 ? g_date_time_to_local(base) : g_date_time_ref(base);
    text = g_date_time_format(shown, "%Y-%m-%dT%H:%M:%S");
    g_string_append(rtc, text);
    break;
  }
  }
  for (guint i = 0; i < clock->timers->len; i++) {
    const VbTimer *timer = clock->timers->pdata[i];

    if (timer->name == VB_TIMER_RTC && timer->track != VB_ABSENT)
      g_string_append(rtc, g_str_equal(vb_timer_track_names[timer->track], "guest")
                               ? ",clock=vm"
                               : ",clock=host");
  }
  policy = timer_policy(b->def, VB_TIMER_RTC, NULL);
  if (g_strcmp0(policy, "catchup") == 0) {
    g_string_append(rtc, ",driftfix=slew");
  } else if (policy != NULL && *policy != '\0' && !g_str_equal(policy, "delay")) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "/domain/clock/timer[@name='rtc']/@tickpolicy: QEMU's RTC has no '%s' policy "
                "(it has 'delay' and 'catchup')",
                policy);
    return FALSE;
  }
  vb_qemu_build_arg(b, "-rtc", rtc->str);
  return TRUE;
}

/* The PIT's lost-tick policy belongs to KVM's in-kernel PIT. */
static gboolean
build_pit(VbQemuBuild *b, GError **error)
{
  const char *policy = timer_policy(b->def, VB_TIMER_PIT, NULL);
  const char *qemu_policy = NULL;

  if (policy == NULL || *policy == '\0' || !b->kvm)
    return TRUE;
  if (g_str_equal(policy, "delay"))
    qemu_policy = "delay";
  else if (g_str_equal(policy, "catchup"))
    qemu_policy = "slew";
  else if (g_str_equal(policy, "discard"))
    qemu_policy = "discard";
  if (qemu_policy == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "/domain/clock/timer[@name='pit']/@tickpolicy: KVM's PIT has no '%s' policy",
                policy);
    return FALSE;
  }
  vb_qemu_build_argf(b, "-global", "kvm-pit.lost_tick_policy=%s", qemu_policy);
  return TRUE;
}

static void
build_boot(VbQemuBuild *b)
{
  const VbOsDef *os = &b->def->os;
  g_autoptr(GString) boot = g_string_new(NULL);

  if (os->bootmenu == 1) {
    g_string_append(boot, "menu=on,");
    if (os->bootmenu_timeout >= 0)
      g_string_append_printf(boot, "splash-time=%" G_GINT64_FORMAT ",", os->bootmenu_timeout);
  }
  g_string_append(boot, "strict=on");
  vb_qemu_build_arg(b, "-boot", boot->str);
  if (os->kernel != NULL)
    vb_qemu_build_arg(b, "-kernel", os->kernel);
  if (os->initrd != NULL)
    vb_qemu_build_arg(b, "-initrd", os->initrd);
  if (os->cmdline != NULL)
    vb_qemu_build_arg(b, "-append", os->cmdline);
}

static void
add_pflash(VbQemuBuild *b, guint unit, const char *path, gboolean read_only)
{
  g_autofree char *storage = g_strdup_printf("libvirt-pflash%u-storage", unit);
  g_autofree char *format = g_strdup_printf("libvirt-pflash%u-format", unit);
  VbQemuProps *file = vb_qemu_props_new();
  VbQemuProps *raw = vb_qemu_props_new();

  vb_qemu_props_add_string(file, "driver", "file");
  vb_qemu_props_add_string(file, "filename", path);
  vb_qemu_props_add_string(file, "node-name", storage);
  vb_qemu_props_add_bool(file, "auto-read-only", TRUE);
  vb_qemu_props_add_string(file, "discard", "unmap");
  vb_qemu_build_blockdev(b, file);
  vb_qemu_props_add_string(raw, "node-name", format);
  vb_qemu_props_add_bool(raw, "read-only", read_only);
  vb_qemu_props_add_string(raw, "driver", "raw");
  vb_qemu_props_add_string(raw, "file", storage);
  vb_qemu_build_blockdev(b, raw);
}

static gboolean
build_firmware(VbQemuBuild *b, GError **error)
{
  const VbOsDef *os = &b->def->os;

  if (os->loader == NULL) {
    if (os->firmware != VB_ABSENT) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "/domain/os/@firmware: virtbus does not choose firmware yet; give "
                  "<loader> (and <nvram>) instead");
      return FALSE;
    }
    return TRUE;
  }
  if (os->loader_type != VB_LOADER_PFLASH) {
    vb_qemu_build_arg(b, "-bios", os->loader);
    return TRUE;
  }
  add_pflash(b, 0, os->loader, os->loader_readonly != 0);
  if (os->nvram != NULL)
    add_pflash(b, 1, os->nvram, FALSE);
  return TRUE;
}

/* ACPI S3/S4 as the machine's power-management device sees them. */
static void
build_pm(VbQemuBuild *b)
{
  const char *device = b->q35 ? "ICH9-LPC" : "PIIX4_PM";

  if (b->def->pm_suspend_to_mem != VB_ABSENT)
    vb_qemu_build_argf(b, "-global", "%s.disable_s3=%d", device, b->def->pm_suspend_to_mem ? 0 : 1);
  if (b->def->pm_suspend_to_disk != VB_ABSENT)
    vb_qemu_build_argf(b, "-global", "%s.disable_s4=%d", device,
                       b->def->pm_suspend_to_disk ? 0 : 1);
}

static gboolean
build_lifecycle(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;

  if (def->on_crash == VB_LIFECYCLE_COREDUMP_DESTROY ||
      def->on_crash == VB_LIFECYCLE_COREDUMP_RESTART) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "/domain/on_crash: '%s' is not supported: virtbus does not write guest core "
                "dumps",
                vb_lifecycle_action_names[def->on_crash]);
    return FALSE;
  }
  /* with a panic device, 'preserve' keeps the crashed guest paused for inspection; the other
   * actions are the daemon's once QEMU reports the panic */
  if (def->on_crash == VB_LIFECYCLE_PRESERVE && def->panics->len > 0) {
    if (!vb_qemu_build_has(b, "set-action")) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "/domain/on_crash: 'preserve' needs QEMU's -action (QEMU 6.0), which %s "
                  "does not have",
                  vb_qemu_caps_get_binary(b->caps));
      return FALSE;
    }
    vb_qemu_build_arg(b, "-action", "panic=pause");
  }
  if (def->watchdog != NULL && def->watchdog->action != VB_ABSENT)
    vb_qemu_build_arg(b, "-watchdog-action", vb_watchdog_action_names[def->watchdog->action]);
  return TRUE;
}

static void
build_sandbox(VbQemuBuild *b)
{
  if (vb_qemu_build_has(b, "seccomp-sandbox"))
    vb_qemu_build_arg(b, "-sandbox",
                      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
}

/* <qemu:deprecation>, or qemu.conf's deprecation_behavior, as QEMU's -compat. */
static void
build_compat(VbQemuBuild *b)
{
  gint behavior = b->def->qemu.deprecation;

  if (behavior == VB_ABSENT)
    behavior = b->config->conf->deprecation_behavior;
  else
    g_ptr_array_add(b->cmd->taints, g_strdup("custom-hypervisor-feature"));
  /* as the reference says, a QEMU without -compat ignores the setting */
  if (behavior == VB_DEPRECATION_NONE ||
      vb_qemu_caps_get_version(b->caps) < VB_QEMU_VERSION(6, 2, 0))
    return;
  vb_qemu_build_argf(b, "-compat", "deprecated-input=%s,deprecated-output=hide",
                     behavior == VB_DEPRECATION_OMIT     ? "accept"
                     : behavior == VB_DEPRECATION_REJECT ? "reject"
                                                         : "crash");
}

static void
build_namespace_args(VbQemuBuild *b)
{
  const VbQemuNamespace *ns = &b->def->qemu;

  for (guint i = 0; ns->args != NULL && ns->args[i] != NULL; i++)
    g_ptr_array_add(b->cmd->args, g_strdup(ns->args[i]));
  for (guint i = 0; i < ns->env->len; i++) {
    const VbQemuEnv *env = ns->env->pdata[i];

    add_env(b, env->name, env->value);
  }
  if ((ns->args != NULL && ns->args[0] != NULL) || ns->env->len > 0)
    g_ptr_array_add(b->cmd->taints, g_strdup("custom-argv"));
}

static gboolean
apply_override(VbQemuBuild *b, const VbQemuOverride *override, GError **error)
{
  VbQemuProps *device = NULL;

  for (guint i = 0; i < b->devices->len && device == NULL; i++) {
    if (g_strcmp0(vb_qemu_props_get_string(b->devices->pdata[i], "id"), override->alias) == 0)
      device = b->devices->pdata[i];
  }
  if (device == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                "/domain/qemu:override/qemu:device[@alias='%s']: no device of this domain has "
                "the alias '%s'",
                override->alias, override->alias);
    return FALSE;
  }
  for (guint i = 0; i < override->props->len; i++) {
    const VbQemuProp *prop = override->props->pdata[i];

    switch (prop->type) {
    case VB_QEMU_PROP_STRING:
      vb_qemu_props_add_string(device, prop->name, prop->value);
      break;
    case VB_QEMU_PROP_SIGNED:
      vb_qemu_props_add_int(device, prop->name, g_ascii_strtoll(prop->value, NULL, 10));
      break;
    case VB_QEMU_PROP_UNSIGNED:
      vb_qemu_props_add_uint(device, prop->name, g_ascii_strtoull(prop->value, NULL, 10));
      break;
    case VB_QEMU_PROP_BOOL:
      vb_qemu_props_add_bool(device, prop->name, g_str_equal(prop->value, "true"));
      break;
    case VB_QEMU_PROP_REMOVE:
    default:
      if (!vb_qemu_props_remove(device, prop->name)) {
        g_set_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG,
                    "/domain/qemu:override/qemu:device[@alias='%s']/qemu:frontend/"
                    "qemu:property[@name='%s']: the device has no property '%s' to remove",
                    override->alias, prop->name, prop->name);
        return FALSE;
      }
      break;
    }
  }
  return TRUE;
}

/* Applies <qemu:override>, then writes each -device as JSON or, for QEMUs before 6.2, in the
 * key=value syntax. */
static gboolean
finish_devices(VbQemuBuild *b, GError **error)
{
  const GPtrArray *overrides = b->def->qemu.overrides;
  gboolean json = vb_qemu_build_has(b, "device.json");

  for (guint i = 0; i < overrides->len; i++) {
    if (!apply_override(b, overrides->pdata[i], error))
      return FALSE;
  }
  if (overrides->len > 0)
    g_ptr_array_add(b->cmd->taints, g_strdup("custom-device"));
  for (guint i = 0; i < b->devices->len; i++) {
    guint index = g_array_index(b->device_args, guint, i);
    VbQemuProps *props = b->devices->pdata[i];

    b->cmd->args->pdata[index] =
        json ? vb_qemu_props_to_json(props) : vb_qemu_props_to_keyval(props, TRUE);
  }
  return TRUE;
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

  if (!apply_caps_changes(b, error) || !check_accelerator(b, error))
    return FALSE;
  build_env(b);
  assign_bootindex(b);
  vb_qemu_keyval_append(name, def->name);
  g_string_append(name, ",debug-threads=on");
  vb_qemu_build_arg(b, "-name", name->str);
  vb_qemu_build_arg(b, "-S", NULL);
  if (!build_firmware(b, error))
    return FALSE;
  build_machine(b);
  if (!build_cpu(b, error))
    return FALSE;
  build_memory_and_cpus(b);
  vb_qemu_build_arg(b, "-uuid", uuid);
  if (def->graphics->len == 0)
    vb_qemu_build_arg(b, "-display", "none");
  vb_qemu_build_arg(b, "-no-user-config", NULL);
  vb_qemu_build_arg(b, "-nodefaults", NULL);
  if (!build_monitor(b, error) || !build_clock(b, error))
    return FALSE;
  vb_qemu_build_arg(b, "-no-shutdown", NULL);
  if (def->on_reboot == VB_LIFECYCLE_DESTROY)
    vb_qemu_build_arg(b, "-no-reboot", NULL);
  build_boot(b);
  build_pm(b);
  if (!build_pit(b, error) || !vb_qemu_pci_prepare(b, error) ||
      !vb_qemu_build_controllers(b, error) || !vb_qemu_build_disks(b, error) ||
      !vb_qemu_build_nets(b, error) || !vb_qemu_build_chardevs(b, error) ||
      !vb_qemu_build_display(b, error) || !vb_qemu_build_small_devices(b, error) ||
      !build_lifecycle(b, error))
    return FALSE;
  build_sandbox(b);
  build_compat(b);
  vb_qemu_build_arg(b, "-msg", "timestamp=on");
  build_namespace_args(b);
  return finish_devices(b, error);
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
