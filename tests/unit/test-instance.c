/* test-instance.c: connection URIs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>

#include "vb-error.h"
#include "vb-instance.h"

static void
test_accepted(void)
{
  static const struct {
    const char *uri;
    VbInstanceKind kind;
    const char *root;
    const char *canonical;
  } cases[] = {
      {"qemu:///system", VB_INSTANCE_SYSTEM, NULL, "qemu:///system"},
      {"qemu:///system/", VB_INSTANCE_SYSTEM, NULL, "qemu:///system"},
      {"qemu+unix:///system", VB_INSTANCE_SYSTEM, NULL, "qemu:///system"},
      {"qemu:///session", VB_INSTANCE_SESSION, NULL, "qemu:///session"},
      {"qemu+unix:///session", VB_INSTANCE_SESSION, NULL, "qemu:///session"},
      {"QEMU:///session", VB_INSTANCE_SESSION, NULL, "qemu:///session"},
      {"qemu:///embed?root=/var/tmp/vb", VB_INSTANCE_EMBED, "/var/tmp/vb",
       "qemu:///embed?root=/var/tmp/vb"},
      {"qemu:///embed?root=/var/tmp/a/../vb/", VB_INSTANCE_EMBED, "/var/tmp/vb",
       "qemu:///embed?root=/var/tmp/vb"},
      {"qemu:///embed?root=/tmp/with%20space", VB_INSTANCE_EMBED, "/tmp/with space",
       "qemu:///embed?root=/tmp/with%20space"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbInstanceUri) uri = vb_instance_uri_parse(cases[i].uri, &error);
    g_autofree char *canonical = NULL;

    g_test_message("%s", cases[i].uri);
    g_assert_no_error(error);
    g_assert_cmpint(uri->kind, ==, cases[i].kind);
    g_assert_cmpstr(uri->root, ==, cases[i].root);
    canonical = vb_instance_uri_to_string(uri);
    g_assert_cmpstr(canonical, ==, cases[i].canonical);
  }
}

static void
test_rejected(void)
{
  static const struct {
    const char *uri;
    gint code;
    const char *message_pattern;
  } cases[] = {
      {"qemu:///embed?root=relative/dir", VB_ERROR_INVALID_ARGS, "*'relative/dir'*relative*"},
      {"qemu:///embed", VB_ERROR_INVALID_ARGS, "*has no root*"},
      {"qemu:///embed?root=", VB_ERROR_INVALID_ARGS, "*root is empty*"},
      {"qemu:///embed?root=/x&other=1", VB_ERROR_INVALID_ARGS, "*unknown parameter 'other'*"},
      {"qemu+unix:///embed?root=/x", VB_ERROR_INVALID_ARGS, "*takes no transport*"},
      {"qemu:///system?mode=legacy", VB_ERROR_INVALID_ARGS, "*takes no parameters*"},
      {"qemu:///other", VB_ERROR_INVALID_ARGS, "*/system, /session or /embed*"},
      {"xen:///system", VB_ERROR_INVALID_ARGS, "*scheme must be 'qemu', not 'xen'*"},
      {"qemu+ssh://host.example/system", VB_ERROR_NOT_SUPPORTED, "*transport 'ssh'*planned*"},
      {"qemu://host.example/system", VB_ERROR_NOT_SUPPORTED, "*remote host 'host.example'*"},
      {"not a uri", VB_ERROR_INVALID_ARGS, "*'not a uri' is not a valid URI*"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbInstanceUri) uri = vb_instance_uri_parse(cases[i].uri, &error);

    g_test_message("%s", cases[i].uri);
    g_assert_null(uri);
    g_assert_error(error, VB_ERROR, cases[i].code);
    if (!g_pattern_match_simple(cases[i].message_pattern, error->message))
      g_error("message '%s' does not match '%s'", error->message, cases[i].message_pattern);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/instance/accepted", test_accepted);
  g_test_add_func("/virtbus/instance/rejected", test_rejected);
  return g_test_run();
}
