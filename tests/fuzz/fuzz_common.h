/* Shared helpers of the libFuzzer targets: the input written to a temporary file for the
 * loaders that take a path, and the data files the loaders need beside the input. */
#ifndef LIFECIRCLE_FUZZ_COMMON_H
#define LIFECIRCLE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "lifecircle/categories.h"
#include "lifecircle/geom.h"
#include "lifecircle/groups.h"
#include "lifecircle/profile.h"

/* Writes the input to a file of this process named with `suffix` (".yml", ".csv", ...) in
 * $TMPDIR (or /tmp) and returns its path (a static buffer per suffix slot `slot`, 0..3).
 * Aborts when the file cannot be written: that is the harness failing, not the loader. */
const char *fuzz_file(int slot, const uint8_t *data, size_t size, const char *suffix);

/* Silences logging (errors only) once. */
void fuzz_quiet(void);

/* The project's data files, loaded once (abort when they do not load). */
const struct category_set *fuzz_categories(void);
const struct group_set *fuzz_groups(void);
const struct profile *fuzz_profile(void);
const struct polygon_set *fuzz_polygons(void);

/* One OSM import (import_osm through readosm, default profile and categories) of the input
 * written as a file with `suffix` (".osm" XML or ".pbf"), as both OSM targets run it. */
int fuzz_osm(const uint8_t *data, size_t size, const char *suffix);

#endif
