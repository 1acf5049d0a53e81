/* vb-qemu-command-small.c: the small devices: input, random number generator, memory
 * balloon, panic notifier and watchdog.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-qemu-command-private.h"

static gboolean
place_or_free(
    VbQemuBuild *b, VbQemuProps *props, const VbDeviceInfo *info, const char *what, GError **error)
{
  if (vb_qemu_pci_place(b, props, info, what, error))
    return TRUE;
  vb_qemu_props_free(props);
  return FALSE;
}

static gboolean
build_input(VbQemuBuild *b, const VbInputDef *input, GError **error)
{
  static const char *const usb_drivers[] = {"usb-mouse", "usb-tablet", "usb-kbd"};
  static const char *const virtio_drivers[] = {"virtio-mouse-pci", "virtio-tablet-pci",
                                               "virtio-keyboard-pci"};
  const char *alias = vb_qemu_device_id(&input->info);
  g_autofree char *what = g_strdup_printf("the input device '%s'", alias);
  const char *driver;
  VbQemuProps *props;

  /* PS/2 mouse and keyboard are part of the PC's i8042: nothing to add */
  if (input->bus == VB_ABSENT || input->bus == VB_INPUT_BUS_PS2)
    return TRUE;
  driver = input->bus == VB_INPUT_BUS_USB ? usb_drivers[input->type] : virtio_drivers[input->type];
  if (!vb_qemu_build_need_device(b, driver, what, error))
    return FALSE;
  props = vb_qemu_device_new(driver, alias);
  if (input->bus == VB_INPUT_BUS_VIRTIO) {
    if (!place_or_free(b, props, &input->info, what, error))
      return FALSE;
  } else if (!vb_qemu_build_has_usb(b)) {
    vb_qemu_props_free(props);
    vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, input, NULL,
                        "a USB input device needs a USB controller");
    return FALSE;
  } else {
    vb_qemu_usb_place(props, &input->info);
  }
  vb_qemu_build_device(b, props);
  return TRUE;
}

static gboolean
build_rng(VbQemuBuild *b, const VbRngDef *rng, GError **error)
{
  const char *alias = vb_qemu_device_id(&rng->info);
  g_autofree char *object = g_strdup_printf("obj%s", alias);
  g_autofree char *what = g_strdup_printf("the random number generator '%s'", alias);
  g_autoptr(GString) backend = g_string_new("rng-random,id=");
  VbQemuProps *props;

  if (!vb_qemu_build_need_device(b, "virtio-rng-pci", what, error))
    return FALSE;
  g_string_append_printf(backend, "%s,filename=", object);
  vb_qemu_keyval_append(backend, rng->backend != NULL ? rng->backend : "/dev/urandom");
  vb_qemu_build_arg(b, "-object", backend->str);
  props = vb_qemu_device_new("virtio-rng-pci", NULL);
  vb_qemu_props_add_string(props, "rng", object);
  vb_qemu_props_add_string(props, "id", alias);
  if (!vb_qemu_build_pci_device(b, props, &rng->info, what, error))
    return FALSE;
  return TRUE;
}

/* The balloon (a define adds libvirt's default, a virtio one, when there is none). */
static gboolean
build_balloon(VbQemuBuild *b, GError **error)
{
  const VbMemballoonDef *balloon = b->def->memballoon;
  VbQemuProps *props;

  if (balloon == NULL || balloon->none)
    return TRUE;
  if (!vb_qemu_build_need_device(b, "virtio-balloon-pci", "the memory balloon", error))
    return FALSE;
  props = vb_qemu_device_new("virtio-balloon-pci", "balloon0");
  return vb_qemu_build_pci_device(b, props, &balloon->info, "the memory balloon", error);
}

static gboolean
build_panic(VbQemuBuild *b, const VbPanicDef *panic, GError **error)
{
  const char *driver;
  VbQemuProps *props;

  if (panic->model == VB_PANIC_HYPERV)
    return TRUE; /* a Hyper-V CPU feature, on -cpu */
  driver = panic->model == VB_PANIC_PVPANIC ? "pvpanic-pci" : "pvpanic";
  if (!vb_qemu_build_need_device(b, driver, "the panic device", error))
    return FALSE;
  props = vb_qemu_device_new(driver, NULL);
  if (panic->model == VB_PANIC_PVPANIC) {
    if (!place_or_free(b, props, &panic->info, "the panic device", error))
      return FALSE;
  } else if (panic->info.address.type == VB_ADDRESS_ISA && panic->info.address.iobase >= 0) {
    vb_qemu_props_add_uint(props, "ioport", (guint64)panic->info.address.iobase);
  }
  vb_qemu_build_device(b, props);
  return TRUE;
}

static gboolean
build_watchdog(VbQemuBuild *b, const VbWatchdogDef *watchdog, GError **error)
{
  VbQemuProps *props;

  switch (watchdog->model) {
  case VB_WATCHDOG_ITCO:
    if (!b->q35) {
      vb_qemu_build_error(b, error, VB_ERROR_INVALID_CONFIG, watchdog, "@model",
                          "'itco' is part of the q35 machine's ICH9");
      return FALSE;
    }
    /* q35's own TCO watchdog; QEMU keeps it from resetting the guest unless told */
    vb_qemu_build_arg(b, "-global", "ICH9-LPC.noreboot=off");
    return TRUE;
  case VB_WATCHDOG_IB700:
    if (!vb_qemu_build_need_device(b, "ib700", "the watchdog", error))
      return FALSE;
    vb_qemu_build_device(b, vb_qemu_device_new("ib700", vb_qemu_device_id(&watchdog->info)));
    return TRUE;
  case VB_WATCHDOG_I6300ESB:
  default:
    if (!vb_qemu_build_need_device(b, "i6300esb", "the watchdog", error))
      return FALSE;
    props = vb_qemu_device_new("i6300esb", vb_qemu_device_id(&watchdog->info));
    if (!vb_qemu_build_pci_device(b, props, &watchdog->info, "the watchdog", error))
      return FALSE;
    return TRUE;
  }
}

gboolean
vb_qemu_build_small_devices(VbQemuBuild *b, GError **error)
{
  const VbDomainDef *def = b->def;

  for (guint i = 0; i < def->inputs->len; i++) {
    if (!build_input(b, def->inputs->pdata[i], error))
      return FALSE;
  }
  if (def->watchdog != NULL && !build_watchdog(b, def->watchdog, error))
    return FALSE;
  if (!build_balloon(b, error))
    return FALSE;
  for (guint i = 0; i < def->rngs->len; i++) {
    if (!build_rng(b, def->rngs->pdata[i], error))
      return FALSE;
  }
  for (guint i = 0; i < def->panics->len; i++) {
    if (!build_panic(b, def->panics->pdata[i], error))
      return FALSE;
  }
  return TRUE;
}
