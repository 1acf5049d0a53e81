/* test-guest-abi.c: the hardware a guest sees is fixed at define and the same at every boot,
 * with real QEMU: a re-define that adds devices moves none of the old ones, two boots show the
 * same PCI devices at the same places, and those are the addresses of the domain's XML; the
 * CPU and memory a start fixes (host-model expanded, memory in whole MiB) are what QEMU runs
 * and what the live XML shows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "vb-domain-xml.h"
#include "vb-test-driver.h"
#include "vb-test-wait.h"

static void
on_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref(result);
}

static gint
compare_lines(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The running domain's query-pci as "bus:slot.function id" lines, sorted. */
static char *
query_pci(VbTestDriver *t, VbDomainObj *domain)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
  JsonArray *buses;

  vb_driver_monitor_command_async(t->driver, domain, "{\"execute\":\"query-pci\"}", FALSE, NULL,
                                  on_done, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the reply to query-pci");
  reply = vb_driver_monitor_command_finish(t->driver, result, &error);
  g_assert_no_error(error);
  g_assert_true(json_parser_load_from_data(parser, reply, -1, &error));
  buses =
      json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)), "return");
  for (guint b = 0; b < json_array_get_length(buses); b++) {
    JsonObject *bus = json_array_get_object_element(buses, b);
    JsonArray *devices = json_object_get_array_member(bus, "devices");

    for (guint d = 0; d < json_array_get_length(devices); d++) {
      JsonObject *device = json_array_get_object_element(devices, d);

      g_ptr_array_add(
          lines,
          g_strdup_printf(
              "%02" G_GINT64_MODIFIER "x:%02" G_GINT64_MODIFIER "x.%" G_GINT64_MODIFIER "x %s",
              json_object_get_int_member(device, "bus"), json_object_get_int_member(device, "slot"),
              json_object_get_int_member(device, "function"),
              json_object_get_string_member_with_default(device, "qdev_id", "")));
    }
  }
  g_ptr_array_sort(lines, compare_lines);
  g_ptr_array_add(lines, g_strdup(""));
  g_ptr_array_add(lines, NULL);
  return g_strjoinv("\n", (char **)lines->pdata);
}

/* "bus:slot.function" of every device of the root bus, by QEMU id. */
static GHashTable *
root_addresses(const VbDomainDef *def)
{
  GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) infos = vb_domain_def_get_device_infos(def);

  for (guint i = 0; i < infos->len; i++) {
    const VbDeviceInfo *info = infos->pdata[i];
    const VbDeviceAddress *a = &info->address;

    if (a->type != VB_ADDRESS_PCI || a->bus != 0 || info->assigned_alias == NULL)
      continue;
    g_hash_table_replace(table, g_strdup(info->assigned_alias),
                         g_strdup_printf("00:%02" G_GINT64_MODIFIER "x.%" G_GINT64_MODIFIER "x",
                                         a->slot, a->function));
  }
  return table;
}

/* A monitor command's "return", as JSON text. */
static char *
monitor(VbTestDriver *t, VbDomainObj *domain, const char *command)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonNode *value;

  vb_driver_monitor_command_async(t->driver, domain, command, FALSE, NULL, on_done, &result);
  VB_TEST_WAIT_UNTIL(NULL, result != NULL, "the reply to a monitor command");
  reply = vb_driver_monitor_command_finish(t->driver, result, &error);
  g_assert_no_error(error);
  g_assert_true(json_parser_load_from_data(parser, reply, -1, &error));
  value = json_object_get_member(json_node_get_object(json_parser_get_root(parser)), "return");
  g_assert_nonnull(value);
  return json_to_string(value, FALSE);
}

/* A property of the guest's first CPU, as JSON text. */
static char *
cpu_property(VbTestDriver *t, VbDomainObj *domain, const char *property)
{
  g_autofree char *cpus = monitor(t, domain, "{\"execute\":\"query-cpus-fast\"}");
  g_autoptr(JsonNode) node = json_from_string(cpus, NULL);
  const char *path = json_object_get_string_member(
      json_array_get_object_element(json_node_get_array(node), 0), "qom-path");
  g_autofree char *command = g_strdup_printf(
      "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"%s\",\"property\":\"%s\"}}", path,
      property);

  return monitor(t, domain, command);
}

/* host-model is a named model and features, the same in the live XML and in QEMU; memory is
 * rounded up to whole MiB, as QEMU would otherwise round it to its own page size. */
static void
test_cpu_and_memory(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL, *type = NULL, *expected_type = NULL, *sizes = NULL;
  g_autofree char *expected_sizes = NULL;
  const VbDomainDef *live;
  const VbCpuFeature *extra = NULL;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_bare_xml("cpu");
  {
    g_autoptr(GString) edited = g_string_new(xml);

    g_string_replace(edited, "<memory unit='MiB'>64</memory>", "<memory unit='KiB'>65537</memory>",
                     1);
    g_string_replace(edited, "</os>",
                     "</os><cpu mode='host-model'><feature policy='disable' name='sse2'/></cpu>",
                     1);
    g_free(xml);
    xml = g_string_free(g_steal_pointer(&edited), FALSE);
  }
  domain = vb_test_define(t, xml);
  g_assert_cmpint(vb_domain_obj_get_persistent_def(domain)->cpu->mode, ==, VB_CPU_MODE_HOST_MODEL);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);

  live = vb_domain_obj_get_def(domain);
  g_assert_cmpuint(live->memory_kib, ==, 65 * 1024);
  g_assert_cmpint(live->cpu->mode, ==, VB_CPU_MODE_CUSTOM);
  g_assert_nonnull(live->cpu->model);
  for (guint i = 0; i < live->cpu->features->len; i++) {
    const VbCpuFeature *feature = live->cpu->features->pdata[i];

    if (feature->policy == VB_CPU_FEATURE_REQUIRE && extra == NULL)
      extra = feature;
    if (g_str_equal(feature->name, "sse2"))
      g_assert_cmpint(feature->policy, ==, VB_CPU_FEATURE_DISABLE);
  }
  /* TCG emulates more than any model it can run: some feature is added to the model */
  g_assert_nonnull(extra);
  /* the persistent definition keeps host-model, to be expanded again at the next start */
  g_assert_cmpint(vb_domain_obj_get_persistent_def(domain)->cpu->mode, ==, VB_CPU_MODE_HOST_MODEL);

  /* and QEMU runs exactly that */
  type = cpu_property(t, domain, "type");
  expected_type = g_strdup_printf("\"%s-x86_64-cpu\"", live->cpu->model);
  g_assert_cmpstr(type, ==, expected_type);
  {
    g_autofree char *on = cpu_property(t, domain, extra->name);
    g_autofree char *sse2 = cpu_property(t, domain, "sse2");

    g_assert_cmpstr(on, ==, "true");
    g_assert_cmpstr(sse2, ==, "false");
  }
  sizes = monitor(t, domain, "{\"execute\":\"query-memory-size-summary\"}");
  expected_sizes = g_strdup_printf("\"base-memory\":%u", 65 * 1024 * 1024);
  g_assert_nonnull(strstr(sizes, expected_sizes));
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

static char *image(VbTestDriver *t, const char *name);

/* A CD-ROM on USB is a CD-ROM to the guest (a removable SCSI CD-ROM behind a bulk-only USB
 * device), not the hard disk usb-storage would make of it. */
static void
test_usb_cdrom(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *iso = NULL, *xml = NULL, *devices = NULL, *blocks = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  gboolean found = FALSE;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  iso = image(t, "cd.iso");
  devices = g_strdup_printf("<disk type='file' device='cdrom'><source file='%s'/>"
                            "<target dev='sda' bus='usb'/><readonly/></disk>",
                            iso);
  xml = vb_test_bare_xml("usbcd");
  {
    g_autoptr(GString) edited = g_string_new(xml);

    g_string_replace(edited, "<memballoon", devices, 1);
    g_string_replace(edited, "</disk>", "</disk><memballoon", 1);
    g_free(xml);
    xml = g_string_free(g_steal_pointer(&edited), FALSE);
  }
  domain = vb_test_define(t, xml);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  blocks = monitor(t, domain, "{\"execute\":\"query-block\"}");
  node = json_from_string(blocks, NULL);
  array = json_node_get_array(node);
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonObject *block = json_array_get_object_element(array, i);
    const char *qdev = json_object_get_string_member_with_default(block, "qdev", "");

    if (!g_str_has_suffix(qdev, "usb-disk0") && strstr(qdev, "/usb-disk0/") == NULL)
      continue;
    found = TRUE;
    g_assert_true(json_object_get_boolean_member(block, "removable"));
    g_assert_true(json_object_has_member(block, "tray_open"));
  }
  if (!found)
    g_error("query-block shows no usb-disk0:\n%s", blocks);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

/* More USB devices than the controller has ports: QEMU runs the hub a define added, and the
 * devices sit at the ports the XML gives them, behind it. */
static void
test_usb_hub(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autofree char *xml = NULL;
  const VbDomainDef *def;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  xml = vb_test_bare_xml("usbhub");
  {
    g_autoptr(GString) edited = g_string_new(xml);

    g_string_replace(edited, "<memballoon",
                     "<controller type='usb' index='0' model='qemu-xhci' ports='2'/>"
                     "<input type='tablet' bus='usb'/><input type='mouse' bus='usb'/>"
                     "<input type='keyboard' bus='usb'/><memballoon",
                     1);
    g_free(xml);
    xml = g_string_free(g_steal_pointer(&edited), FALSE);
  }
  domain = vb_test_define(t, xml);
  def = vb_domain_obj_get_persistent_def(domain);
  g_assert_cmpuint(def->hubs->len, ==, 1);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  for (guint i = 0; i < 3; i++) {
    const VbInputDef *input = def->inputs->pdata[i];
    g_autofree char *command = g_strdup_printf(
        "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine/peripheral/input%u\","
        "\"property\":\"port\"}}",
        i);
    g_autofree char *port = monitor(t, domain, command);
    g_autofree char *expected = g_strdup_printf("\"%s\"", input->info.address.usb_port);

    g_assert_cmpstr(port, ==, expected);
  }
  vb_test_ok(t, VB_TEST_DESTROY, domain);
}

static char *
image(VbTestDriver *t, const char *name)
{
  char *path = g_build_filename(t->root, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true(g_file_set_contents(path, "", 0, &error));
  g_assert_cmpint(truncate(path, 1024 * 1024), ==, 0);
  return path;
}

static char *
disk_xml(const char *path, const char *target)
{
  return g_strdup_printf("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
                         "<source file='%s'/><target dev='%s' bus='virtio'/></disk>",
                         path, target);
}

static void
test_stable(void)
{
  g_autoptr(VbTestDriver) t = vb_test_driver_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL, *second = NULL, *boot1 = NULL, *boot2 = NULL;
  g_autofree char *xml = NULL, *dumped = NULL, *disk_a = NULL, *disk_b = NULL;
  g_autoptr(GString) edited = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  GHashTableIter iter;
  gpointer id, where;
  VbDomainObj *domain;

  if (t == NULL)
    return;
  first = image(t, "a.img");
  second = image(t, "b.img");
  disk_a = disk_xml(first, "vda");
  xml = vb_test_guest_xml(t, "abi", NULL, NULL, disk_a);
  domain = vb_test_define(t, xml);
  before = root_addresses(vb_domain_obj_get_persistent_def(domain));
  g_assert_cmpuint(g_hash_table_size(before), >, 0);

  /* the user adds a disk and a NIC to the dumped XML and defines it again */
  dumped = vb_domain_def_format(vb_domain_obj_get_persistent_def(domain), VB_DOMAIN_XML_INACTIVE,
                                &error);
  g_assert_no_error(error);
  disk_b = disk_xml(second, "vdb");
  edited = g_string_new(dumped);
  {
    g_autofree char *added = g_strdup_printf("%s<interface type='user'/></devices>", disk_b);

    g_string_replace(edited, "</devices>", added, 1);
  }
  domain = vb_test_define(t, edited->str);
  after = root_addresses(vb_domain_obj_get_persistent_def(domain));
  g_hash_table_iter_init(&iter, before);
  while (g_hash_table_iter_next(&iter, &id, &where)) {
    if (g_strcmp0(g_hash_table_lookup(after, id), where) != 0)
      g_error("'%s' moved from %s to %s when devices were added", (char *)id, (char *)where,
              (char *)g_hash_table_lookup(after, id));
  }

  /* two boots, the same hardware; and it is the XML's */
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  boot1 = query_pci(t, domain);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  vb_test_ok(t, VB_TEST_START_PAUSED, domain);
  boot2 = query_pci(t, domain);
  vb_test_ok(t, VB_TEST_DESTROY, domain);
  g_assert_cmpstr(boot1, ==, boot2);
  g_hash_table_iter_init(&iter, after);
  while (g_hash_table_iter_next(&iter, &id, &where)) {
    g_autofree char *line = g_strdup_printf("%s %s\n", (char *)where, (char *)id);
    /* the machine's own devices (q35's SATA) have no id of ours */
    g_autofree char *builtin = g_strdup_printf("%s \n", (char *)where);

    if (strstr(boot1, line) == NULL && strstr(boot1, builtin) == NULL)
      g_error("query-pci does not show '%s' at %s:\n%s", (char *)id, (char *)where, boot1);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/guest-abi/stable", test_stable);
  g_test_add_func("/guest-abi/cpu-and-memory", test_cpu_and_memory);
  g_test_add_func("/guest-abi/usb-cdrom", test_usb_cdrom);
  g_test_add_func("/guest-abi/usb-hub", test_usb_hub);
  return g_test_run();
}
