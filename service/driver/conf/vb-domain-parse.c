/* vb-domain-parse.c: domain XML → VbDomainDef, for everything outside <devices>.
 *
 * Each reader takes what it understands through the vb-xml helpers; whatever nobody took is
 * reported by name at the end (NotSupported), so no part of a definition is silently lost.
 * A value we understand but cannot accept is InvalidConfig, naming the element or attribute,
 * the value and what is allowed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "vb-domain-xml-private.h"
#include "vb-error.h"
#include "vb-xml.h"

/* libvirt's limit for a domain name, in bytes. */
#define MAX_NAME_BYTES 255

/**
 * vb_parse_uuid:
 *
 * Accepts libvirt's spellings: 32 hex digits, in either case, with '-' or ' ' between them
 * anywhere and white space around.
 */
gboolean
vb_parse_uuid(const char *text, guint8 uuid[16])
{
  guint digits = 0;
  const char *c = text;

  while (g_ascii_isspace(*c))
    c++;
  for (; *c != '\0' && digits < 32; c++) {
    if (*c == '-' || *c == ' ')
      continue;
    if (!g_ascii_isxdigit(*c))
      return FALSE;
    if (digits % 2 == 0)
      uuid[digits / 2] = (guint8)(g_ascii_xdigit_value(*c) << 4);
    else
      uuid[digits / 2] |= (guint8)g_ascii_xdigit_value(*c);
    digits++;
  }
  while (g_ascii_isspace(*c))
    c++;
  return digits == 32 && *c == '\0';
}

/**
 * vb_parse_scaled_kib:
 * @number: the element's text
 * @unit: (nullable): its unit attribute; KiB when absent
 * @why: (out): what was wrong, on failure (static text)
 *
 * libvirt's units: b/bytes, then k/m/g/t/p/e alone or with "iB" (powers of 1024) or "B"
 * (powers of 1000), in any case. Bytes are rounded up to whole KiB.
 */
gboolean
vb_parse_scaled_kib(const char *number, const char *unit, guint64 *kib_out, const char **why)
{
  guint64 value, scale = 1024, base;
  const char *exponents = "kmgtpe";
  const char *e;

  if (!g_ascii_string_to_unsigned(number, 10, 0, G_MAXUINT64, &value, NULL)) {
    *why = "is not a whole number";
    return FALSE;
  }
  if (unit != NULL && *unit != '\0') {
    gsize len = strlen(unit);

    if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "byte") == 0 ||
        g_ascii_strcasecmp(unit, "bytes") == 0) {
      scale = 1;
    } else {
      if (len == 1)
        base = 1024;
      else if (len == 2 && g_ascii_tolower(unit[1]) == 'b')
        base = 1000;
      else if (len == 3 && g_ascii_tolower(unit[1]) == 'i' && g_ascii_tolower(unit[2]) == 'b')
        base = 1024;
      else
        goto bad_unit;
      e = strchr(exponents, g_ascii_tolower(unit[0]));
      if (e == NULL || unit[0] == '\0')
        goto bad_unit;
      scale = 1;
      for (const char *x = exponents; x <= e; x++)
        scale *= base;
    }
  }
  /* libvirt's limit, LLONG_MAX bytes, on the rounded value, so that what is accepted is also
   * what formats (in KiB) and reads back */
  if (value > G_MAXINT64 / scale ||
      (value * scale) / 1024 + ((value * scale) % 1024 != 0 ? 1 : 0) > G_MAXINT64 / 1024) {
    *why = "is too large (at most 9223372036854775807 bytes)";
    return FALSE;
  }
  value *= scale;
  *kib_out = value / 1024 + (value % 1024 != 0 ? 1 : 0);
  return TRUE;

bad_unit:
  *why = "has an unknown unit (allowed: b, bytes, KB, k, KiB, MB, M, MiB, GB, G, GiB, TB, T, "
         "TiB, PB, P, PiB, EB, E, EiB)";
  return FALSE;
}

static gboolean
has_control_character(const char *text)
{
  for (const char *c = text; *c != '\0'; c++) {
    if ((guchar)*c < 0x20 || *c == 0x7f)
      return TRUE;
  }
  return FALSE;
}

static gboolean
parse_name(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *node = vb_xml_child(root, "name");
  g_autofree char *name = NULL;

  if (node == NULL) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, root, NULL, "a domain needs a <name>");
    return FALSE;
  }
  name = vb_xml_text(node);
  /* The name becomes file names and log lines: no control characters (libvirt's schema
   * refuses a newline; a tab or CR would garble logs just the same). */
  if (*name == '\0' || strchr(name, '/') != NULL || name[0] == '.' ||
      strlen(name) > MAX_NAME_BYTES || has_control_character(name)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "'%s' is not a valid domain name (non-empty, at most %d bytes, no '/', no "
                     "control characters, not starting with '.')",
                     name, MAX_NAME_BYTES);
    return FALSE;
  }
  def->name = g_steal_pointer(&name);
  return TRUE;
}

static gboolean
parse_uuid_element(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *node = vb_xml_child(root, "uuid");
  g_autofree char *text = NULL;

  if (node == NULL) {
    g_autofree char *generated = g_uuid_string_random();

    return vb_parse_uuid(generated, def->uuid);
  }
  text = vb_xml_text(node);
  if (!vb_parse_uuid(text, def->uuid)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "'%s' is not a UUID (32 hexadecimal digits, optionally grouped by '-')", text);
    return FALSE;
  }
  return TRUE;
}

/* <metadata> is kept as it came, foreign namespaces included. Each child is copied into a
 * document of its own so that namespaces declared higher up are declared on it, then
 * serialised by libxml2 at the depth it will be written at (2: in <domain><metadata>). libxml2
 * indents element-only content and leaves mixed content alone, so writing the result back and
 * reading it again gives the same text. */
static gboolean
parse_metadata(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *node = vb_xml_child(root, "metadata");
  g_autoptr(GStrvBuilder) kept = NULL;

  if (node == NULL)
    return TRUE;
  vb_xml_mark_subtree_read(node);
  kept = g_strv_builder_new();
  for (xmlNode *child = node->children; child != NULL; child = child->next) {
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *copy;
    xmlBuffer *buffer;

    if (child->type != XML_ELEMENT_NODE)
      continue;
    if (child->ns == NULL) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, child, NULL,
                       "metadata elements must be in a namespace of their own");
      return FALSE;
    }
    doc = xmlNewDoc((const xmlChar *)"1.0");
    copy = xmlDocCopyNode(child, doc, 1);
    xmlDocSetRootElement(doc, copy);
    xmlReconciliateNs(doc, copy);
    buffer = xmlBufferCreate();
    xmlNodeDump(buffer, doc, copy, 2, 1);
    g_strv_builder_add(kept, (const char *)xmlBufferContent(buffer));
    xmlBufferFree(buffer);
  }
  def->metadata = g_strv_builder_end(kept);
  return TRUE;
}

static gboolean
parse_memory_element(xmlNode *root, const char *name, guint64 *kib, GError **error)
{
  xmlNode *node = vb_xml_child(root, name);
  g_autofree char *text = NULL;
  const char *unit;
  const char *why = NULL;

  if (node == NULL)
    return TRUE;
  unit = vb_xml_attr(node, "unit");
  text = vb_xml_text(node);
  if (!vb_parse_scaled_kib(text, unit, kib, &why)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL, "'%s%s%s' %s", text,
                     unit != NULL ? " " : "", unit != NULL ? unit : "", why);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_memory(VbDomainDef *def, xmlNode *root, GError **error)
{
  if (!parse_memory_element(root, "memory", &def->memory_kib, error) ||
      !parse_memory_element(root, "currentMemory", &def->current_memory_kib, error))
    return FALSE;
  if (def->memory_kib == 0) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, root, NULL,
                     "a domain needs a <memory> size above 0");
    return FALSE;
  }
  /* As libvirt: currentMemory absent or above memory means all of it. */
  if (def->current_memory_kib == 0 || def->current_memory_kib > def->memory_kib)
    def->current_memory_kib = def->memory_kib;
  return TRUE;
}

static gboolean
parse_vcpu(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *node = vb_xml_child(root, "vcpu");
  g_autofree char *text = NULL;
  guint64 count, current = 0;
  const char *cpuset;

  if (node == NULL) {
    def->vcpus = 1;
    return TRUE;
  }
  text = vb_xml_text(node);
  if (!g_ascii_string_to_unsigned(text, 10, 1, 4096, &count, NULL)) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "'%s' is not a vCPU count from 1 to 4096", text);
    return FALSE;
  }
  if (!vb_xml_attr_uint(node, "current", count, &current, error) ||
      !vb_xml_attr_enum(node, "placement", vb_vcpu_placement_names, &def->vcpu_placement, error))
    return FALSE;
  if (vb_xml_attr(node, "current") != NULL && current == 0) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "current",
                     "at least one vCPU must be online");
    return FALSE;
  }
  cpuset = vb_xml_attr(node, "cpuset");
  def->vcpu_cpuset = g_strdup(cpuset);
  def->vcpus = (guint)count;
  def->vcpus_current = (guint)current;
  return TRUE;
}

/* <os><firmware><feature enabled='yes' name='secure-boot'/>…: what the automatically chosen
 * firmware must (or must not) offer. */
static gboolean
parse_firmware_features(VbOsDef *os, xmlNode *firmware, GError **error)
{
  static const char *const names[] = {"secure-boot", "enrolled-keys", NULL};
  g_autoptr(GPtrArray) features = NULL;

  if (firmware == NULL)
    return TRUE;
  features = vb_xml_children(firmware, "feature");
  for (guint i = 0; i < features->len; i++) {
    xmlNode *node = features->pdata[i];
    gint name = VB_ABSENT, enabled = VB_ABSENT;
    gint *slot;

    if (!vb_xml_attr_enum(node, "name", names, &name, error) ||
        !vb_xml_attr_bool(node, "enabled", "yes", "no", &enabled, error))
      return FALSE;
    if (name == VB_ABSENT || enabled == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                       "a firmware <feature> needs 'name' and 'enabled'");
      return FALSE;
    }
    slot = name == 0 ? &os->fw_secure_boot : &os->fw_enrolled_keys;
    if (*slot != VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "name",
                       "the firmware feature '%s' is given twice", names[name]);
      return FALSE;
    }
    *slot = enabled;
  }
  if (os->fw_secure_boot == VB_ABSENT && os->fw_enrolled_keys == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, firmware, NULL,
                     "<firmware> needs at least one <feature>");
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_os(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *os = vb_xml_child(root, "os");
  xmlNode *type, *bootmenu, *loader, *nvram;
  g_autoptr(GPtrArray) boots = NULL;

  if (os == NULL || (type = vb_xml_child(os, "type")) == NULL) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, os != NULL ? os : root, NULL,
                     "a domain needs <os><type>hvm</type></os>");
    return FALSE;
  }
  def->os.type = vb_xml_text(type);
  if (!g_str_equal(def->os.type, "hvm")) {
    vb_xml_set_error(error, VB_ERROR_NOT_SUPPORTED, type, NULL,
                     "the OS type '%s' is not supported: QEMU domains are 'hvm'", def->os.type);
    return FALSE;
  }
  def->os.arch = g_strdup(vb_xml_attr(type, "arch"));
  def->os.machine = g_strdup(vb_xml_attr(type, "machine"));
  if (!vb_xml_attr_enum(os, "firmware", vb_firmware_names, &def->os.firmware, error) ||
      !parse_firmware_features(&def->os, vb_xml_child(os, "firmware"), error))
    return FALSE;

  boots = vb_xml_children(os, "boot");
  for (guint i = 0; i < boots->len; i++) {
    gint dev = VB_ABSENT;

    if (!vb_xml_attr_enum(boots->pdata[i], "dev", vb_boot_dev_names, &dev, error))
      return FALSE;
    if (dev == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, boots->pdata[i], NULL,
                       "<boot> needs a 'dev' (fd, hd, cdrom or network)");
      return FALSE;
    }
    g_array_append_val(def->os.boot_devs, dev);
  }
  bootmenu = vb_xml_child(os, "bootmenu");
  if (bootmenu != NULL) {
    guint64 timeout = 0;

    if (!vb_xml_attr_bool(bootmenu, "enable", "yes", "no", &def->os.bootmenu, error) ||
        !vb_xml_attr_uint(bootmenu, "timeout", 65535, &timeout, error))
      return FALSE;
    if (vb_xml_attr(bootmenu, "timeout") != NULL)
      def->os.bootmenu_timeout = (gint64)timeout;
  }
  def->os.kernel = vb_xml_child_text(os, "kernel");
  def->os.initrd = vb_xml_child_text(os, "initrd");
  def->os.cmdline = vb_xml_child_text(os, "cmdline");
  loader = vb_xml_child(os, "loader");
  if (loader != NULL) {
    def->os.loader = vb_xml_text(loader);
    if (!vb_xml_attr_bool(loader, "readonly", "yes", "no", &def->os.loader_readonly, error) ||
        !vb_xml_attr_enum(loader, "type", vb_loader_type_names, &def->os.loader_type, error) ||
        !vb_xml_attr_bool(loader, "secure", "yes", "no", &def->os.loader_secure, error))
      return FALSE;
  }
  nvram = vb_xml_child(os, "nvram");
  if (nvram != NULL) {
    def->os.nvram = vb_xml_text(nvram);
    def->os.nvram_template = g_strdup(vb_xml_attr(nvram, "template"));
  }
  return TRUE;
}

static gboolean
parse_on_off(xmlNode *node, const char *attribute, gint *inout, GError **error)
{
  return vb_xml_attr_bool(node, attribute, "on", "off", inout, error);
}

static gboolean
parse_hyperv(VbFeatures *features, xmlNode *hyperv, GError **error)
{
  features->hyperv = TRUE;
  if (!vb_xml_attr_enum(hyperv, "mode", vb_hyperv_mode_names, &features->hyperv_mode, error))
    return FALSE;
  for (guint i = 0; i < VB_HYPERV_N_FEATURES; i++) {
    xmlNode *node = vb_xml_child(hyperv, vb_hyperv_feature_names[i]);

    if (node == NULL)
      continue;
    if (!parse_on_off(node, "state", &features->hyperv_state[i], error))
      return FALSE;
    if (features->hyperv_state[i] == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL, "needs state='on' or 'off'");
      return FALSE;
    }
    if (i == VB_HYPERV_SPINLOCKS) {
      if (!vb_xml_attr_uint(node, "retries", G_MAXUINT32, &features->hyperv_spinlock_retries,
                            error))
        return FALSE;
      if (features->hyperv_state[i] == 1 && features->hyperv_spinlock_retries < 4095) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "retries",
                         "HyperV spinlock retry count must be at least 4095");
        return FALSE;
      }
    } else if (i == VB_HYPERV_STIMER) {
      xmlNode *direct = vb_xml_child(node, "direct");

      if (direct != NULL && !parse_on_off(direct, "state", &features->hyperv_stimer_direct, error))
        return FALSE;
    } else if (i == VB_HYPERV_VENDOR_ID) {
      const char *value = vb_xml_attr(node, "value");

      if (features->hyperv_state[i] == 1 &&
          (value == NULL || *value == '\0' || strlen(value) > 12)) {
        vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "value",
                         "a HyperV vendor_id needs a value of 1 to 12 characters");
        return FALSE;
      }
      features->hyperv_vendor_id = g_strdup(value);
    }
  }
  return TRUE;
}

static gboolean
parse_features(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *features = vb_xml_child(root, "features");
  xmlNode *node;

  if (features == NULL)
    return TRUE;
  def->has_features = TRUE;
  def->features.acpi = vb_xml_child(features, "acpi") != NULL;
  node = vb_xml_child(features, "apic");
  if (node != NULL) {
    def->features.apic = TRUE;
    if (!parse_on_off(node, "eoi", &def->features.apic_eoi, error))
      return FALSE;
  }
  def->features.pae = vb_xml_child(features, "pae") != NULL;
  node = vb_xml_child(features, "vmport");
  if (node != NULL && !parse_on_off(node, "state", &def->features.vmport, error))
    return FALSE;
  node = vb_xml_child(features, "smm");
  if (node != NULL) {
    def->features.smm = 1; /* a bare <smm/> means on */
    if (!parse_on_off(node, "state", &def->features.smm, error))
      return FALSE;
  }
  node = vb_xml_child(features, "hyperv");
  if (node != NULL && !parse_hyperv(&def->features, node, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_cpu(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *node = vb_xml_child(root, "cpu");
  g_autoptr(GPtrArray) features = NULL;
  xmlNode *model, *topology, *vendor;
  VbCpuDef *cpu;

  if (node == NULL)
    return TRUE;
  cpu = def->cpu = vb_cpu_def_new();
  if (!vb_xml_attr_enum(node, "mode", vb_cpu_mode_names, &cpu->mode, error) ||
      !vb_xml_attr_enum(node, "match", vb_cpu_match_names, &cpu->match, error) ||
      !vb_xml_attr_enum(node, "check", vb_cpu_check_names, &cpu->check, error) ||
      !parse_on_off(node, "migratable", &cpu->migratable, error))
    return FALSE;
  model = vb_xml_child(node, "model");
  if (model != NULL) {
    cpu->model = vb_xml_text(model);
    if (!vb_xml_attr_enum(model, "fallback", vb_cpu_fallback_names, &cpu->model_fallback, error))
      return FALSE;
  }
  vendor = vb_xml_child(node, "vendor");
  if (vendor != NULL)
    cpu->vendor = vb_xml_text(vendor);
  topology = vb_xml_child(node, "topology");
  if (topology != NULL) {
    guint64 sockets = 1, dies = 1, cores = 1, threads = 1;

    if (!vb_xml_attr_uint(topology, "sockets", 4096, &sockets, error) ||
        !vb_xml_attr_uint(topology, "dies", 4096, &dies, error) ||
        !vb_xml_attr_uint(topology, "cores", 4096, &cores, error) ||
        !vb_xml_attr_uint(topology, "threads", 4096, &threads, error))
      return FALSE;
    if (sockets == 0 || dies == 0 || cores == 0 || threads == 0) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, topology, NULL,
                       "sockets, dies, cores and threads must each be at least 1");
      return FALSE;
    }
    if (sockets * dies * cores * threads != def->vcpus) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, topology, NULL,
                       "the topology gives %" G_GUINT64_FORMAT
                       " vCPUs (sockets × dies × cores × threads) but <vcpu> is %u",
                       sockets * dies * cores * threads, def->vcpus);
      return FALSE;
    }
    cpu->has_topology = TRUE;
    cpu->sockets = (guint)sockets;
    cpu->dies = (guint)dies;
    cpu->cores = (guint)cores;
    cpu->threads = (guint)threads;
  }
  features = vb_xml_children(node, "feature");
  for (guint i = 0; i < features->len; i++) {
    xmlNode *f = features->pdata[i];
    VbCpuFeature *feature = g_new0(VbCpuFeature, 1);
    const char *name = vb_xml_attr(f, "name");

    feature->policy = VB_ABSENT;
    g_ptr_array_add(cpu->features, feature);
    if (name == NULL || *name == '\0') {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, f, NULL, "a CPU <feature> needs a name");
      return FALSE;
    }
    feature->name = g_strdup(name);
    if (!vb_xml_attr_enum(f, "policy", vb_cpu_feature_policy_names, &feature->policy, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
parse_clock(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *clock = vb_xml_child(root, "clock");
  g_autoptr(GPtrArray) timers = NULL;
  gint offset = VB_CLOCK_UTC;
  gint sync = VB_ABSENT;
  const char *adjustment;

  if (clock == NULL)
    return TRUE;
  if (!vb_xml_attr_enum(clock, "offset", vb_clock_offset_names, &offset, error))
    return FALSE;
  /* The legacy spelling <clock sync='localtime'/> of the reference's examples. */
  if (!vb_xml_attr_enum(clock, "sync", vb_clock_basis_names, &sync, error))
    return FALSE;
  if (sync != VB_ABSENT) {
    if (vb_xml_attr(clock, "offset") != NULL) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, clock, "sync",
                       "give either 'offset' or the older 'sync', not both");
      return FALSE;
    }
    offset = sync == 0 ? VB_CLOCK_UTC : VB_CLOCK_LOCALTIME;
  }
  def->clock.offset = (VbClockOffset)offset;
  adjustment = vb_xml_attr(clock, "adjustment");
  if (adjustment != NULL) {
    /* utc and localtime take a number or 'reset'; variable a number; timezone none. */
    if (offset == VB_CLOCK_TIMEZONE) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, clock, "adjustment",
                       "offset='timezone' takes no adjustment");
      return FALSE;
    }
    if (offset != VB_CLOCK_VARIABLE && g_str_equal(adjustment, "reset")) {
      def->clock.adjustment_reset = TRUE;
    } else if (!g_ascii_string_to_signed(adjustment, 10, G_MININT64 / 2, G_MAXINT64 / 2,
                                         &def->clock.adjustment, NULL)) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, clock, "adjustment",
                       "'%s' is not a number of seconds%s", adjustment,
                       offset != VB_CLOCK_VARIABLE ? " or 'reset'" : "");
      return FALSE;
    } else {
      def->clock.has_adjustment = TRUE;
    }
  }
  if (!vb_xml_attr_enum(clock, "basis", vb_clock_basis_names, &def->clock.basis, error))
    return FALSE;
  def->clock.timezone = g_strdup(vb_xml_attr(clock, "timezone"));
  if (offset == VB_CLOCK_TIMEZONE && def->clock.timezone == NULL) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, clock, NULL,
                     "offset='timezone' needs a 'timezone' attribute");
    return FALSE;
  }

  gboolean seen[VB_TIMER_N] = {FALSE};

  timers = vb_xml_children(clock, "timer");
  for (guint i = 0; i < timers->len; i++) {
    xmlNode *node = timers->pdata[i];
    VbTimer *timer = vb_timer_new(VB_TIMER_PLATFORM);
    gint name = VB_ABSENT;

    g_ptr_array_add(def->clock.timers, timer);
    if (!vb_xml_attr_enum(node, "name", vb_timer_names, &name, error))
      return FALSE;
    if (name == VB_ABSENT) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL, "a <timer> needs a name");
      return FALSE;
    }
    if (seen[name]) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "name",
                       "the timer '%s' is given twice", vb_timer_names[name]);
      return FALSE;
    }
    seen[name] = TRUE;
    timer->name = (VbTimerName)name;
    if (!vb_xml_attr_bool(node, "present", "yes", "no", &timer->present, error) ||
        !vb_xml_attr_enum(node, "tickpolicy", vb_timer_tickpolicy_names, &timer->tickpolicy,
                          error) ||
        !vb_xml_attr_enum(node, "track", vb_timer_track_names, &timer->track, error))
      return FALSE;
    if (timer->track != VB_ABSENT && timer->name != VB_TIMER_RTC) {
      vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, "track",
                       "only the 'rtc' timer takes 'track'");
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
parse_lifecycle(xmlNode *root, const char *name, VbLifecycleAction *inout, GError **error)
{
  xmlNode *node = vb_xml_child(root, name);
  g_autofree char *text = NULL;

  if (node == NULL)
    return TRUE;
  text = vb_xml_text(node);
  for (guint i = 0; vb_lifecycle_action_names[i] != NULL; i++) {
    if (g_str_equal(text, vb_lifecycle_action_names[i])) {
      *inout = (VbLifecycleAction)i;
      return TRUE;
    }
  }
  {
    g_autofree char *allowed = g_strjoinv("', '", (GStrv)vb_lifecycle_action_names);

    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, node, NULL,
                     "'%s' is not an action (allowed: '%s')", text, allowed);
  }
  return FALSE;
}

static gboolean
parse_pm(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *pm = vb_xml_child(root, "pm");
  xmlNode *node;

  if (pm == NULL)
    return TRUE;
  node = vb_xml_child(pm, "suspend-to-mem");
  if (node != NULL &&
      !vb_xml_attr_bool(node, "enabled", "yes", "no", &def->pm_suspend_to_mem, error))
    return FALSE;
  node = vb_xml_child(pm, "suspend-to-disk");
  if (node != NULL &&
      !vb_xml_attr_bool(node, "enabled", "yes", "no", &def->pm_suspend_to_disk, error))
    return FALSE;
  return TRUE;
}

/* Per-device boot order and <os><boot dev> are two ways to say the same thing: not both. Orders
 * must be unique. */
static gboolean
check_boot_order(VbDomainDef *def, xmlNode *devices, GError **error)
{
  g_autoptr(GHashTable) orders = g_hash_table_new(g_direct_hash, g_direct_equal);
  g_autoptr(GPtrArray) infos = vb_domain_def_get_device_infos(def);

  for (guint i = 0; i < infos->len; i++) {
    const VbDeviceInfo *info = infos->pdata[i];

    if (info->boot_order == 0)
      continue;
    if (def->os.boot_devs->len > 0) {
      vb_domain_set_error(error, VB_ERROR_INVALID_CONFIG, devices,
                          "per-device <boot order=…/> cannot be mixed with <os><boot dev=…/>");
      return FALSE;
    }
    if (!g_hash_table_add(orders, GSIZE_TO_POINTER(info->boot_order))) {
      vb_domain_set_error(error, VB_ERROR_INVALID_CONFIG, devices,
                          "the boot order %" G_GUINT64_FORMAT " is given to two devices",
                          info->boot_order);
      return FALSE;
    }
  }
  return TRUE;
}

void
vb_domain_set_error(GError **error, gint code, xmlNode *devices, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  if (devices != NULL)
    vb_xml_set_error(error, code, devices, NULL, "%s", message);
  else
    g_set_error(error, VB_ERROR, code, "/domain/devices: %s", message);
  vb_error_shorten(error != NULL ? *error : NULL);
}

/* What follows the parse of the devices, on a parsed definition (@devices: its element) or on
 * one built in code (@devices NULL): user aliases unique, drive addresses and libvirt's names
 * given, boot orders checked. */
static gboolean
finish_devices(VbDomainDef *def, xmlNode *devices, GError **error)
{
  if (!vb_domain_check_aliases(def, devices, error) || !vb_domain_assign_names(def, devices, error))
    return FALSE;
  return check_boot_order(def, devices, error);
}

/**
 * vb_domain_def_finish:
 * @def: a definition built in code (domxml-from-native), as the parser would have left it
 *   before its last steps
 *
 * Runs the steps that follow parsing: what a parsed definition gets, this one gets too.
 */
gboolean
vb_domain_def_finish(VbDomainDef *def, GError **error)
{
  return finish_devices(def, NULL, error);
}

static gboolean
parse_devices(VbDomainDef *def, xmlNode *root, GError **error)
{
  xmlNode *devices = vb_xml_child(root, "devices");

  if (devices == NULL)
    return TRUE;
  def->emulator = vb_xml_child_text(devices, "emulator");
  if (!vb_domain_parse_disks(def, devices, error) ||
      !vb_domain_parse_controllers(def, devices, error) ||
      !vb_domain_parse_interfaces(def, devices, error) ||
      !vb_domain_parse_chardevs(def, devices, error) ||
      !vb_domain_parse_inputs(def, devices, error) ||
      !vb_domain_parse_graphics(def, devices, error) ||
      !vb_domain_parse_sounds(def, devices, error) ||
      !vb_domain_parse_videos(def, devices, error) ||
      !vb_domain_parse_redirdevs(def, devices, error) ||
      !vb_domain_parse_hubs(def, devices, error) ||
      !vb_domain_parse_watchdog(def, devices, error) ||
      !vb_domain_parse_memballoon(def, devices, error) ||
      !vb_domain_parse_rngs(def, devices, error) || !vb_domain_parse_panics(def, devices, error))
    return FALSE;
  return finish_devices(def, devices, error);
}

/**
 * vb_domain_def_parse:
 * @xml: domain XML as libvirt reads it
 * @length: bytes in @xml
 * @error: return location for InvalidXML (malformed, with line and column), InvalidConfig (a
 *   value we cannot accept, naming element, value and what is allowed) or NotSupported (an
 *   element or attribute virtbus does not implement, by path)
 *
 * Returns: (transfer full) (nullable): the definition
 */
VbDomainDef *
vb_domain_def_parse(const char *xml, gsize length, GError **error)
{
  g_autoptr(xmlDoc) doc = vb_xml_parse(xml, length, error);
  g_autoptr(VbDomainDef) def = NULL;
  xmlNode *root;
  gint virt_type = VB_ABSENT;

  if (doc == NULL)
    return NULL;
  root = xmlDocGetRootElement(doc);
  if (root->ns != NULL || g_strcmp0((const char *)root->name, "domain") != 0) {
    vb_xml_set_error(error, VB_ERROR_INVALID_XML, root, NULL,
                     "the document's root must be <domain>, not <%s>", (const char *)root->name);
    return NULL;
  }
  vb_xml_mark_read(root);
  def = vb_domain_def_new();
  if (!vb_xml_attr_enum(root, "type", vb_virt_type_names, &virt_type, error))
    return NULL;
  if (virt_type == VB_ABSENT) {
    vb_xml_set_error(error, VB_ERROR_INVALID_CONFIG, root, NULL,
                     "<domain> needs a type: 'qemu', 'kvm' or 'hvf'");
    return NULL;
  }
  def->virt_type = (VbVirtType)virt_type;
  /* the id of a running domain, as dumped: shown again in the live view only */
  if (!vb_xml_attr_count(root, "id", G_MAXINT32, &def->id, error))
    return NULL;

  if (!parse_name(def, root, error) || !parse_uuid_element(def, root, error))
    return NULL;
  def->title = vb_xml_child_text(root, "title");
  def->description = vb_xml_child_text(root, "description");
  if (!parse_metadata(def, root, error) || !parse_memory(def, root, error) ||
      !parse_vcpu(def, root, error) || !parse_os(def, root, error) ||
      !parse_features(def, root, error) || !parse_cpu(def, root, error) ||
      !parse_clock(def, root, error) ||
      !parse_lifecycle(root, "on_poweroff", &def->on_poweroff, error) ||
      !parse_lifecycle(root, "on_reboot", &def->on_reboot, error) ||
      !parse_lifecycle(root, "on_crash", &def->on_crash, error) || !parse_pm(def, root, error) ||
      !parse_devices(def, root, error) || !vb_domain_parse_seclabels(def, root, error) ||
      !vb_domain_parse_qemu_namespace(def, root, error))
    return NULL;

  if (!vb_xml_check_all_read(root, error))
    return NULL;
  return g_steal_pointer(&def);
}
