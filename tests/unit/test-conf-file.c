/* test-conf-file.c: libvirt's configuration syntax, every form and every error position.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "vb-conf-file.h"
#include "vb-error.h"

static VbConfFile *
parse_ok(const char *text)
{
  g_autoptr(GError) error = NULL;
  VbConfFile *file = vb_conf_file_parse("t.conf", text, strlen(text), &error);

  g_assert_no_error(error);
  g_assert_nonnull(file);
  return file;
}

static const VbConfValue *
value_of(const VbConfFile *file, const char *name)
{
  const VbConfEntry *entry = vb_conf_file_lookup(file, name);

  g_assert_nonnull(entry);
  return entry->value;
}

static void
test_empty_and_comments(void)
{
  g_autoptr(VbConfFile) empty = parse_ok("");
  g_autoptr(VbConfFile) comments = parse_ok("# only a comment\n\n   \t\n#another = 1\n;;\n");

  g_assert_cmpuint(vb_conf_file_get_n_entries(empty), ==, 0);
  g_assert_cmpuint(vb_conf_file_get_n_entries(comments), ==, 0);
}

static void
test_integers(void)
{
  g_autoptr(VbConfFile) file = parse_ok("a = 0\nb=42\nc = -7\nd = +9\n"
                                        "e = 9223372036854775807\nf = -9223372036854775808\n");

  g_assert_cmpint(value_of(file, "a")->type, ==, VB_CONF_INTEGER);
  g_assert_cmpint(value_of(file, "a")->integer, ==, 0);
  g_assert_cmpint(value_of(file, "b")->integer, ==, 42);
  g_assert_cmpint(value_of(file, "c")->integer, ==, -7);
  g_assert_cmpint(value_of(file, "d")->integer, ==, 9);
  g_assert_cmpint(value_of(file, "e")->integer, ==, G_MAXINT64);
  g_assert_cmpint(value_of(file, "f")->integer, ==, G_MININT64);
}

static void
test_strings(void)
{
  g_autoptr(VbConfFile) file = parse_ok("double = \"a 'b' # not a comment\"\n"
                                        "single = 'c \"d\"'\n"
                                        "empty = \"\"\n"
                                        "backslash = \"C:\\no\\escapes\"\n"
                                        "utf8 = \"Grüße\"\n"
                                        "triple = \"\"\"first\nsecond \"quoted\"\nthird\"\"\"\n"
                                        "after = 1\n");

  g_assert_cmpint(value_of(file, "double")->type, ==, VB_CONF_STRING);
  g_assert_cmpstr(value_of(file, "double")->string, ==, "a 'b' # not a comment");
  g_assert_cmpstr(value_of(file, "single")->string, ==, "c \"d\"");
  g_assert_cmpstr(value_of(file, "empty")->string, ==, "");
  g_assert_cmpstr(value_of(file, "backslash")->string, ==, "C:\\no\\escapes");
  g_assert_cmpstr(value_of(file, "utf8")->string, ==, "Grüße");
  g_assert_cmpstr(value_of(file, "triple")->string, ==, "first\nsecond \"quoted\"\nthird");
  /* the lines inside the triple-quoted string are counted */
  g_assert_cmpuint(vb_conf_file_lookup(file, "after")->line, ==, 9);
}

static void
test_lists(void)
{
  g_autoptr(VbConfFile) file = parse_ok("empty = []\n"
                                        "one = [ \"x\" ]\n"
                                        "trailing = [ \"x\", \"y\", ]\n"
                                        "multi = [\n"
                                        "    \"/dev/null\",   # the bit bucket\n"
                                        "    # a whole comment line\n"
                                        "\n"
                                        "    '/dev/zero' , 3\n"
                                        "]\n"
                                        "nested = [ [1, 2], [] ]\n");
  const VbConfValue *multi = value_of(file, "multi");
  const VbConfValue *nested = value_of(file, "nested");
  const VbConfValue *item;

  g_assert_cmpint(value_of(file, "empty")->type, ==, VB_CONF_LIST);
  g_assert_cmpuint(value_of(file, "empty")->items->len, ==, 0);
  g_assert_cmpuint(value_of(file, "one")->items->len, ==, 1);
  g_assert_cmpuint(value_of(file, "trailing")->items->len, ==, 2);
  g_assert_cmpuint(multi->items->len, ==, 3);
  item = g_ptr_array_index(multi->items, 1);
  g_assert_cmpstr(item->string, ==, "/dev/zero");
  g_assert_cmpuint(item->line, ==, 8);
  g_assert_cmpuint(item->column, ==, 5);
  item = g_ptr_array_index(multi->items, 2);
  g_assert_cmpint(item->type, ==, VB_CONF_INTEGER);
  g_assert_cmpint(item->integer, ==, 3);
  g_assert_cmpuint(nested->items->len, ==, 2);
  g_assert_cmpuint(((VbConfValue *)g_ptr_array_index(nested->items, 0))->items->len, ==, 2);
}

static void
test_separators_and_positions(void)
{
  g_autoptr(VbConfFile) file = parse_ok("a = 1; b = \"two\" ;c=3 # trailing comment\r\n"
                                        "  _under_score9 = 4\n");
  const VbConfEntry *c = vb_conf_file_lookup(file, "c");
  const VbConfEntry *u = vb_conf_file_lookup(file, "_under_score9");

  g_assert_cmpuint(vb_conf_file_get_n_entries(file), ==, 4);
  g_assert_cmpuint(c->line, ==, 1);
  g_assert_cmpuint(c->column, ==, 19);
  g_assert_cmpuint(c->value->column, ==, 21);
  g_assert_cmpuint(u->line, ==, 2);
  g_assert_cmpuint(u->column, ==, 3);
  g_assert_cmpint(u->value->integer, ==, 4);
}

/* As in libvirt, a repeated setting is kept but the first one is what lookups see. */
static void
test_duplicates_first_wins(void)
{
  g_autoptr(VbConfFile) file = parse_ok("user = \"first\"\nuser = \"second\"\n");

  g_assert_cmpuint(vb_conf_file_get_n_entries(file), ==, 2);
  g_assert_cmpstr(value_of(file, "user")->string, ==, "first");
}

typedef struct {
  const char *text;
  const char *message; /* exact */
} BadCase;

/* Each syntax error names the file, the line and column of the fault, and the setting when one
 * is being read. */
static void
test_syntax_errors(void)
{
  static const BadCase cases[] = {
      {"1abc = 2\n", "t.conf:1:1: expected a setting name, found '1'"},
      {"user \"x\"\n", "t.conf:1:6: setting 'user': expected '=' after the name, found '\"'"},
      {"user\n",
       "t.conf:1:5: setting 'user': expected '=' after the name, found the end of the line"},
      {"a = 1\nuser = \n",
       "t.conf:2:8: setting 'user': expected a value (a quoted string, an integer or a [list]), "
       "found the end of the line"},
      {"user = root\n",
       "t.conf:1:8: setting 'user': expected a value (a quoted string, an integer or a [list]), "
       "found 'r'"},
      {"user = \"root\n",
       "t.conf:1:8: setting 'user': the string opened with \" here is not closed on the same line "
       "(use \"\"\" for text over several lines)"},
      {"user = 'root\"\n",
       "t.conf:1:8: setting 'user': the string opened with ' here is not closed on the same line "
       "(use \"\"\" for text over several lines)"},
      {"x = 1\n\ny = \"\"\"never\nclosed\n",
       "t.conf:3:5: setting 'y': the string opened with \"\"\" here is never closed"},
      {"n = 12abc\n",
       "t.conf:1:5: setting 'n': the integer starting here runs into 'a' (strings need quotes)"},
      {"n = 99999999999999999999\n",
       "t.conf:1:5: setting 'n': the integer starting here is out of the 64-bit range"},
      {"n = 9223372036854775808\n",
       "t.conf:1:5: setting 'n': the integer starting here is out of the 64-bit range"},
      {"n = -\n", "t.conf:1:5: setting 'n': expected digits after the sign"},
      {"a = 1 2\n",
       "t.conf:1:7: setting 'a': expected the end of the line or ';' after the value, found '2'"},
      {"l = [ \"a\" \"b\" ]\n",
       "t.conf:1:11: setting 'l': expected ',' or ']' in the list, found '\"'"},
      {"l = [ \"a\",\n  \"b\",\n",
       "t.conf:3:1: setting 'l': the list opened at line 1, column 5 is never closed"},
      {"l = [ , ]\n",
       "t.conf:1:7: setting 'l': expected a value (a quoted string, an integer or a [list]), "
       "found ','"},
      {"l = [[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]\n",
       "t.conf:1:21: setting 'l': lists nested more than 16 deep"},
      {"s = \"a\001b\" = \n",
       "t.conf:1:11: setting 's': expected the end of the line or ';' after the value, found '='"},
      {"s = \"\xff\xfe\"\n",
       "t.conf:1:5: setting 's': the string starting here is not valid UTF-8"},
      {"name-with-dash = 1\n",
       "t.conf:1:5: setting 'name': expected '=' after the name, found '-'"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VbConfFile) file =
        vb_conf_file_parse("t.conf", cases[i].text, strlen(cases[i].text), &error);

    g_autofree char *shown = g_strescape(cases[i].text, NULL);

    g_test_message("case %zu: %s", i, shown);
    g_assert_null(file);
    g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
    g_assert_cmpstr(error->message, ==, cases[i].message);
  }
}

/* The parser works on a length, not on NUL termination: a NUL byte is an error, not an end. */
static void
test_nul_bytes(void)
{
  static const char text[] = "a = 1\nb = \"x\0y\"\n";
  static const char stray[] = "a = 1\n\0";
  g_autoptr(GError) error = NULL;
  g_autoptr(VbConfFile) file = vb_conf_file_parse("t.conf", text, sizeof text - 1, &error);
  g_autoptr(VbConfFile) file2 = NULL;

  g_assert_null(file);
  g_assert_error(error, VB_ERROR, VB_ERROR_INVALID_CONFIG);
  g_assert_cmpstr(error->message, ==,
                  "t.conf:2:5: setting 'b': the string starting here contains a NUL byte");
  g_clear_error(&error);
  file2 = vb_conf_file_parse("t.conf", stray, sizeof stray - 1, &error);
  g_assert_null(file2);
  g_assert_cmpstr(error->message, ==, "t.conf:2:1: expected a setting name, found byte 0x00");
}

static void
test_typed_getters(void)
{
  g_autoptr(VbConfFile) file = parse_ok("s = \"text\"\nb = 1\nz = 0\ni = 17\n"
                                        "one = \"solo\"\nmany = [\"a\", \"b\"]\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *s = g_strdup("default");
  g_autofree char *absent = g_strdup("default");
  gboolean b = FALSE, z = TRUE, nb = TRUE;
  gint64 i = 0;
  g_auto(GStrv) one = NULL;
  g_auto(GStrv) many = NULL;

  g_assert_true(vb_conf_file_get_string(file, "s", &s, &error));
  g_assert_cmpstr(s, ==, "text");
  g_assert_true(vb_conf_file_get_string(file, "missing", &absent, &error));
  g_assert_cmpstr(absent, ==, "default");
  g_assert_true(vb_conf_file_get_bool(file, "b", &b, &error));
  g_assert_true(b);
  g_assert_true(vb_conf_file_get_bool(file, "z", &z, &error));
  g_assert_false(z);
  g_assert_true(vb_conf_file_get_bool(file, "missing", &nb, &error));
  g_assert_true(nb);
  g_assert_true(vb_conf_file_get_int(file, "i", 0, 100, &i, &error));
  g_assert_cmpint(i, ==, 17);
  g_assert_true(vb_conf_file_get_string_list(file, "one", TRUE, &one, &error));
  g_assert_cmpstrv(one, ((const char *const[]){"solo", NULL}));
  g_assert_true(vb_conf_file_get_string_list(file, "many", FALSE, &many, &error));
  g_assert_cmpstrv(many, ((const char *const[]){"a", "b", NULL}));
  g_assert_no_error(error);
}

static void
test_typed_getter_errors(void)
{
  g_autoptr(VbConfFile) file = parse_ok("s = 5\nb = 2\nbs = \"yes\"\ni = 170\n"
                                        "one = \"solo\"\nmixed = [\"a\",\n  4]\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *s = NULL;
  gboolean b = FALSE;
  gint64 i = 0;
  g_auto(GStrv) strv = NULL;

  g_assert_false(vb_conf_file_get_string(file, "s", &s, &error));
  g_assert_cmpstr(error->message, ==,
                  "t.conf:1:5: setting 's': expected a quoted string, found an integer");
  g_clear_error(&error);
  g_assert_false(vb_conf_file_get_bool(file, "b", &b, &error));
  g_assert_cmpstr(error->message, ==, "t.conf:2:5: setting 'b': expected 0 or 1, found 2");
  g_clear_error(&error);
  g_assert_false(vb_conf_file_get_bool(file, "bs", &b, &error));
  g_assert_cmpstr(error->message, ==, "t.conf:3:6: setting 'bs': expected 0 or 1, found a string");
  g_clear_error(&error);
  g_assert_false(vb_conf_file_get_int(file, "i", 0, 100, &i, &error));
  g_assert_cmpstr(error->message, ==,
                  "t.conf:4:5: setting 'i': 170 is out of range: allowed are 0 to 100");
  g_clear_error(&error);
  g_assert_false(vb_conf_file_get_string_list(file, "one", FALSE, &strv, &error));
  g_assert_cmpstr(error->message, ==,
                  "t.conf:5:7: setting 'one': expected a list of quoted strings, found a string");
  g_clear_error(&error);
  g_assert_false(vb_conf_file_get_string_list(file, "mixed", TRUE, &strv, &error));
  g_assert_cmpstr(error->message, ==,
                  "t.conf:7:3: setting 'mixed': list items must be quoted strings, found an "
                  "integer");
  g_assert_null(strv);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtbus/conf-file/empty-and-comments", test_empty_and_comments);
  g_test_add_func("/virtbus/conf-file/integers", test_integers);
  g_test_add_func("/virtbus/conf-file/strings", test_strings);
  g_test_add_func("/virtbus/conf-file/lists", test_lists);
  g_test_add_func("/virtbus/conf-file/separators-and-positions", test_separators_and_positions);
  g_test_add_func("/virtbus/conf-file/duplicates-first-wins", test_duplicates_first_wins);
  g_test_add_func("/virtbus/conf-file/syntax-errors", test_syntax_errors);
  g_test_add_func("/virtbus/conf-file/nul-bytes", test_nul_bytes);
  g_test_add_func("/virtbus/conf-file/typed-getters", test_typed_getters);
  g_test_add_func("/virtbus/conf-file/typed-getter-errors", test_typed_getter_errors);
  return g_test_run();
}
