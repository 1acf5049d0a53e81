/* vb-qemu-from-native-device.c: domxml-from-native's -device readers for everything but disks
 * and NICs: controllers, character devices, video, sound, input and the small devices, each
 * added to the definition with its PCI address when it has one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-error.h"
#include "vb-qemu-from-native-private.h"
#include "vb-qemu-props.h"

static const char *
prop(GHashTable *props, const char *name)
{
  return g_hash_table_lookup(props, name);
}

/* "-device DRIVER", for messages. */
static char *
device_option(GHashTable *props)
{
  return g_strdup_printf("-device %s", prop(props, "driver"));
}

/* "pci.0", "pcie.0" → 0; "pci.N" → N; anything else: -1. */
static gint64
pci_bus_index(const char *bus)
{
  if (bus == NULL)
    return -1;
  if (g_str_equal(bus, "pci.0") || g_str_equal(bus, "pcie.0"))
    return 0;
  return vb_qemu_import_id_number(bus, "pci.");
}

/**
 * vb_qemu_import_pci_address:
 *
 * The PCI address of a -device with bus= and addr= (SLOT or SLOT.FUNCTION, in hex or decimal,
 * as QEMU reads them); none for one without.
 */
gboolean
vb_qemu_import_pci_address(GHashTable *props, VbDeviceInfo *info, GError **error)
{
  const char *addr = prop(props, "addr");
  gint64 bus = pci_bus_index(prop(props, "bus"));
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
  if (bus < 0 || bus > 255 || end == NULL || end == addr || *end != '\0' || slot > 31 ||
      function > 7) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device %s: the PCI address bus=%s,addr=%s is not one virtbus writes (bus "
                "pci.N or pcie.0, slot 0-31, function 0-7)",
                prop(props, "driver"), prop(props, "bus"), addr);
    vb_error_shorten(error != NULL ? *error : NULL);
    return FALSE;
  }
  info->address.type = VB_ADDRESS_PCI;
  info->address.domain = 0;
  info->address.bus = (guint64)bus;
  info->address.slot = slot;
  info->address.function = function;
  if (g_strcmp0(prop(props, "multifunction"), "on") == 0)
    info->address.multifunction = 1;
  return TRUE;
}

/* The USB port of a USB device on the first bus. */
static void
usb_address(GHashTable *props, VbDeviceInfo *info)
{
  if (prop(props, "port") == NULL)
    return;
  info->address.type = VB_ADDRESS_USB;
  info->address.bus = 0;
  info->address.usb_port = g_strdup(prop(props, "port"));
}

/* The -chardev a device names by chardev=. */
static GHashTable *
chardev_of(VbImport *im, GHashTable *device, GError **error)
{
  const char *id = prop(device, "chardev");
  GHashTable *chardev = id != NULL ? g_hash_table_lookup(im->chardevs, id) : NULL;

  if (chardev == NULL)
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "-device %s: its chardev '%s' is not a -chardev id", prop(device, "driver"),
                id != NULL ? id : "");
  return chardev;
}

/* The host side of a character device from its -chardev. */
static gboolean
read_chr_source(VbImport *im, GHashTable *device, VbChrSource *source, GError **error)
{
  GHashTable *chardev = chardev_of(im, device, error);
  const char *backend;
  const char *append;

  if (chardev == NULL)
    return FALSE;
  backend = prop(chardev, "backend");
  append = prop(chardev, "append");
  if (g_str_equal(backend, "pty") || g_str_equal(backend, "null") ||
      g_str_equal(backend, "spicevmc")) {
    source->type = (VbChrType)vb_names_index(vb_chr_type_names, backend);
  } else if (g_str_equal(backend, "file") && prop(chardev, "path") != NULL &&
             (append == NULL || g_str_equal(append, "on") || g_str_equal(append, "off"))) {
    source->type = VB_CHR_FILE;
    source->path = g_strdup(prop(chardev, "path"));
    if (append != NULL)
      source->append = g_str_equal(append, "on");
  } else if (g_str_equal(backend, "socket") && prop(chardev, "path") != NULL) {
    source->type = VB_CHR_UNIX;
    source->path = g_strdup(prop(chardev, "path"));
    source->unix_mode = vb_names_index(
        vb_chr_unix_mode_names, g_strcmp0(prop(chardev, "server"), "on") == 0 ? "bind" : "connect");
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-chardev %s (id %s): domxml-from-native reads pty, null, file, UNIX socket and "
                "spicevmc character devices",
                backend, prop(device, "chardev"));
    return FALSE;
  }
  return TRUE;
}

/**
 * vb_qemu_import_serial_option:
 * @value: -serial pty, null or file:PATH
 */
gboolean
vb_qemu_import_serial_option(VbImport *im, const char *value, GError **error)
{
  VbSerialDef *serial;

  if (g_str_equal(value, "pty") || g_str_equal(value, "null")) {
    serial = vb_serial_def_new((VbChrType)vb_names_index(vb_chr_type_names, value));
  } else if (g_str_has_prefix(value, "file:")) {
    serial = vb_serial_def_new(VB_CHR_FILE);
    serial->source.path = g_strdup(value + strlen("file:"));
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-serial %s: domxml-from-native reads pty, null, file:PATH and none", value);
    return FALSE;
  }
  g_ptr_array_add(im->serial_options, serial);
  return TRUE;
}

/* isa-serial, pci-serial, usb-serial: a <serial>, or the <console> that is serial port 0. */
static gboolean
read_serial(VbImport *im, GHashTable *props, VbSerialTargetType target_type, GError **error)
{
  const char *id = prop(props, "id");
  gboolean console = vb_qemu_import_id_number(id, "console") >= 0;
  VbSerialDef *serial = vb_serial_def_new(VB_CHR_PTY);

  g_ptr_array_add(console ? im->def->consoles : im->def->serials, serial);
  if (!read_chr_source(im, props, &serial->source, error) ||
      !vb_qemu_import_pci_address(props, &serial->info, error))
    return FALSE;
  serial->target_type = console ? VB_CONSOLE_TARGET_SERIAL : (gint)target_type;
  serial->target_port = vb_qemu_import_id_number(id, console ? "console" : "serial");
  return TRUE;
}

/* Console 0 when the first console seen is a later one: the serial console that is serial
 * port 0 itself, which has no device of its own. */
static gboolean
add_serial_console(VbImport *im, GError **error)
{
  g_autoptr(GHashTable) serial0 = g_hash_table_new(g_str_hash, g_str_equal);
  VbSerialDef *console = vb_serial_def_new(VB_CHR_PTY);

  g_ptr_array_add(im->def->consoles, console);
  g_hash_table_insert(serial0, (char *)"driver", (char *)"isa-serial");
  g_hash_table_insert(serial0, (char *)"chardev", (char *)"charserial0");
  if (!read_chr_source(im, serial0, &console->source, error))
    return FALSE;
  console->target_type = VB_CONSOLE_TARGET_SERIAL;
  console->target_port = 0;
  return TRUE;
}

/* virtconsole and virtserialport on a virtio-serial bus. */
static gboolean
read_virtio_port(VbImport *im, GHashTable *props, gboolean console, GError **error)
{
  const char *bus = prop(props, "bus");
  g_autofree char *bus_id =
      bus != NULL && g_str_has_suffix(bus, ".0") ? g_strndup(bus, strlen(bus) - 2) : NULL;
  /* a console without a bus is on the first one, as QEMU places it */
  gint64 controller =
      console && bus == NULL ? 0 : vb_qemu_import_id_number(bus_id, "virtio-serial");
  gint64 port = vb_qemu_import_id_number(prop(props, "id"), "console");
  g_autofree char *option = device_option(props);
  VbChannelDef *channel;

  if (controller < 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device %s: its bus '%s' is not a virtio-serialN.0", prop(props, "driver"),
                bus != NULL ? bus : "");
    return FALSE;
  }
  if (console) {
    VbSerialDef *serial;

    if (im->def->consoles->len == 0 && port > 0 && !add_serial_console(im, error))
      return FALSE;
    serial = vb_serial_def_new(VB_CHR_PTY);
    g_ptr_array_add(im->def->consoles, serial);
    serial->target_type = VB_CONSOLE_TARGET_VIRTIO;
    serial->target_port = port;
    return read_chr_source(im, props, &serial->source, error);
  }
  channel = vb_channel_def_new(VB_CHR_PTY);
  g_ptr_array_add(im->def->channels, channel);
  channel->target_name = g_strdup(prop(props, "name"));
  if (!read_chr_source(im, props, &channel->source, error))
    return FALSE;
  if (prop(props, "nr") != NULL) {
    gint64 nr = -1;

    if (!vb_qemu_import_count(option, props, "nr", 31, &nr, error))
      return FALSE;
    channel->info.address.type = VB_ADDRESS_VIRTIO_SERIAL;
    channel->info.address.controller = (guint64)controller;
    channel->info.address.bus = 0;
    channel->info.address.port = (guint64)nr;
  }
  return TRUE;
}

/* usb-redir: only from a SPICE channel, as libvirt's <redirdev type='spicevmc'>. */
static gboolean
read_redirdev(VbImport *im, GHashTable *props, GError **error)
{
  GHashTable *chardev = chardev_of(im, props, error);
  VbRedirdevDef *redirdev;

  if (chardev == NULL)
    return FALSE;
  if (!g_str_equal(prop(chardev, "backend"), "spicevmc")) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device usb-redir: its chardev '%s' is a %s; virtbus redirects USB from "
                "spicevmc",
                prop(props, "chardev"), prop(chardev, "backend"));
    return FALSE;
  }
  redirdev = vb_redirdev_def_new();
  g_ptr_array_add(im->def->redirdevs, redirdev);
  usb_address(props, &redirdev->info);
  return TRUE;
}

/* The controllers: PCI, USB, SCSI and virtio-serial, by the index their id carries. */
typedef struct {
  const char *driver;
  VbControllerType type;
  const char *model;  /* (nullable) */
  const char *prefix; /* of the id, before its index */
} ControllerDriver;

static const ControllerDriver controller_drivers[] = {
    {"pcie-root-port", VB_CONTROLLER_PCI, "pcie-root-port", "pci."},
    {"pci-bridge", VB_CONTROLLER_PCI, "pci-bridge", "pci."},
    {"i82801b11-bridge", VB_CONTROLLER_PCI, "dmi-to-pci-bridge", "pci."},
    {"pcie-pci-bridge", VB_CONTROLLER_PCI, "pcie-to-pci-bridge", "pci."},
    {"piix3-usb-uhci", VB_CONTROLLER_USB, "piix3-uhci", "usb"},
    {"piix4-usb-uhci", VB_CONTROLLER_USB, "piix4-uhci", "usb"},
    {"qemu-xhci", VB_CONTROLLER_USB, "qemu-xhci", "usb"},
    {"nec-usb-xhci", VB_CONTROLLER_USB, "nec-xhci", "usb"},
    {"ich9-usb-ehci1", VB_CONTROLLER_USB, "ich9-ehci1", "usb"},
    {"ich9-usb-uhci1", VB_CONTROLLER_USB, "ich9-uhci1", "usb"},
    {"ich9-usb-uhci2", VB_CONTROLLER_USB, "ich9-uhci2", "usb"},
    {"ich9-usb-uhci3", VB_CONTROLLER_USB, "ich9-uhci3", "usb"},
    {"usb-ehci", VB_CONTROLLER_USB, "ehci", "usb"},
    {"lsi53c895a", VB_CONTROLLER_SCSI, "lsilogic", "scsi"},
    {"virtio-scsi-pci", VB_CONTROLLER_SCSI, "virtio-scsi", "scsi"},
    {"mptsas1068", VB_CONTROLLER_SCSI, "lsisas1068", "scsi"},
    {"megasas", VB_CONTROLLER_SCSI, "lsisas1078", "scsi"},
    {"ich9-ahci", VB_CONTROLLER_SATA, NULL, "sata"},
    {"virtio-serial-pci", VB_CONTROLLER_VIRTIO_SERIAL, NULL, "virtio-serial"},
};

static gboolean
read_controller_settings(VbControllerDef *controller, GHashTable *props, GError **error)
{
  g_autofree char *option = device_option(props);
  const char *ioeventfd = prop(props, "ioeventfd");

  if (!vb_qemu_import_count(option, props, "p2", 255, &controller->ports, error) ||
      !vb_qemu_import_count(option, props, "num_queues", 1024, &controller->driver_queues, error) ||
      !vb_qemu_import_count(option, props, "cmd_per_lun", 65535, &controller->driver_cmd_per_lun,
                            error) ||
      !vb_qemu_import_count(option, props, "max_sectors", G_MAXINT32,
                            &controller->driver_max_sectors, error) ||
      !vb_qemu_import_count(option, props, "chassis_nr", 255, &controller->target_chassis_nr,
                            error) ||
      !vb_qemu_import_count(option, props, "chassis", 255, &controller->target_chassis, error) ||
      !vb_qemu_import_count(option, props, "port", 255, &controller->target_port, error))
    return FALSE;
  if (ioeventfd != NULL) {
    if (!g_str_equal(ioeventfd, "on") && !g_str_equal(ioeventfd, "off")) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "%s: ioeventfd=%s is not on or off",
                  option, ioeventfd);
      return FALSE;
    }
    controller->driver_ioeventfd = g_str_equal(ioeventfd, "on");
  }
  if (prop(props, "masterbus") != NULL) {
    controller->master_startport = 0;
    return vb_qemu_import_count(option, props, "firstport", 255, &controller->master_startport,
                                error);
  }
  return TRUE;
}

static gboolean
read_controller(VbImport *im, GHashTable *props, const ControllerDriver *c, GError **error)
{
  const char *id = prop(props, "id");
  const char *master = prop(props, "masterbus");
  gint64 index = vb_qemu_import_id_number(id, c->prefix);
  g_autofree char *master_bus = master != NULL && g_str_has_suffix(master, ".0")
                                    ? g_strndup(master, strlen(master) - 2)
                                    : NULL;
  VbControllerDef *controller;

  /* the first USB bus is "usb"; a companion has no id, but names the bus it serves */
  if (master_bus != NULL)
    index = g_str_equal(master_bus, "usb") ? 0 : vb_qemu_import_id_number(master_bus, "usb");
  else if (c->type == VB_CONTROLLER_USB && g_strcmp0(id, "usb") == 0)
    index = 0;
  if (index < 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device %s: its id '%s' is not one virtbus gives (%sN)", c->driver,
                id != NULL ? id : "", c->prefix);
    return FALSE;
  }
  controller = vb_controller_def_new(c->type, (guint64)index);
  g_ptr_array_add(im->def->controllers, controller);
  controller->model = g_strdup(c->model);
  if (!read_controller_settings(controller, props, error) ||
      !vb_qemu_import_pci_address(props, &controller->info, error))
    return FALSE;
  if (c->type == VB_CONTROLLER_USB)
    im->has_usb = TRUE;
  return TRUE;
}

static const struct {
  const char *driver;
  VbVideoModel model;
} video_drivers[] = {
    {"VGA", VB_VIDEO_VGA},
    {"cirrus-vga", VB_VIDEO_CIRRUS},
    {"virtio-vga", VB_VIDEO_VIRTIO},
    {"virtio-gpu-pci", VB_VIDEO_VIRTIO},
    {"qxl-vga", VB_VIDEO_QXL},
    {"qxl", VB_VIDEO_QXL},
    {"bochs-display", VB_VIDEO_BOCHS},
};

/* A size in bytes (or MiB for @mib) as the KiB <video><model> gives it. */
static gboolean
video_size(GHashTable *props, const char *key, gboolean mib, gint64 *kib, GError **error)
{
  g_autofree char *option = device_option(props);
  gint64 value = -1;

  if (!vb_qemu_import_count(option, props, key, mib ? G_MAXUINT32 / 1024 : G_MAXUINT32 * 1024LL,
                            &value, error))
    return FALSE;
  if (value >= 0)
    *kib = mib ? value * 1024 : value / 1024;
  return TRUE;
}

static gboolean
read_video(VbImport *im, GHashTable *props, VbVideoModel model, GError **error)
{
  g_autofree char *option = device_option(props);
  VbVideoDef *video = vb_video_def_new();

  g_ptr_array_add(im->def->videos, video);
  video->model = model;
  return video_size(props, "ram_size", FALSE, &video->ram, error) &&
         video_size(props, "vram_size", FALSE, &video->vram, error) &&
         video_size(props, "vgamem_mb", TRUE, &video->vgamem, error) &&
         vb_qemu_import_count(option, props, "max_outputs", 16, &video->heads, error) &&
         vb_qemu_import_pci_address(props, &video->info, error);
}

/* A sound card; an HDA codec only says which -audiodev the card uses. */
static gboolean
read_sound(VbImport *im, GHashTable *props, VbSoundModel model, GError **error)
{
  gint64 audio = vb_qemu_import_id_number(prop(props, "audiodev"), "audio");
  VbSoundDef *sound = vb_sound_def_new(model);

  g_ptr_array_add(im->def->sounds, sound);
  if (audio > 0)
    sound->audio_id = (guint64)audio;
  return vb_qemu_import_pci_address(props, &sound->info, error);
}

static gboolean
read_input(VbImport *im, GHashTable *props, VbInputType type, VbInputBus bus, GError **error)
{
  VbInputDef *input = vb_input_def_new(type);

  g_ptr_array_add(im->def->inputs, input);
  input->bus = bus;
  usb_address(props, &input->info);
  return vb_qemu_import_pci_address(props, &input->info, error);
}

static gboolean
read_rng(VbImport *im, GHashTable *props, GError **error)
{
  const char *id = prop(props, "rng");
  GHashTable *object = id != NULL ? g_hash_table_lookup(im->objects, id) : NULL;
  VbRngDef *rng;

  if (object == NULL || g_strcmp0(prop(object, "qom-type"), "rng-random") != 0) {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "-device virtio-rng-pci: its rng '%s' is not a -object rng-random id",
                id != NULL ? id : "");
    return FALSE;
  }
  rng = vb_rng_def_new();
  g_ptr_array_add(im->def->rngs, rng);
  rng->backend =
      g_strdup(prop(object, "filename") != NULL ? prop(object, "filename") : "/dev/urandom");
  return vb_qemu_import_pci_address(props, &rng->info, error);
}

/* The devices a domain has one of at most. */
static gboolean
check_single(const void *existing, GHashTable *props, GError **error)
{
  if (existing == NULL)
    return TRUE;
  g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
              "-device %s: a domain has one device of this kind at most", prop(props, "driver"));
  return FALSE;
}

static gboolean
read_balloon(VbImport *im, GHashTable *props, GError **error)
{
  if (!check_single(im->def->memballoon, props, error))
    return FALSE;
  im->def->memballoon = vb_memballoon_def_new(FALSE);
  return vb_qemu_import_pci_address(props, &im->def->memballoon->info, error);
}

static gboolean
read_watchdog(VbImport *im, GHashTable *props, VbWatchdogModel model, GError **error)
{
  if (!check_single(im->def->watchdog, props, error))
    return FALSE;
  im->def->watchdog = vb_watchdog_def_new(model);
  return vb_qemu_import_pci_address(props, &im->def->watchdog->info, error);
}

/* pvpanic (ISA, at its ioport) and pvpanic-pci. */
static gboolean
read_panic(VbImport *im, GHashTable *props, VbPanicModel model, GError **error)
{
  g_autofree char *option = device_option(props);
  VbPanicDef *panic = vb_panic_def_new();

  g_ptr_array_add(im->def->panics, panic);
  panic->model = model;
  if (prop(props, "ioport") != NULL) {
    panic->info.address.type = VB_ADDRESS_ISA;
    if (!vb_qemu_import_count(option, props, "ioport", 0xffff, &panic->info.address.iobase, error))
      return FALSE;
  }
  return vb_qemu_import_pci_address(props, &panic->info, error);
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
    VbSoundModel model;
  } sounds[] = {
      {"ich9-intel-hda", VB_SOUND_ICH9}, {"intel-hda", VB_SOUND_ICH6}, {"AC97", VB_SOUND_AC97},
      {"ES1370", VB_SOUND_ES1370},       {"usb-audio", VB_SOUND_USB},
  };
  static const struct {
    const char *driver;
    VbInputType type;
    VbInputBus bus;
  } inputs[] = {
      {"usb-mouse", VB_INPUT_MOUSE, VB_INPUT_BUS_USB},
      {"usb-tablet", VB_INPUT_TABLET, VB_INPUT_BUS_USB},
      {"usb-kbd", VB_INPUT_KEYBOARD, VB_INPUT_BUS_USB},
      {"virtio-mouse-pci", VB_INPUT_MOUSE, VB_INPUT_BUS_VIRTIO},
      {"virtio-tablet-pci", VB_INPUT_TABLET, VB_INPUT_BUS_VIRTIO},
      {"virtio-keyboard-pci", VB_INPUT_KEYBOARD, VB_INPUT_BUS_VIRTIO},
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
  for (guint i = 0; i < G_N_ELEMENTS(sounds); i++) {
    if (g_str_equal(driver, sounds[i].driver))
      return read_sound(im, props, sounds[i].model, error);
  }
  for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
    if (g_str_equal(driver, inputs[i].driver))
      return read_input(im, props, inputs[i].type, inputs[i].bus, error);
  }
  if (g_str_equal(driver, "virtio-balloon-pci"))
    return read_balloon(im, props, error);
  if (g_str_equal(driver, "i6300esb"))
    return read_watchdog(im, props, VB_WATCHDOG_I6300ESB, error);
  if (g_str_equal(driver, "ib700"))
    return read_watchdog(im, props, VB_WATCHDOG_IB700, error);
  if (g_str_equal(driver, "pvpanic"))
    return read_panic(im, props, VB_PANIC_ISA, error);
  if (g_str_equal(driver, "pvpanic-pci"))
    return read_panic(im, props, VB_PANIC_PVPANIC, error);
  if (g_str_equal(driver, "isa-serial"))
    return read_serial(im, props, VB_SERIAL_TARGET_ISA, error);
  if (g_str_equal(driver, "pci-serial"))
    return read_serial(im, props, VB_SERIAL_TARGET_PCI, error);
  if (g_str_equal(driver, "usb-serial"))
    return read_serial(im, props, VB_SERIAL_TARGET_USB, error);
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

/**
 * vb_qemu_import_finish_devices:
 *
 * What the whole line says about the devices: the -serial ports (before the -device ones),
 * the -usbdevice tablet, the watchdog's action, and with -nodefaults the defaults it lacks.
 */
void
vb_qemu_import_finish_devices(VbImport *im)
{
  VbDomainDef *def = im->def;

  for (guint i = im->serial_options->len; i > 0; i--)
    g_ptr_array_insert(def->serials, 0, g_ptr_array_steal_index(im->serial_options, i - 1));
  if (im->tablet) {
    VbInputDef *tablet = vb_input_def_new(VB_INPUT_TABLET);

    tablet->bus = VB_INPUT_BUS_USB;
    g_ptr_array_add(def->inputs, tablet);
  }
  if (def->watchdog != NULL)
    def->watchdog->action = vb_names_index(vb_watchdog_action_names, im->watchdog_action);
  if (!im->nodefaults)
    return;
  if (!im->has_usb) {
    VbControllerDef *none = vb_controller_def_new(VB_CONTROLLER_USB, 0);

    none->model = g_strdup("none");
    g_ptr_array_add(def->controllers, none);
  }
  if (def->videos->len == 0 && def->graphics->len > 0) {
    VbVideoDef *none = vb_video_def_new();

    none->model = VB_VIDEO_NONE;
    g_ptr_array_add(def->videos, none);
  }
  if (def->memballoon == NULL)
    def->memballoon = vb_memballoon_def_new(TRUE);
}
