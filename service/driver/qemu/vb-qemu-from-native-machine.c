/* vb-qemu-from-native-machine.c: domxml-from-native outside <devices>: memory, vCPUs, the CPU
 * model, boot, the machine and its features, firmware, power management and the clock; and
 * the displays, which -vnc, -spice and -k describe between them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-qemu-from-native-private.h"
#include "vb-qemu-props.h"

/* QEMU's memory size when the line has no -m. */
#define QEMU_DEFAULT_MEMORY_KIB (128 * 1024)

/**
 * vb_qemu_import_memory:
 * @value: -m SIZE or size=SIZE: MiB, or with a k, M, G or T suffix
 */
gboolean
vb_qemu_import_memory(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "size");
  const char *size = g_hash_table_lookup(props, "size");
  gsize digits = size != NULL ? strspn(size, "0123456789") : 0;
  g_autofree char *number_text = g_strndup(size, digits);
  const char *unit = size != NULL ? size + digits : "";
  guint64 number = 0;
  guint64 scale = 1024; /* QEMU's default unit is MiB */

  if (*unit != '\0') {
    if (g_ascii_strcasecmp(unit, "k") == 0)
      scale = 1;
    else if (g_ascii_strcasecmp(unit, "g") == 0)
      scale = 1024 * 1024;
    else if (g_ascii_strcasecmp(unit, "t") == 0)
      scale = 1024 * 1024 * 1024;
    else if (g_ascii_strcasecmp(unit, "m") != 0)
      scale = 0;
  }
  /* digits only (no sign), and within what a domain's <memory> accepts */
  if (digits == 0 || scale == 0 ||
      !g_ascii_string_to_unsigned(number_text, 10, 1, G_MAXINT64 / 1024 / scale, &number, NULL)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-m %s is not a memory size (a whole number of MiB, or with k, M, G or T, up to "
                "8 EiB)",
                value);
    return FALSE;
  }
  im->def->memory_kib = im->def->current_memory_kib = number * scale;
  return TRUE;
}

/**
 * vb_qemu_import_smp:
 * @value: -smp N,maxcpus=…,sockets=…,dies=…,clusters=…,cores=…,threads=…: each a count
 */
gboolean
vb_qemu_import_smp(VbImport *im, const char *value, GError **error)
{
  static const char *const counts[] = {"cpus",     "maxcpus", "sockets", "dies",
                                       "clusters", "cores",   "threads"};
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "cpus");
  guint64 cpus = 1, max = 0;

  for (guint i = 0; i < G_N_ELEMENTS(counts); i++) {
    const char *count = g_hash_table_lookup(props, counts[i]);
    guint64 number;

    if (count != NULL && !g_ascii_string_to_unsigned(count, 10, 1, 4096, &number, NULL)) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "-smp %s: %s=%s is not a count from 1 to 4096", value, counts[i], count);
      return FALSE;
    }
    if (count != NULL && i == 0)
      cpus = number;
    if (count != NULL && i == 1)
      max = number;
  }
  /* <vcpu current='CPUS'>MAXCPUS</vcpu> */
  im->def->vcpus = (guint)(max != 0 ? max : cpus);
  im->def->vcpus_current = max != 0 && max != cpus ? (guint)cpus : 0;
  return TRUE;
}

/**
 * vb_qemu_import_cpu:
 * @value: -cpu host, max, or MODEL,+FEATURE,-FEATURE,FEATURE=on|off
 */
gboolean
vb_qemu_import_cpu(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "model");
  g_auto(GStrv) items = g_strsplit(value, ",", -1);
  const char *model = g_hash_table_lookup(props, "model");
  VbCpuDef *cpu = vb_cpu_def_new();

  vb_cpu_def_free(im->def->cpu);
  im->def->cpu = cpu;
  if (g_strcmp0(model, "host") == 0) {
    cpu->mode = VB_CPU_MODE_HOST_PASSTHROUGH;
    return TRUE;
  }
  if (g_strcmp0(model, "max") == 0) {
    cpu->mode = VB_CPU_MODE_MAXIMUM;
    return TRUE;
  }
  if (model == NULL || *model == '\0') {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "-cpu %s: no CPU model", value);
    return FALSE;
  }
  cpu->mode = VB_CPU_MODE_CUSTOM;
  cpu->model = g_strdup(model);
  for (guint i = 1; items[i] != NULL; i++) {
    const char *item = items[i];
    gboolean signed_item = item[0] == '+' || item[0] == '-';
    VbCpuFeature *feature = g_new0(VbCpuFeature, 1);

    feature->name = g_strndup(item + signed_item, strcspn(item + signed_item, "="));
    feature->policy = item[0] != '-' && !g_str_has_suffix(item, "=off") ? VB_CPU_FEATURE_REQUIRE
                                                                        : VB_CPU_FEATURE_DISABLE;
    g_ptr_array_add(cpu->features, feature);
  }
  return TRUE;
}

/**
 * vb_qemu_import_boot:
 * @value: -boot order=…,menu=on|off (or the bare order): c, d, n and a
 */
gboolean
vb_qemu_import_boot(VbImport *im, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "order");
  const char *order = g_hash_table_lookup(props, "order");

  for (const char *c = order != NULL ? order : ""; *c != '\0'; c++) {
    VbBootDev dev;

    switch (*c) {
    case 'c':
      dev = VB_BOOT_HD;
      break;
    case 'd':
      dev = VB_BOOT_CDROM;
      break;
    case 'n':
      dev = VB_BOOT_NETWORK;
      break;
    case 'a':
      dev = VB_BOOT_FD;
      break;
    default:
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "-boot %s: '%c' is not a boot device",
                  value, *c);
      return FALSE;
    }
    g_array_append_val(im->def->os.boot_devs, dev);
  }
  im->def->os.bootmenu = g_strcmp0(g_hash_table_lookup(props, "menu"), "on") == 0 ? 1 : VB_ABSENT;
  return TRUE;
}

/* -machine TYPE,accel=…,acpi=…,…: the last one counts, its properties read at the end. */
void
vb_qemu_import_machine(VbImport *im, const char *value)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "type");
  const char *accel = g_hash_table_lookup(props, "accel");
  GHashTableIter iter;
  gpointer key, prop_value;

  g_hash_table_remove_all(im->machine);
  g_hash_table_iter_init(&iter, props);
  while (g_hash_table_iter_next(&iter, &key, &prop_value))
    g_hash_table_replace(im->machine, g_strdup(key), g_strdup(prop_value));
  g_free(im->def->os.machine);
  im->def->os.machine = g_strdup(g_hash_table_lookup(props, "type"));
  if (accel != NULL && (g_str_equal(accel, "kvm") || g_str_has_prefix(accel, "kvm:")))
    im->def->virt_type = VB_VIRT_KVM;
  if (g_strcmp0(g_hash_table_lookup(props, "acpi"), "off") == 0)
    im->acpi = FALSE;
}

/* A -machine on|off property as a tri-state. */
static gboolean
machine_switch(VbImport *im, const char *name, gint *out, GError **error)
{
  const char *value = g_hash_table_lookup(im->machine, name);

  if (value == NULL)
    return TRUE;
  if (!g_str_equal(value, "on") && !g_str_equal(value, "off")) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-machine %s=%s: domxml-from-native reads on and off", name, value);
    return FALSE;
  }
  *out = g_str_equal(value, "on");
  return TRUE;
}

/* A -global the power-management device of either machine carries. */
static const char *
pm_global(const VbImport *im, const char *property)
{
  g_autofree char *piix = g_strdup_printf("PIIX4_PM.%s", property);
  g_autofree char *ich9 = g_strdup_printf("ICH9-LPC.%s", property);
  const char *value = g_hash_table_lookup(im->globals, piix);

  return value != NULL ? value : g_hash_table_lookup(im->globals, ich9);
}

/* The file behind the pflash unit -machine names, and whether it is read-only. */
static const char *
pflash_file(const VbImport *im, const char *unit, gboolean *readonly)
{
  const char *node = g_hash_table_lookup(im->machine, unit);
  GHashTable *format = node != NULL ? g_hash_table_lookup(im->blockdevs, node) : NULL;
  const char *file = format != NULL ? g_hash_table_lookup(format, "file") : NULL;
  GHashTable *storage = file != NULL ? g_hash_table_lookup(im->blockdevs, file) : NULL;

  if (readonly != NULL)
    *readonly = format != NULL && g_strcmp0(g_hash_table_lookup(format, "read-only"), "on") == 0;
  return storage != NULL ? g_hash_table_lookup(storage, "filename") : NULL;
}

static void
finish_firmware(VbImport *im)
{
  VbOsDef *os = &im->def->os;
  gboolean readonly = FALSE;
  const char *code = pflash_file(im, "pflash0", &readonly);
  const char *vars = pflash_file(im, "pflash1", NULL);

  if (code == NULL)
    return;
  os->loader = g_strdup(code);
  os->loader_readonly = readonly;
  if (g_strcmp0(g_hash_table_lookup(im->globals, "cfi.pflash01.secure"), "on") == 0)
    os->loader_secure = 1;
  os->loader_type = VB_LOADER_PFLASH;
  os->nvram = g_strdup(vars);
}

/* -rtc base=utc|localtime|DATE (a date is an offset from now, as of the import),
 * driftfix=slew, clock=vm; the PIT's tick policy; the HPET switched off. */
static gboolean
finish_clock(VbImport *im, GError **error)
{
  VbClockDef *clock = &im->def->clock;
  g_autoptr(GHashTable) rtc = vb_qemu_keyval_parse(im->rtc != NULL ? im->rtc : "", NULL);
  const char *base = g_hash_table_lookup(rtc, "base");
  const char *driftfix = g_hash_table_lookup(rtc, "driftfix");
  const char *rtc_clock = g_hash_table_lookup(rtc, "clock");
  const char *pit = g_hash_table_lookup(im->globals, "kvm-pit.lost_tick_policy");

  if (base == NULL || g_str_equal(base, "utc")) {
    clock->offset = VB_CLOCK_UTC;
  } else if (g_str_equal(base, "localtime")) {
    clock->offset = VB_CLOCK_LOCALTIME;
  } else {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autoptr(GDateTime) date = g_date_time_new_from_iso8601(base, utc);

    if (date != NULL) {
      clock->offset = VB_CLOCK_VARIABLE;
      clock->adjustment = g_date_time_to_unix(date) - g_date_time_to_unix(now);
      clock->has_adjustment = TRUE;
      clock->basis = vb_names_index(vb_clock_basis_names, "utc");
    }
  }
  if (driftfix != NULL || rtc_clock != NULL) {
    VbTimer *timer = vb_timer_new(VB_TIMER_RTC);

    g_ptr_array_add(clock->timers, timer);
    if (g_strcmp0(driftfix, "slew") == 0)
      timer->tickpolicy = vb_names_index(vb_timer_tickpolicy_names, "catchup");
    if (g_strcmp0(rtc_clock, "vm") == 0)
      timer->track = vb_names_index(vb_timer_track_names, "guest");
  }
  if (pit != NULL) {
    VbTimer *timer = vb_timer_new(VB_TIMER_PIT);

    g_ptr_array_add(clock->timers, timer);
    if (!vb_qemu_import_name("-global", "kvm-pit.lost_tick_policy", pit, vb_timer_tickpolicy_names,
                             &timer->tickpolicy, error))
      return FALSE;
  }
  if (g_strcmp0(g_hash_table_lookup(im->machine, "hpet"), "off") == 0) {
    VbTimer *timer = vb_timer_new(VB_TIMER_HPET);

    timer->present = 0;
    g_ptr_array_add(clock->timers, timer);
  }
  return TRUE;
}

/**
 * vb_qemu_import_finish_machine:
 *
 * Settles what the -machine, -global, -rtc, -action and the switches said, once all are read.
 */
gboolean
vb_qemu_import_finish_machine(VbImport *im, GError **error)
{
  VbDomainDef *def = im->def;
  const char *s3 = pm_global(im, "disable_s3");
  const char *s4 = pm_global(im, "disable_s4");

  if (def->memory_kib == 0)
    def->memory_kib = def->current_memory_kib = QEMU_DEFAULT_MEMORY_KIB;
  if (def->vcpus == 0)
    def->vcpus = 1;
  def->features.acpi = im->acpi;
  if (!machine_switch(im, "vmport", &def->features.vmport, error) ||
      !machine_switch(im, "smm", &def->features.smm, error))
    return FALSE;
  def->has_features =
      im->acpi || def->features.vmport != VB_ABSENT || def->features.smm != VB_ABSENT;
  finish_firmware(im);
  if (s3 != NULL)
    def->pm_suspend_to_mem = g_str_equal(s3, "0");
  if (s4 != NULL)
    def->pm_suspend_to_disk = g_str_equal(s4, "0");
  if (im->no_reboot)
    def->on_reboot = VB_LIFECYCLE_DESTROY;
  if (g_strcmp0(im->panic_action, "pause") == 0)
    def->on_crash = VB_LIFECYCLE_PRESERVE;
  return finish_clock(im, error);
}

static VbGraphicsListen *
add_listen(VbGraphicsDef *graphics, VbListenType type, const char *address, const char *socket)
{
  VbGraphicsListen *listen = g_new0(VbGraphicsListen, 1);

  listen->type = type;
  listen->address = g_strdup(address);
  listen->socket = g_strdup(socket);
  g_ptr_array_add(graphics->listens, listen);
  return listen;
}

/* -vnc HOST:DISPLAY, :DISPLAY, unix:PATH or none. */
static gboolean
finish_vnc(VbImport *im, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(im->vnc, "display");
  const char *display =
      g_hash_table_lookup(props, "display") != NULL ? g_hash_table_lookup(props, "display") : "";
  const char *colon = strrchr(display, ':');
  VbGraphicsDef *graphics = vb_graphics_def_new(VB_GRAPHICS_VNC);

  g_ptr_array_add(im->def->graphics, graphics);
  graphics->keymap = g_strdup(im->keymap);
  graphics->autoport = TRUE;
  if (g_str_has_prefix(display, "unix:")) {
    add_listen(graphics, VB_LISTEN_SOCKET, NULL, display + strlen("unix:"));
  } else if (g_str_equal(display, "none")) {
    add_listen(graphics, VB_LISTEN_NONE, NULL, NULL);
  } else if (colon != NULL && colon[1] != '\0' &&
             strspn(colon + 1, "0123456789") == strlen(colon + 1) && strlen(colon + 1) < 6) {
    g_autofree char *host = g_strndup(display, (gsize)(colon - display));
    gsize length = strlen(host);

    graphics->port = 5900 + g_ascii_strtoll(colon + 1, NULL, 10);
    graphics->autoport = FALSE;
    if (length >= 2 && host[0] == '[' && host[length - 1] == ']') {
      memmove(host, host + 1, length - 2);
      host[length - 2] = '\0';
    }
    add_listen(graphics, VB_LISTEN_ADDRESS, *host != '\0' ? host : NULL, NULL);
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-vnc %s: domxml-from-native reads HOST:DISPLAY, :DISPLAY, unix:PATH and none",
                im->vnc);
    return FALSE;
  }
  return TRUE;
}

/* -spice port=…,tls-port=…,addr=… (or unix=on,addr=PATH),image-compression=…. */
static gboolean
finish_spice(VbImport *im, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(im->spice, NULL);
  const char *addr = g_hash_table_lookup(props, "addr");
  const char *compression = g_hash_table_lookup(props, "image-compression");
  gboolean unix_socket = g_strcmp0(g_hash_table_lookup(props, "unix"), "on") == 0;
  VbGraphicsDef *graphics = vb_graphics_def_new(VB_GRAPHICS_SPICE);

  g_ptr_array_add(im->def->graphics, graphics);
  if (im->vnc == NULL)
    graphics->keymap = g_strdup(im->keymap);
  if (compression != NULL &&
      !vb_qemu_import_name("-spice", "image-compression", compression,
                           vb_spice_image_compression_names, &graphics->image_compression, error))
    return FALSE;
  if (unix_socket) {
    graphics->autoport = TRUE;
    add_listen(graphics, VB_LISTEN_SOCKET, NULL, addr);
    return TRUE;
  }
  if (!vb_qemu_import_count("-spice", props, "port", 65535, &graphics->port, error) ||
      !vb_qemu_import_count("-spice", props, "tls-port", 65535, &graphics->tls_port, error))
    return FALSE;
  if (graphics->port == 0 && graphics->tls_port == 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-spice %s: domxml-from-native reads a SPICE display with port= or tls-port=, "
                "or unix=on",
                im->spice);
    return FALSE;
  }
  add_listen(graphics, VB_LISTEN_ADDRESS, addr, NULL);
  return TRUE;
}

/**
 * vb_qemu_import_finish_displays:
 *
 * The VNC and SPICE displays, with the keymap -k gives (SPICE's only without VNC).
 */
gboolean
vb_qemu_import_finish_displays(VbImport *im, GError **error)
{
  return (im->vnc == NULL || finish_vnc(im, error)) &&
         (im->spice == NULL || finish_spice(im, error));
}
