/* The floor of the import benchmark: reads an OSM file with libreadosm and only counts the
 * nodes and ways, so that bench_import.sh can show how much of lifecircle's import time is
 * the parsing library itself. Usage: readosm_count FILE.osm|FILE.osm.pbf */
#include <readosm.h>
#include <stdio.h>

static long long readosm_count_nodes, readosm_count_ways;

static int readosm_count_node(const void *user, const readosm_node *node) {
  (void)user;
  (void)node;
  readosm_count_nodes++;
  return READOSM_OK;
}

static int readosm_count_way(const void *user, const readosm_way *way) {
  (void)user;
  (void)way;
  readosm_count_ways++;
  return READOSM_OK;
}

int main(int argc, char **argv) {
  const void *h = NULL;
  if (argc != 2) {
    fprintf(stderr, "usage: readosm_count FILE\n");
    return 2;
  }
  int rc = readosm_open(argv[1], &h);
  if (rc != READOSM_OK) {
    fprintf(stderr, "readosm_count: cannot open %s (readosm error %d)\n", argv[1], rc);
    return 1;
  }
  rc = readosm_parse(h, NULL, readosm_count_node, readosm_count_way, NULL);
  readosm_close(h);
  if (rc != READOSM_OK) {
    fprintf(stderr, "readosm_count: %s: parse error %d\n", argv[1], rc);
    return 1;
  }
  printf("%lld nodes %lld ways\n", readosm_count_nodes, readosm_count_ways);
  return 0;
}
