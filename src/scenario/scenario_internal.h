/* Internal types shared by scenario loading (scenario.c) and applying (scenario_apply.c).
 * Not installed. */
#ifndef LIFECIRCLE_SCENARIO_INTERNAL_H
#define LIFECIRCLE_SCENARIO_INTERNAL_H

#include <stdint.h>

#include "lifecircle/facility.h"
#include "lifecircle/geom.h"
#include "lifecircle/scenario.h"

/* Kinds of edits, in the order scenario_apply performs them. */
enum scenario_kind {
  SCENARIO_REMOVE,
  SCENARIO_RELOCATE,
  SCENARIO_CHANGE,
  SCENARIO_ADD_POINT,
  SCENARIO_ADD_LAYER,
  SCENARIO_CLOSE_WAY,
  SCENARIO_ADD_LINK,
  SCENARIO_REMOVE_RESIDENTS, /* population:remove (applied before the additions). */
  SCENARIO_ADD_RESIDENTS     /* population:add. */
};

/* One edit, with the position of its YAML item for messages. */
struct scenario_edit {
  enum scenario_kind kind;
  int line, column;

  /* Selection of baseline facilities (remove, relocate, change): exactly one of row >= 0,
   * source_id != NULL or within != NULL; category >= 0 narrows the selection. */
  int64_t row;
  char *source_id;
  struct polygon_set *within;
  int category;

  /* A point (added facility, new position, or the first end of a link), WGS84. */
  double lon, lat;
  /* The second end of a link, WGS84, and its length (-1: geodesic between the end nodes). */
  double lon2, lat2;
  int64_t length_cm;

  /* Added point and change: name and id (NULL: default), capacity and hours (-1: not
   * given). */
  char *name;
  char *id;
  int32_t capacity, open_min, close_min;

  /* Added layer: its facilities, loaded and converted but not snapped, and the file. */
  struct facility_set layer;
  char *path;

  /* Closed way. */
  int64_t way_id;

  /* Residents added or removed at a place: the point (lon, lat) or the polygons `within`.
   * residents is given, or dwellings x household_size rounded to the nearest integer
   * (household_source says where the size comes from). The group mix: n_mix group ids with
   * their shares (0: the area's own mix), checked against the groups when applied. */
  int64_t residents, dwellings;
  double household_size;
  char *household_source;
  int n_mix;
  char **mix_id;
  double *mix_share;
};

#endif
