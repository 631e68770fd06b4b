/* Driver of tests/compare_libraries.sh: the same program is built against the engine's
 * hand-written geo.c, rng.c and geom.c of an earlier commit and against today's library-backed
 * ones, and the two outputs are compared line by line.
 *
 *   driver geo  < "lon1 lat1 lon2 lat2" lines   -> "cm metres" per line
 *   driver rng N                                -> N lines of draws of every rng_* function
 *   driver geom FILE.geojson PROPERTY < "lon lat" lines -> the polygon index per line */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/geo.h"
#include "lifecircle/geom.h"
#include "lifecircle/rng.h"

static int cmp_geo(void) {
  double a, b, c, d;
  while (scanf("%lf %lf %lf %lf", &a, &b, &c, &d) == 4) {
    double m = -1;
    int64_t cm = -1;
    if (geo_distance_m(a, b, c, d, &m) != 0 || geo_distance_cm(a, b, c, d, &cm) != 0)
      printf("error\n");
    else
      printf("%" PRId64 " %.9f\n", cm, m);
  }
  return 0;
}

static int cmp_rng(long n) {
  /* Seeds, agents, purposes and indices over their whole ranges; bounds from 2 to near
   * 2^64 so that rng_below's rejection and its further blocks are exercised. */
  for (long i = 0; i < n; i++) {
    uint64_t seed = (uint64_t)i * UINT64_C(0x9E3779B97F4A7C15);
    uint64_t agent = (uint64_t)i * UINT64_C(0xBF58476D1CE4E5B9) + (uint64_t)i;
    uint32_t purpose = (uint32_t)(i % 13), index = (uint32_t)(i / 13);
    uint64_t bound = i % 3 == 0   ? (uint64_t)(i % 1000) + 2
                     : i % 3 == 1 ? (UINT64_MAX / 3) * 2 + (uint64_t)i
                                  : (UINT64_C(1) << 63) + (uint64_t)i;
    uint32_t w[4];
    const uint32_t ctr[4] = {(uint32_t)i, (uint32_t)agent, purpose, index};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    rng_philox4x32_10(ctr, key, w);
    printf("%08" PRIx32 "%08" PRIx32 "%08" PRIx32 "%08" PRIx32 " %016" PRIx64 " %a %a %" PRIu64
           "\n",
           w[0], w[1], w[2], w[3], rng_u64(seed, agent, purpose, index),
           rng_uniform(seed, agent, purpose, index), rng_normal(seed, agent, purpose, index),
           rng_below(seed, agent, purpose, index, bound));
  }
  return 0;
}

static int cmp_geom(const char *file, const char *prop) {
  struct polygon_set ps;
  if (geom_load_polygons(file, prop, &ps) != 0) {
    fprintf(stderr, "cannot load %s\n", file);
    return 1;
  }
  double lon, lat;
  while (scanf("%lf %lf", &lon, &lat) == 2)
    printf("%d\n", geom_locate(&ps, lon, lat));
  geom_free(&ps);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "geo") == 0)
    return cmp_geo();
  if (argc >= 3 && strcmp(argv[1], "rng") == 0)
    return cmp_rng(atol(argv[2]));
  if (argc >= 4 && strcmp(argv[1], "geom") == 0)
    return cmp_geom(argv[2], argv[3]);
  fprintf(stderr, "usage: %s geo | rng N | geom FILE PROPERTY\n", argv[0]);
  return 2;
}
