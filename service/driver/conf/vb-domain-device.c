/* vb-domain-device.c: what every device has (address, user alias, boot order), and the small
 * devices: <input>, <hub>, <memballoon>, <rng>, <panic> and <watchdog>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

static gboolean
parse_address(xmlNode *node, VbDeviceAddress *address, GError **error)
{
  address->type = VB_ABSENT;
  address->multifunction = VB_ABSENT;
  address->iobase = address->irq = -1;
  if (!vb_xml_attr_enum(node, "type", vb_address_type_names, &address->type, error))
    return FALSE;
  switch (address->type) {
  case VB_ADDRESS_PCI:
    return vb_xml_attr_uint(node, "domain", 0xffff, &address->domain, error) &&
           vb_xml_attr_uint(node, "bus", 0xff, &address->bus, error) &&
           vb_xml_attr_uint(node, "slot", 0x1f, &address->slot, error) &&
           vb_xml_attr_uint(node, "function", 7, &address->function, error) &&
           vb_xml_attr_bool(node, "multifunction", "on", "off", &address->multifunction, error);
  case VB_ADDRESS_DRIVE:
    return vb_xml_attr_uint(node, "controller", G_MAXUINT32, &address->controller, error) &&
           vb_xml_attr_uint(node, "bus", G_MAXUINT32, &address->bus, error) &&
           vb_xml_attr_uint(node, "target", G_MAXUINT32, &address->target, error) &&
           vb_xml_attr_uint(node, "unit", G_MAXUINT32, &address->unit, error);
  case VB_ADDRESS_USB:
    address->usb_port = g_strdup(vb_xml_attr(node, "port"));
    return vb_xml_attr_uint(node, "bus", G_MAXUINT32, &address->bus, error);
  case VB_ADDRESS_VIRTIO_SERIAL:
    return vb_xml_attr_uint(node, "controller", G_MAXUINT32, &address->controller, error) &&
           vb_xml_attr_uint(node, "bus", G_MAXUINT32, &address->bus, error) &&
           vb_xml_attr_uint(node, "port", G_MAXUINT32, &address->port, error);
  case VB_ADDRESS_ISA:
    return vb_xml_attr_count(node, "iobase", 0xffff, &address->iobase, error) &&
           vb_xml_attr_count(node, "irq", 0xff, &address->irq, error);
  default:
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL, "an <address> needs a type");
    return FALSE;
  }
}

/**
 * vb_device_info_parse:
 * @allow_boot: whether this device may carry <boot order=…/>
 *
 * Reads <address>, <alias> and (when allowed) <boot> of a device element.
 */
gboolean
vb_device_info_parse(xmlNode *node, VbDeviceInfo *info, gboolean allow_boot, GError **error)
{
  xmlNode *address = vb_xml_child(node, "address");
  xmlNode *alias = vb_xml_child(node, "alias");
  xmlNode *boot = allow_boot ? vb_xml_child(node, "boot") : NULL;

  info->address.type = VB_ABSENT;
  info->address.multifunction = VB_ABSENT;
  info->address.iobase = info->address.irq = -1;
  if (address != NULL && !parse_address(address, &info->address, error))
    return FALSE;
  if (alias != NULL) {
    const char *name = vb_xml_attr(alias, "name");

    if (name == NULL || *name == '\0' || g_str_equal(name, "ua-")) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, alias, "name",
                       "'%s' is not an alias: a user alias is 'ua-' and a name", name ? name : "");
      return FALSE;
    }
    for (const char *c = name; *c != '\0'; c++) {
      if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '.') {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, alias, "name",
                         "'%s' is not a valid alias (letters, digits, '-', '_' and '.')", name);
        return FALSE;
      }
    }
    /* A user alias is kept; any other must be the one virtbus assigns (checked once all
     * devices are read), as in a config dumped from a running domain. */
    if (g_str_has_prefix(name, "ua-"))
      info->alias = g_strdup(name);
    else
      info->assigned_alias = g_strdup(name);
  }
  if (boot != NULL) {
    if (!vb_xml_attr_uint(boot, "order", G_MAXUINT32, &info->boot_order, error))
      return FALSE;
    if (info->boot_order == 0) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, boot, "order", "a boot order starts at 1");
      return FALSE;
    }
  }
  return TRUE;
}

void
vb_device_boot_format(VbXmlWriter *w, const VbDeviceInfo *info)
{
  if (info->boot_order == 0)
    return;
  vb_xml_writer_start(w, "boot");
  vb_xml_writer_attr_printf(w, "order", "%" G_GUINT64_FORMAT, info->boot_order);
  vb_xml_writer_end(w);
}

/* <alias> and <address>, the last children of every device in libvirt's layout. */
void
vb_device_info_format(VbXmlWriter *w, const VbDeviceInfo *info, VbDomainXmlFlags flags)
{
  const VbDeviceAddress *a = &info->address;
  const char *alias = info->alias;

  if (alias == NULL && (flags & VB_DOMAIN_XML_LIVE))
    alias = info->assigned_alias;
  if (alias != NULL) {
    vb_xml_writer_start(w, "alias");
    vb_xml_writer_attr(w, "name", alias);
    vb_xml_writer_end(w);
  }
  if (a->type == VB_ABSENT)
    return;
  vb_xml_writer_start(w, "address");
  vb_xml_writer_attr(w, "type", vb_address_type_names[a->type]);
  switch ((VbAddressType)a->type) {
  case VB_ADDRESS_PCI:
    vb_xml_writer_attr_printf(w, "domain", "0x%04" G_GINT64_MODIFIER "x", a->domain);
    vb_xml_writer_attr_printf(w, "bus", "0x%02" G_GINT64_MODIFIER "x", a->bus);
    vb_xml_writer_attr_printf(w, "slot", "0x%02" G_GINT64_MODIFIER "x", a->slot);
    vb_xml_writer_attr_printf(w, "function", "0x%" G_GINT64_MODIFIER "x", a->function);
    vb_xml_writer_attr_bool(w, "multifunction", a->multifunction, "on", "off");
    break;
  case VB_ADDRESS_DRIVE:
    vb_xml_writer_attr_printf(w, "controller", "%" G_GUINT64_FORMAT, a->controller);
    vb_xml_writer_attr_printf(w, "bus", "%" G_GUINT64_FORMAT, a->bus);
    vb_xml_writer_attr_printf(w, "target", "%" G_GUINT64_FORMAT, a->target);
    vb_xml_writer_attr_printf(w, "unit", "%" G_GUINT64_FORMAT, a->unit);
    break;
  case VB_ADDRESS_USB:
    vb_xml_writer_attr_printf(w, "bus", "%" G_GUINT64_FORMAT, a->bus);
    vb_xml_writer_attr(w, "port", a->usb_port);
    break;
  case VB_ADDRESS_VIRTIO_SERIAL:
    vb_xml_writer_attr_printf(w, "controller", "%" G_GUINT64_FORMAT, a->controller);
    vb_xml_writer_attr_printf(w, "bus", "%" G_GUINT64_FORMAT, a->bus);
    vb_xml_writer_attr_printf(w, "port", "%" G_GUINT64_FORMAT, a->port);
    break;
  case VB_ADDRESS_ISA:
    if (a->iobase >= 0)
      vb_xml_writer_attr_printf(w, "iobase", "0x%" G_GINT64_MODIFIER "x", a->iobase);
    if (a->irq >= 0)
      vb_xml_writer_attr_printf(w, "irq", "0x%" G_GINT64_MODIFIER "x", a->irq);
    break;
  default:
    break;
  }
  vb_xml_writer_end(w);
}

gboolean
vb_domain_parse_inputs(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "input");

  for (guint i = 0; i < nodes->len; i++) {
    xmlNode *node = nodes->pdata[i];
    VbInputDef *input = vb_input_def_new(VB_INPUT_MOUSE);
    gint type = VB_ABSENT;

    g_ptr_array_add(def->inputs, input);
    if (!vb_xml_attr_enum(node, "type", vb_input_type_names, &type, error) ||
        !vb_xml_attr_enum(node, "bus", vb_input_bus_names, &input->bus, error) ||
        !vb_device_info_parse(node, &input->info, FALSE, error))
      return FALSE;
    if (type == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "an <input> needs a type: 'mouse', 'tablet' or 'keyboard'");
      return FALSE;
    }
    input->type = (VbInputType)type;
    if (input->type == VB_INPUT_TABLET && input->bus == VB_INPUT_BUS_PS2) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "bus",
                       "a tablet cannot be on the ps2 bus");
      return FALSE;
    }
  }
  return TRUE;
}

void
vb_domain_format_inputs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->inputs->len; i++) {
    const VbInputDef *input = def->inputs->pdata[i];

    vb_xml_writer_start(w, "input");
    vb_xml_writer_attr(w, "type", vb_input_type_names[input->type]);
    vb_xml_writer_attr(w, "bus", input->bus == VB_ABSENT ? NULL : vb_input_bus_names[input->bus]);
    vb_device_info_format(w, &input->info, flags);
    vb_xml_writer_end(w);
  }
}

gboolean
vb_domain_parse_memballoon(VbDomainDef *def, xmlNode *devices, GError **error)
{
  static const char *const models[] = {"virtio", "none", NULL};
  xmlNode *node = vb_xml_child(devices, "memballoon");
  gint model = VB_ABSENT;

  if (node == NULL)
    return TRUE;
  def->memballoon = vb_memballoon_def_new(FALSE);
  if (!vb_xml_attr_enum(node, "model", models, &model, error) ||
      !vb_device_info_parse(node, &def->memballoon->info, FALSE, error))
    return FALSE;
  if (model == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "a <memballoon> needs a model: 'virtio' or 'none'");
    return FALSE;
  }
  def->memballoon->none = model == 1;
  return TRUE;
}

void
vb_domain_format_memballoon(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  if (def->memballoon == NULL)
    return;
  vb_xml_writer_start(w, "memballoon");
  vb_xml_writer_attr(w, "model", def->memballoon->none ? "none" : "virtio");
  vb_device_info_format(w, &def->memballoon->info, flags);
  vb_xml_writer_end(w);
}

/* The random sources a virtio-rng may read, as libvirt's QEMU driver allows. */
static const char *const rng_sources[] = {"/dev/urandom", "/dev/random", "/dev/hwrng", NULL};

gboolean
vb_domain_parse_rngs(VbDomainDef *def, xmlNode *devices, GError **error)
{
  static const char *const other_models[] = {"virtio-transitional", "virtio-non-transitional",
                                             NULL};
  static const char *const other_backends[] = {"egd", "builtin", NULL};
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "rng");

  for (guint i = 0; i < nodes->len; i++) {
    xmlNode *node = nodes->pdata[i];
    xmlNode *backend = vb_xml_child(node, "backend");
    VbRngDef *rng = vb_rng_def_new();
    gint model = VB_ABSENT, backend_model = VB_ABSENT;

    g_ptr_array_add(def->rngs, rng);
    if (!vb_xml_attr_enum_subset(node, "model", (const char *const[]){"virtio", NULL}, other_models,
                                 &model, error))
      return FALSE;
    if (model == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "an <rng> needs a model: 'virtio'");
      return FALSE;
    }
    if (backend != NULL &&
        !vb_xml_attr_enum_subset(backend, "model", (const char *const[]){"random", NULL},
                                 other_backends, &backend_model, error))
      return FALSE;
    if (backend_model == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, backend != NULL ? backend : node, NULL,
                       "an <rng> needs <backend model='random'>");
      return FALSE;
    }
    rng->backend = vb_xml_text(backend);
    if (rng->backend != NULL && *rng->backend == '\0')
      g_clear_pointer(&rng->backend, g_free);
    if (rng->backend != NULL && !g_strv_contains(rng_sources, rng->backend)) {
      g_autofree char *allowed = g_strjoinv("', '", (char **)rng_sources);

      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, backend, NULL,
                       "'%s' is not a random source QEMU may read (allowed: '%s')", rng->backend,
                       allowed);
      return FALSE;
    }
    if (!vb_device_info_parse(node, &rng->info, FALSE, error))
      return FALSE;
  }
  return TRUE;
}

void
vb_domain_format_rngs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->rngs->len; i++) {
    const VbRngDef *rng = def->rngs->pdata[i];

    vb_xml_writer_start(w, "rng");
    vb_xml_writer_attr(w, "model", "virtio");
    vb_xml_writer_start(w, "backend");
    vb_xml_writer_attr(w, "model", "random");
    if (rng->backend != NULL)
      vb_xml_writer_text(w, rng->backend);
    vb_xml_writer_end(w);
    vb_device_info_format(w, &rng->info, flags);
    vb_xml_writer_end(w);
  }
}

gboolean
vb_domain_parse_hubs(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "hub");

  for (guint i = 0; i < nodes->len; i++) {
    xmlNode *node = nodes->pdata[i];
    VbHubDef *hub = vb_hub_def_new();
    gint type = VB_ABSENT;

    g_ptr_array_add(def->hubs, hub);
    if (!vb_xml_attr_enum(node, "type", (const char *const[]){"usb", NULL}, &type, error))
      return FALSE;
    if (type == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL, "a <hub> needs a type: 'usb'");
      return FALSE;
    }
    if (!vb_device_info_parse(node, &hub->info, FALSE, error))
      return FALSE;
    if (hub->info.address.type != VB_ABSENT && hub->info.address.type != VB_ADDRESS_USB) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "a USB hub's <address> must be of type 'usb'");
      return FALSE;
    }
  }
  return TRUE;
}

void
vb_domain_format_hubs(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->hubs->len; i++) {
    const VbHubDef *hub = def->hubs->pdata[i];

    vb_xml_writer_start(w, "hub");
    vb_xml_writer_attr(w, "type", "usb");
    vb_device_info_format(w, &hub->info, flags);
    vb_xml_writer_end(w);
  }
}

gboolean
vb_domain_parse_panics(VbDomainDef *def, xmlNode *devices, GError **error)
{
  static const char *const other_models[] = {"pseries", "s390", NULL};
  g_autoptr(GPtrArray) nodes = vb_xml_children(devices, "panic");

  for (guint i = 0; i < nodes->len; i++) {
    xmlNode *node = nodes->pdata[i];
    VbPanicDef *panic = vb_panic_def_new();

    g_ptr_array_add(def->panics, panic);
    if (!vb_xml_attr_enum_subset(node, "model", vb_panic_model_names, other_models, &panic->model,
                                 error) ||
        !vb_device_info_parse(node, &panic->info, FALSE, error))
      return FALSE;
    for (guint j = 0; j < i; j++) {
      if (((VbPanicDef *)def->panics->pdata[j])->model == panic->model) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                         "two <panic> devices of the same model");
        return FALSE;
      }
    }
  }
  return TRUE;
}

void
vb_domain_format_panics(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  for (guint i = 0; i < def->panics->len; i++) {
    const VbPanicDef *panic = def->panics->pdata[i];

    vb_xml_writer_start(w, "panic");
    vb_xml_writer_attr_enum(w, "model", vb_panic_model_names, panic->model);
    vb_device_info_format(w, &panic->info, flags);
    vb_xml_writer_end(w);
  }
}

gboolean
vb_domain_parse_watchdog(VbDomainDef *def, xmlNode *devices, GError **error)
{
  static const char *const other_models[] = {"diag288", NULL};
  static const char *const other_actions[] = {"dump", NULL};
  xmlNode *node = vb_xml_child(devices, "watchdog");
  gint model = VB_ABSENT;

  if (node == NULL)
    return TRUE;
  def->watchdog = vb_watchdog_def_new(VB_WATCHDOG_I6300ESB);
  if (!vb_xml_attr_enum_subset(node, "model", vb_watchdog_model_names, other_models, &model,
                               error) ||
      !vb_xml_attr_enum_subset(node, "action", vb_watchdog_action_names, other_actions,
                               &def->watchdog->action, error) ||
      !vb_device_info_parse(node, &def->watchdog->info, FALSE, error))
    return FALSE;
  if (model == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "a <watchdog> needs a model: 'i6300esb', 'ib700' or 'itco'");
    return FALSE;
  }
  def->watchdog->model = (VbWatchdogModel)model;
  return TRUE;
}

void
vb_domain_format_watchdog(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  if (def->watchdog == NULL)
    return;
  vb_xml_writer_start(w, "watchdog");
  vb_xml_writer_attr(w, "model", vb_watchdog_model_names[def->watchdog->model]);
  vb_xml_writer_attr_enum(w, "action", vb_watchdog_action_names, def->watchdog->action);
  vb_device_info_format(w, &def->watchdog->info, flags);
  vb_xml_writer_end(w);
}

/* User aliases must be unique across all devices. */
gboolean
vb_domain_check_aliases(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) infos = vb_domain_def_get_device_infos(def);

  for (guint i = 0; i < infos->len; i++) {
    const VbDeviceInfo *info = infos->pdata[i];

    if (info->alias != NULL && !g_hash_table_add(seen, info->alias)) {
      vb_domain_set_error(error, VB_ERROR_INVALID_CONFIG, devices,
                          "the alias '%s' is given to two devices", info->alias);
      return FALSE;
    }
  }
  return TRUE;
}
