/* vb-test-domain.h: shared checks of the domain XML tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vb-domain-xml.h"
#include "vb-qemu-caps.h"
#include "vb-test-schema.h"

G_BEGIN_DECLS

/* A domain up to and including "<devices>\n" (devices start on line 2), and its end. */
#define VB_TEST_DOMAIN_HEAD                                                                        \
  "<domain type='kvm'><name>d</name><uuid>0d1c8a52-8e4c-4bb0-a1f4-7b34bb3f0b52</uuid>"             \
  "<memory>1048576</memory><os><type arch='x86_64' machine='q35'>hvm</type></os>\n<devices>\n"
#define VB_TEST_DOMAIN_TAIL "</devices></domain>\n"

/* An input that must be refused: @part goes between a test's fixed head and tail; @message is
 * a glob. */
typedef struct {
  const char *part;
  gint code;
  const char *message;
} VbTestRefusal;

VbDomainDef *vb_test_parse_ok(const char *xml);
void vb_test_assert_refusals(const char *head,
                             const char *tail,
                             const VbTestRefusal *cases,
                             gsize n_cases);
void vb_test_assert_parse_fails(const char *xml, gint code, const char *message_pattern);
char *vb_test_format(const VbDomainDef *def, VbDomainXmlFlags flags);
char *vb_test_format_checked(VbTestSchema *schema, const char *xml);
char *vb_test_element_of(const char *formatted, const char *opening);
char *vb_test_format_view(const char *xml, VbDomainXmlFlags flags);
GPtrArray *vb_test_corpus_inputs(const char *dir, GError **error);

/* What a conformance test over libvirt's corpus starts from. */
typedef struct {
  const char *dir;  /* $VIRTBUS_CORPUS */
  GPtrArray *names; /* (owned) (element-type utf8): vb_test_corpus_inputs() */
  VbQemuCaps *caps; /* (owned): the host's QEMU, probed */
} VbTestCorpus;

/* Returns: 0 with @corpus filled; 77 (skipped, said on stdout as @test's) when
 * $VIRTBUS_CORPUS is not set; 1 (said on stderr) when the corpus or QEMU cannot be read. */
int vb_test_corpus_open(const char *test, VbTestCorpus *corpus);
void vb_test_corpus_clear(VbTestCorpus *corpus);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VbTestCorpus, vb_test_corpus_clear)

G_END_DECLS
