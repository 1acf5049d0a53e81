/* vb-domain-seclabel.c: <seclabel>, for the domain and inside a disk's <source>.
 *
 * Follows libvirt's rules for persistent configs: a dynamic label is made at start, so a
 * <label> or <imagelabel> given with it (as in XML dumped from a running domain) is kept for
 * the live view only; the inactive view never shows assigned labels.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

static gboolean
parse_model(xmlNode *node, gint *model, GError **error)
{
  *model = VB_ABSENT;
  return vb_xml_attr_enum(node, "model", vb_secmodel_names, model, error);
}

static gboolean
parse_seclabel(VbSeclabelDef *seclabel, xmlNode *node, gboolean alone, GError **error)
{
  gint type = VB_SECLABEL_DYNAMIC, relabel = VB_ABSENT;

  if (!vb_xml_attr_enum(node, "type", vb_seclabel_type_names, &type, error) ||
      !parse_model(node, &seclabel->model, error) ||
      !vb_xml_attr_bool(node, "relabel", "yes", "no", &relabel, error))
    return FALSE;
  seclabel->type = (VbSeclabelType)type;
  /* model='none' means no confinement whatever the type said (libvirt fixes old configs so) */
  if (seclabel->model == VB_SECMODEL_NONE) {
    seclabel->type = VB_SECLABEL_NONE;
    if (relabel == 1) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "relabel",
                       "relabelling needs a security model other than 'none'");
      return FALSE;
    }
    relabel = 0;
  }
  seclabel->relabel = relabel == VB_ABSENT ? seclabel->type == VB_SECLABEL_DYNAMIC : relabel;
  if (seclabel->type == VB_SECLABEL_DYNAMIC && !seclabel->relabel) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "relabel",
                     "a dynamic label needs relabel='yes'");
    return FALSE;
  }
  if (seclabel->type == VB_SECLABEL_NONE) {
    if (seclabel->relabel) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "relabel",
                       "relabel='yes' cannot go with type='none'");
      return FALSE;
    }
    return TRUE;
  }

  seclabel->label = vb_xml_child_text(node, "label");
  seclabel->imagelabel = vb_xml_child_text(node, "imagelabel");
  if (seclabel->type == VB_SECLABEL_STATIC &&
      (seclabel->label == NULL || *seclabel->label == '\0')) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "a static <seclabel> needs a <label>");
    return FALSE;
  }
  if (seclabel->type == VB_SECLABEL_DYNAMIC)
    seclabel->baselabel = vb_xml_child_text(node, "baselabel");
  /* Without a model the active security driver takes the label; it can only do so for a
   * label it makes itself. */
  if (seclabel->model == VB_ABSENT &&
      (!alone || seclabel->type == VB_SECLABEL_STATIC || seclabel->baselabel != NULL)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     alone ? "a %s label needs a security model ('selinux', 'apparmor' or 'dac')"
                           : "a %s label needs a model when there are several <seclabel>s",
                     vb_seclabel_type_names[seclabel->type]);
    return FALSE;
  }
  return TRUE;
}

gboolean
vb_domain_parse_seclabels(VbDomainDef *def, xmlNode *root, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(root, "seclabel");

  for (guint i = 0; i < nodes->len; i++) {
    VbSeclabelDef *seclabel = g_new0(VbSeclabelDef, 1);

    g_ptr_array_add(def->seclabels, seclabel);
    if (!parse_seclabel(seclabel, nodes->pdata[i], nodes->len == 1, error))
      return FALSE;
    for (guint j = 0; j < i; j++) {
      const VbSeclabelDef *other = def->seclabels->pdata[j];

      if (other->model == seclabel->model) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, nodes->pdata[i], "model",
                         "the security model '%s' has two <seclabel>s",
                         vb_secmodel_names[seclabel->model]);
        return FALSE;
      }
    }
  }
  return TRUE;
}

void
vb_domain_format_seclabels(VbXmlWriter *w, const VbDomainDef *def, VbDomainXmlFlags flags)
{
  gboolean live = (flags & VB_DOMAIN_XML_LIVE) != 0;

  for (guint i = 0; i < def->seclabels->len; i++) {
    const VbSeclabelDef *seclabel = def->seclabels->pdata[i];
    gboolean label_shown =
        seclabel->label != NULL && (seclabel->type == VB_SECLABEL_STATIC || live);

    vb_xml_writer_start(w, "seclabel");
    vb_xml_writer_attr(w, "type", vb_seclabel_type_names[seclabel->type]);
    vb_xml_writer_attr_enum(w, "model", vb_secmodel_names, seclabel->model);
    if (seclabel->type != VB_SECLABEL_NONE) {
      vb_xml_writer_attr(w, "relabel", seclabel->relabel ? "yes" : "no");
      if (label_shown)
        vb_xml_writer_element_text(w, "label", seclabel->label);
      if (live && seclabel->relabel)
        vb_xml_writer_element_text(w, "imagelabel", seclabel->imagelabel);
      vb_xml_writer_element_text(w, "baselabel", seclabel->baselabel);
    }
    vb_xml_writer_end(w);
  }
}

/**
 * vb_device_seclabels_parse:
 * @parent: the element holding the <seclabel>s, e.g. a disk's <source>
 *
 * Per-device overrides: either relabel='no', or a <label> for one model.
 */
gboolean
vb_device_seclabels_parse(GPtrArray *seclabels, xmlNode *parent, GError **error)
{
  g_autoptr(GPtrArray) nodes = vb_xml_children(parent, "seclabel");

  for (guint i = 0; i < nodes->len; i++) {
    xmlNode *node = nodes->pdata[i];
    VbDeviceSeclabelDef *seclabel = g_new0(VbDeviceSeclabelDef, 1);
    gint relabel = 1;

    g_ptr_array_add(seclabels, seclabel);
    if (!parse_model(node, &seclabel->model, error) ||
        !vb_xml_attr_bool(node, "relabel", "yes", "no", &relabel, error))
      return FALSE;
    seclabel->relabel = relabel;
    seclabel->label = vb_xml_child_text(node, "label");
    if (seclabel->label != NULL && !seclabel->relabel) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "a <label> cannot go with relabel='no'");
      return FALSE;
    }
    if (seclabel->label == NULL && seclabel->relabel) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "a device <seclabel> needs a <label>, or relabel='no'");
      return FALSE;
    }
    if (seclabel->model == VB_ABSENT && nodes->len > 1) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "each of several <seclabel>s needs a model");
      return FALSE;
    }
    for (guint j = 0; j < i; j++) {
      const VbDeviceSeclabelDef *other = seclabels->pdata[j];

      if (other->model == seclabel->model) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "model",
                         "the security model '%s' has two <seclabel>s",
                         vb_secmodel_names[seclabel->model]);
        return FALSE;
      }
    }
  }
  return TRUE;
}

void
vb_device_seclabels_format(VbXmlWriter *w, const GPtrArray *seclabels)
{
  for (guint i = 0; seclabels != NULL && i < seclabels->len; i++) {
    const VbDeviceSeclabelDef *seclabel = seclabels->pdata[i];

    vb_xml_writer_start(w, "seclabel");
    vb_xml_writer_attr_enum(w, "model", vb_secmodel_names, seclabel->model);
    vb_xml_writer_attr(w, "relabel", seclabel->relabel ? "yes" : "no");
    vb_xml_writer_element_text(w, "label", seclabel->label);
    vb_xml_writer_end(w);
  }
}
