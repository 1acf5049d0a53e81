/* test-json.c: the typed readers of foreign JSON and the one JSON writer (util/vb-json).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>

#include "vb-error.h"
#include "vb-json.h"

static JsonObject *
object_of(JsonNode **node, const char *text)
{
  g_autoptr(GError) error = NULL;

  *node = json_from_string(text, &error);
  g_assert_no_error(error);
  return json_node_get_object(*node);
}

static void
test_readers(void)
{
  VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "the reply"};
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o = object_of(&node, "{\"s\": \"x\", \"i\": 42, \"f\": 1.5, \"b\": true, "
                                   "\"o\": {}, \"a\": [\"p\", \"q\"], \"n\": null}");
  g_autoptr(GError) error = NULL;
  const char *s = "unchanged";
  gint64 i = -1;
  gboolean b = FALSE;
  JsonObject *inner = NULL;
  g_auto(GStrv) strv = NULL;

  g_assert_true(vb_json_get_string(&scope, o, "s", TRUE, &s, &error));
  g_assert_cmpstr(s, ==, "x");
  g_assert_true(vb_json_get_int(&scope, o, "i", TRUE, 0, 100, &i, &error));
  g_assert_cmpint(i, ==, 42);
  g_assert_true(vb_json_get_bool(&scope, o, "b", TRUE, &b, &error));
  g_assert_true(b);
  g_assert_true(vb_json_get_object(&scope, o, "o", TRUE, &inner, &error));
  g_assert_nonnull(inner);
  g_assert_true(vb_json_get_strv(&scope, o, "a", TRUE, &strv, &error));
  g_assert_cmpstrv(strv, ((const char *const[]){"p", "q", NULL}));
  /* missing and optional: TRUE, the output untouched */
  s = "unchanged";
  g_assert_true(vb_json_get_string(&scope, o, "nope", FALSE, &s, &error));
  g_assert_cmpstr(s, ==, "unchanged");
  g_assert_true(vb_json_get_string(&scope, NULL, "nope", FALSE, &s, &error));
  g_assert_no_error(error);
}

static void
test_reader_errors(void)
{
  static const struct {
    const char *name;
    char kind; /* s, i, b, o, a, v (strv) */
    const char *message;
  } cases[] = {
      {"nope", 's', "the reply has no member \"nope\""},
      {"i", 's', "the reply: member \"i\" is an integer, not a string"},
      {"f", 'i', "the reply: member \"f\" is a number with a fraction, not an integer"},
      {"big", 'i', "the reply: member \"big\" is 101, outside 0..100"},
      {"s", 'b', "the reply: member \"s\" is a string, not a boolean"},
      {"n", 'o', "the reply: member \"n\" is null, not an object"},
      {"o", 'a', "the reply: member \"o\" is an object, not an array"},
      {"mixed", 'v', "the reply: item 1 of \"mixed\" is an array, not a string"},
  };
  VbJsonScope scope = {VB_ERROR_MONITOR_ERROR, "the reply"};
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o = object_of(&node, "{\"s\": \"x\", \"i\": 42, \"f\": 1.5, \"big\": 101, "
                                   "\"o\": {}, \"n\": null, \"mixed\": [\"p\", []]}");

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    const char *s = NULL;
    gint64 n = 0;
    gboolean b = FALSE;
    JsonObject *obj = NULL;
    JsonArray *array = NULL;
    g_auto(GStrv) strv = NULL;
    gboolean ok = FALSE;

    switch (cases[i].kind) {
    case 's':
      ok = vb_json_get_string(&scope, o, cases[i].name, TRUE, &s, &error);
      break;
    case 'i':
      ok = vb_json_get_int(&scope, o, cases[i].name, TRUE, 0, 100, &n, &error);
      break;
    case 'b':
      ok = vb_json_get_bool(&scope, o, cases[i].name, TRUE, &b, &error);
      break;
    case 'o':
      ok = vb_json_get_object(&scope, o, cases[i].name, TRUE, &obj, &error);
      break;
    case 'a':
      ok = vb_json_get_array(&scope, o, cases[i].name, TRUE, &array, &error);
      break;
    case 'v':
      ok = vb_json_get_strv(&scope, o, cases[i].name, TRUE, &strv, &error);
      break;
    default:
      g_assert_not_reached();
    }
    g_assert_false(ok);
    g_assert_error(error, VB_ERROR, VB_ERROR_MONITOR_ERROR);
    g_assert_cmpstr(error->message, ==, cases[i].message);
  }
}

static void
test_write(void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  g_autoptr(JsonNode) good = NULL;
  g_autoptr(JsonNode) bad = json_node_new(JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *refused = NULL;

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "path");
  json_builder_add_string_value(builder, "/a\"b\\\nc é");
  json_builder_end_object(builder);
  good = json_builder_get_root(builder);
  text = vb_json_write(good, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(text, ==, "{\"path\":\"/a\\\"b\\\\\\nc é\"}");

  json_node_set_string(bad, "\xff\xfe");
  refused = vb_json_write(bad, &error);
  g_assert_null(refused);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_ARGS);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/json/readers", test_readers);
  g_test_add_func("/virtbus/json/reader-errors", test_reader_errors);
  g_test_add_func("/virtbus/json/write", test_write);
  return g_test_run();
}
