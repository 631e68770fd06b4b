/* Reading OSM XML (.osm) and PBF (.pbf) files through readosm into a compact in-memory
 * element store: every node as (id, lon, lat) in 1e-7 degree fixed point (16 bytes, no tags),
 * every way as (id, class, node refs) in pooled arrays. Tags are never stored: callers see
 * them once, through hooks, while the file is read, and keep what they need (the walking
 * profile's class of a way, the POI matches of an element). Several files may be read into
 * one store; osm_store_finish then sorts by id and keeps the first copy of a duplicate. */
#ifndef LIFECIRCLE_OSM_H
#define LIFECIRCLE_OSM_H

#include <stdint.h>

/* One node: OSM id and coordinates in units of 1e-7 degree (OSM's own resolution). */
struct osm_node {
  int64_t id;
  int32_t lon7, lat7;
};

/* Relation member types, as passed to the relation hook. */
enum osm_member_type { OSM_MEMBER_NODE = 0, OSM_MEMBER_WAY = 1, OSM_MEMBER_RELATION = 2 };

/* Called while reading, once per element. Keys and values are valid only during the call.
 * A hook returns LC_OK to go on, or a status (with lc_error_set) to stop reading. Any hook
 * may be NULL. */
struct osm_hooks {
  void *arg;
  /* A node that has at least one tag (coordinates in degrees, already validated). */
  int (*node)(void *arg, int64_t id, double lon, double lat, int n_tags, const char *const *keys,
              const char *const *values);
  /* Every way: sets *cls, the small integer stored with the way (-1 when none applies; the
   * import uses the walking profile's cost class). */
  int (*way)(void *arg, int64_t id, int n_tags, const char *const *keys, const char *const *values,
             int32_t *cls);
  /* Every relation, with its members (types from enum osm_member_type). */
  int (*relation)(void *arg, int64_t id, int n_tags, const char *const *keys,
                  const char *const *values, int n_members, const int *member_type,
                  const int64_t *member_id, const char *const *member_role);
};

/* Elements read from one file (as delivered by readosm: PBF nodes stored without the
 * DenseNodes encoding are skipped by readosm and so are not counted). */
struct osm_counts {
  int64_t nodes, ways, relations;
};

struct osm_store {
  int64_t n_node, cap_node;
  struct osm_node *node; /* Sorted by id and unique after osm_store_finish. */

  int64_t n_way, cap_way;
  int64_t *way_id;
  int32_t *way_cls;
  int64_t *way_off; /* Refs of way w: ref[way_off[w] .. way_off[w] + way_len[w]). */
  int32_t *way_len;
  int32_t *way_file; /* Index of the osm_read call (input file) the way came from. */
  int64_t n_ref, cap_ref;
  int64_t *ref;
  /* After osm_store_finish: way indices sorted by way id, duplicates removed. */
  int64_t n_way_sorted;
  int64_t *way_sorted;

  int32_t n_files;             /* osm_read calls so far. */
  int64_t dup_nodes, dup_ways; /* Duplicates dropped by osm_store_finish. */
  int finished;
};

/* Zeroes a store. Local. */
void osm_store_init(struct osm_store *st);

/* Frees a store. Local. */
void osm_store_free(struct osm_store *st);

/* Reads one .osm or .pbf file into the store, calling the hooks for every element.
 * Checks first that the file exists, is readable and has a supported suffix (.osm.gz and
 * .osm.bz2 are refused with advice to decompress), then osm_check_pbf or osm_check_xml. Every node's coordinates must be finite
 * and in range, else LC_EFORMAT naming the file and the node id. Parse failures are
 * LC_EFORMAT naming the file and readosm's reason. `counts` receives the elements read.
 * Returns LC_OK, LC_EIO, LC_EFORMAT, LC_ENOMEM, or a status a hook returned. Local. */
int osm_read(const char *path, struct osm_store *st, const struct osm_hooks *hooks,
             struct osm_counts *counts);

/* Checks the framing of an OSM PBF file before readosm reads it: every BlobHeader length and
 * Blob size within the format's limits (64 KiB, 32 MiB) and inside the file. LC_EFORMAT names
 * the blob and its byte offset. Returns LC_OK, LC_EIO, LC_EFORMAT or LC_ENOMEM. Local. */
int osm_check_pbf(const char *path);

/* Checks an OSM XML file before readosm reads it (a streaming expat pass): well-formed XML
 * with an <osm> root; every node, way and relation with an integer id; node lat and lon, when
 * present, numbers; every <tag> with k and v, every <nd> of a way with an integer ref, every
 * <member> of a relation with ref, type and role. LC_EFORMAT names the file, line and column
 * (and the element). Returns LC_OK, LC_EIO, LC_EFORMAT or LC_ENOMEM. Local. */
int osm_check_xml(const char *path);

/* Sorts nodes and ways by id, keeping the first copy read of any duplicate id (so several
 * files may overlap). Call once after the last osm_read. Returns LC_OK or LC_ENOMEM.
 * Local. */
int osm_store_finish(struct osm_store *st);

/* Index of the node with this id in st->node, or -1. Needs osm_store_finish. Local. */
int64_t osm_node_find(const struct osm_store *st, int64_t id);

/* Index (into the way arrays) of the way with this id, or -1. Needs osm_store_finish.
 * Local. */
int64_t osm_way_find(const struct osm_store *st, int64_t id);

/* Degrees from the fixed-point coordinate (exactly the double nearest the decimal value). */
static inline double osm_deg(int32_t fixed7) { return (double)fixed7 / 1e7; }

#endif
