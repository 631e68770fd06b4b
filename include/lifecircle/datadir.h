/* The engine's own input files (inputs/: categories, groups, walking profile, activities),
 * found beside the program rather than in the current folder. */
#ifndef LIFECIRCLE_DATADIR_H
#define LIFECIRCLE_DATADIR_H

#include "lifecircle/params.h"

/* The path of the shipped input file `name` (relative to inputs/, e.g. "activities.yml"):
 * the installed copy LC_DATADIR/inputs/NAME when the program runs from the install prefix's
 * bin/, else the source tree's LC_SOURCE_DIR/inputs/NAME, each falling back to the other.
 * The path is absolute and lives until the program ends. Returns LC_OK, or LC_EIO naming both
 * places looked in when neither has the file. Local, not thread-safe (startup only). */
int datadir_input(const char *name, const char **path);

/* params_get_string_or with the shipped file `name` as the default: the value of `key` when
 * present (as the user wrote it), else datadir_input(name), recorded as the default used.
 * Returns LC_OK or the error of either. Local. */
int datadir_param(struct params *p, const char *key, const char *name, const char **path);

#endif
