/* Population groups (child with carer, pupil, adult, elderly, ...) with their share of the
 * residents and their walking speed, from a data file (inputs/groups.yml). */
#ifndef LIFECIRCLE_GROUPS_H
#define LIFECIRCLE_GROUPS_H

struct group {
  char *id;         /* Short ASCII id, e.g. "elderly". */
  char *name;       /* Human-readable name ("" when not given). */
  double share;     /* Share of residents in [0, 1]; the shares sum to 1. */
  double speed_m_s; /* Walking speed in m/s, in (0, 3]. */
};

struct group_set {
  int n;
  struct group *g;
  char *file;
};

/* Reads and validates a groups file: a top-level `groups` list whose items have `id`,
 * `share` and `speed_m_s` (required) and `name`, `ages`, `share_source`, `speed_source`,
 * `note` (documentation, optional); unknown keys are refused. Ids must be unique and the
 * groups child, pupil, adult and elderly (which categories refer to) must be present;
 * shares in [0, 1] summing to 1 within 1e-6; speeds in (0, 3] m/s. Messages name
 * file:line:column. Returns LC_OK, LC_EIO, LC_EFORMAT or LC_EPARAM; on failure `gs` needs no
 * group_free. Local. */
int group_load(const char *path, struct group_set *gs);

/* Frees a set. */
void group_free(struct group_set *gs);

/* Index of the group with this id, or -1. */
int group_find(const struct group_set *gs, const char *id);

#endif
