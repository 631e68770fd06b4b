/* Population: subdistrict tables, density samples and the placement of residents on nodes
 * by the largest-remainder method, so that every count is an exact, deterministic integer. */
#include "lifecircle/population.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/alloc.h"
#include "lifecircle/csvtab.h"
#include "lifecircle/status.h"

void population_table_free(struct population_table *t) {
  if (!t)
    return;
  free(t->residents);
  free(t->line);
  free(t->file);
  memset(t, 0, sizeof *t);
}

void population_density_free(struct density_samples *d) {
  if (!d)
    return;
  free(d->lon);
  free(d->lat);
  free(d->value);
  free(d->file);
  memset(d, 0, sizeof *d);
}

void population_free(struct population *pop) {
  if (!pop)
    return;
  free(pop->subdistrict);
  free(pop->weight);
  free(pop->residents);
  free(pop->by_group);
  free(pop->sub_residents);
  free(pop->sub_group);
  free(pop->sub_nodes);
  memset(pop, 0, sizeof *pop);
}

/* Parses a count: decimal digits only. Returns 0, -1 when negative, -2 when not an integer
 * (or too large). */
/* Largest resident count of one table row, and largest density value, accepted. */
#define POPULATION_MAX_RESIDENTS 10000000000LL
#define POPULATION_MAX_DENSITY 1e12

static int parse_count(const char *s, int64_t *out) {
  if (s[0] == '-' && s[1])
    return -1;
  if (!*s)
    return -2;
  int64_t v = 0;
  for (const char *p = s; *p; p++) {
    if (!isdigit((unsigned char)*p))
      return -2;
    if (v > (INT64_MAX - 9) / 10)
      return -2;
    v = v * 10 + (*p - '0');
  }
  *out = v;
  return 0;
}

/* The polygons' names for messages, in a static buffer. */
static const char *polygon_names(const struct polygon_set *ps, int use_code) {
  static char buf[512];
  size_t k = 0;
  buf[0] = '\0';
  for (int i = 0; i < ps->n && k < sizeof buf - 1; i++)
    k += (size_t)snprintf(buf + k, sizeof buf - k, "%s'%s'", i ? ", " : "",
                          use_code ? ps->code[i] : ps->name[i]);
  return buf;
}

int population_load_table(const char *path, const struct polygon_set *ps,
                          struct population_table *t) {
  static const char *const name_cols[] = {"subdistrict", "name"};
  static const char *const code_cols[] = {"code"};
  static const char *const count_cols[] = {"residents", "population"};
  memset(t, 0, sizeof *t);
  struct csvtab tab;
  LC_CHECK(csvtab_load(path, &tab));
  int rc = LC_OK;
  int c_name = csvtab_find(&tab, name_cols, 2), c_code = csvtab_find(&tab, code_cols, 1);
  int c_count = csvtab_find(&tab, count_cols, 2);
  int all_codes = ps->n > 0;
  for (int i = 0; i < ps->n; i++)
    all_codes &= ps->code[i][0] != '\0';
  int use_code = c_code >= 0 && all_codes;
  int c_key = use_code ? c_code : c_name;
  if (c_key < 0) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:1: no column 'subdistrict' or 'name'%s",
                      path,
                      c_code >= 0 ? " (a 'code' column is used only when every polygon has "
                                    "a code property)"
                                  : "");
    goto fail;
  }
  if (c_count < 0) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s:1: no column 'residents' (or 'population')", path);
    goto fail;
  }
  t->n = ps->n;
  t->residents = calloc((size_t)ps->n + 1, sizeof *t->residents);
  t->line = malloc(((size_t)ps->n + 1) * sizeof *t->line);
  t->file = strdup(path);
  if (!t->residents || !t->line || !t->file) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: out of memory", path);
    goto fail;
  }
  for (int i = 0; i < ps->n; i++)
    t->line[i] = -1;
  for (int64_t r = 0; r < tab.n_rows; r++) {
    const char *key = csvtab_get(&tab, r, c_key), *cnt = csvtab_get(&tab, r, c_count);
    int64_t line = tab.line[r];
    int poly = -1;
    for (int i = 0; i < ps->n && poly < 0; i++)
      if (strcmp(use_code ? ps->code[i] : ps->name[i], key) == 0)
        poly = i;
    if (poly < 0) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%" PRId64 ": subdistrict %s'%s' is not among the polygons of %s "
                        "(%s)",
                        path, line, use_code ? "code " : "", key, ps->file ? ps->file : "",
                        polygon_names(ps, use_code));
      goto fail;
    }
    if (t->line[poly] >= 0) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%" PRId64 ": duplicate row for subdistrict '%s' (first at line %" PRId64
                        ")",
                        path, line, key, t->line[poly]);
      goto fail;
    }
    int64_t v = 0;
    int pr = parse_count(cnt, &v);
    if (pr == -1) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%" PRId64 ": negative resident count '%s' for '%s'", path, line, cnt,
                        key);
      goto fail;
    }
    if (pr != 0) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%" PRId64 ": resident count '%s' for '%s' is not a non-negative "
                        "integer",
                        path, line, cnt, key);
      goto fail;
    }
    if (v > POPULATION_MAX_RESIDENTS) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%" PRId64 ": resident count %s for '%s' is more than 10^10 "
                        "residents (the world has about 8 x 10^9)",
                        path, line, cnt, key);
      goto fail;
    }
    t->residents[poly] = v;
    t->line[poly] = line;
  }
  for (int i = 0; i < ps->n; i++)
    if (t->line[i] < 0) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: no row for subdistrict '%s' of %s (every polygon needs one; "
                        "write 0 residents to leave it empty)",
                        path, use_code ? ps->code[i] : ps->name[i], ps->file ? ps->file : "");
      goto fail;
    }
  csvtab_free(&tab);
  return LC_OK;
fail:
  csvtab_free(&tab);
  population_table_free(t);
  return rc;
}

static const struct density_samples *density_sort_d; /* For the comparator only. */

static int density_pos_cmp(const void *a, const void *b) {
  const struct density_samples *d = density_sort_d;
  int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
  if (d->lon[i] != d->lon[j])
    return d->lon[i] < d->lon[j] ? -1 : 1;
  if (d->lat[i] != d->lat[j])
    return d->lat[i] < d->lat[j] ? -1 : 1;
  return (i > j) - (i < j);
}

/* Refuses two samples at the same position with different values: which one a node gets
 * would be an accident of file order. */
static int density_check_positions(const struct density_samples *d, const int64_t *line,
                                   const char *path) {
  if (d->n < 2)
    return LC_OK;
  int64_t *ord = malloc((size_t)d->n * sizeof *ord);
  if (!ord)
    LC_FAIL(LC_ENOMEM, "%s: out of memory", path);
  for (int64_t i = 0; i < d->n; i++)
    ord[i] = i;
  density_sort_d = d;
  qsort(ord, (size_t)d->n, sizeof *ord, density_pos_cmp);
  int64_t bad = -1, first = -1;
  for (int64_t k = 1; k < d->n; k++) {
    int64_t i = ord[k - 1], j = ord[k];
    if (d->lon[i] == d->lon[j] && d->lat[i] == d->lat[j] && d->value[i] != d->value[j] &&
        (bad < 0 || j < bad)) {
      bad = j;
      first = i;
    }
  }
  free(ord);
  if (bad >= 0)
    LC_FAIL(LC_EFORMAT,
            "%s:%" PRId64 ": a sample at the same position as line %" PRId64
            " (%g, %g) with a different value (%g, not %g)",
            path, line[bad], line[first], d->lon[bad], d->lat[bad], d->value[bad], d->value[first]);
  return LC_OK;
}

int population_load_density(const char *path, const char *value_column, struct density_samples *d) {
  memset(d, 0, sizeof *d);
  struct csvtab tab;
  LC_CHECK(csvtab_load(path, &tab));
  int rc = LC_OK;
  const char *vc = value_column ? value_column : "density";
  int c_lon = csvtab_find_coord(&tab, 0), c_lat = csvtab_find_coord(&tab, 1);
  int c_val = csvtab_find(&tab, &vc, 1);
  if (c_lon < 0 || c_lat < 0 || c_val < 0) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s:1: density samples need columns longitude (" CSVTAB_LON_NAMES
                      "), latitude (" CSVTAB_LAT_NAMES ") and '%s'",
                      path, vc);
    goto fail;
  }
  d->n = tab.n_rows;
  d->lon = malloc(((size_t)d->n + 1) * sizeof *d->lon);
  d->lat = malloc(((size_t)d->n + 1) * sizeof *d->lat);
  d->value = malloc(((size_t)d->n + 1) * sizeof *d->value);
  d->file = strdup(path);
  if (!d->lon || !d->lat || !d->value || !d->file) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: out of memory", path);
    goto fail;
  }
  for (int64_t r = 0; r < tab.n_rows; r++) {
    const int cols[3] = {c_lon, c_lat, c_val};
    double v[3];
    for (int k = 0; k < 3; k++) {
      const char *s = csvtab_get(&tab, r, cols[k]);
      char *end;
      v[k] = strtod(s, &end);
      if (!*s || *end != '\0' || !isfinite(v[k])) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%" PRId64 ": '%s' in column %s is not a finite number", path,
                          tab.line[r], s, tab.header[cols[k]]);
        goto fail;
      }
    }
    if (fabs(v[0]) > 180 || fabs(v[1]) > 90) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%" PRId64 ": coordinates (%g, %g) are out of range", path, tab.line[r],
                        v[0], v[1]);
      goto fail;
    }
    if (v[2] < 0) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:%" PRId64 ": negative density %g", path,
                        tab.line[r], v[2]);
      goto fail;
    }
    /* Weights are density times metres of network, summed over up to 10^9 nodes: a bound
     * keeps every sum finite (real densities are below 10^6 persons per km2). */
    if (v[2] > POPULATION_MAX_DENSITY) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%" PRId64 ": density %g in column %s is above %g", path, tab.line[r],
                        v[2], tab.header[cols[2]], POPULATION_MAX_DENSITY);
      goto fail;
    }
    d->lon[r] = v[0];
    d->lat[r] = v[1];
    d->value[r] = v[2];
  }
  if (d->n == 0) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s: no density samples", path);
    goto fail;
  }
  LC_CHECK_GOTO(rc, density_check_positions(d, tab.line, path), fail);
  csvtab_free(&tab);
  return LC_OK;
fail:
  csvtab_free(&tab);
  population_density_free(d);
  return rc;
}

struct lr_item {
  double rem;
  int64_t idx;
};

static int lr_cmp(const void *a, const void *b) {
  const struct lr_item *x = a, *y = b;
  if (x->rem != y->rem)
    return x->rem > y->rem ? -1 : 1;
  return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

int population_largest_remainder(int64_t total, const double *w, int64_t n, int64_t *out) {
  double wsum = 0.0;
  for (int64_t i = 0; i < n; i++)
    wsum += w[i];
  if (total > 0 && !(wsum > 0))
    LC_FAIL(LC_EINVARIANT,
            "cannot split %" PRId64 " units over %" PRId64 " items whose weights sum to %g", total,
            n, wsum);
  struct lr_item *it = lc_malloc_array(n, sizeof *it);
  if (!it)
    LC_FAIL(LC_ENOMEM, "out of memory in the largest-remainder split of %" PRId64 " items", n);
  int64_t given = 0;
  for (int64_t i = 0; i < n; i++) {
    double q = wsum > 0 ? (double)total * (w[i] / wsum) : 0.0;
    double f = floor(q);
    out[i] = (int64_t)f;
    given += out[i];
    it[i].rem = q - f;
    it[i].idx = i;
  }
  qsort(it, (size_t)n, sizeof *it, lr_cmp);
  int64_t left = total - given;
  /* Rounding of the quotas can leave the floors one unit off either way; give or take
   * units in remainder order until the sum is exact. */
  for (int64_t k = 0; left > 0 && n > 0; k = (k + 1) % n) {
    if (w[it[k].idx] > 0) {
      out[it[k].idx]++;
      left--;
    }
  }
  for (int64_t k = n - 1; left < 0 && n > 0; k = (k + n - 1) % n) {
    if (out[it[k].idx] > 0) {
      out[it[k].idx]--;
      left++;
    }
  }
  free(it);
  return LC_OK;
}

/* A uniform grid over the density samples for nearest-sample queries in a plane
 * projection (x = lon * cos(lat0), y = lat, degrees). */
struct sample_grid {
  double lon0, lat0, kx, xmin, ymin, cell;
  int64_t nx, ny, *off, *idx;
  double *x, *y;
};

/* The grid covers the samples and the graph's nodes (the query points), so that every query
 * starts inside it: a grid over the samples alone is tiny when they are few or coincide, and
 * a ring search from a node far outside it would visit billions of empty cells. */
static int sample_grid_build(struct sample_grid *sg, const struct density_samples *d,
                             const struct graph *g) {
  memset(sg, 0, sizeof *sg);
  double lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < d->n; i++) {
    lo = fmin(lo, d->lat[i]);
    hi = fmax(hi, d->lat[i]);
  }
  sg->lat0 = 0.5 * (lo + hi);
  sg->kx = cos(sg->lat0 * 3.14159265358979323846 / 180.0);
  sg->x = malloc((size_t)d->n * sizeof *sg->x);
  sg->y = malloc((size_t)d->n * sizeof *sg->y);
  if (!sg->x || !sg->y)
    goto nomem;
  double xmax = -INFINITY, ymax = -INFINITY;
  sg->xmin = sg->ymin = INFINITY;
  for (int64_t i = 0; i < d->n; i++) {
    sg->x[i] = d->lon[i] * sg->kx;
    sg->y[i] = d->lat[i];
    sg->xmin = fmin(sg->xmin, sg->x[i]);
    sg->ymin = fmin(sg->ymin, sg->y[i]);
    xmax = fmax(xmax, sg->x[i]);
    ymax = fmax(ymax, sg->y[i]);
  }
  for (int64_t i = 0; i < g->n_nodes; i++) {
    double x = g->lon[i] * sg->kx, y = g->lat[i];
    sg->xmin = fmin(sg->xmin, x);
    sg->ymin = fmin(sg->ymin, y);
    xmax = fmax(xmax, x);
    ymax = fmax(ymax, y);
  }
  double w = fmax(xmax - sg->xmin, 1e-6), h = fmax(ymax - sg->ymin, 1e-6);
  sg->cell = fmax(sqrt(w * h / (double)d->n), 1e-6);
  sg->nx = (int64_t)(w / sg->cell) + 1;
  sg->ny = (int64_t)(h / sg->cell) + 1;
  int64_t nc = sg->nx * sg->ny;
  sg->off = calloc((size_t)nc + 1, sizeof *sg->off);
  sg->idx = malloc((size_t)d->n * sizeof *sg->idx);
  if (!sg->off || !sg->idx)
    goto nomem;
  for (int pass = 0; pass < 2; pass++) {
    for (int64_t i = 0; i < d->n; i++) {
      int64_t ix = (int64_t)((sg->x[i] - sg->xmin) / sg->cell);
      int64_t iy = (int64_t)((sg->y[i] - sg->ymin) / sg->cell);
      ix = ix >= sg->nx ? sg->nx - 1 : ix;
      iy = iy >= sg->ny ? sg->ny - 1 : iy;
      int64_t c = iy * sg->nx + ix;
      if (pass == 0)
        sg->off[c + 1]++;
      else
        sg->idx[sg->off[c]++] = i;
    }
    if (pass == 0)
      for (int64_t c = 0; c < nc; c++)
        sg->off[c + 1] += sg->off[c];
  }
  /* The second pass advanced every start to the next cell's: shift back. */
  for (int64_t c = nc; c > 0; c--)
    sg->off[c] = sg->off[c - 1];
  sg->off[0] = 0;
  return LC_OK;
nomem:
  free(sg->x);
  free(sg->y);
  free(sg->off);
  free(sg->idx);
  LC_FAIL(LC_ENOMEM, "out of memory indexing density samples");
}

static void sample_grid_free(struct sample_grid *sg) {
  free(sg->x);
  free(sg->y);
  free(sg->off);
  free(sg->idx);
  memset(sg, 0, sizeof *sg);
}

/* Nearest sample to (lon, lat) in the projection; ties to the lower sample index. */
static int64_t sample_nearest(const struct sample_grid *sg, double lon, double lat) {
  double px = lon * sg->kx, py = lat;
  double fx = (px - sg->xmin) / sg->cell, fy = (py - sg->ymin) / sg->cell;
  int64_t ix = (int64_t)floor(fx), iy = (int64_t)floor(fy);
  int64_t rmax = 0, cand[4] = {ix, sg->nx - 1 - ix, iy, sg->ny - 1 - iy};
  for (int k = 0; k < 4; k++)
    rmax = cand[k] > rmax ? cand[k] : rmax;
  double best = INFINITY;
  int64_t best_i = -1;
  for (int64_t r = 0; r <= rmax + 1; r++) {
    /* Only the ring's cells inside the grid are visited. */
    int64_t cy_lo = iy - r < 0 ? 0 : iy - r, cy_hi = iy + r >= sg->ny ? sg->ny - 1 : iy + r;
    for (int64_t cy = cy_lo; cy <= cy_hi; cy++) {
      int edge_row = (cy == iy - r || cy == iy + r);
      int64_t cx_lo = ix - r, step = (edge_row || r == 0) ? 1 : 2 * r;
      if (step == 1 && cx_lo < 0)
        cx_lo = 0;
      for (int64_t cx = cx_lo; cx <= ix + r && cx < sg->nx; cx += step) {
        if (cx < 0)
          continue;
        int64_t c = cy * sg->nx + cx;
        for (int64_t k = sg->off[c]; k < sg->off[c + 1]; k++) {
          int64_t i = sg->idx[k];
          double dx = sg->x[i] - px, dy = sg->y[i] - py, d2 = dx * dx + dy * dy;
          if (d2 < best || (d2 == best && i < best_i)) {
            best = d2;
            best_i = i;
          }
        }
      }
    }
    double lb = fmin(fmin(fx - (double)(ix - r), (double)(ix + r + 1) - fx),
                     fmin(fy - (double)(iy - r), (double)(iy + r + 1) - fy)) *
                sg->cell;
    if (best_i >= 0 && lb > 0 && lb * lb > best)
      break;
  }
  return best_i;
}

/* population_assign and population_assign_weighted: node weights from the network (and
 * density samples), or given per node in w_node. */
static int assign_impl(const struct graph *g, const struct polygon_set *ps,
                       const struct population_table *t, const struct density_samples *d,
                       const double *w_node, const struct group_set *groups,
                       struct population *pop) {
  memset(pop, 0, sizeof *pop);
  int64_t n = g->n_nodes;
  int ng = groups->n, ns = ps->n;
  if (t->n != ns)
    LC_FAIL(LC_EINVARIANT, "the population table has %d subdistricts, the polygons %d", t->n, ns);
  pop->n_nodes = n;
  pop->n_groups = ng;
  pop->n_subdistricts = ns;
  pop->subdistrict = malloc((size_t)(n + 1) * sizeof *pop->subdistrict);
  pop->weight = calloc((size_t)(n + 1), sizeof *pop->weight);
  pop->residents = calloc((size_t)(n + 1), sizeof *pop->residents);
  pop->by_group = calloc((size_t)(n * ng + 1), sizeof *pop->by_group);
  pop->sub_residents = calloc((size_t)ns + 1, sizeof *pop->sub_residents);
  pop->sub_group = calloc((size_t)(ns * ng + 1), sizeof *pop->sub_group);
  pop->sub_nodes = calloc((size_t)ns + 1, sizeof *pop->sub_nodes);
  int64_t *len2 = calloc((size_t)(n + 1), sizeof *len2); /* Sum of incident lengths, cm. */
  int64_t *order = malloc((size_t)(n + 1) * sizeof *order);
  int64_t *sub_off = calloc((size_t)ns + 2, sizeof *sub_off);
  double *wbuf = malloc((size_t)(n + 1) * sizeof *wbuf);
  int64_t *cbuf = malloc((size_t)(n + ng + 1) * sizeof *cbuf);
  double *shares = malloc((size_t)(ng + 1) * sizeof *shares);
  int rc = LC_OK;
  struct sample_grid sg = {0};
  if (!pop->subdistrict || !pop->weight || !pop->residents || !pop->by_group ||
      !pop->sub_residents || !pop->sub_group || !pop->sub_nodes || !len2 || !order || !sub_off ||
      !wbuf || !cbuf || !shares) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__,
                      "out of memory placing residents on %" PRId64 " nodes", n);
    goto done;
  }
  for (int64_t e = 0; e < g->n_edges; e++) {
    len2[g->u[e]] += g->length_cm[e];
    len2[g->v[e]] += g->length_cm[e];
  }
  if (d)
    LC_CHECK_GOTO(rc, sample_grid_build(&sg, d, g), done);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; i++) {
    int s = geom_locate(ps, g->lon[i], g->lat[i]);
    pop->subdistrict[i] = s;
    double w = 0.0;
    if (s >= 0 && w_node) {
      w = w_node[i];
    } else if (s >= 0) {
      w = (double)len2[i] / 200.0; /* Half the incident length, in metres. */
      if (d)
        w *= d->value[sample_nearest(&sg, g->lon[i], g->lat[i])];
    }
    pop->weight[i] = w;
  }
  /* Nodes grouped by subdistrict in index order (a counting sort). */
  for (int64_t i = 0; i < n; i++)
    if (pop->subdistrict[i] >= 0)
      sub_off[pop->subdistrict[i] + 1]++;
  for (int s = 0; s < ns; s++) {
    pop->sub_nodes[s] = sub_off[s + 1];
    sub_off[s + 1] += sub_off[s];
  }
  int64_t *pos = calloc((size_t)ns + 1, sizeof *pos);
  if (!pos) {
    rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory");
    goto done;
  }
  memcpy(pos, sub_off, (size_t)ns * sizeof *pos);
  for (int64_t i = 0; i < n; i++)
    if (pop->subdistrict[i] >= 0)
      order[pos[pop->subdistrict[i]]++] = i;
  free(pos);
  for (int s = 0; s < ns; s++) {
    int64_t total = t->residents[s], first = sub_off[s], cnt = sub_off[s + 1] - sub_off[s];
    if (total == 0)
      continue;
    if (cnt == 0) {
      rc = lc_error_set(LC_EEMPTY, __FILE__, __LINE__,
                        "subdistrict '%s' has %" PRId64 " residents (%s line %" PRId64
                        ") but no network node lies inside its polygon",
                        ps->name[s], total, t->file ? t->file : "", t->line[s]);
      goto done;
    }
    double wsum = 0.0;
    for (int64_t k = 0; k < cnt; k++) {
      wbuf[k] = pop->weight[order[first + k]];
      wsum += wbuf[k];
    }
    if (!(wsum > 0)) {
      rc = lc_error_set(LC_EEMPTY, __FILE__, __LINE__,
                        "subdistrict '%s' has %" PRId64 " residents but its %" PRId64
                        " nodes all have zero residential weight (%s)",
                        ps->name[s], total, cnt,
                        w_node ? "no raster population reaches them"
                        : d    ? "no edges or zero density"
                               : "no edges");
      goto done;
    }
    int64_t *counts = malloc((size_t)cnt * sizeof *counts);
    if (!counts) {
      rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "out of memory");
      goto done;
    }
    rc = population_largest_remainder(total, wbuf, cnt, counts);
    if (rc == LC_OK)
      for (int64_t k = 0; k < cnt; k++)
        pop->residents[order[first + k]] = counts[k];
    free(counts);
    if (rc != LC_OK)
      goto done;
    pop->sub_residents[s] = total;
  }
  for (int k = 0; k < ng; k++)
    shares[k] = groups->g[k].share;
  for (int64_t i = 0; i < n; i++) {
    if (pop->residents[i] == 0)
      continue;
    LC_CHECK_GOTO(rc, population_largest_remainder(pop->residents[i], shares, ng, cbuf), done);
    int s = pop->subdistrict[i];
    for (int k = 0; k < ng; k++) {
      pop->by_group[i * ng + k] = cbuf[k];
      pop->sub_group[(int64_t)s * ng + k] += cbuf[k];
    }
  }
done:
  sample_grid_free(&sg);
  free(len2);
  free(order);
  free(sub_off);
  free(wbuf);
  free(cbuf);
  free(shares);
  if (rc != LC_OK)
    population_free(pop);
  return rc;
}

int population_assign(const struct graph *g, const struct polygon_set *ps,
                      const struct population_table *t, const struct density_samples *d,
                      const struct group_set *groups, struct population *pop) {
  return assign_impl(g, ps, t, d, NULL, groups, pop);
}

int population_assign_weighted(const struct graph *g, const struct polygon_set *ps,
                               const struct population_table *t, const double *w_node,
                               const struct group_set *groups, struct population *pop) {
  return assign_impl(g, ps, t, NULL, w_node, groups, pop);
}
