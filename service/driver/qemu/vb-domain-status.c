/* vb-domain-status.c: the status file of a running domain, `<run dir>/<name>.xml`, which lets a
 * new driver find the QEMU an earlier one started (DESIGN.md §5):
 *
 *   <domstatus state='running' reason='booted' pid='…' starttime='…' persistent='yes'>
 *     <monitor path='…'/> <rundir path='…'/> <log path='…' offset='…'/>
 *     <taint name='custom-argv'/>…
 *     <display index='0' port='5901' tlsport='0'/>…  (the ports chosen at start: the domain
 *                                                      parser drops those of autoport displays)
 *     <domain …>the live definition</domain>
 *   </domstatus>
 *
 * The start time (field 22 of /proc/<pid>/stat, in clock ticks since boot) tells the QEMU we
 * started from a process that got its pid later.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "vb-driver-private.h"
#include "vb-error.h"
#include "vb-xml-writer.h"
#include "vb-xml.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)

char *
vb_domain_status_format(VbDomainObj *domain, GError **error)
{
  const VbQemuProcess *process = domain->process;
  g_autoptr(VbXmlWriter) w = vb_xml_writer_new();
  g_autofree char *live =
      vb_domain_def_format(domain->live, VB_DOMAIN_XML_LIVE | VB_DOMAIN_XML_SECURE, error);

  if (live == NULL)
    return NULL;
  vb_xml_writer_start(w, "domstatus");
  vb_xml_writer_attr(w, "state", vb_domain_state_names[domain->state]);
  vb_xml_writer_attr(w, "reason", domain->reason);
  vb_xml_writer_attr_printf(w, "pid", "%d", (int)process->pid);
  vb_xml_writer_attr_printf(w, "starttime", "%" G_GUINT64_FORMAT, process->start_time);
  vb_xml_writer_attr(w, "persistent", domain->def != NULL ? "yes" : "no");
  vb_xml_writer_start(w, "monitor");
  vb_xml_writer_attr(w, "path", process->monitor_path);
  vb_xml_writer_end(w);
  vb_xml_writer_start(w, "rundir");
  vb_xml_writer_attr(w, "path", process->run_dir);
  vb_xml_writer_end(w);
  vb_xml_writer_start(w, "log");
  vb_xml_writer_attr(w, "path", process->log_path);
  vb_xml_writer_attr_printf(w, "offset", "%" G_GINT64_FORMAT, process->log_offset);
  vb_xml_writer_end(w);
  for (guint i = 0; i < domain->taints->len; i++) {
    vb_xml_writer_start(w, "taint");
    vb_xml_writer_attr(w, "name", domain->taints->pdata[i]);
    vb_xml_writer_end(w);
  }
  for (guint i = 0; i < domain->live->graphics->len; i++) {
    const VbGraphicsDef *g = domain->live->graphics->pdata[i];

    if (!g->autoport || (g->port <= 0 && g->tls_port <= 0))
      continue;
    vb_xml_writer_start(w, "display");
    vb_xml_writer_attr_printf(w, "index", "%u", i);
    vb_xml_writer_attr_printf(w, "port", "%" G_GINT64_FORMAT, MAX(g->port, 0));
    vb_xml_writer_attr_printf(w, "tlsport", "%" G_GINT64_FORMAT, MAX(g->tls_port, 0));
    vb_xml_writer_end(w);
  }
  vb_xml_writer_raw(w, live);
  vb_xml_writer_end(w);
  return vb_xml_writer_finish(w, error);
}

void
vb_domain_status_free(VbDomainStatus *self)
{
  if (self == NULL)
    return;
  g_clear_pointer(&self->live, vb_domain_def_free);
  g_free(self->reason);
  g_free(self->monitor_path);
  g_free(self->run_dir);
  g_free(self->log_path);
  g_ptr_array_unref(self->taints);
  g_free(self);
}

static gboolean
read_number(xmlNode *node, const char *name, guint64 max, guint64 *out, GError **error)
{
  const char *text = vb_xml_attr(node, name);
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 1, max, &value, NULL)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_XML, node, name,
                     "needs a number from 1 to %" G_GUINT64_FORMAT, max);
    return FALSE;
  }
  *out = value;
  return TRUE;
}

/* As read_number(), from 0: a display's index and ports */
static gboolean
read_count(xmlNode *node, const char *name, guint64 max, guint64 *out, GError **error)
{
  const char *text = vb_xml_attr(node, name);

  if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 0, max, out, NULL)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_XML, node, name,
                     "needs a number from 0 to %" G_GUINT64_FORMAT, max);
    return FALSE;
  }
  return TRUE;
}

static const char *
read_path(xmlNode *root, const char *element, GError **error)
{
  xmlNode *node = vb_xml_child(root, element);
  const char *path = node != NULL ? vb_xml_attr(node, "path") : NULL;

  if (path == NULL || !g_path_is_absolute(path)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_XML, node != NULL ? node : root, NULL,
                     "<%s path='…'/> with an absolute path is missing", element);
    return NULL;
  }
  return path;
}

/**
 * vb_domain_status_parse:
 *
 * Returns: (transfer full) (nullable): what a status file says, checked
 */
VbDomainStatus *
vb_domain_status_parse(const char *xml, gsize length, GError **error)
{
  g_autoptr(xmlDoc) doc = vb_xml_parse(xml, length, error);
  g_autoptr(VbDomainStatus) status = g_new0(VbDomainStatus, 1);
  g_autoptr(xmlBuffer) buffer = NULL;
  xmlNode *root, *domain, *log;
  const char *text;
  guint64 number = 0;

  status->taints = g_ptr_array_new_with_free_func(g_free);
  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement(doc);
  if (g_strcmp0((const char *)root->name, "domstatus") != 0) {
    vb_xml_set_error(error, VB_ERROR_INVALID_XML, root, NULL, "the root must be <domstatus>");
    return NULL;
  }
  text = vb_xml_attr(root, "state");
  if (!vb_domain_state_from_string(text, &status->state) || status->state == VB_DOMAIN_SHUTOFF) {
    vb_xml_set_error(error, VB_ERROR_INVALID_XML, root, "state", "'%s' is not a running state",
                     text != NULL ? text : "");
    return NULL;
  }
  status->reason =
      g_strdup(vb_xml_attr(root, "reason") != NULL ? vb_xml_attr(root, "reason") : "unknown");
  if (!read_number(root, "pid", G_MAXINT32, &number, error))
    return NULL;
  status->pid = (GPid)number;
  if (!read_number(root, "starttime", G_MAXUINT64, &status->start_time, error))
    return NULL;
  status->persistent = g_strcmp0(vb_xml_attr(root, "persistent"), "yes") == 0;
  if ((text = read_path(root, "monitor", error)) == NULL)
    return NULL;
  status->monitor_path = g_strdup(text);
  if ((text = read_path(root, "rundir", error)) == NULL)
    return NULL;
  status->run_dir = g_strdup(text);
  if ((text = read_path(root, "log", error)) == NULL)
    return NULL;
  status->log_path = g_strdup(text);
  log = vb_xml_child(root, "log");
  text = vb_xml_attr(log, "offset");
  if (text != NULL)
    g_ascii_string_to_signed(text, 10, 0, G_MAXINT64, &status->log_offset, NULL);
  {
    g_autoptr(GPtrArray) taints = vb_xml_children(root, "taint");

    for (guint i = 0; i < taints->len; i++) {
      text = vb_xml_attr(taints->pdata[i], "name");
      if (text != NULL)
        g_ptr_array_add(status->taints, g_strdup(text));
    }
  }
  domain = vb_xml_child(root, "domain");
  if (domain == NULL) {
    vb_xml_set_error(error, VB_ERROR_INVALID_XML, root, NULL, "the live <domain> is missing");
    return NULL;
  }
  buffer = xmlBufferCreate();
  if (xmlNodeDump(buffer, doc, domain, 0, 0) < 0) {
    g_set_error_literal(error, VB_ERROR, VB_ERROR_INVALID_XML, "the live <domain> cannot be read");
    return NULL;
  }
  status->live = vb_domain_def_parse((const char *)xmlBufferContent(buffer),
                                     (gsize)xmlBufferLength(buffer), error);
  if (status->live == NULL) {
    g_prefix_error(error, "the live <domain>: ");
    return NULL;
  }
  {
    g_autoptr(GPtrArray) displays = vb_xml_children(root, "display");

    for (guint i = 0; i < displays->len; i++) {
      guint64 index = 0, port = 0, tls_port = 0;
      VbGraphicsDef *g;

      if (!read_count(displays->pdata[i], "index", G_MAXUINT32, &index, error) ||
          !read_count(displays->pdata[i], "port", G_MAXUINT16, &port, error) ||
          !read_count(displays->pdata[i], "tlsport", G_MAXUINT16, &tls_port, error))
        return NULL;
      if (index >= status->live->graphics->len) {
        vb_xml_set_error(error, VB_ERROR_INVALID_XML, displays->pdata[i], "index",
                         "the domain has no display %" G_GUINT64_FORMAT, index);
        return NULL;
      }
      g = status->live->graphics->pdata[index];
      g->port = (gint64)port;
      g->tls_port = (gint64)tls_port;
    }
  }
  return g_steal_pointer(&status);
}

/**
 * vb_proc_start_time:
 *
 * Reads when @pid started (clock ticks since boot), or FALSE when there is no such process.
 */
gboolean
vb_proc_start_time(GPid pid, guint64 *out)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree char *text = NULL;
  const char *field;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  /* the command name (field 2) is in parentheses and may hold spaces: count after it */
  field = strrchr(text, ')');
  if (field == NULL)
    return FALSE;
  fields = g_strsplit(field + 2, " ", 0);
  /* field 3 is fields[0]: the start time, field 22, is fields[19] */
  if (g_strv_length(fields) < 20)
    return FALSE;
  return g_ascii_string_to_unsigned(fields[19], 10, 0, G_MAXUINT64, out, NULL);
}
