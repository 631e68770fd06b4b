/* lifecircle info FILE.h5: a summary of a graph or results file. */
#include <getopt.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/format.h"
#include "lifecircle/graph.h"
#include "lifecircle/graph_io.h"
#include "lifecircle/h5io.h"
#include "lifecircle/status.h"

/* Prints one object of the file with its shape (an h5ls-like listing). */
static herr_t info_visit(hid_t obj, const char *name, const H5O_info_t *oi, void *arg) {
  (void)arg;
  if (oi->type != H5O_TYPE_DATASET)
    return 0;
  hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
  if (d < 0)
    return 0;
  hid_t s = H5Dget_space(d);
  hsize_t dims[4] = {0, 0, 0, 0};
  int nd = H5Sget_simple_extent_ndims(s);
  if (nd > 4)
    nd = 4;
  H5Sget_simple_extent_dims(s, dims, NULL);
  char shape[128] = "";
  for (int i = 0; i < nd; i++) {
    size_t l = strlen(shape);
    snprintf(shape + l, sizeof shape - l, "%s%llu", i ? " x " : "", (unsigned long long)dims[i]);
  }
  char *units = NULL;
  if (H5Aexists(d, "units") > 0)
    h5io_read_attr_str(d, "units", &units);
  printf("  /%-44s %-14s %s\n", name, shape, units ? units : "");
  free(units);
  H5Sclose(s);
  H5Dclose(d);
  return 0;
}

static void info_attr(hid_t file, const char *group, const char *attr, const char *label) {
  if (!h5io_exists(file, group))
    return;
  hid_t g = H5Oopen(file, group, H5P_DEFAULT);
  if (g < 0)
    return;
  if (H5Aexists(g, attr) > 0) {
    char *v = NULL;
    if (h5io_read_attr_str(g, attr, &v) == LC_OK)
      printf("%-14s %s\n", label, v);
    free(v);
  }
  H5Oclose(g);
}

static int info_graph(const char *path) {
  struct graph g;
  struct poi_set pois;
  char **cats = NULL;
  int ncat = 0;
  LC_CHECK(graph_io_read(path, &g, &pois, &cats, &ncat));
  double lon0 = INFINITY, lon1 = -INFINITY, lat0 = INFINITY, lat1 = -INFINITY;
  for (int64_t i = 0; i < g.n_nodes; i++) {
    lon0 = fmin(lon0, g.lon[i]);
    lon1 = fmax(lon1, g.lon[i]);
    lat0 = fmin(lat0, g.lat[i]);
    lat1 = fmax(lat1, g.lat[i]);
  }
  printf("nodes          %lld\nedges          %lld\n", (long long)g.n_nodes, (long long)g.n_edges);
  printf("length         %.3f km\n", (double)graph_total_length_cm(&g) / 1e5);
  if (g.n_nodes > 0)
    printf("bounding box   lon %.6f .. %.6f, lat %.6f .. %.6f\n", lon0, lon1, lat0, lat1);
  printf("POIs           %lld\n", (long long)pois.n);
  int64_t *per = lc_calloc_array(ncat, sizeof *per);
  if (per) {
    for (int64_t i = 0; i < pois.n; i++)
      per[pois.category[i]]++;
    for (int c = 0; c < ncat; c++)
      printf("  %-28s %lld\n", cats[c], (long long)per[c]);
    free(per);
  }
  for (int c = 0; c < ncat; c++)
    free(cats[c]);
  free(cats);
  poi_free(&pois);
  graph_free(&g);
  return LC_OK;
}

int cmd_info(int argc, char **argv) {
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'}, {"format", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
  int c, rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    if (c == 'h') {
      if (rank == 0)
        printf("usage: lifecircle info FILE.h5\n       lifecircle info --format\n\n"
               "Summarises a graph or results file: kind, provenance, sizes and every dataset "
               "with its shape and units. With --format, prints the table of every dataset "
               "the files may hold (format version %s) as Markdown.\n",
               FORMAT_VERSION);
      return LC_OK;
    }
    if (c == 'f') {
      if (rank == 0)
        format_print_markdown(stdout);
      return LC_OK;
    }
    LC_FAIL(LC_EUSAGE, "info: unknown option (see lifecircle info --help)");
  }
  if (optind + 1 != argc)
    LC_FAIL(LC_EUSAGE, "info: expected exactly one FILE.h5 (see lifecircle info --help)");
  const char *path = argv[optind];
  int rc = LC_OK;
  if (rank == 0) {
    hid_t file;
    rc = h5io_open_serial(path, &file);
    if (rc == LC_OK) {
      char *kind = NULL;
      hid_t hdr = h5io_exists(file, "/Header") ? H5Gopen2(file, "/Header", H5P_DEFAULT) : -1;
      if (hdr >= 0) {
        h5io_read_attr_str(hdr, "kind", &kind);
        H5Gclose(hdr);
      }
      printf("file           %s\nkind           %s\n", path, kind ? kind : "unknown");
      info_attr(file, "/Header", "created", "created");
      info_attr(file, "/Header", "run_name", "run");
      info_attr(file, "/Header", "status", "status");
      info_attr(file, "/Code", "version", "version");
      info_attr(file, "/Code", "git_revision", "git revision");
      if (kind && !strcmp(kind, "graph"))
        rc = info_graph(path);
      free(kind);
      if (rc == LC_OK) {
        printf("datasets:\n");
        H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, info_visit, NULL);
      }
      H5Fclose(file);
    }
    fflush(stdout);
  }
  return lc_agree(MPI_COMM_WORLD, rc);
}
