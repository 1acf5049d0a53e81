/* vb-instance.c: parsing libvirt's spelling of QEMU connection URIs.
 *
 * Accepted: qemu:///system, qemu:///session, qemu:///embed?root=/abs/dir, and the qemu+unix
 * aliases of the first two. Remote transports are planned, not in v1, and say so.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vb-error.h"
#include "vb-instance.h"

const char *
vb_instance_kind_to_string(VbInstanceKind kind)
{
  switch (kind) {
  case VB_INSTANCE_SYSTEM:
    return "system";
  case VB_INSTANCE_SESSION:
    return "session";
  case VB_INSTANCE_EMBED:
    return "embed";
  default:
    g_return_val_if_reached(NULL);
  }
}

void
vb_instance_uri_free(VbInstanceUri *self)
{
  if (self == NULL)
    return;
  g_free(self->root);
  g_free(self);
}

static gboolean
parse_embed_query(const char *uri, const char *query, char **root_out, GError **error)
{
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *root;
  GHashTableIter iter;
  gpointer key;

  if (query == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "URI '%s' names the embedded driver but has no root: use "
                "qemu:///embed?root=/absolute/dir",
                uri);
    return FALSE;
  }
  params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, &local_error);
  if (params == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "URI '%s' has a malformed query: %s", uri,
                local_error->message);
    return FALSE;
  }
  g_hash_table_iter_init(&iter, params);
  while (g_hash_table_iter_next(&iter, &key, NULL)) {
    if (g_strcmp0(key, "root") != 0) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "URI '%s' has the unknown parameter '%s' (qemu:///embed takes only 'root')", uri,
                  (const char *)key);
      return FALSE;
    }
  }
  root = g_hash_table_lookup(params, "root");
  if (root == NULL || *root == '\0') {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "URI '%s' names the embedded driver but its root is empty", uri);
    return FALSE;
  }
  if (!g_path_is_absolute(root)) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "the embed root '%s' in URI '%s' is relative: it must be an absolute path", root,
                uri);
    return FALSE;
  }
  *root_out = g_canonicalize_filename(root, NULL);
  return TRUE;
}

/**
 * vb_instance_uri_parse:
 * @uri: a connection URI as virsh users write it
 * @error: return location for a VB_ERROR_INVALID_ARGS or VB_ERROR_NOT_SUPPORTED error
 *
 * Returns: (transfer full) (nullable): the instance @uri names
 */
VbInstanceUri *
vb_instance_uri_parse(const char *uri, GError **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(VbInstanceUri) self = NULL;
  const char *scheme;
  const char *path;
  const char *host;

  g_return_val_if_fail(uri != NULL, NULL);

  parsed = g_uri_parse(uri, G_URI_FLAGS_ENCODED_QUERY, &local_error);
  if (parsed == NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "'%s' is not a valid URI: %s", uri,
                local_error->message);
    return NULL;
  }
  scheme = g_uri_get_scheme(parsed);
  path = g_uri_get_path(parsed);
  host = g_uri_get_host(parsed);

  if (g_ascii_strcasecmp(scheme, "qemu") != 0 && g_ascii_strcasecmp(scheme, "qemu+unix") != 0) {
    if (g_ascii_strncasecmp(scheme, "qemu+", 5) == 0) {
      g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                  "URI '%s': the transport '%s' is planned but not in virtbus 1; use "
                  "qemu:///system or qemu:///session on that host",
                  uri, scheme + 5);
      return NULL;
    }
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "URI '%s': virtbus drives QEMU only; the scheme must be 'qemu', not '%s'", uri,
                scheme);
    return NULL;
  }
  if (host != NULL && *host != '\0') {
    g_set_error(error, VB_ERROR, VB_ERROR_NOT_SUPPORTED,
                "URI '%s' names the remote host '%s': remote connections are planned but not in "
                "virtbus 1",
                uri, host);
    return NULL;
  }

  self = g_new0(VbInstanceUri, 1);
  if (g_str_equal(path, "/system") || g_str_equal(path, "/system/")) {
    self->kind = VB_INSTANCE_SYSTEM;
  } else if (g_str_equal(path, "/session") || g_str_equal(path, "/session/")) {
    self->kind = VB_INSTANCE_SESSION;
  } else if (g_str_equal(path, "/embed") || g_str_equal(path, "/embed/")) {
    if (g_ascii_strcasecmp(scheme, "qemu") != 0) {
      g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                  "URI '%s': the embedded driver runs in-process and takes no transport; use "
                  "qemu:///embed?root=/absolute/dir",
                  uri);
      return NULL;
    }
    self->kind = VB_INSTANCE_EMBED;
    if (!parse_embed_query(uri, g_uri_get_query(parsed), &self->root, error))
      return NULL;
    return g_steal_pointer(&self);
  } else {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS,
                "URI '%s' names no instance: the path must be /system, /session or /embed", uri);
    return NULL;
  }

  if (g_uri_get_query(parsed) != NULL) {
    g_set_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS, "URI '%s': qemu:///%s takes no parameters",
                uri, vb_instance_kind_to_string(self->kind));
    return NULL;
  }
  return g_steal_pointer(&self);
}

/**
 * vb_instance_uri_to_string:
 *
 * Returns: (transfer full): the canonical spelling, e.g. for the Connect.Uri property
 */
char *
vb_instance_uri_to_string(const VbInstanceUri *self)
{
  g_autofree char *escaped = NULL;

  if (self->kind != VB_INSTANCE_EMBED)
    return g_strdup_printf("qemu:///%s", vb_instance_kind_to_string(self->kind));
  escaped = g_uri_escape_string(self->root, "/", FALSE);
  return g_strdup_printf("qemu:///embed?root=%s", escaped);
}
