/* test-corpus-native.c: real QEMU runs what virtbus builds for libvirt's test domains.
 *
 * For every input domain in $VIRTBUS_CORPUS that the parser accepts, the domain is adapted to
 * this host (vb_test_adapt_def: disks become small images, type='kvm' runs as TCG, NICs use
 * user networking), built, and started paused in the installed QEMU; QEMU must be paused before
 * launch and show the disks, PCI devices and character devices the XML asked for. Prints one
 * line per case,
 *   NAME: started | failed <reason>
 * and finally
 *   corpus-native: S started, F failed, T total
 * (T counts the accepted cases; the others are corpus-xml's business). The corpus's qemu
 * namespace pass-through values are placeholders no QEMU takes (-unknown, ARGUMENT, the
 * capability 'vnc-colon', properties prop1…prop6): they are dropped here, and the namespace is
 * tested with real values in integration/qemu-command. Fails unless every
 * case started. Exits 77 (skipped) when $VIRTBUS_CORPUS is unset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml.h"
#include "vb-error.h"
#include "vb-test-domain.h"
#include "vb-test-qemu.h"
#include "vb-test-tree.h"

/* The corpus's pass-through placeholders; <qemu:env> and <qemu:deprecation> are real and stay. */
static void
drop_placeholders(VbDomainDef *def)
{
  VbQemuNamespace *ns = &def->qemu;

  g_clear_pointer(&ns->args, g_strfreev);
  g_clear_pointer(&ns->caps_add, g_strfreev);
  g_clear_pointer(&ns->caps_del, g_strfreev);
  g_ptr_array_set_size(ns->overrides, 0);
}

/* Starts one parsed case; fills @error with why it did not. */
static gboolean
run_case(VbDomainDef *def, VbQemuCaps *caps, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp("virtbus-native-XXXXXX", error);
  g_autofree char *root = NULL;
  g_autoptr(VbQemuCommand) cmd = NULL;
  g_autoptr(VbTestQemu) qemu = NULL;
  gboolean ok;

  if (dir == NULL)
    return FALSE;
  root = g_build_filename(dir, "root", NULL);
  drop_placeholders(def);
  ok = vb_test_adapt_def(def, dir, error) &&
       (cmd = vb_test_build_command(def, caps, root, error)) != NULL &&
       (qemu = vb_test_qemu_start(cmd, error)) != NULL && vb_test_qemu_check(qemu, def, error);
  g_clear_pointer(&qemu, vb_test_qemu_stop);
  vb_test_remove_tree(dir);
  return ok;
}

int
main(int argc, char **argv)
{
  g_auto(VbTestCorpus) set = {0};
  g_autoptr(GError) error = NULL;
  const char *corpus;
  GPtrArray *names;
  VbQemuCaps *caps;
  int status;
  guint started = 0, failed = 0;

  if ((status = vb_test_corpus_open("corpus-native", &set)) != 0)
    return status;
  corpus = set.dir;
  names = set.names;
  caps = set.caps;
  for (guint i = 0; i < names->len; i++) {
    const char *name = names->pdata[i];
    g_autofree char *path = g_build_filename(corpus, name, NULL);
    g_autofree char *xml = NULL;
    g_autoptr(VbDomainDef) def = NULL;
    gsize length;

    g_clear_error(&error);
    if (!g_file_get_contents(path, &xml, &length, NULL) ||
        (def = vb_domain_def_parse(xml, length, NULL)) == NULL ||
        !vb_test_check_def(def, caps, NULL))
      continue; /* not accepted by a define: corpus-xml reports it */
    if (run_case(def, caps, &error)) {
      g_print("%s: started\n", name);
      started++;
    } else {
      g_print("%s: failed %s: %s\n", name, vb_error_get_dbus_name((VbError)error->code),
              error->message);
      failed++;
    }
  }
  g_print("corpus-native: %u started, %u failed, %u total\n", started, failed, started + failed);
  return failed == 0 && started > 0 ? 0 : 1;
}
