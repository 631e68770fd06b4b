/* Shared helpers of the libFuzzer targets. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lifecircle/import.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

const char *fuzz_file(int slot, const uint8_t *data, size_t size, const char *suffix) {
  static char paths[4][512];
  char *path = paths[slot & 3];
  if (!path[0]) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof paths[0], "%s/lcfuzz-%ld-%d%s", dir && *dir ? dir : "/tmp",
             (long)getpid(), slot, suffix);
  }
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    perror(path);
    abort();
  }
  return path;
}

void fuzz_quiet(void) {
  static int done;
  if (!done) {
    log_init(0, LOG_ERROR);
    done = 1;
  }
}

static void fuzz_need(int rc, const char *what) {
  if (rc != LC_OK) {
    fprintf(stderr, "fuzz harness: cannot load %s: %s\n", what, lc_error_message());
    abort();
  }
}

const struct category_set *fuzz_categories(void) {
  static struct category_set cats;
  static int done;
  if (!done) {
    fuzz_quiet();
    fuzz_need(categories_load(LC_ROOT_DIR "/inputs/categories.yml", &cats), "categories");
    done = 1;
  }
  return &cats;
}

const struct group_set *fuzz_groups(void) {
  static struct group_set gs;
  static int done;
  if (!done) {
    fuzz_quiet();
    fuzz_need(group_load(LC_ROOT_DIR "/inputs/groups.yml", &gs), "groups");
    done = 1;
  }
  return &gs;
}

const struct profile *fuzz_profile(void) {
  static struct profile prof;
  static int done;
  if (!done) {
    fuzz_quiet();
    fuzz_need(profile_load(LC_ROOT_DIR "/inputs/profiles/walk.yml", &prof), "profile");
    done = 1;
  }
  return &prof;
}

const struct polygon_set *fuzz_polygons(void) {
  static struct polygon_set ps;
  static int done;
  if (!done) {
    fuzz_quiet();
    fuzz_need(
        geom_load_polygons(LC_ROOT_DIR "/tests/fixtures/population/polygons.geojson", "name", &ps),
        "polygons");
    done = 1;
  }
  return &ps;
}

int fuzz_osm(const uint8_t *data, size_t size, const char *suffix) {
  fuzz_quiet();
  const struct category_set *cats = fuzz_categories();
  const struct profile *prof = fuzz_profile();
  char *inputs[1] = {(char *)fuzz_file(0, data, size, suffix)};
  struct graph g;
  struct poi_set pois;
  struct graph_import_stats stats;
  graph_init(&g);
  poi_init(&pois);
  if (import_osm(inputs, 1, prof, cats, &g, &pois, &stats) == 0)
    graph_free(&g);
  poi_free(&pois);
  return 0;
}
