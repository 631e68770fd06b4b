/* The walking profile (inputs/profiles/walk.yml): which OSM ways a pedestrian may use and
 * how much each costs relative to flat walking. Nothing about walkability lives in code.
 *
 * A way is walkable when its `highway` value is listed under `highway`, and the `foot` tag
 * (when its value is listed under foot:allow or foot:forbid) or else the `access` tag (when
 * listed under access:forbid) does not forbid it. Values listed nowhere give no verdict.
 * `oneway` is ignored: pedestrians walk both ways. The cost factor of a way is its highway
 * value's factor times the factor of every `factors` rule whose tags all match; a way's
 * cost class encodes (highway value, matching rules) so that its factor is known later. */
#ifndef LIFECIRCLE_PROFILE_H
#define LIFECIRCLE_PROFILE_H

#include <stdint.h>

/* At most this many `factors` rules (the cost class keeps one bit per rule). */
#define PROFILE_MAX_RULES 8

/* One extra factor: all key=value conditions must hold ("*" as value: any value). */
struct profile_rule {
  int n;
  char **keys;
  char **values;
  double factor;
  char *source;
};

struct profile {
  char *file; /* The file the profile was read from. */
  char *name; /* `name`, or "walk" when absent. */
  int n_highway;
  char **highway;         /* Walkable highway=* values. */
  double *highway_factor; /* Their cost factors. */
  int n_foot_allow, n_foot_forbid, n_access_allow, n_access_forbid;
  char **foot_allow, **foot_forbid, **access_allow, **access_forbid;
  int n_rules;
  struct profile_rule *rules;
};

/* Why a way is or is not walkable (profile_classify's return). */
enum profile_verdict {
  PROFILE_WALK = 0,       /* Walkable. */
  PROFILE_NO_HIGHWAY,     /* No highway tag. */
  PROFILE_NOT_LISTED,     /* highway value not walkable (motorway, construction, ...). */
  PROFILE_FOOT_FORBIDS,   /* foot=no (or another foot:forbid value). */
  PROFILE_ACCESS_FORBIDS, /* access=no (or another access:forbid value), foot silent. */
  PROFILE_N_VERDICTS
};

/* Reads and validates a profile file. Messages name the file, line, column and key; unknown
 * keys are refused. Returns LC_OK, LC_EIO, LC_EFORMAT, LC_EPARAM or LC_ENOMEM; on failure
 * the profile is left empty. Local. */
int profile_load(const char *path, struct profile *p);

/* Frees a profile. Local. */
void profile_free(struct profile *p);

/* Decides whether a way with these tags is walkable. Returns an enum profile_verdict; for
 * PROFILE_WALK, *cls receives the way's cost class (>= 0), else -1. Local. */
int profile_classify(const struct profile *p, int n_tags, const char *const *keys,
                     const char *const *values, int32_t *cls);

/* The cost factor of a cost class returned by profile_classify (1.0 for a class < 0). */
double profile_factor(const struct profile *p, int32_t cls);

/* A short English name of a verdict, for reports. */
const char *profile_verdict_name(int verdict);

#endif
