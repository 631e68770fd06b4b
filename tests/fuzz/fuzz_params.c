/* Fuzzes the parameter file (params_from_string) and the typed getters the run uses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "lifecircle/params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  struct params p;
  if (params_from_string(text, "fuzz.yml", &p) == 0) {
    long l;
    double d;
    int b, n, idx;
    const char *s;
    static const char *const crs[] = {"wgs84", "gcj02", "bd09"};
    (void)params_get_int_or(&p, "Accessibility:k", 1, 64, "facilities", 8, &l);
    (void)params_get_int(&p, "Run:seed", 0, 2147483647, "", &l);
    (void)params_get_double_or(&p, "Facilities:max_snap_m", 1, 5000, "m", 300, &d);
    (void)params_get_double(&p, "A:x", -INFINITY, INFINITY, "", &d);
    (void)params_get_bool_or(&p, "Run:strict", 0, &b);
    (void)params_get_string_or(&p, "Run:name", "x", &s);
    (void)params_get_choice(&p, "Facilities:layers:0:crs", crs, 3, &idx);
    if (params_count(&p, "Graph:osm", &n) == 0)
      for (int i = 0; i < n && i < 4; i++) {
        char key[64];
        snprintf(key, sizeof key, "Graph:osm:%d", i);
        (void)params_get_string(&p, key, &s);
      }
    (void)params_report_unused(&p, 1);
    char *used = NULL;
    if (params_used_yaml(&p, &used) == 0)
      free(used);
    params_free(&p);
  }
  free(text);
  return 0;
}
