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
write_disk(VbXmlWriter *w, const VbImportDisk *disk)
{
  vb_xml_writer_start(w, "disk");
  vb_xml_writer_attr(w, "type", disk->type);
  vb_xml_writer_attr(w, "device", disk->device);
  if (disk->format != NULL) {
    vb_xml_writer_start(w, "driver");
    vb_xml_writer_attr(w, "name", "qemu");
    vb_xml_writer_attr(w, "type", disk->format);
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
  if (disk->readonly) {
    vb_xml_writer_start(w, "readonly");
    vb_xml_writer_end(w);
  }
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
write_vnc(VbXmlWriter *w, const char *value, GError **error)
{
  g_autoptr(GHashTable) props = vb_qemu_keyval_parse(value, "display");
  const char *display =
      g_hash_table_lookup(props, "display") != NULL ? g_hash_table_lookup(props, "display") : "";
  const char *colon = strrchr(display, ':');
  g_autofree char *host = NULL;

  vb_xml_writer_start(w, "graphics");
  vb_xml_writer_attr(w, "type", "vnc");
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
  vb_xml_writer_end(w);
  if (im->acpi) {
    vb_xml_writer_start(w, "features");
    vb_xml_writer_start(w, "acpi");
    vb_xml_writer_end(w);
    vb_xml_writer_end(w);
  }
  if (im->cpu != NULL)
    write_cpu(w, im->cpu);
  vb_xml_writer_start(w, "clock");
  vb_xml_writer_attr(w, "offset", g_strcmp0(im->rtc_base, "localtime") == 0 ? "localtime" : "utc");
  vb_xml_writer_end(w);
  if (im->no_reboot)
    vb_xml_writer_element_text(w, "on_reboot", "destroy");
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
  if (im->tablet) {
    vb_xml_writer_start(w, "input");
    vb_xml_writer_attr(w, "type", "tablet");
    vb_xml_writer_attr(w, "bus", "usb");
    vb_xml_writer_end(w);
  }
  if (im->vnc != NULL && !write_vnc(w, im->vnc, error))
    return FALSE;
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
