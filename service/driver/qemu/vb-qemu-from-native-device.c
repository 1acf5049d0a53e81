/* vb-qemu-from-native-device.c: domxml-from-native's -device readers for everything but disks
 * and NICs: controllers, character devices, video, sound, input and the small devices, each
 * written as the <devices> child that builds it again, with its PCI address when it has one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-qemu-from-native-private.h"
#include "vb-qemu-props.h"

/* "pci.0", "pcie.0" → 0; "pci.N" → N; anything else: -1. */
static gint64
pci_bus_index(const char *bus)
{
  if (bus == NULL)
    return -1;
  if (g_str_equal(bus, "pci.0") || g_str_equal(bus, "pcie.0"))
    return 0;
  if (g_str_has_prefix(bus, "pci.") && bus[4] != '\0' &&
      strspn(bus + 4, "0123456789") == strlen(bus + 4))
    return g_ascii_strtoll(bus + 4, NULL, 10);
  return -1;
}

/**
 * vb_qemu_import_address:
 *
 * Writes the <address type='pci'> of a -device with bus= and addr= (SLOT or SLOT.FUNCTION, in
 * hex or decimal, as QEMU reads them); nothing for one without.
 */
gboolean
vb_qemu_import_address(VbXmlWriter *w, GHashTable *props, GError **error)
{
  const char *addr = g_hash_table_lookup(props, "addr");
  gint64 bus = pci_bus_index(g_hash_table_lookup(props, "bus"));
  char *end = NULL;
  guint64 slot, function = 0;

  if (addr == NULL)
    return TRUE;
  slot = g_ascii_strtoull(addr, &end, 0);
  if (end != addr && *end == '.') {
    const char *start = end + 1;

    function = g_ascii_strtoull(start, &end, 0);
    if (end == start)
      end = NULL;
  }
  if (bus < 0 || end == NULL || end == addr || *end != '\0' || slot > 31 || function > 7) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device %s: the PCI address bus=%s,addr=%s is not one virtbus writes (bus "
                "pci.N or pcie.0, slot 0-31, function 0-7)",
                (const char *)g_hash_table_lookup(props, "driver"),
                (const char *)g_hash_table_lookup(props, "bus"), addr);
    return FALSE;
  }
  vb_xml_writer_start(w, "address");
  vb_xml_writer_attr(w, "type", "pci");
  vb_xml_writer_attr(w, "domain", "0x0000");
  vb_xml_writer_attr_printf(w, "bus", "0x%02" G_GINT64_MODIFIER "x", bus);
  vb_xml_writer_attr_printf(w, "slot", "0x%02" G_GINT64_MODIFIER "x", slot);
  vb_xml_writer_attr_printf(w, "function", "0x%" G_GINT64_MODIFIER "x", function);
  if (g_strcmp0(g_hash_table_lookup(props, "multifunction"), "on") == 0)
    vb_xml_writer_attr(w, "multifunction", "on");
  vb_xml_writer_end(w);
  return TRUE;
}

/**
 * vb_qemu_import_address_xml:
 * @out: (out) (nullable): the <address> as XML, %NULL for a device without one
 */
gboolean
vb_qemu_import_address_xml(GHashTable *props, char **out, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();

  *out = NULL;
  if (!vb_qemu_import_address(w, props, error))
    return FALSE;
  *out = vb_xml_writer_finish(w, error);
  if (*out == NULL)
    return FALSE;
  if (**out == '\0')
    g_clear_pointer(out, g_free);
  return TRUE;
}

/* The number at the end of an id: "serial2" → 2; -1 when there is none. */
gint64
vb_qemu_import_id_number(const char *id, const char *prefix)
{
  const char *digits;

  if (id == NULL || !g_str_has_prefix(id, prefix))
    return -1;
  digits = id + strlen(prefix);
  if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
    return -1;
  return g_ascii_strtoll(digits, NULL, 10);
}

static const char *
prop(GHashTable *props, const char *name)
{
  return g_hash_table_lookup(props, name);
}

/* Starts @element with the chardev @id's backend as its type, and writes its <source>. */
static gboolean
start_chardev(VbImport *im, VbXmlWriter *w, const char *element, GHashTable *device, GError **error)
{
  const char *id = prop(device, "chardev");
  GHashTable *chardev = id != NULL ? g_hash_table_lookup(im->chardevs, id) : NULL;
  const char *backend;

  if (chardev == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device %s: its chardev '%s' is not a -chardev id", prop(device, "driver"),
                id != NULL ? id : "");
    return FALSE;
  }
  backend = prop(chardev, "backend");
  vb_xml_writer_start(w, element);
  if (g_str_equal(backend, "pty") || g_str_equal(backend, "null") ||
      g_str_equal(backend, "spicevmc")) {
    vb_xml_writer_attr(w, "type", backend);
  } else if (g_str_equal(backend, "file") && prop(chardev, "path") != NULL) {
    vb_xml_writer_attr(w, "type", "file");
    vb_xml_writer_start(w, "source");
    vb_xml_writer_attr(w, "path", prop(chardev, "path"));
    if (prop(chardev, "append") != NULL)
      vb_xml_writer_attr(w, "append", prop(chardev, "append"));
    vb_xml_writer_end(w);
  } else if (g_str_equal(backend, "socket") && prop(chardev, "path") != NULL) {
    vb_xml_writer_attr(w, "type", "unix");
    vb_xml_writer_start(w, "source");
    vb_xml_writer_attr(w, "mode",
                       g_strcmp0(prop(chardev, "server"), "on") == 0 ? "bind" : "connect");
    vb_xml_writer_attr(w, "path", prop(chardev, "path"));
    vb_xml_writer_end(w);
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-chardev %s (id %s): domxml-from-native reads pty, null, file, UNIX socket and "
                "spicevmc character devices",
                backend, id);
    return FALSE;
  }
  return TRUE;
}

static void
add_fragment(VbImport *im, VbXmlWriter *w)
{
  char *fragment = vb_xml_writer_finish(w, im->failed == NULL ? &im->failed : NULL);

  if (fragment != NULL)
    g_ptr_array_add(im->devices, fragment);
}

/* Ends the device's element with its PCI address, and keeps it. */
static gboolean
finish_device(VbImport *im, VbXmlWriter *w, GHashTable *props, GError **error)
{
  if (!vb_qemu_import_address(w, props, error))
    return FALSE;
  vb_xml_writer_end(w);
  add_fragment(im, w);
  return TRUE;
}

static void
element_attr(VbXmlWriter *w, const char *element, const char *attr, const char *value)
{
  vb_xml_writer_start(w, element);
  vb_xml_writer_attr(w, attr, value);
  vb_xml_writer_end(w);
}

/* isa-serial, pci-serial, usb-serial: a <serial>, or the <console> that is serial port 0. */
static gboolean
read_serial(VbImport *im, GHashTable *props, const char *target_type, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  const char *id = prop(props, "id");
  gboolean console = vb_qemu_import_id_number(id, "console") >= 0;
  gint64 port = vb_qemu_import_id_number(id, console ? "console" : "serial");

  if (!start_chardev(im, w, console ? "console" : "serial", props, error) ||
      !vb_qemu_import_address(w, props, error))
    return FALSE;
  im->consoles += console ? 1 : 0;
  vb_xml_writer_start(w, "target");
  vb_xml_writer_attr(w, "type", console ? "serial" : target_type);
  if (port >= 0)
    vb_xml_writer_attr_printf(w, "port", "%" G_GINT64_FORMAT, port);
  vb_xml_writer_end(w);
  vb_xml_writer_end(w);
  add_fragment(im, w);
  return TRUE;
}

/* Console 0 when the first console seen is a later one: the serial console that is serial
 * port 0 itself, which has no device of its own. */
static gboolean
add_serial_console(VbImport *im, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  g_autoptr(GHashTable) serial0 = g_hash_table_new(g_str_hash, g_str_equal);

  g_hash_table_insert(serial0, (char *)"driver", (char *)"isa-serial");
  g_hash_table_insert(serial0, (char *)"chardev", (char *)"charserial0");
  if (!start_chardev(im, w, "console", serial0, error))
    return FALSE;
  vb_xml_writer_raw(w, "<target type='serial' port='0'/>");
  vb_xml_writer_end(w);
  add_fragment(im, w);
  im->consoles++;
  return TRUE;
}

/* virtconsole and virtserialport on a virtio-serial bus. */
static gboolean
read_virtio_port(VbImport *im, GHashTable *props, gboolean console, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  const char *bus = prop(props, "bus");
  g_autofree char *bus_id =
      bus != NULL && g_str_has_suffix(bus, ".0") ? g_strndup(bus, strlen(bus) - 2) : NULL;
  gint64 controller = vb_qemu_import_id_number(bus_id, "virtio-serial");

  if (controller < 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device %s: its bus '%s' is not a virtio-serialN.0", prop(props, "driver"),
                bus != NULL ? bus : "");
    return FALSE;
  }
  if (console && im->consoles == 0 && vb_qemu_import_id_number(prop(props, "id"), "console") > 0 &&
      !add_serial_console(im, error))
    return FALSE;
  if (!start_chardev(im, w, console ? "console" : "channel", props, error))
    return FALSE;
  im->consoles += console ? 1 : 0;
  vb_xml_writer_start(w, "target");
  vb_xml_writer_attr(w, "type", "virtio");
  if (console && vb_qemu_import_id_number(prop(props, "id"), "console") >= 0)
    vb_xml_writer_attr_printf(w, "port", "%" G_GINT64_FORMAT,
                              vb_qemu_import_id_number(prop(props, "id"), "console"));
  if (!console && prop(props, "name") != NULL)
    vb_xml_writer_attr(w, "name", prop(props, "name"));
  vb_xml_writer_end(w);
  if (!console && prop(props, "nr") != NULL) {
    vb_xml_writer_start(w, "address");
    vb_xml_writer_attr(w, "type", "virtio-serial");
    vb_xml_writer_attr_printf(w, "controller", "%" G_GINT64_FORMAT, controller);
    vb_xml_writer_attr(w, "bus", "0");
    vb_xml_writer_attr(w, "port", prop(props, "nr"));
    vb_xml_writer_end(w);
  }
  vb_xml_writer_end(w);
  add_fragment(im, w);
  return TRUE;
}

static void
usb_address(VbXmlWriter *w, GHashTable *props)
{
  if (prop(props, "port") == NULL)
    return;
  vb_xml_writer_start(w, "address");
  vb_xml_writer_attr(w, "type", "usb");
  vb_xml_writer_attr(w, "bus", "0");
  vb_xml_writer_attr(w, "port", prop(props, "port"));
  vb_xml_writer_end(w);
}

static gboolean
read_redirdev(VbImport *im, GHashTable *props, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();

  if (!start_chardev(im, w, "redirdev", props, error))
    return FALSE;
  vb_xml_writer_attr(w, "bus", "usb");
  usb_address(w, props);
  vb_xml_writer_end(w);
  add_fragment(im, w);
  return TRUE;
}

/* The controllers: PCI, USB, SCSI and virtio-serial, by the index their id carries. */
typedef struct {
  const char *driver;
  const char *type;
  const char *model;  /* (nullable) */
  const char *prefix; /* of the id, before its index */
} ControllerDriver;

static const ControllerDriver controller_drivers[] = {
    {"pcie-root-port", "pci", "pcie-root-port", "pci."},
    {"pci-bridge", "pci", "pci-bridge", "pci."},
    {"i82801b11-bridge", "pci", "dmi-to-pci-bridge", "pci."},
    {"pcie-pci-bridge", "pci", "pcie-to-pci-bridge", "pci."},
    {"piix3-usb-uhci", "usb", "piix3-uhci", "usb"},
    {"piix4-usb-uhci", "usb", "piix4-uhci", "usb"},
    {"qemu-xhci", "usb", "qemu-xhci", "usb"},
    {"nec-usb-xhci", "usb", "nec-xhci", "usb"},
    {"ich9-usb-ehci1", "usb", "ich9-ehci1", "usb"},
    {"ich9-usb-uhci1", "usb", "ich9-uhci1", "usb"},
    {"ich9-usb-uhci2", "usb", "ich9-uhci2", "usb"},
    {"ich9-usb-uhci3", "usb", "ich9-uhci3", "usb"},
    {"usb-ehci", "usb", "ehci", "usb"},
    {"lsi53c895a", "scsi", "lsilogic", "scsi"},
    {"virtio-scsi-pci", "scsi", "virtio-scsi", "scsi"},
    {"mptsas1068", "scsi", "lsisas1068", "scsi"},
    {"megasas", "scsi", "lsisas1078", "scsi"},
    {"ich9-ahci", "sata", NULL, "sata"},
    {"virtio-serial-pci", "virtio-serial", NULL, "virtio-serial"},
};

static gboolean
read_controller(VbImport *im, GHashTable *props, const ControllerDriver *c, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  const char *id = prop(props, "id");
  const char *master = prop(props, "masterbus");
  gint64 index = vb_qemu_import_id_number(id, c->prefix);

  g_autofree char *master_bus = master != NULL && g_str_has_suffix(master, ".0")
                                    ? g_strndup(master, strlen(master) - 2)
                                    : NULL;

  /* the first USB bus is "usb"; a companion has no id, but names the bus it serves */
  if (master_bus != NULL)
    index = g_str_equal(master_bus, "usb") ? 0 : vb_qemu_import_id_number(master_bus, "usb");
  else if (g_str_equal(c->type, "usb") && g_strcmp0(id, "usb") == 0)
    index = 0;
  if (index < 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device %s: its id '%s' is not one virtbus gives (%sN)", c->driver,
                id != NULL ? id : "", c->prefix);
    return FALSE;
  }
  vb_xml_writer_start(w, "controller");
  vb_xml_writer_attr(w, "type", c->type);
  vb_xml_writer_attr_printf(w, "index", "%" G_GINT64_FORMAT, index);
  if (c->model != NULL)
    vb_xml_writer_attr(w, "model", c->model);
  if (prop(props, "p2") != NULL)
    vb_xml_writer_attr(w, "ports", prop(props, "p2"));
  if (prop(props, "num_queues") != NULL || prop(props, "cmd_per_lun") != NULL ||
      prop(props, "max_sectors") != NULL || prop(props, "ioeventfd") != NULL) {
    vb_xml_writer_start(w, "driver");
    vb_xml_writer_attr(w, "queues", prop(props, "num_queues"));
    vb_xml_writer_attr(w, "cmd_per_lun", prop(props, "cmd_per_lun"));
    vb_xml_writer_attr(w, "max_sectors", prop(props, "max_sectors"));
    vb_xml_writer_attr(w, "ioeventfd", prop(props, "ioeventfd"));
    vb_xml_writer_end(w);
  }
  if (master != NULL) {
    vb_xml_writer_start(w, "master");
    vb_xml_writer_attr(w, "startport", prop(props, "firstport"));
    vb_xml_writer_end(w);
  }
  if (prop(props, "chassis") != NULL || prop(props, "chassis_nr") != NULL ||
      prop(props, "port") != NULL) {
    vb_xml_writer_start(w, "target");
    vb_xml_writer_attr(w, "chassis",
                       prop(props, "chassis") != NULL ? prop(props, "chassis")
                                                      : prop(props, "chassis_nr"));
    if (prop(props, "port") != NULL)
      vb_xml_writer_attr_printf(w, "port", "0x%" G_GINT64_MODIFIER "x",
                                g_ascii_strtoll(prop(props, "port"), NULL, 0));
    vb_xml_writer_end(w);
  }
  if (!finish_device(im, w, props, error))
    return FALSE;
  if (g_str_equal(c->type, "usb"))
    im->has_usb = TRUE;
  return TRUE;
}

static const struct {
  const char *driver;
  const char *model;
} video_drivers[] = {
    {"VGA", "vga"},
    {"cirrus-vga", "cirrus"},
    {"virtio-vga", "virtio"},
    {"virtio-gpu-pci", "virtio"},
    {"qxl-vga", "qxl"},
    {"qxl", "qxl"},
    {"bochs-display", "bochs"},
};

static gboolean
read_video(VbImport *im, GHashTable *props, const char *model, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  const char *ram = prop(props, "ram_size");
  const char *vram = prop(props, "vram_size");
  const char *vgamem = prop(props, "vgamem_mb");

  vb_xml_writer_start(w, "video");
  vb_xml_writer_start(w, "model");
  vb_xml_writer_attr(w, "type", model);
  if (ram != NULL)
    vb_xml_writer_attr_printf(w, "ram", "%" G_GUINT64_FORMAT,
                              g_ascii_strtoull(ram, NULL, 0) / 1024);
  if (vram != NULL)
    vb_xml_writer_attr_printf(w, "vram", "%" G_GUINT64_FORMAT,
                              g_ascii_strtoull(vram, NULL, 0) / 1024);
  if (vgamem != NULL)
    vb_xml_writer_attr_printf(w, "vgamem", "%" G_GUINT64_FORMAT,
                              g_ascii_strtoull(vgamem, NULL, 0) * 1024);
  vb_xml_writer_attr(w, "heads", prop(props, "max_outputs"));
  vb_xml_writer_end(w);
  if (!finish_device(im, w, props, error))
    return FALSE;
  im->has_video = TRUE;
  return TRUE;
}

/* A sound card; an HDA codec only says which -audiodev the card uses. */
static gboolean
read_sound(VbImport *im, GHashTable *props, const char *model, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  const char *audiodev = prop(props, "audiodev");

  vb_xml_writer_start(w, "sound");
  vb_xml_writer_attr(w, "model", model);
  if (audiodev != NULL && vb_qemu_import_id_number(audiodev, "audio") > 0)
    element_attr(w, "audio", "id", audiodev + strlen("audio"));
  if (!finish_device(im, w, props, error))
    return FALSE;
  return TRUE;
}

static gboolean
read_input(VbImport *im, GHashTable *props, const char *type, const char *bus, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();

  vb_xml_writer_start(w, "input");
  vb_xml_writer_attr(w, "type", type);
  vb_xml_writer_attr(w, "bus", bus);
  usb_address(w, props);
  if (!finish_device(im, w, props, error))
    return FALSE;
  return TRUE;
}

static gboolean
read_rng(VbImport *im, GHashTable *props, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  const char *id = prop(props, "rng");
  GHashTable *object = id != NULL ? g_hash_table_lookup(im->objects, id) : NULL;

  if (object == NULL || g_strcmp0(prop(object, "qom-type"), "rng-random") != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device virtio-rng-pci: its rng '%s' is not a -object rng-random id",
                id != NULL ? id : "");
    return FALSE;
  }
  vb_xml_writer_start(w, "rng");
  vb_xml_writer_attr(w, "model", "virtio");
  vb_xml_writer_start(w, "backend");
  vb_xml_writer_attr(w, "model", "random");
  vb_xml_writer_text(w,
                     prop(object, "filename") != NULL ? prop(object, "filename") : "/dev/urandom");
  vb_xml_writer_end(w);
  if (!finish_device(im, w, props, error))
    return FALSE;
  return TRUE;
}

static gboolean
read_simple(VbImport *im, GHashTable *props, const char *element, const char *model, GError **error)
{
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();

  vb_xml_writer_start(w, element);
  vb_xml_writer_attr(w, "model", model);
  if (g_str_equal(element, "watchdog") && im->watchdog_action != NULL)
    vb_xml_writer_attr(w, "action", im->watchdog_action);
  if (g_str_equal(element, "panic") && prop(props, "ioport") != NULL) {
    vb_xml_writer_start(w, "address");
    vb_xml_writer_attr(w, "type", "isa");
    vb_xml_writer_attr_printf(w, "iobase", "0x%" G_GINT64_MODIFIER "x",
                              g_ascii_strtoll(prop(props, "ioport"), NULL, 0));
    vb_xml_writer_end(w);
  }
  if (!finish_device(im, w, props, error))
    return FALSE;
  if (g_str_equal(element, "memballoon"))
    im->has_balloon = TRUE;
  return TRUE;
}

/**
 * vb_qemu_import_other_device:
 * @props: the -device's properties, "driver" included
 *
 * Returns: %FALSE with NotSupported naming the driver when it is none virtbus writes
 */
gboolean
vb_qemu_import_other_device(VbImport *im, GHashTable *props, GError **error)
{
  static const struct {
    const char *driver;
    const char *element;
    const char *model;
  } simple[] = {
      {"virtio-balloon-pci", "memballoon", "virtio"},
      {"pvpanic", "panic", "isa"},
      {"pvpanic-pci", "panic", "pvpanic"},
      {"i6300esb", "watchdog", "i6300esb"},
      {"ib700", "watchdog", "ib700"},
  };
  static const struct {
    const char *driver;
    const char *model;
  } sound[] = {
      {"ich9-intel-hda", "ich9"}, {"intel-hda", "ich6"}, {"AC97", "ac97"},
      {"ES1370", "es1370"},       {"usb-audio", "usb"},
  };
  static const struct {
    const char *driver;
    const char *type;
    const char *bus;
  } inputs[] = {
      {"usb-mouse", "mouse", "usb"},
      {"usb-tablet", "tablet", "usb"},
      {"usb-kbd", "keyboard", "usb"},
      {"virtio-mouse-pci", "mouse", "virtio"},
      {"virtio-tablet-pci", "tablet", "virtio"},
      {"virtio-keyboard-pci", "keyboard", "virtio"},
  };
  const char *driver = prop(props, "driver");

  for (guint i = 0; i < G_N_ELEMENTS(controller_drivers); i++) {
    if (g_str_equal(driver, controller_drivers[i].driver))
      return read_controller(im, props, &controller_drivers[i], error);
  }
  for (guint i = 0; i < G_N_ELEMENTS(video_drivers); i++) {
    if (g_str_equal(driver, video_drivers[i].driver))
      return read_video(im, props, video_drivers[i].model, error);
  }
  for (guint i = 0; i < G_N_ELEMENTS(sound); i++) {
    if (g_str_equal(driver, sound[i].driver))
      return read_sound(im, props, sound[i].model, error);
  }
  for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
    if (g_str_equal(driver, inputs[i].driver))
      return read_input(im, props, inputs[i].type, inputs[i].bus, error);
  }
  for (guint i = 0; i < G_N_ELEMENTS(simple); i++) {
    if (g_str_equal(driver, simple[i].driver))
      return read_simple(im, props, simple[i].element, simple[i].model, error);
  }
  if (g_str_equal(driver, "isa-serial"))
    return read_serial(im, props, "isa-serial", error);
  if (g_str_equal(driver, "pci-serial"))
    return read_serial(im, props, "pci-serial", error);
  if (g_str_equal(driver, "usb-serial"))
    return read_serial(im, props, "usb-serial", error);
  if (g_str_equal(driver, "virtconsole"))
    return read_virtio_port(im, props, TRUE, error);
  if (g_str_equal(driver, "virtserialport"))
    return read_virtio_port(im, props, FALSE, error);
  if (g_str_equal(driver, "usb-redir"))
    return read_redirdev(im, props, error);
  if (g_str_equal(driver, "virtio-rng-pci"))
    return read_rng(im, props, error);
  if (g_str_has_prefix(driver, "hda-"))
    return TRUE; /* the HDA card's codec: the card carries its audiodev */
  g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
              "-device %s: not a device domxml-from-native reads (see docs/qemu-command.md)",
              driver);
  return FALSE;
}
