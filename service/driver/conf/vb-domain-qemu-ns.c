/* vb-domain-qemu-ns.c: libvirt's QEMU namespace (<qemu:commandline>, <qemu:capabilities>,
 * <qemu:override>, <qemu:deprecation>): pass-through for what the model does not cover.
 *
 * The namespace is matched by its URI, whatever prefix the document uses (or none, with a
 * default xmlns); output always uses libvirt's "qemu" prefix, declared on <domain>.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

/* Every child of @node in the QEMU namespace called @name, marked read. */
static GPtrArray *
qemu_children(xmlNode *node, const char *name)
{
  g_autoptr(GPtrArray) all = vb_xml_ns_children(node, VB_QEMU_NAMESPACE);
  GPtrArray *found = g_ptr_array_new();

  for (guint i = 0; i < all->len; i++) {
    xmlNode *child = all->pdata[i];

    if (xmlStrEqual(child->name, (const xmlChar *)name)) {
      vb_xml_mark_read(child);
      g_ptr_array_add(found, child);
    }
  }
  return found;
}

/* The one <qemu:@name> under <domain>, or NULL; a second one is an error. */
static gboolean
qemu_single(xmlNode *root, const char *name, xmlNode **out, GError **error)
{
  g_autoptr(GPtrArray) nodes = qemu_children(root, name);

  *out = nodes->len > 0 ? nodes->pdata[0] : NULL;
  if (nodes->len > 1) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, nodes->pdata[1], NULL,
                     "a domain has one <%s> at most", name);
    return FALSE;
  }
  return TRUE;
}

static const char *
required_attr(xmlNode *node, const char *name, GError **error)
{
  const char *value = vb_xml_attr(node, name);

  if (value == NULL || *value == '\0')
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL, "<%s> needs a non-empty '%s'",
                     (const char *)node->name, name);
  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
is_env_name(const char *name)
{
  if (!g_ascii_isalpha(*name) && *name != '_')
    return FALSE;
  for (const char *c = name; *c != '\0'; c++) {
    if (!g_ascii_isalnum(*c) && *c != '_')
      return FALSE;
  }
  return TRUE;
}

static gboolean
parse_commandline(VbQemuNamespace *qemu, xmlNode *node, GError **error)
{
  g_autoptr(GPtrArray) args = qemu_children(node, "arg");
  g_autoptr(GPtrArray) envs = qemu_children(node, "env");
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < args->len; i++) {
    const char *value = vb_xml_attr(args->pdata[i], "value");

    if (value == NULL) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, args->pdata[i], NULL,
                       "<arg> needs a 'value'");
      return FALSE;
    }
    g_ptr_array_add(values, g_strdup(value));
  }
  g_ptr_array_add(values, NULL);
  qemu->args = (GStrv)g_ptr_array_free(g_steal_pointer(&values), FALSE);

  for (guint i = 0; i < envs->len; i++) {
    const char *name = required_attr(envs->pdata[i], "name", error);
    VbQemuEnv *env;

    if (name == NULL)
      return FALSE;
    if (!is_env_name(name)) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, envs->pdata[i], "name",
                       "'%s' is not an environment variable name (a letter or '_', then "
                       "letters, digits or '_')",
                       name);
      return FALSE;
    }
    env = g_new0(VbQemuEnv, 1);
    env->name = g_strdup(name);
    env->value = g_strdup(vb_xml_attr(envs->pdata[i], "value"));
    g_ptr_array_add(qemu->env, env);
  }
  return TRUE;
}

static gboolean
parse_capability_list(xmlNode *node, const char *name, GStrv *out, GError **error)
{
  g_autoptr(GPtrArray) nodes = qemu_children(node, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

  for (guint i = 0; i < nodes->len; i++) {
    const char *capability = required_attr(nodes->pdata[i], "capability", error);

    if (capability == NULL)
      return FALSE;
    g_strv_builder_add(builder, capability);
  }
  *out = nodes->len > 0 ? g_strv_builder_end(builder) : NULL;
  return TRUE;
}

static gboolean
parse_property(VbQemuProp *prop, xmlNode *node, GError **error)
{
  const char *name = required_attr(node, "name", error);
  const char *value;
  gint type = VB_ABSENT;

  if (name == NULL || !vb_xml_attr_enum(node, "type", vb_qemu_prop_type_names, &type, error))
    return FALSE;
  if (g_str_equal(name, "id")) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "name",
                     "the 'id' property cannot be overridden: it is the device's alias");
    return FALSE;
  }
  if (type == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "<property> needs a type: 'string', 'signed', 'unsigned', 'bool' or "
                     "'remove'");
    return FALSE;
  }
  prop->name = g_strdup(name);
  prop->type = (VbQemuPropType)type;
  value = vb_xml_attr(node, "value");
  if ((value == NULL) != (prop->type == VB_QEMU_PROP_REMOVE)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     prop->type == VB_QEMU_PROP_REMOVE ? "a 'remove' property takes no value"
                                                       : "a '%s' property needs a value",
                     vb_qemu_prop_type_names[prop->type]);
    return FALSE;
  }
  switch (prop->type) {
  case VB_QEMU_PROP_SIGNED:
    if (!g_ascii_string_to_signed(value, 10, G_MININT64, G_MAXINT64, NULL, NULL))
      goto bad_value;
    break;
  case VB_QEMU_PROP_UNSIGNED:
    if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT64, NULL, NULL))
      goto bad_value;
    break;
  case VB_QEMU_PROP_BOOL:
    if (!g_str_equal(value, "true") && !g_str_equal(value, "false"))
      goto bad_value;
    break;
  case VB_QEMU_PROP_STRING:
  case VB_QEMU_PROP_REMOVE:
  default:
    break;
  }
  prop->value = g_strdup(value);
  return TRUE;

bad_value:
  vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "value", "'%s' is not %s value", value,
                   prop->type == VB_QEMU_PROP_BOOL     ? "a bool ('true' or 'false')"
                   : prop->type == VB_QEMU_PROP_SIGNED ? "a signed 64-bit"
                                                       : "an unsigned 64-bit");
  return FALSE;
}

static gboolean
parse_override(VbQemuNamespace *qemu, xmlNode *node, GError **error)
{
  g_autoptr(GPtrArray) devices = qemu_children(node, "device");

  for (guint i = 0; i < devices->len; i++) {
    const char *alias = required_attr(devices->pdata[i], "alias", error);
    g_autoptr(GPtrArray) frontends = NULL;
    VbQemuOverride *override;

    if (alias == NULL)
      return FALSE;
    for (guint j = 0; j < qemu->overrides->len; j++) {
      if (g_str_equal(((VbQemuOverride *)qemu->overrides->pdata[j])->alias, alias)) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, devices->pdata[i], "alias",
                         "the device '%s' is overridden twice", alias);
        return FALSE;
      }
    }
    override = vb_qemu_override_new(alias);
    g_ptr_array_add(qemu->overrides, override);
    frontends = qemu_children(devices->pdata[i], "frontend");
    for (guint j = 0; j < frontends->len; j++) {
      g_autoptr(GPtrArray) props = qemu_children(frontends->pdata[j], "property");

      for (guint k = 0; k < props->len; k++) {
        VbQemuProp *prop = g_new0(VbQemuProp, 1);

        g_ptr_array_add(override->props, prop);
        if (!parse_property(prop, props->pdata[k], error))
          return FALSE;
      }
    }
  }
  return TRUE;
}

gboolean
vb_domain_parse_qemu_namespace(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *commandline, *capabilities, *override, *deprecation;

  if (!qemu_single(root, "commandline", &commandline, error) ||
      !qemu_single(root, "capabilities", &capabilities, error) ||
      !qemu_single(root, "override", &override, error) ||
      !qemu_single(root, "deprecation", &deprecation, error))
    return FALSE;
  if (commandline != NULL && !parse_commandline(&def->qemu, commandline, error))
    return FALSE;
  if (capabilities != NULL &&
      (!parse_capability_list(capabilities, "add", &def->qemu.caps_add, error) ||
       !parse_capability_list(capabilities, "del", &def->qemu.caps_del, error)))
    return FALSE;
  if (override != NULL && !parse_override(&def->qemu, override, error))
    return FALSE;
  if (deprecation != NULL) {
    if (!vb_xml_attr_enum(deprecation, "behavior", vb_deprecation_behavior_names,
                          &def->qemu.deprecation, error))
      return FALSE;
    if (def->qemu.deprecation == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, deprecation, NULL,
                       "<deprecation> needs a behavior: 'none', 'omit', 'reject' or 'crash'");
      return FALSE;
    }
  }
  return TRUE;
}

/* Whether <domain> needs the xmlns:qemu declaration. */
gboolean
vb_domain_has_qemu_namespace(const VbDomainDef *def)
{
  const VbQemuNamespace *qemu = &def->qemu;

  return (qemu->args != NULL && qemu->args[0] != NULL) || qemu->env->len > 0 ||
         qemu->caps_add != NULL || qemu->caps_del != NULL || qemu->overrides->len > 0 ||
         qemu->deprecation != VB_ABSENT;
}

static void
format_capability_list(VbXmlWriter *w, const char *name, GStrv capabilities)
{
  for (guint i = 0; capabilities != NULL && capabilities[i] != NULL; i++) {
    vb_xml_writer_start(w, name);
    vb_xml_writer_attr(w, "capability", capabilities[i]);
    vb_xml_writer_end(w);
  }
}

void
vb_domain_format_qemu_namespace(VbXmlWriter *w, const VbDomainDef *def)
{
  const VbQemuNamespace *qemu = &def->qemu;

  if ((qemu->args != NULL && qemu->args[0] != NULL) || qemu->env->len > 0) {
    vb_xml_writer_start(w, "qemu:commandline");
    for (guint i = 0; qemu->args != NULL && qemu->args[i] != NULL; i++) {
      vb_xml_writer_start(w, "qemu:arg");
      vb_xml_writer_attr(w, "value", qemu->args[i]);
      vb_xml_writer_end(w);
    }
    for (guint i = 0; i < qemu->env->len; i++) {
      const VbQemuEnv *env = qemu->env->pdata[i];

      vb_xml_writer_start(w, "qemu:env");
      vb_xml_writer_attr(w, "name", env->name);
      vb_xml_writer_attr(w, "value", env->value);
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
  }
  if (qemu->caps_add != NULL || qemu->caps_del != NULL) {
    vb_xml_writer_start(w, "qemu:capabilities");
    format_capability_list(w, "qemu:add", qemu->caps_add);
    format_capability_list(w, "qemu:del", qemu->caps_del);
    vb_xml_writer_end(w);
  }
  if (qemu->overrides->len > 0) {
    vb_xml_writer_start(w, "qemu:override");
    for (guint i = 0; i < qemu->overrides->len; i++) {
      const VbQemuOverride *override = qemu->overrides->pdata[i];

      vb_xml_writer_start(w, "qemu:device");
      vb_xml_writer_attr(w, "alias", override->alias);
      if (override->props->len > 0) {
        vb_xml_writer_start(w, "qemu:frontend");
        for (guint j = 0; j < override->props->len; j++) {
          const VbQemuProp *prop = override->props->pdata[j];

          vb_xml_writer_start(w, "qemu:property");
          vb_xml_writer_attr(w, "name", prop->name);
          vb_xml_writer_attr(w, "type", vb_qemu_prop_type_names[prop->type]);
          vb_xml_writer_attr(w, "value", prop->value);
          vb_xml_writer_end(w);
        }
        vb_xml_writer_end(w);
      }
      vb_xml_writer_end(w);
    }
    vb_xml_writer_end(w);
  }
  if (qemu->deprecation != VB_ABSENT) {
    vb_xml_writer_start(w, "qemu:deprecation");
    vb_xml_writer_attr(w, "behavior", vb_deprecation_behavior_names[qemu->deprecation]);
    vb_xml_writer_end(w);
  }
}
