/* The graph file: writing (via a temporary name) and reading. */
#include "lifecircle/graph_io.h"

#include <errno.h>
#include <mpi.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lifecircle/alloc.h"
#include "lifecircle/format.h"
#include "lifecircle/h5io.h"
#include "lifecircle/revision.h"
#include "lifecircle/status.h"

int graph_io_sha256(const char *path, char out[65]) {
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  unsigned char buf[1 << 16];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0)
    sha256_update(&ctx, got, buf);
  int err = ferror(f);
  fclose(f);
  if (err)
    LC_FAIL(LC_EIO, "%s: read error", path);
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
  return LC_OK;
}

int graph_io_write_code(hid_t file) {
  hid_t code;
  LC_CHECK(h5io_group(file, "/Code", &code));
  unsigned maj, min, rel;
  H5get_libversion(&maj, &min, &rel);
  char hdf5[64], mpi[MPI_MAX_LIBRARY_VERSION_STRING];
  snprintf(hdf5, sizeof hdf5, "%u.%u.%u", maj, min, rel);
  int len = 0;
  MPI_Get_library_version(mpi, &len);
  char *cut = strpbrk(mpi, ",\n");
  if (cut)
    *cut = '\0';
  int rc = h5io_attr_str(code, "version", LC_VERSION);
  if (rc == LC_OK)
    rc = h5io_attr_str(code, "git_revision", lc_git_revision());
  if (rc == LC_OK)
    rc = h5io_attr_str(code, "compiler", LC_COMPILER);
  if (rc == LC_OK)
    rc = h5io_attr_str(code, "hdf5", hdf5);
  if (rc == LC_OK)
    rc = h5io_attr_str(code, "mpi", mpi);
  H5Gclose(code);
  hid_t header;
  if (rc == LC_OK)
    rc = h5io_group(file, "/Header", &header);
  if (rc == LC_OK) {
    rc = h5io_attr_str(header, "format_version", FORMAT_VERSION);
    H5Gclose(header);
  }
  return rc;
}

static void graph_io_now(char *buf, size_t size) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int graph_io_write_body(hid_t file, const struct graph *g, const struct poi_set *pois,
                               char *const *category_ids, int n_categories, char *const *inputs,
                               int n_inputs, const char *profile,
                               const struct graph_import_stats *st) {
  hid_t grp;
  char when[64];
  graph_io_now(when, sizeof when);
  LC_CHECK(h5io_group(file, "/Header", &grp));
  int rc = h5io_attr_str(grp, "kind", "graph");
  if (rc == LC_OK)
    rc = h5io_attr_str(grp, "created", when);
  if (rc == LC_OK)
    rc = h5io_attr_str(grp, "profile", profile ? profile : "");
  if (rc == LC_OK)
    rc = h5io_attr_str(grp, "attribution",
                       "Map data (c) OpenStreetMap contributors, ODbL 1.0 "
                       "(https://www.openstreetmap.org/copyright) when imported from OSM");
  H5Gclose(grp);
  LC_CHECK(rc);
  LC_CHECK(graph_io_write_code(file));

  /* Inputs with their checksums. */
  char **sums = lc_calloc_array(n_inputs, sizeof *sums);
  if (!sums)
    return LC_ENOMEM;
  for (int i = 0; i < n_inputs && rc == LC_OK; i++) {
    sums[i] = malloc(65);
    if (!sums[i])
      rc = LC_ENOMEM;
    else
      rc = graph_io_sha256(inputs[i], sums[i]);
  }
  if (rc == LC_OK)
    rc = h5io_write_strings(file, "/Inputs/path", inputs, n_inputs, "input files as given");
  if (rc == LC_OK)
    rc = h5io_write_strings(file, "/Inputs/sha256", sums, n_inputs,
                            "SHA-256 of each input file (hex)");
  for (int i = 0; i < n_inputs; i++)
    free(sums[i]);
  free(sums);
  LC_CHECK(rc);

  int64_t n = g->n_nodes, m = g->n_edges;
  LC_CHECK(h5io_write(file, "/Graph/nodes/lon", H5IO_F64, g->lon, n, 0, "degree",
                      "node longitude, WGS84"));
  LC_CHECK(h5io_write(file, "/Graph/nodes/lat", H5IO_F64, g->lat, n, 0, "degree",
                      "node latitude, WGS84"));
  LC_CHECK(h5io_write(file, "/Graph/nodes/osm_id", H5IO_I64, g->osm_id, n, 0, "1",
                      "OpenStreetMap node id (DIMACS: node number)"));
  LC_CHECK(h5io_write(file, "/Graph/edges/u", H5IO_I64, g->u, m, 0, "1",
                      "first end node of the undirected edge (0-based row of /Graph/nodes)"));
  LC_CHECK(h5io_write(file, "/Graph/edges/v", H5IO_I64, g->v, m, 0, "1",
                      "second end node of the undirected edge (0-based row of /Graph/nodes)"));
  LC_CHECK(h5io_write(file, "/Graph/edges/length_cm", H5IO_I64, g->length_cm, m, 0, "cm",
                      "geodesic length along the edge's geometry"));
  LC_CHECK(h5io_write(file, "/Graph/edges/cost_cm", H5IO_I64, g->cost_cm, m, 0, "cm",
                      "walking cost: length times the walking profile's class factor"));
  LC_CHECK(h5io_write(file, "/Graph/edges/osm_way_id", H5IO_I64, g->way_id, m, 0, "1",
                      "OpenStreetMap way id of the edge, -1 when none"));
  if (g->geom_off) {
    int64_t np = g->geom_off[m];
    LC_CHECK(h5io_write(file, "/Graph/edges/geom_offset", H5IO_I64, g->geom_off, m + 1, 0, "1",
                        "edge e's polyline is rows geom_offset[e]..geom_offset[e+1]-1 of "
                        "geom_lon/geom_lat, end nodes included"));
    LC_CHECK(h5io_write(file, "/Graph/edges/geom_lon", H5IO_F64, g->geom_lon, np, 0, "degree",
                        "polyline point longitude, WGS84"));
    LC_CHECK(h5io_write(file, "/Graph/edges/geom_lat", H5IO_F64, g->geom_lat, np, 0, "degree",
                        "polyline point latitude, WGS84"));
  }
  LC_CHECK(h5io_write_strings(file, "/Categories/id", category_ids, n_categories,
                              "category ids; /POIs/category indexes this list"));
  struct poi_set none;
  poi_init(&none);
  if (!pois)
    pois = &none;
  LC_CHECK(h5io_write(file, "/POIs/lon", H5IO_F64, pois->lon, pois->n, 0, "degree",
                      "POI longitude, WGS84 (way and relation POIs: centroid)"));
  LC_CHECK(h5io_write(file, "/POIs/lat", H5IO_F64, pois->lat, pois->n, 0, "degree",
                      "POI latitude, WGS84 (way and relation POIs: centroid)"));
  LC_CHECK(h5io_write(file, "/POIs/osm_type", H5IO_I8, pois->osm_type, pois->n, 0, "1",
                      "OSM element type: 0 node, 1 way, 2 relation"));
  LC_CHECK(
      h5io_write(file, "/POIs/osm_id", H5IO_I64, pois->osm_id, pois->n, 0, "1", "OSM element id"));
  LC_CHECK(h5io_write(file, "/POIs/category", H5IO_I32, pois->category, pois->n, 0, "1",
                      "row of /Categories/id the POI matched (one row per match)"));
  LC_CHECK(h5io_write_strings(file, "/POIs/name", pois->name, pois->n, "OSM name tag, UTF-8"));

  if (st) {
    LC_CHECK(h5io_group(file, "/Import", &grp));
    struct {
      const char *name;
      int64_t value;
    } counts[] = {
        {"osm_nodes", st->osm_nodes},         {"osm_ways", st->osm_ways},
        {"osm_relations", st->osm_relations}, {"walkable_ways", st->walkable_ways},
        {"raw_nodes", st->raw_nodes},         {"raw_edges", st->raw_edges},
        {"components", st->components},       {"dropped_nodes", st->dropped_nodes},
        {"dropped_edges", st->dropped_edges}, {"dropped_length_cm", st->dropped_length_cm},
        {"pois_unplaced", st->pois_unplaced}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0] && rc == LC_OK; i++)
      rc = h5io_attr_i64(grp, counts[i].name, counts[i].value);
    H5Gclose(grp);
    LC_CHECK(rc);
  }
  return LC_OK;
}

int graph_io_write(const char *path, const struct graph *g, const struct poi_set *pois,
                   char *const *category_ids, int n_categories, char *const *inputs, int n_inputs,
                   const char *profile, const struct graph_import_stats *stats) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
    LC_FAIL(LC_EUSAGE, "%s: path too long", path);
  hid_t file;
  LC_CHECK(h5io_create_serial(tmp, &file));
  int rc = graph_io_write_body(file, g, pois, category_ids, n_categories, inputs, n_inputs, profile,
                               stats);
  if (H5Fclose(file) < 0 && rc == LC_OK)
    rc = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "%s: cannot close", tmp);
  if (rc == LC_OK && rename(tmp, path) != 0)
    rc = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: cannot rename to %s: %s", tmp, path,
                      strerror(errno));
  if (rc != LC_OK)
    unlink(tmp);
  return rc;
}

#define GRAPH_IO_READ(name, type, dst, want)                                                   \
  do {                                                                                         \
    void *buf_;                                                                                \
    int64_t rows_, cols_;                                                                      \
    rc = h5io_read(file, name, type, &buf_, &rows_, &cols_);                                   \
    if (rc != LC_OK)                                                                           \
      goto fail;                                                                               \
    if (rows_ != (want) || cols_ != 0) {                                                       \
      free(buf_);                                                                              \
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s: %s has %lld rows, expected %lld", \
                        path, name, (long long)rows_, (long long)(want));                      \
      goto fail;                                                                               \
    }                                                                                          \
    free(dst);                                                                                 \
    (dst) = buf_;                                                                              \
  } while (0)

int graph_io_read(const char *path, struct graph *g, struct poi_set *pois, char ***category_ids,
                  int *n_categories) {
  hid_t file;
  graph_init(g);
  if (pois)
    poi_init(pois);
  LC_CHECK(h5io_open_serial(path, &file));
  int rc = LC_OK;
  int64_t n, m, cols;
  void *probe;
  rc = h5io_read(file, "/Graph/nodes/osm_id", H5IO_I64, &probe, &n, &cols);
  if (rc != LC_OK || cols != 0) {
    char why[1024];
    snprintf(why, sizeof why, "%s", rc != LC_OK ? lc_error_message() : "not one column");
    if (rc == LC_OK)
      free(probe);
    H5Fclose(file);
    LC_FAIL(rc != LC_OK ? rc : LC_EFORMAT,
            "%s: not a lifecircle graph file (/Graph/nodes/osm_id: %s)", path,
            why[0] ? why : "unreadable");
  }
  free(probe);
  rc = h5io_read(file, "/Graph/edges/u", H5IO_I64, &probe, &m, &cols);
  if (rc != LC_OK || cols != 0) {
    char why[1024];
    snprintf(why, sizeof why, "%s", rc != LC_OK ? lc_error_message() : "not one column");
    if (rc == LC_OK)
      free(probe);
    H5Fclose(file);
    LC_FAIL(rc != LC_OK ? rc : LC_EFORMAT, "%s: not a lifecircle graph file (/Graph/edges/u: %s)",
            path, why[0] ? why : "unreadable");
  }
  free(probe);
  rc = graph_alloc(g, n, m);
  if (rc != LC_OK) {
    H5Fclose(file);
    return rc;
  }
  GRAPH_IO_READ("/Graph/nodes/lon", H5IO_F64, g->lon, n);
  GRAPH_IO_READ("/Graph/nodes/lat", H5IO_F64, g->lat, n);
  GRAPH_IO_READ("/Graph/nodes/osm_id", H5IO_I64, g->osm_id, n);
  GRAPH_IO_READ("/Graph/edges/u", H5IO_I64, g->u, m);
  GRAPH_IO_READ("/Graph/edges/v", H5IO_I64, g->v, m);
  GRAPH_IO_READ("/Graph/edges/length_cm", H5IO_I64, g->length_cm, m);
  GRAPH_IO_READ("/Graph/edges/osm_way_id", H5IO_I64, g->way_id, m);
  if (h5io_exists(file, "/Graph/edges/cost_cm")) {
    GRAPH_IO_READ("/Graph/edges/cost_cm", H5IO_I64, g->cost_cm, m);
  } else {
    memcpy(g->cost_cm, g->length_cm, (size_t)m * sizeof *g->cost_cm);
  }
  for (int64_t i = 0; i < n; i++)
    if (!(g->lon[i] >= -180 && g->lon[i] <= 180 && g->lat[i] >= -90 && g->lat[i] <= 90)) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: /Graph/nodes/lon, lat row %lld: (%g, %g) is not a WGS84 "
                        "coordinate",
                        path, (long long)i, g->lon[i], g->lat[i]);
      goto fail;
    }
  for (int64_t e = 0; e < m; e++) {
    if (g->u[e] < 0 || g->u[e] >= n || g->v[e] < 0 || g->v[e] >= n || g->cost_cm[e] < 1 ||
        g->length_cm[e] < 0) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: /Graph/edges row %lld is invalid (u %lld, v %lld of %lld nodes; "
                        "length_cm %lld >= 0 and cost_cm %lld >= 1 wanted)",
                        path, (long long)e, (long long)g->u[e], (long long)g->v[e], (long long)n,
                        (long long)g->length_cm[e], (long long)g->cost_cm[e]);
      goto fail;
    }
  }
  if (h5io_exists(file, "/Graph/edges/geom_offset")) {
    GRAPH_IO_READ("/Graph/edges/geom_offset", H5IO_I64, g->geom_off, m + 1);
    /* Each polyline holds at least its two end nodes. */
    for (int64_t e = 0; e <= m; e++)
      if (e == 0 ? g->geom_off[0] != 0 : g->geom_off[e] < g->geom_off[e - 1] + 2) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s: /Graph/edges/geom_offset row %lld: %lld does not follow %lld "
                          "(offsets start at 0 and grow by 2 or more)",
                          path, (long long)e, (long long)g->geom_off[e],
                          (long long)(e ? g->geom_off[e - 1] : 0));
        goto fail;
      }
    int64_t np = g->geom_off[m];
    GRAPH_IO_READ("/Graph/edges/geom_lon", H5IO_F64, g->geom_lon, np);
    GRAPH_IO_READ("/Graph/edges/geom_lat", H5IO_F64, g->geom_lat, np);
    for (int64_t i = 0; i < np; i++)
      if (!(g->geom_lon[i] >= -180 && g->geom_lon[i] <= 180 && g->geom_lat[i] >= -90 &&
            g->geom_lat[i] <= 90)) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s: /Graph/edges/geom_lon, geom_lat row %lld: (%g, %g) is not a "
                          "WGS84 coordinate",
                          path, (long long)i, g->geom_lon[i], g->geom_lat[i]);
        goto fail;
      }
  }
  if (pois) {
    int64_t np;
    void *buf;
    rc = h5io_read(file, "/POIs/osm_id", H5IO_I64, &buf, &np, &cols);
    if (rc != LC_OK)
      goto fail;
    free(buf);
    for (int64_t i = 0; i < np; i++) {
      rc = poi_add(pois, 0, 0, 0, 0, 0, "");
      if (rc != LC_OK)
        goto fail;
    }
    GRAPH_IO_READ("/POIs/lon", H5IO_F64, pois->lon, np);
    GRAPH_IO_READ("/POIs/lat", H5IO_F64, pois->lat, np);
    GRAPH_IO_READ("/POIs/osm_type", H5IO_I8, pois->osm_type, np);
    GRAPH_IO_READ("/POIs/osm_id", H5IO_I64, pois->osm_id, np);
    GRAPH_IO_READ("/POIs/category", H5IO_I32, pois->category, np);
    pois->cap = np;
    char **names;
    int64_t nn;
    rc = h5io_read_strings(file, "/POIs/name", &names, &nn);
    if (rc != LC_OK)
      goto fail;
    for (int64_t i = 0; i < np; i++) {
      free(pois->name[i]);
      pois->name[i] = i < nn ? names[i] : strdup("");
    }
    for (int64_t i = np; i < nn; i++)
      free(names[i]);
    free(names);
  }
  if (category_ids) {
    int64_t nc;
    rc = h5io_read_strings(file, "/Categories/id", category_ids, &nc);
    if (rc != LC_OK)
      goto fail;
    *n_categories = (int)nc;
    if (pois)
      for (int64_t i = 0; i < pois->n; i++)
        if (pois->category[i] < 0 || pois->category[i] >= nc) {
          rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                            "%s: POI %lld has category %d outside /Categories/id", path,
                            (long long)i, (int)pois->category[i]);
          goto fail;
        }
  }
  H5Fclose(file);
  return LC_OK;
fail:
  /* Messages of the HDF5 helpers name the dataset; the file is added. */
  if (!strstr(lc_error_message(), path)) {
    char why[1024];
    snprintf(why, sizeof why, "%s", lc_error_message());
    rc = lc_error_set(rc, __FILE__, __LINE__, "%s: %s", path, why);
  }
  H5Fclose(file);
  graph_free(g);
  if (pois)
    poi_free(pois);
  return rc;
}
