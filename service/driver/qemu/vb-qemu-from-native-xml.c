/* vb-qemu-from-native-xml.c: domxml-from-native's output: what the command line said, as
 * domain XML in libvirt's element order, for the domain parser to check.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-qemu-from-native-private.h"
#include "vb-qemu-props.h"

static void
write_boot_order(VbXmlWriter *w, const char *order)
{
  if (order == NULL)
    return;
  vb_xml_writer_start(w, "boot");
  vb_xml_writer_attr(w, "order", order);
  vb_xml_writer_end(w);
}

static void
write_disk(VbXmlWriter *w, const VbImportDisk *disk)
{
  vb_xml_writer_start(w, "disk");
  vb_xml_writer_attr(w, "type", disk->type);
  vb_xml_writer_attr(w, "device", disk->device);
  if (disk->format != NULL || disk->cache != NULL || disk->io != NULL || disk->discard != NULL) {
    vb_xml_writer_start(w, "driver");
    vb_xml_writer_attr(w, "name", "qemu");
    vb_xml_writer_attr(w, "type", disk->format);
    vb_xml_writer_attr(w, "cache", disk->cache);
    vb_xml_writer_attr(w, "io", disk->io);
    vb_xml_writer_attr(w, "discard", disk->discard);
    vb_xml_writer_end(w);
  }
  if (disk->source != NULL) {
    vb_xml_writer_start(w, "source");
    vb_xml_writer_attr(w, g_str_equal(disk->type, "block") ? "dev" : "file", disk->source);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_start(w, "target");
  vb_xml_writer_attr(w, "dev", disk->target);
  vb_xml_writer_attr(w, "bus", disk->bus);
  vb_xml_writer_end(w);
  write_boot_order(w, disk->boot_order);
  if (disk->readonly) {
    vb_xml_writer_start(w, "readonly");
    vb_xml_writer_end(w);
  }
  if (disk->shareable) {
    vb_xml_writer_start(w, "shareable");
    vb_xml_writer_end(w);
  }
  if (disk->serial != NULL)
    vb_xml_writer_element_text(w, "serial", disk->serial);
  if (disk->address != NULL)
    vb_xml_writer_raw(w, disk->address);
  vb_xml_writer_end(w);
}

static void
write_nic(VbXmlWriter *w, const VbImportNic *nic)
{
  vb_xml_writer_start(w, "interface");
  vb_xml_writer_attr(w, "type", nic->backend.type);
  if (nic->mac != NULL) {
    vb_xml_writer_start(w, "mac");
    vb_xml_writer_attr(w, "address", nic->mac);
    vb_xml_writer_end(w);
  }
  if (nic->backend.bridge != NULL) {
    vb_xml_writer_start(w, "source");
    vb_xml_writer_attr(w, "bridge", nic->backend.bridge);
    vb_xml_writer_end(w);
  }
  if (nic->backend.ifname != NULL) {
    vb_xml_writer_start(w, "target");
    vb_xml_writer_attr(w, "dev", nic->backend.ifname);
    vb_xml_writer_end(w);
  }
  if (nic->model != NULL) {
    vb_xml_writer_start(w, "model");
    vb_xml_writer_attr(w, "type", nic->model);
    vb_xml_writer_end(w);
  }
  write_boot_order(w, nic->boot_order);
  if (nic->address != NULL)
    vb_xml_writer_raw(w, nic->address);
  vb_xml_writer_end(w);
}

static void
write_listen(VbXmlWriter *w, const char *type, const char *attribute, const char *value)
{
  vb_xml_writer_start(w, "listen");
  vb_xml_writer_attr(w, "type", type);
  if (attribute != NULL)
    vb_xml_writer_attr(w, attribute, value);
  vb_xml_writer_end(w);
}

/* -vnc HOST:DISPLAY, :DISPLAY, unix:PATH or none. */
static gboolean
write_vnc(VbXmlWriter *w, const char *value, const char *keymap, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "display");
  const char *display =
      g_hash_table_lookup(props, "display") != NULL ? g_hash_table_lookup(props, "display") : "";
  const char *colon = strrchr(display, ':');
  g_autofree char *host = NULL;

  vb_xml_writer_start(w, "graphics");
  vb_xml_writer_attr(w, "type", "vnc");
  vb_xml_writer_attr(w, "keymap", keymap);
  if (g_str_has_prefix(display, "unix:")) {
    write_listen(w, "socket", "socket", display + strlen("unix:"));
  } else if (g_str_equal(display, "none")) {
    write_listen(w, "none", NULL, NULL);
  } else if (colon != NULL && colon[1] != '\0' &&
             strspn(colon + 1, "0123456789") == strlen(colon + 1) && strlen(colon + 1) < 6) {
    vb_xml_writer_attr_printf(w, "port", "%" G_GINT64_FORMAT,
                              5900 + g_ascii_strtoll(colon + 1, NULL, 10));
    vb_xml_writer_attr(w, "autoport", "no");
    host = g_strndup(display, (gsize)(colon - display));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
      char *inner = g_strndup(host + 1, strlen(host) - 2);

      g_free(host);
      host = inner;
    }
    if (*host != '\0')
      write_listen(w, "address", "address", host);
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-vnc %s: domxml-from-native reads HOST:DISPLAY, :DISPLAY, unix:PATH and none",
                value);
    return FALSE;
  }
  vb_xml_writer_end(w);
  return TRUE;
}

static gboolean
write_serial(VbXmlWriter *w, const char *value, GError **error)
{
  vb_xml_writer_start(w, "serial");
  if (g_str_equal(value, "pty") || g_str_equal(value, "null")) {
    vb_xml_writer_attr(w, "type", value);
  } else if (g_str_has_prefix(value, "file:")) {
    vb_xml_writer_attr(w, "type", "file");
    vb_xml_writer_start(w, "source");
    vb_xml_writer_attr(w, "path", value + strlen("file:"));
    vb_xml_writer_end(w);
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-serial %s: domxml-from-native reads pty, null, file:PATH and none", value);
    return FALSE;
  }
  vb_xml_writer_end(w);
  return TRUE;
}

static gboolean
write_cpu(VbXmlWriter *w, const char *value)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "model");
  g_auto(GStrv) items = g_strsplit(value, ",", -1);
  const char *model = g_hash_table_lookup(props, "model");

  vb_xml_writer_start(w, "cpu");
  if (g_strcmp0(model, "host") == 0) {
    vb_xml_writer_attr(w, "mode", "host-passthrough");
  } else if (g_strcmp0(model, "max") == 0) {
    vb_xml_writer_attr(w, "mode", "maximum");
  } else {
    vb_xml_writer_attr(w, "mode", "custom");
    vb_xml_writer_element_text(w, "model", model);
    for (guint i = 1; items[i] != NULL; i++) {
      const char *item = items[i];
      gboolean on = item[0] != '-' && !g_str_has_suffix(item, "=off");
      g_autofree char *name = g_strndup(item + (item[0] == '+' || item[0] == '-'),
                                        strcspn(item + (item[0] == '+' || item[0] == '-'), "="));

      vb_xml_writer_start(w, "feature");
      vb_xml_writer_attr(w, "policy", on ? "require" : "disable");
      vb_xml_writer_attr(w, "name", name);
      vb_xml_writer_end(w);
    }
  }
  vb_xml_writer_end(w);
  return TRUE;
}

static void
write_vcpu(VbXmlWriter *w, const char *smp)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(smp != NULL ? smp : "1", "cpus");
  const char *cpus =
      g_hash_table_lookup(props, "cpus") != NULL ? g_hash_table_lookup(props, "cpus") : "1";
  const char *max = g_hash_table_lookup(props, "maxcpus");

  vb_xml_writer_start(w, "vcpu");
  if (max != NULL && !g_str_equal(max, cpus))
    vb_xml_writer_attr(w, "current", cpus);
  vb_xml_writer_text(w, max != NULL ? max : cpus);
  vb_xml_writer_end(w);
}

/* -spice port=…,tls-port=…,addr=… (or unix=on,addr=PATH),image-compression=…. */
static void
write_spice(VbXmlWriter *w, const char *value, const char *keymap)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, NULL);
  const char *addr = g_hash_table_lookup(props, "addr");
  const char *compression = g_hash_table_lookup(props, "image-compression");
  gboolean unix_socket = g_strcmp0(g_hash_table_lookup(props, "unix"), "on") == 0;

  vb_xml_writer_start(w, "graphics");
  vb_xml_writer_attr(w, "type", "spice");
  if (!unix_socket) {
    vb_xml_writer_attr(w, "port", g_hash_table_lookup(props, "port"));
    vb_xml_writer_attr(w, "tlsPort", g_hash_table_lookup(props, "tls-port"));
    vb_xml_writer_attr(w, "autoport", "no");
  }
  vb_xml_writer_attr(w, "keymap", keymap);
  if (addr != NULL)
    write_listen(w, unix_socket ? "socket" : "address", unix_socket ? "socket" : "address", addr);
  if (compression != NULL) {
    vb_xml_writer_start(w, "image");
    vb_xml_writer_attr(w, "compression", compression);
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static const char *
machine_prop(const VbImport *im, const char *name)
{
  return im->machine_props != NULL ? g_hash_table_lookup(im->machine_props, name) : NULL;
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
  const char *node = machine_prop(im, unit);
  GHashTable *format = node != NULL ? g_hash_table_lookup(im->blockdevs, node) : NULL;
  const char *file = format != NULL ? g_hash_table_lookup(format, "file") : NULL;
  GHashTable *storage = file != NULL ? g_hash_table_lookup(im->blockdevs, file) : NULL;

  if (readonly != NULL)
    *readonly = format != NULL && g_strcmp0(g_hash_table_lookup(format, "read-only"), "on") == 0;
  return storage != NULL ? g_hash_table_lookup(storage, "filename") : NULL;
}

static void
write_firmware(VbXmlWriter *w, const VbImport *im)
{
  gboolean readonly = FALSE;
  const char *code = pflash_file(im, "pflash0", &readonly);
  const char *vars = pflash_file(im, "pflash1", NULL);

  if (code == NULL)
    return;
  vb_xml_writer_start(w, "loader");
  vb_xml_writer_attr(w, "readonly", readonly ? "yes" : "no");
  if (g_strcmp0(g_hash_table_lookup(im->globals, "cfi.pflash01.secure"), "on") == 0)
    vb_xml_writer_attr(w, "secure", "yes");
  vb_xml_writer_attr(w, "type", "pflash");
  vb_xml_writer_text(w, code);
  vb_xml_writer_end(w);
  if (vars != NULL)
    vb_xml_writer_element_text(w, "nvram", vars);
}

static void
write_on_off(VbXmlWriter *w, const char *element, const char *state)
{
  if (state == NULL)
    return;
  vb_xml_writer_start(w, element);
  vb_xml_writer_attr(w, "state", state);
  vb_xml_writer_end(w);
}

static void
write_features(VbXmlWriter *w, const VbImport *im)
{
  if (!im->acpi && machine_prop(im, "smm") == NULL && machine_prop(im, "vmport") == NULL)
    return;
  vb_xml_writer_start(w, "features");
  if (im->acpi) {
    vb_xml_writer_start(w, "acpi");
    vb_xml_writer_end(w);
  }
  write_on_off(w, "vmport", machine_prop(im, "vmport"));
  write_on_off(w, "smm", machine_prop(im, "smm"));
  vb_xml_writer_end(w);
}

static void
write_pm(VbXmlWriter *w, const VbImport *im)
{
  const char *s3 = pm_global(im, "disable_s3");
  const char *s4 = pm_global(im, "disable_s4");

  if (s3 == NULL && s4 == NULL)
    return;
  vb_xml_writer_start(w, "pm");
  if (s3 != NULL) {
    vb_xml_writer_start(w, "suspend-to-mem");
    vb_xml_writer_attr(w, "enabled", g_str_equal(s3, "0") ? "yes" : "no");
    vb_xml_writer_end(w);
  }
  if (s4 != NULL) {
    vb_xml_writer_start(w, "suspend-to-disk");
    vb_xml_writer_attr(w, "enabled", g_str_equal(s4, "0") ? "yes" : "no");
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
}

static void
write_timer(VbXmlWriter *w, const char *name, const char *tickpolicy, const char *present)
{
  vb_xml_writer_start(w, "timer");
  vb_xml_writer_attr(w, "name", name);
  vb_xml_writer_attr(w, "tickpolicy", tickpolicy);
  vb_xml_writer_attr(w, "present", present);
  vb_xml_writer_end(w);
}

/* -rtc base=utc|localtime|DATE: a date is an offset from now, as of the import. */
static void
write_clock(VbXmlWriter *w, const VbImport *im)
{
  const char *base = im->rtc_base != NULL ? im->rtc_base : "utc";
  g_autoptr(GDateTime) date = NULL;
  const char *pit = g_hash_table_lookup(im->globals, "kvm-pit.lost_tick_policy");

  vb_xml_writer_start(w, "clock");
  if (g_str_equal(base, "localtime") || g_str_equal(base, "utc")) {
    vb_xml_writer_attr(w, "offset", base);
  } else {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();

    date = g_date_time_new_from_iso8601(base, utc);
    vb_xml_writer_attr(w, "offset", date != NULL ? "variable" : "utc");
    if (date != NULL) {
      vb_xml_writer_attr_printf(w, "adjustment", "%" G_GINT64_FORMAT,
                                g_date_time_to_unix(date) - g_date_time_to_unix(now));
      vb_xml_writer_attr(w, "basis", "utc");
    }
  }
  if (im->rtc_driftfix != NULL || im->rtc_clock != NULL) {
    vb_xml_writer_start(w, "timer");
    vb_xml_writer_attr(w, "name", "rtc");
    if (g_strcmp0(im->rtc_driftfix, "slew") == 0)
      vb_xml_writer_attr(w, "tickpolicy", "catchup");
    if (g_strcmp0(im->rtc_clock, "vm") == 0)
      vb_xml_writer_attr(w, "track", "guest");
    vb_xml_writer_end(w);
  }
  if (pit != NULL)
    write_timer(w, "pit", pit, NULL);
  if (g_strcmp0(machine_prop(im, "hpet"), "off") == 0)
    write_timer(w, "hpet", NULL, "no");
  vb_xml_writer_end(w);
}

/* With -nodefaults the line lists every device: those virtbus would add unasked, it lacks. */
static void
write_absent_defaults(VbXmlWriter *w, const VbImport *im)
{
  if (!im->nodefaults)
    return;
  if (!im->has_usb)
    vb_xml_writer_raw(w, "<controller type='usb' model='none'/>");
  if (!im->has_video && (im->vnc != NULL || im->spice != NULL))
    vb_xml_writer_raw(w, "<video><model type='none'/></video>");
  if (!im->has_balloon)
    vb_xml_writer_raw(w, "<memballoon model='none'/>");
}

gboolean
vb_qemu_import_write(VbImport *im, VbXmlWriter *w, GError **error)
{
  vb_xml_writer_start(w, "domain");
  vb_xml_writer_attr(w, "type", im->kvm ? "kvm" : "qemu");
  if (im->env->len > 0)
    vb_xml_writer_attr(w, "xmlns:qemu", "http://libvirt.org/schemas/domain/qemu/1.0");
  vb_xml_writer_element_text(w, "name", im->name);
  if (im->uuid != NULL)
    vb_xml_writer_element_text(w, "uuid", im->uuid);
  {
    g_autofree char *memory = g_strdup_printf("%" G_GUINT64_FORMAT, im->memory_kib);

    vb_xml_writer_start(w, "memory");
    vb_xml_writer_attr(w, "unit", "KiB");
    vb_xml_writer_text(w, memory);
    vb_xml_writer_end(w);
  }
  write_vcpu(w, im->smp);
  vb_xml_writer_start(w, "os");
  vb_xml_writer_start(w, "type");
  vb_xml_writer_attr(w, "arch", im->arch);
  if (im->machine != NULL)
    vb_xml_writer_attr(w, "machine", im->machine);
  vb_xml_writer_text(w, "hvm");
  vb_xml_writer_end(w);
  if (im->kernel != NULL)
    vb_xml_writer_element_text(w, "kernel", im->kernel);
  if (im->initrd != NULL)
    vb_xml_writer_element_text(w, "initrd", im->initrd);
  if (im->append != NULL)
    vb_xml_writer_element_text(w, "cmdline", im->append);
  for (guint i = 0; i < im->boot->len; i++) {
    vb_xml_writer_start(w, "boot");
    vb_xml_writer_attr(w, "dev", im->boot->pdata[i]);
    vb_xml_writer_end(w);
  }
  if (im->bootmenu) {
    vb_xml_writer_start(w, "bootmenu");
    vb_xml_writer_attr(w, "enable", "yes");
    vb_xml_writer_end(w);
  }
  write_firmware(w, im);
  vb_xml_writer_end(w);
  write_features(w, im);
  if (im->cpu != NULL)
    write_cpu(w, im->cpu);
  write_clock(w, im);
  if (im->no_reboot)
    vb_xml_writer_element_text(w, "on_reboot", "destroy");
  if (g_strcmp0(im->panic_action, "pause") == 0)
    vb_xml_writer_element_text(w, "on_crash", "preserve");
  write_pm(w, im);
  vb_xml_writer_start(w, "devices");
  vb_xml_writer_element_text(w, "emulator", im->emulator);
  for (guint i = 0; i < im->disks->len; i++)
    write_disk(w, im->disks->pdata[i]);
  for (guint i = 0; i < im->nics->len; i++)
    write_nic(w, im->nics->pdata[i]);
  for (guint i = 0; i < im->serials->len; i++) {
    if (!write_serial(w, im->serials->pdata[i], error))
      return FALSE;
  }
  for (guint i = 0; i < im->devices->len; i++)
    vb_xml_writer_raw(w, im->devices->pdata[i]);
  if (im->tablet) {
    vb_xml_writer_start(w, "input");
    vb_xml_writer_attr(w, "type", "tablet");
    vb_xml_writer_attr(w, "bus", "usb");
    vb_xml_writer_end(w);
  }
  if (im->vnc != NULL && !write_vnc(w, im->vnc, im->keymap, error))
    return FALSE;
  if (im->spice != NULL)
    write_spice(w, im->spice, im->vnc == NULL ? im->keymap : NULL);
  for (guint i = 0; i < im->audios->len; i++)
    vb_xml_writer_raw(w, im->audios->pdata[i]);
  write_absent_defaults(w, im);
  vb_xml_writer_end(w);
  if (im->env->len > 0) {
    vb_xml_writer_start(w, "qemu:commandline");
    for (guint i = 0; i < im->env->len; i++) {
      const char *assignment = im->env->pdata[i];
      const char *equals = strchr(assignment, '=');
      g_autofree char *name = g_strndup(assignment, (gsize)(equals - assignment));

      vb_xml_writer_start(w, "qemu:env");
      vb_xml_writer_attr(w, "name", name);
      vb_xml_writer_attr(w, "value", equals + 1);
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
  return TRUE;
}
