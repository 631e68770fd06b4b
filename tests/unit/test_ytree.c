/* Tests of the YAML tree: positions, paths, duplicates, unused keys. */
#include <string.h>

#include "lc_test.h"
#include "lifecircle/status.h"
#include "lifecircle/ytree.h"

static void test_ytree_paths(void) {
  const char *doc = "Graph:\n  file: a.h5\n  seed: 7\nlayers:\n  - path: x.csv\n    crs: gcj02\n";
  struct ytree t;
  CU_ASSERT_EQUAL_FATAL(ytree_parse(doc, strlen(doc), "doc.yml", &t), LC_OK);
  struct ytree_node *n = ytree_path(t.root, "Graph:file");
  CU_ASSERT_PTR_NOT_NULL_FATAL(n);
  CU_ASSERT_STRING_EQUAL(n->value, "a.h5");
  CU_ASSERT_EQUAL(n->line, 2);
  CU_ASSERT_EQUAL(n->column, 9);
  n = ytree_path(t.root, "layers:0:crs");
  CU_ASSERT_PTR_NOT_NULL_FATAL(n);
  CU_ASSERT_STRING_EQUAL(n->value, "gcj02");
  CU_ASSERT_PTR_NULL(ytree_path(t.root, "layers:1:crs"));
  CU_ASSERT_PTR_NULL(ytree_path(t.root, "Graph:missing"));
  ytree_path(t.root, "Graph:file")->used = 1;
  ytree_mark_used(ytree_path(t.root, "layers"));
  /* Only Graph:seed is left unread. */
  CU_ASSERT_EQUAL(ytree_unused(t.root, "", NULL, NULL), 1);
  ytree_free(&t);
}

static void test_ytree_errors(void) {
  struct ytree t;
  const char *dup = "a: 1\nb: 2\na: 3\n";
  CU_ASSERT_EQUAL(ytree_parse(dup, strlen(dup), "dup.yml", &t), LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "dup.yml:3:1"));
  const char *bad = "a: [1, 2\n";
  CU_ASSERT_EQUAL(ytree_parse(bad, strlen(bad), "bad.yml", &t), LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "bad.yml:"));
  const char *alias = "a: &x 1\nb: *x\n";
  CU_ASSERT_EQUAL(ytree_parse(alias, strlen(alias), "alias.yml", &t), LC_EFORMAT);
  CU_ASSERT_EQUAL(ytree_parse("", 0, "empty.yml", &t), LC_EFORMAT);
  CU_ASSERT_EQUAL(ytree_load("/nonexistent/file.yml", &t), LC_EIO);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("ytree", NULL, NULL);
  if (!s || !CU_add_test(s, "paths and positions", test_ytree_paths) ||
      !CU_add_test(s, "errors", test_ytree_errors))
    return 1;
  return 0;
}
