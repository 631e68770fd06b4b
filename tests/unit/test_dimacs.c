/* Tests of the DIMACS reader: a tiny hand-checked graph with coordinates, and every error
 * with the file and line it names. */
#include <stdio.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/dimacs.h"
#include "lifecircle/graph.h"
#include "lifecircle/status.h"

/* tiny.gr, by hand (see the comments in the fixture): edges in (min, max) order
 * {1,2} 7 m, {1,4} 2 m, {2,3} 4 m (smaller of 5 and 4), {3,4} 10 m; the self-loop 4->4 is
 * dropped; node 5 is isolated. */
static void test_dimacs_tiny(void) {
  struct graph g;
  CU_ASSERT_EQUAL_FATAL(dimacs_read(lc_fixture("dimacs/tiny.gr"), NULL, &g), LC_OK);
  CU_ASSERT_EQUAL(g.n_nodes, 5);
  CU_ASSERT_EQUAL_FATAL(g.n_edges, 4);
  const int64_t u[] = {0, 0, 1, 2}, v[] = {1, 3, 2, 3}, len[] = {700, 200, 400, 1000};
  for (int e = 0; e < 4; e++) {
    CU_ASSERT_EQUAL(g.u[e], u[e]);
    CU_ASSERT_EQUAL(g.v[e], v[e]);
    CU_ASSERT_EQUAL(g.length_cm[e], len[e]);
    CU_ASSERT_EQUAL(g.cost_cm[e], len[e]);
    CU_ASSERT_EQUAL(g.way_id[e], -1);
  }
  for (int i = 0; i < 5; i++) {
    CU_ASSERT_EQUAL(g.osm_id[i], i + 1);
    CU_ASSERT_EQUAL(g.lon[i], 0.0);
    CU_ASSERT_EQUAL(g.lat[i], 0.0);
  }
  CU_ASSERT_PTR_NULL(g.geom_off);
  /* The result is a usable graph: node 1 (index 0) has neighbours 2 and 4. */
  CU_ASSERT_EQUAL_FATAL(graph_build_csr(&g), LC_OK);
  CU_ASSERT_EQUAL(g.adj_off[1] - g.adj_off[0], 2);
  CU_ASSERT_EQUAL(g.adj_off[5] - g.adj_off[4], 0);
  CU_ASSERT_EQUAL(graph_total_length_cm(&g), 2300);
  graph_free(&g);
}

static void test_dimacs_coords(void) {
  struct graph g;
  char gr[1024]; /* lc_fixture returns a static buffer: keep a copy of the first path. */
  snprintf(gr, sizeof gr, "%s", lc_fixture("dimacs/tiny.gr"));
  CU_ASSERT_EQUAL_FATAL(dimacs_read(gr, lc_fixture("dimacs/tiny.co"), &g), LC_OK);
  CU_ASSERT_DOUBLE_EQUAL(g.lon[0], 121.4, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lat[0], 31.2, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lon[1], 121.4015, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lat[1], 31.20025, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lon[2], -73.99, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lat[2], 40.73, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lon[3], 12.492, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lat[3], 41.89, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lon[4], 0.0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(g.lat[4], -1e-6, 1e-15);
  graph_free(&g);
}

/* Writes text to a fresh file with the given suffix and returns its path. */
static const char *write_tmp(const char *suffix, const char *text) {
  const char *path = lc_tmp(suffix);
  FILE *f = fopen(path, "w");
  if (!f)
    return path;
  fputs(text, f);
  fclose(f);
  return path;
}

/* Reads a .gr text (and a .co text when not NULL); expects `status` and a message holding
 * "FILE:LINE" of the file named by `in_co` and the text `what`. */
static void expect(const char *gr, const char *co, int in_co, const char *line, int status,
                   const char *what) {
  const char *gp = write_tmp(".gr", gr);
  const char *cp = co ? write_tmp(".co", co) : NULL;
  struct graph g;
  CU_ASSERT_EQUAL(dimacs_read(gp, cp, &g), status);
  char pos[600];
  snprintf(pos, sizeof pos, "%s:%s", in_co ? cp : gp, line);
  const char *msg = lc_error_message();
  if (!strstr(msg, pos) || !strstr(msg, what)) {
    printf("\nexpected '%s' and '%s' in: %s\n", pos, what, msg);
    CU_FAIL("message does not name the file, the line and the problem");
  }
  CU_ASSERT_EQUAL(g.n_nodes, 0);
  CU_ASSERT_PTR_NULL(g.u);
}

static void test_dimacs_errors(void) {
  const char *ok3 = "p sp 3 2\na 1 2 5\na 2 3 6\n";
  /* Problem line. */
  expect("c only comments\n\n", NULL, 0, "2:", LC_EFORMAT, "no problem line");
  expect("c x\na 1 2 3\n", NULL, 0, "2:", LC_EFORMAT, "arc before the problem line");
  expect("p sp 3 1\np sp 3 1\na 1 2 3\n", NULL, 0, "2:", LC_EFORMAT,
         "second problem line (the first is at line 1)");
  expect("p sp 3\n", NULL, 0, "1:", LC_EFORMAT, "malformed problem line");
  expect("p max 3 1\n", NULL, 0, "1:", LC_EFORMAT, "malformed problem line");
  expect("p sp 0 0\n", NULL, 0, "1:", LC_EFORMAT, "malformed problem line");
  expect("p sp 3 -1\n", NULL, 0, "1:", LC_EFORMAT, "malformed problem line");
  /* Malformed arcs. */
  expect("p sp 3 1\na 1 2\n", NULL, 0, "2:", LC_EFORMAT, "malformed arc line");
  expect("p sp 3 1\na 1 2 x\n", NULL, 0, "2:", LC_EFORMAT, "malformed arc line");
  expect("p sp 3 1\na 1 2 3 4\n", NULL, 0, "2:", LC_EFORMAT, "malformed arc line");
  expect("p sp 3 1\na 1 2 3.5\n", NULL, 0, "2:", LC_EFORMAT, "malformed arc line");
  expect("p sp 3 1\nc ok\nx 1 2 3\n", NULL, 0, "3:", LC_EFORMAT, "unknown line type 'x'");
  expect("p sp 3 1\ncomment without a blank\n", NULL, 0, "2:", LC_EFORMAT, "unknown line type");
  /* Weights. */
  expect("p sp 3 1\na 1 2 0\n", NULL, 0, "2:", LC_EFORMAT, "weight 0");
  expect("p sp 3 1\na 1 2 -5\n", NULL, 0, "2:", LC_EFORMAT, "weight -5");
  expect("p sp 3 1\na 1 2 99999999999999999\n", NULL, 0, "2:", LC_EFORMAT, "weight");
  /* Node ids. */
  expect("p sp 3 1\na 0 2 1\n", NULL, 0, "2:", LC_EFORMAT, "node id 0 is outside 1..3");
  expect("p sp 3 2\na 1 2 1\na 3 4 1\n", NULL, 0, "3:", LC_EFORMAT, "node id 4 is outside 1..3");
  /* Arc count. */
  expect("p sp 3 3\na 1 2 5\na 2 3 6\n", NULL, 0, "3:", LC_EFORMAT,
         "2 arcs found but the problem line (line 1) announces 3");
  expect("p sp 3 1\na 1 2 5\na 2 3 6\n", NULL, 0, "3:", LC_EFORMAT,
         "more arcs than the 1 announced");
  /* Coordinates. */
  expect(ok3, "p aux sp co 4\n", 1, "1:", LC_EFORMAT, "4 coordinates announced");
  expect(ok3, "v 1 1 1\n", 1, "1:", LC_EFORMAT, "before the problem line");
  expect(ok3, "p aux sp co 3\nv 1 1 1\nv 2 2 2\n", 1, "3:", LC_EFORMAT,
         "2 of 3 nodes have coordinates (node 3 has none)");
  expect(ok3, "p aux sp co 3\nv 1 1 1\nv 1 2 2\nv 3 3 3\n", 1, "3:", LC_EFORMAT,
         "node 1 has coordinates twice");
  expect(ok3, "p aux sp co 3\nv 4 1 1\n", 1, "2:", LC_EFORMAT, "node id 4 is outside 1..3");
  expect(ok3, "p aux sp co 3\nv 1 1\n", 1, "2:", LC_EFORMAT, "malformed coordinate line");
  expect(ok3, "p aux sp co 3\nv 1 200000000 0\n", 1, "2:", LC_EFORMAT, "outside");
  expect(ok3, "p sp 3 2\n", 1, "1:", LC_EFORMAT, "expected \"p aux sp co N\"");
  expect(ok3, "p aux sp co 3\np aux sp co 3\n", 1, "2:", LC_EFORMAT, "second problem line");
  /* Missing files. */
  struct graph g;
  CU_ASSERT_EQUAL(dimacs_read("/nonexistent/x.gr", NULL, &g), LC_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "/nonexistent/x.gr"));
  CU_ASSERT_EQUAL(dimacs_read(write_tmp(".gr", ok3), "/nonexistent/x.co", &g), LC_EIO);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "/nonexistent/x.co"));
  CU_ASSERT_EQUAL(g.n_nodes, 0);
  /* Edge cases that are fine: no arcs at all, CRLF line ends, tabs. */
  CU_ASSERT_EQUAL_FATAL(dimacs_read(write_tmp(".gr", "p sp 2 0\n"), NULL, &g), LC_OK);
  CU_ASSERT_EQUAL(g.n_nodes, 2);
  CU_ASSERT_EQUAL(g.n_edges, 0);
  graph_free(&g);
  CU_ASSERT_EQUAL_FATAL(
      dimacs_read(write_tmp(".gr", "c x\r\np sp 2 1\r\na\t2\t1\t3\r\n"), NULL, &g), LC_OK);
  CU_ASSERT_EQUAL_FATAL(g.n_edges, 1);
  CU_ASSERT_EQUAL(g.u[0], 0);
  CU_ASSERT_EQUAL(g.v[0], 1);
  CU_ASSERT_EQUAL(g.length_cm[0], 300);
  graph_free(&g);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("dimacs", NULL, NULL);
  if (!s || !CU_add_test(s, "tiny graph", test_dimacs_tiny) ||
      !CU_add_test(s, "coordinates", test_dimacs_coords) ||
      !CU_add_test(s, "errors", test_dimacs_errors))
    return 1;
  return 0;
}
