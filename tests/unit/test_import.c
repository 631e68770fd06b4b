/* Tests of the OSM import on hand-made fixtures (tests/fixtures/osm/) with the shipped walking
 * profile (inputs/profiles/walk.yml) and a small category set.
 *
 * Expected lengths: the fixtures lie on a 0.001-degree grid near (121.40, 31.20). Segment
 * lengths were computed once with Debian's python3-geographiclib (Karney's algorithm,
 * independent of the Vincenty code under test):
 *   /usr/bin/python3 -c 'from geographiclib.geodesic import Geodesic; G = Geodesic.WGS84;
 *     print(round(100 * G.Inverse(lat1, lon1, lat2, lon2)["s12"]))'
 * network.osm: 0.001 deg of latitude on lon 121.4 between lat 31.200 and 31.205 is
 *   110.8729 m = 11087 cm (every step); 0.001 deg of longitude at lat 31.202 is 95.3024 m =
 *   9530 cm, at lat 31.205 95.2993 m = 9530 cm; node 9 to 10 (1e-4 deg lat) 11.0873 m =
 *   1109 cm.
 * ring.osm: stem 1-2 110.8733 m = 11087 cm; ring 2-3 95.2833 m = 9528, 3-4 110.8733 m = 11087,
 *   4-5 95.2823 m = 9528, 5-2 110.8733 m = 11087 cm.
 * bare-ring.osm: 1-2 95.2743 m = 9527, 2-3 110.8734 m = 11087, 3-4 95.2733 m = 9527,
 *   4-1 110.8734 m = 11087 cm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/categories.h"
#include "lifecircle/import.h"
#include "lifecircle/osm.h"
#include "lifecircle/profile.h"
#include "lifecircle/status.h"

static struct profile test_prof;
static struct category_set test_cats;

static int test_import_setup(void) {
  char buf[4096];
  const char *root = getenv("LC_ROOT");
  snprintf(buf, sizeof buf, "%s/inputs/profiles/walk.yml", root ? root : ".");
  if (profile_load(buf, &test_prof) != LC_OK) {
    fprintf(stderr, "%s\n", lc_error_message());
    return 1;
  }
  if (categories_load(lc_fixture("osm/categories-test.yml"), &test_cats) != LC_OK) {
    fprintf(stderr, "%s\n", lc_error_message());
    return 1;
  }
  return 0;
}

static int test_import_teardown(void) {
  profile_free(&test_prof);
  categories_free(&test_cats);
  return 0;
}

/* Imports fixture files; returns the status. */
static int test_import_run(int n, const char *const *names, struct graph *g, struct poi_set *pois,
                           struct graph_import_stats *st) {
  static char paths[4][4096];
  char *inputs[4];
  for (int i = 0; i < n; i++) {
    snprintf(paths[i], sizeof paths[i], "%s", lc_fixture(names[i]));
    inputs[i] = paths[i];
  }
  poi_init(pois);
  return import_osm(inputs, n, &test_prof, &test_cats, g, pois, st);
}

/* Checks the network.osm graph (shared by the single and the duplicated import). */
static void test_import_check_network(const struct graph *g, const struct poi_set *pois,
                                      const struct graph_import_stats *st) {
  /* Kept nodes: 1 (end), 3 (junction), 5 (factor changes), 6 (end), 7 (factor changes),
   * 12 (end); 2 and 4 are contracted, 8 and 11 belong to removed ways only, 9 and 10 form
   * the dropped component. Nodes are numbered in id order. */
  static const int64_t ids[] = {1, 3, 5, 6, 7, 12};
  CU_ASSERT_EQUAL_FATAL(g->n_nodes, 6);
  for (int i = 0; i < 6; i++)
    CU_ASSERT_EQUAL(g->osm_id[i], ids[i]);
  CU_ASSERT_DOUBLE_EQUAL(g->lon[1], 121.4, 0);
  CU_ASSERT_DOUBLE_EQUAL(g->lat[1], 31.202, 0);
  /* Edges in order of their lower end: 1-3 (way 100, oneway ignored: one undirected edge),
   * 3-5 (101), 3-6 (102, private lane kept), 5-7 (103 steps, cost x2), 7-12 (107, foot=yes
   * beats access=no). Way 104 (foot=no) and 106 (access=no) are gone. */
  static const int64_t eu[] = {0, 1, 1, 2, 4}, ev[] = {1, 2, 3, 4, 5};
  static const int64_t len[] = {22174, 22174, 9530, 11087, 9530};
  static const int64_t cost[] = {22174, 22174, 9530, 22174, 9530};
  static const int64_t way[] = {100, 101, 102, 103, 107};
  CU_ASSERT_EQUAL_FATAL(g->n_edges, 5);
  for (int e = 0; e < 5; e++) {
    CU_ASSERT_EQUAL(g->u[e], eu[e]);
    CU_ASSERT_EQUAL(g->v[e], ev[e]);
    CU_ASSERT_EQUAL(g->length_cm[e], len[e]);
    CU_ASSERT_EQUAL(g->cost_cm[e], cost[e]);
    CU_ASSERT_EQUAL(g->way_id[e], way[e]);
  }
  /* Geometry: the contracted edge 1-3 keeps node 2; straight edges have two points. */
  CU_ASSERT_PTR_NOT_NULL_FATAL(g->geom_off);
  static const int64_t off[] = {0, 3, 6, 8, 10, 12};
  for (int e = 0; e <= 5; e++)
    CU_ASSERT_EQUAL(g->geom_off[e], off[e]);
  static const double lat0[] = {31.200, 31.201, 31.202};
  for (int k = 0; k < 3; k++) {
    CU_ASSERT_DOUBLE_EQUAL(g->geom_lon[k], 121.4, 0);
    CU_ASSERT_DOUBLE_EQUAL(g->geom_lat[k], lat0[k], 0);
  }
  CU_ASSERT_DOUBLE_EQUAL(g->geom_lon[7], 121.401, 0); /* Edge 3-6 ends at node 6. */
  CU_ASSERT_DOUBLE_EQUAL(g->geom_lat[7], 31.202, 0);
  /* Counts. */
  CU_ASSERT_EQUAL(st->walkable_ways, 6);
  CU_ASSERT_EQUAL(st->raw_nodes, 8);
  CU_ASSERT_EQUAL(st->raw_edges, 7);
  CU_ASSERT_EQUAL(st->components, 2);
  CU_ASSERT_EQUAL(st->dropped_nodes, 2);
  CU_ASSERT_EQUAL(st->dropped_edges, 1);
  CU_ASSERT_EQUAL(st->dropped_length_cm, 1109);
  CU_ASSERT_EQUAL(st->pois_unplaced, 0);
  CU_ASSERT_EQUAL(pois->n, 0);
}

static void test_import_network(void) {
  struct graph g;
  struct poi_set pois;
  struct graph_import_stats st;
  const char *names[] = {"osm/network.osm"};
  CU_ASSERT_EQUAL_FATAL(test_import_run(1, names, &g, &pois, &st), LC_OK);
  CU_ASSERT_EQUAL(st.osm_nodes, 12);
  CU_ASSERT_EQUAL(st.osm_ways, 8);
  CU_ASSERT_EQUAL(st.osm_relations, 0);
  test_import_check_network(&g, &pois, &st);
  graph_free(&g);
  poi_free(&pois);
}

/* The same file twice: every element is a duplicate and is kept once. */
static void test_import_duplicates(void) {
  struct graph g;
  struct poi_set pois;
  struct graph_import_stats st;
  const char *names[] = {"osm/network.osm", "osm/network.osm"};
  CU_ASSERT_EQUAL_FATAL(test_import_run(2, names, &g, &pois, &st), LC_OK);
  CU_ASSERT_EQUAL(st.osm_nodes, 24);
  CU_ASSERT_EQUAL(st.osm_ways, 16);
  test_import_check_network(&g, &pois, &st);
  graph_free(&g);
  poi_free(&pois);
}

static void test_import_rings(void) {
  struct graph g;
  struct poi_set pois;
  struct graph_import_stats st;
  /* Lollipop: stem 1-2, and the ring 2-3-4-5-2 split at its middle node 4 into two
   * parallel edges 2-4 (via 3: 9528 + 11087; via 5: 11087 + 9528). */
  const char *ring[] = {"osm/ring.osm"};
  CU_ASSERT_EQUAL_FATAL(test_import_run(1, ring, &g, &pois, &st), LC_OK);
  CU_ASSERT_EQUAL_FATAL(g.n_nodes, 3);
  CU_ASSERT_EQUAL(g.osm_id[0], 1);
  CU_ASSERT_EQUAL(g.osm_id[1], 2);
  CU_ASSERT_EQUAL(g.osm_id[2], 4);
  CU_ASSERT_EQUAL_FATAL(g.n_edges, 3);
  CU_ASSERT(g.u[0] == 0 && g.v[0] == 1 && g.length_cm[0] == 11087);
  CU_ASSERT(g.u[1] == 1 && g.v[1] == 2 && g.length_cm[1] == 9528 + 11087);
  CU_ASSERT(g.u[2] == 1 && g.v[2] == 2 && g.length_cm[2] == 11087 + 9528);
  for (int e = 0; e < 3; e++)
    CU_ASSERT(g.u[e] != g.v[e]);                     /* No self-loops. */
  CU_ASSERT_EQUAL(g.geom_off[3] - g.geom_off[2], 3); /* 2, 5, 4. */
  CU_ASSERT_EQUAL(st.raw_nodes, 5);
  CU_ASSERT_EQUAL(st.raw_edges, 5);
  graph_free(&g);
  poi_free(&pois);
  /* A bare ring 1-2-3-4-1: nodes 1 and 3, two parallel edges of 9527 + 11087 cm. */
  const char *bare[] = {"osm/bare-ring.osm"};
  CU_ASSERT_EQUAL_FATAL(test_import_run(1, bare, &g, &pois, &st), LC_OK);
  CU_ASSERT_EQUAL_FATAL(g.n_nodes, 2);
  CU_ASSERT_EQUAL(g.osm_id[0], 1);
  CU_ASSERT_EQUAL(g.osm_id[1], 3);
  CU_ASSERT_EQUAL_FATAL(g.n_edges, 2);
  CU_ASSERT_EQUAL(g.length_cm[0], 9527 + 11087);
  CU_ASSERT_EQUAL(g.length_cm[1], 11087 + 9527);
  CU_ASSERT_EQUAL(graph_total_length_cm(&g), 2 * (9527 + 11087));
  graph_free(&g);
  poi_free(&pois);
}

static void test_import_pois(void) {
  struct graph g;
  struct poi_set pois;
  struct graph_import_stats st;
  const char *names[] = {"osm/pois.osm"};
  CU_ASSERT_EQUAL_FATAL(test_import_run(1, names, &g, &pois, &st), LC_OK);
  /* Rows sorted by (type, id, category); categories 0 kindergarten, 1 green_space,
   * 2 school. */
  CU_ASSERT_EQUAL_FATAL(pois.n, 6);
  static const int types[] = {POI_NODE, POI_NODE, POI_NODE, POI_WAY, POI_WAY, POI_RELATION};
  static const int64_t ids[] = {701, 701, 702, 801, 802, 901};
  static const int cats[] = {0, 1, 0, 1, 2, 2};
  /* Node POIs at their nodes; the L-shaped park at its area centroid (5/6, 5/6) x 0.001 deg
   * from (121.41, 31.21); the open way at the mean of its vertices; the multipolygon at the
   * mean of its outer ring's four corners (the inner ring does not count). */
  const double lon[] = {121.4085,           121.4085,           121.4086,
                        121.41 + 0.005 / 6, 121.42 + 0.002 / 3, 121.431};
  const double lat[] = {31.2085, 31.2085, 31.2086, 31.21 + 0.005 / 6, 31.21 + 0.002 / 3, 31.211};
  static const char *const name[] = {"阳光幼儿园", "阳光幼儿园", "Kids", "L Park", "", "MP School"};
  for (int i = 0; i < 6; i++) {
    CU_ASSERT_EQUAL(pois.osm_type[i], types[i]);
    CU_ASSERT_EQUAL(pois.osm_id[i], ids[i]);
    CU_ASSERT_EQUAL(pois.category[i], cats[i]);
    CU_ASSERT_DOUBLE_EQUAL(pois.lon[i], lon[i], 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(pois.lat[i], lat[i], 1e-9);
    CU_ASSERT_STRING_EQUAL(pois.name[i], name[i]);
  }
  /* Relation 902 (member way absent) and way 803 (node absent) are unplaced. */
  CU_ASSERT_EQUAL(st.pois_unplaced, 2);
  CU_ASSERT_EQUAL(st.osm_relations, 3);
  CU_ASSERT_EQUAL(g.n_edges, 1);
  graph_free(&g);
  poi_free(&pois);
}

/* Expects an import of one fixture (or path) to fail with status, naming the file and
 * containing each of the given parts. */
static void test_import_fails(const char *path, int status, const char *part1, const char *part2) {
  struct graph g;
  struct poi_set pois;
  struct graph_import_stats st;
  char *inputs[1] = {(char *)path};
  poi_init(&pois);
  int rc = import_osm(inputs, 1, &test_prof, &test_cats, &g, &pois, &st);
  CU_ASSERT_EQUAL(rc, status);
  const char *msg = lc_error_message();
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, path));
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, part1));
  if (part2)
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, part2));
  if (rc != status || !strstr(msg, path) || !strstr(msg, part1) || (part2 && !strstr(msg, part2)))
    fprintf(stderr, "\n%s: status %d, message: %s\n", path, rc, msg);
  CU_ASSERT_EQUAL(g.n_nodes, 0);
  graph_free(&g);
  poi_free(&pois);
}

static void test_import_errors(void) {
  char p[4096];
  snprintf(p, sizeof p, "%s", lc_fixture("osm/bad-missing-node.osm"));
  test_import_fails(p, LC_EFORMAT, "way 500", "node 999");
  snprintf(p, sizeof p, "%s", lc_fixture("osm/bad-lat.osm"));
  test_import_fails(p, LC_EFORMAT, "node 77", "lat=95");
  snprintf(p, sizeof p, "%s", lc_fixture("osm/bad-nan.osm"));
  test_import_fails(p, LC_EFORMAT, "node 78", "nan");
  snprintf(p, sizeof p, "%s", lc_fixture("osm/bad-garbage.osm"));
  test_import_fails(p, LC_EFORMAT, "XML", NULL);
  snprintf(p, sizeof p, "%s", lc_fixture("osm/bad-empty.osm"));
  test_import_fails(p, LC_EEMPTY, "no walkable edge", NULL);
  snprintf(p, sizeof p, "%s", lc_fixture("osm/absent.osm"));
  test_import_fails(p, LC_EIO, "cannot open", NULL);
  snprintf(p, sizeof p, "%s", lc_fixture("osm/categories-test.yml"));
  test_import_fails(p, LC_EFORMAT, "unsupported input suffix", NULL);
  snprintf(p, sizeof p, "%s", lc_fixture("osm/network.osm.gz"));
  test_import_fails(p, LC_EFORMAT, "decompress first", "gunzip -k");
}

/* The store sorts nodes by id (negative ids included) and keeps one copy of each node read
 * twice at the same position; one id at two positions is refused. */
static void test_import_store_sort(void) {
  struct osm_store st;
  osm_store_init(&st);
  static const int64_t ids[] = {5, -3, 1000000000000LL, 2, 5, -3, 70000, 1};
  int n = (int)(sizeof ids / sizeof ids[0]);
  st.node = malloc((size_t)n * sizeof *st.node);
  CU_ASSERT_PTR_NOT_NULL_FATAL(st.node);
  /* The position is a function of the id, so the copies agree. */
  for (int i = 0; i < n; i++)
    st.node[i] = (struct osm_node){ids[i], (int32_t)(ids[i] % 1000), -(int32_t)(ids[i] % 977)};
  st.n_node = st.cap_node = n;
  CU_ASSERT_EQUAL_FATAL(osm_store_finish(&st), LC_OK);
  static const int64_t want[] = {-3, 1, 2, 5, 70000, 1000000000000LL};
  CU_ASSERT_EQUAL_FATAL(st.n_node, 6);
  CU_ASSERT_EQUAL(st.dup_nodes, 2);
  for (int i = 0; i < 6; i++) {
    CU_ASSERT_EQUAL(st.node[i].id, want[i]);
    CU_ASSERT_EQUAL(st.node[i].lon7, (int32_t)(want[i] % 1000));
    CU_ASSERT_EQUAL(osm_node_find(&st, want[i]), i);
  }
  CU_ASSERT_EQUAL(osm_node_find(&st, 3), -1);
  osm_store_free(&st);

  /* Node 5 at two positions. */
  osm_store_init(&st);
  st.node = malloc(2 * sizeof *st.node);
  CU_ASSERT_PTR_NOT_NULL_FATAL(st.node);
  st.node[0] = (struct osm_node){5, 10, 20};
  st.node[1] = (struct osm_node){5, 11, 20};
  st.n_node = st.cap_node = 2;
  CU_ASSERT_EQUAL(osm_store_finish(&st), LC_EFORMAT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lc_error_message(), "node 5 appears twice"));
  osm_store_free(&st);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("import", test_import_setup, test_import_teardown);
  if (!s || !CU_add_test(s, "walking network", test_import_network) ||
      !CU_add_test(s, "duplicates across inputs", test_import_duplicates) ||
      !CU_add_test(s, "rings", test_import_rings) || !CU_add_test(s, "POIs", test_import_pois) ||
      !CU_add_test(s, "bad inputs", test_import_errors) ||
      !CU_add_test(s, "node store sort", test_import_store_sort))
    return 1;
  return 0;
}
