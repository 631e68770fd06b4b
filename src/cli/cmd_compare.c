/* lifecircle compare RESULTS.h5 [--baseline NAME]: every complete scenario of a results file
 * against the baseline — residents newly covered and no longer covered per subdistrict x
 * category x group and over the groups each category serves (static, and realised by the
 * agent simulation), node-level changes of the
 * nearest distance, facility load changes, the pass/fail table before and after — written to
 * /Comparisons/<scenario> and printed as a table. The file is changed
 * through a copy that replaces it only when complete. */
#include <errno.h>
#include <getopt.h>
#include <hdf5.h>
#include <inttypes.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/compare.h"
#include "lifecircle/compare_io.h"
#include "lifecircle/coverage.h"
#include "lifecircle/h5io.h"
#include "lifecircle/log.h"
#include "lifecircle/results.h"
#include "lifecircle/results_lock.h"
#include "lifecircle/status.h"
#include "lifecircle/textwidth.h"

static void cmd_compare_usage(void) {
  printf("usage: mpiexec -n N lifecircle compare RESULTS.h5 [--baseline NAME] "
         "[--scenarios A,B]\n\n"
         "Compares every complete scenario of a results file (from lifecircle run) with the\n"
         "baseline: residents newly covered and no longer covered per subdistrict x category\n"
         "x group, static (the walk to the nearest facility) and realised (the simulated\n"
         "day's trips served within the threshold, agent by agent, when the run simulated\n"
         "agents), the change of every node's walking distance to the nearest facility of\n"
         "each category, every facility's load before and after, and the pass/fail table.\n"
         "Writes /Comparisons/<scenario>/{newly_covered, no_longer_covered,\n"
         "served_newly_covered, served_no_longer_covered (over the groups each category\n"
         "serves), realised_newly_covered, realised_no_longer_covered,\n"
         "realised_served_newly_covered, realised_served_no_longer_covered,\n"
         "realised_covered_change,\n"
         "delta_nearest_cm, reach_change, facility_load_before, facility_load_after,\n"
         "facility_load_change, facility_baseline_row, pass_before, pass_after, ...} into the\n"
         "file (replacing earlier comparisons of the same scenarios; the file is rewritten\n"
         "through a copy, so an interrupted compare leaves it as it was) and prints, per\n"
         "subdistrict and category, the residents of the groups the category serves gaining\n"
         "and losing access, then the same per served group, the categories with no data or\n"
         "thin data, and the facility load per category. Results files without\n"
         "/Categories/serves (older versions) are refused.\n\n"
         "options:\n"
         "  -b, --baseline NAME    the scenario compared against (default: baseline)\n"
         "  -s, --scenarios LIST   only these scenarios (comma-separated)\n"
         "  -h, --help             this help\n");
}

/* Everything read once from the file. */
struct cmp_ctx {
  MPI_Comm comm;
  int rank, size;
  int64_t n_nodes, lo, hi; /* This rank's block of nodes [lo, hi). */
  int n_cat, n_group, n_sub;
  char **cat_id, **group_id, **row_name;
  char **cat_label; /* "中文名 English name" of every category, for the printout. */
  int64_t n_cat_ids, n_group_ids, n_sub_names;
  int64_t *serves; /* C x G: /Categories/serves. */
  int *threshold_min;
  double *speed_m_s;
  int64_t *residents;   /* Block x groups. */
  int32_t *subdistrict; /* Block. */
  int64_t *gid;         /* Block: lo .. hi-1. */
};

static void cmp_ctx_free(struct cmp_ctx *x) {
  compare_free_strings(x->cat_id, x->n_cat_ids);
  compare_free_strings(x->group_id, x->n_group_ids);
  compare_free_strings(x->row_name, x->n_sub_names + 1);
  compare_free_strings(x->cat_label, x->n_cat_ids);
  free(x->serves);
  free(x->threshold_min);
  free(x->speed_m_s);
  free(x->residents);
  free(x->subdistrict);
  free(x->gid);
}

/* Reads a small whole int64 table of an expected size. Local. */
static int cmp_read_table(hid_t file, const char *name, int64_t rows, int64_t ncols,
                          int64_t **out) {
  *out = lc_malloc_array(rows * (ncols > 0 ? ncols : 1), sizeof **out);
  if (!*out)
    return LC_ENOMEM;
  int st = results_read_rows(file, name, rows, ncols, 0, rows, *out);
  if (st != LC_OK) {
    free(*out);
    *out = NULL;
  }
  return st;
}

/* Category labels "中文名 English name" (the id where a file lacks the names). */
static int cmp_read_labels(hid_t file, struct cmp_ctx *x) {
  char **zh = NULL, **en = NULL;
  int64_t nz = 0, ne = 0;
  int st = LC_OK;
  if (h5io_exists(file, "/Categories/name_zh") && h5io_exists(file, "/Categories/name_en")) {
    st = compare_read_strings(file, "/Categories/name_zh", &zh, &nz);
    if (st == LC_OK)
      st = compare_read_strings(file, "/Categories/name_en", &en, &ne);
  }
  x->cat_label = lc_calloc_array(x->n_cat, sizeof *x->cat_label);
  if (st == LC_OK && !x->cat_label)
    st = LC_ENOMEM;
  for (int c = 0; st == LC_OK && c < x->n_cat; c++) {
    int named = nz == x->n_cat && ne == x->n_cat;
    size_t len = named ? strlen(zh[c]) + strlen(en[c]) + 2 : strlen(x->cat_id[c]) + 1;
    if (!(x->cat_label[c] = malloc(len)))
      st = LC_ENOMEM;
    else if (named)
      snprintf(x->cat_label[c], len, "%s %s", zh[c], en[c]);
    else
      snprintf(x->cat_label[c], len, "%s", x->cat_id[c]);
  }
  compare_free_strings(zh, nz);
  compare_free_strings(en, ne);
  return st;
}

static int cmp_read_common(hid_t file, struct cmp_ctx *x) {
  LC_CHECK(compare_read_strings(file, "/Categories/id", &x->cat_id, &x->n_cat_ids));
  LC_CHECK(compare_read_strings(file, "/Groups/id", &x->group_id, &x->n_group_ids));
  char **subs = NULL;
  LC_CHECK(compare_read_strings(file, "/Subdistricts/name", &subs, &x->n_sub_names));
  x->n_cat = (int)x->n_cat_ids;
  x->n_group = (int)x->n_group_ids;
  x->n_sub = (int)x->n_sub_names;
  x->row_name = calloc((size_t)x->n_sub + 2, sizeof *x->row_name);
  if (!x->row_name) {
    compare_free_strings(subs, x->n_sub_names);
    return LC_ENOMEM;
  }
  for (int s = 0; s < x->n_sub; s++)
    x->row_name[s] = subs[s];
  free(subs);
  if (!(x->row_name[x->n_sub] = strdup("all")))
    return LC_ENOMEM;
  /* The served groups: every headline count is over them (older files are refused). */
  LC_CHECK(compare_read_serves(file, x->n_cat, x->n_group, &x->serves));
  LC_CHECK(cmp_read_labels(file, x));
  int64_t *thr = NULL, rows = 0, cols = 0;
  double *speed = NULL;
  LC_CHECK(h5io_read(file, "/Categories/threshold_min", H5IO_I64, (void **)&thr, &rows, &cols));
  int st = rows == x->n_cat
               ? LC_OK
               : lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                              "/Categories/threshold_min has %" PRId64 " rows, /Categories/id %d",
                              rows, x->n_cat);
  x->threshold_min = lc_malloc_array(x->n_cat, sizeof *x->threshold_min);
  if (st == LC_OK && !x->threshold_min)
    st = LC_ENOMEM;
  for (int c = 0; st == LC_OK && c < x->n_cat; c++)
    x->threshold_min[c] = (int)thr[c];
  free(thr);
  LC_CHECK(st);
  LC_CHECK(h5io_read(file, "/Groups/speed_m_s", H5IO_F64, (void **)&speed, &rows, &cols));
  x->speed_m_s = speed;
  if (rows != x->n_group)
    LC_FAIL(LC_EFORMAT, "/Groups/speed_m_s has %" PRId64 " rows, /Groups/id %d", rows, x->n_group);
  /* The node count from the graph. */
  hid_t dset = H5Dopen2(file, "/Population/subdistrict", H5P_DEFAULT);
  if (dset < 0)
    LC_FAIL(LC_EFORMAT, "dataset /Population/subdistrict is missing");
  hid_t space = H5Dget_space(dset);
  hsize_t dims[1] = {0};
  H5Sget_simple_extent_dims(space, dims, NULL);
  H5Sclose(space);
  H5Dclose(dset);
  x->n_nodes = (int64_t)dims[0];
  x->lo = x->n_nodes * x->rank / x->size;
  x->hi = x->n_nodes * (x->rank + 1) / x->size;
  int64_t n = x->hi - x->lo, G = x->n_group;
  x->residents = lc_malloc_array(n * G, sizeof *x->residents);
  int64_t *sub = lc_malloc_array(n, sizeof *sub);
  x->subdistrict = lc_malloc_array(n, sizeof *x->subdistrict);
  x->gid = lc_malloc_array(n, sizeof *x->gid);
  if (!x->residents || !sub || !x->subdistrict || !x->gid) {
    free(sub);
    return LC_ENOMEM;
  }
  st = results_read_rows(file, "/Population/residents", x->n_nodes, G, x->lo, x->hi, x->residents);
  if (st == LC_OK)
    st = results_read_rows(file, "/Population/subdistrict", x->n_nodes, 0, x->lo, x->hi, sub);
  for (int64_t i = 0; st == LC_OK && i < n; i++) {
    x->subdistrict[i] = (int32_t)sub[i];
    x->gid[i] = x->lo + i;
  }
  free(sub);
  return st;
}

/* Names of the groups under /Scenarios, in name order. */
struct cmp_list {
  char **name;
  int n, cap;
};

static herr_t cmp_collect(hid_t g, const char *name, const H5L_info_t *info, void *arg) {
  (void)g;
  (void)info;
  struct cmp_list *l = arg;
  if (l->n == l->cap) {
    int nc = l->cap ? 2 * l->cap : 16;
    char **p = realloc(l->name, (size_t)nc * sizeof *p);
    if (!p)
      return -1;
    l->name = p;
    l->cap = nc;
  }
  if (!(l->name[l->n] = strdup(name)))
    return -1;
  l->n++;
  return 0;
}

/* 1 when /Scenarios/<name> carries complete = 1. */
static int cmp_complete(hid_t file, const char *name) {
  char path[600];
  snprintf(path, sizeof path, "/Scenarios/%s", name);
  hid_t g = H5Oopen(file, path, H5P_DEFAULT);
  if (g < 0)
    return 0;
  int64_t v = 0;
  if (H5Aexists(g, "complete") > 0) {
    hid_t a = H5Aopen(g, "complete", H5P_DEFAULT);
    if (a < 0 || H5Aread(a, H5T_NATIVE_INT64, &v) < 0)
      v = 0;
    if (a >= 0)
      H5Aclose(a);
  }
  H5Oclose(g);
  return v == 1;
}

static int cmp_list_scenarios(hid_t file, struct cmp_list *l) {
  memset(l, 0, sizeof *l);
  if (!h5io_exists(file, "/Scenarios"))
    LC_FAIL(LC_EFORMAT, "no /Scenarios group: not a results file of lifecircle run");
  hid_t g = H5Gopen2(file, "/Scenarios", H5P_DEFAULT);
  if (g < 0)
    LC_FAIL(LC_EHDF5, "cannot open /Scenarios");
  herr_t h = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, cmp_collect, l);
  H5Gclose(g);
  if (h < 0)
    LC_FAIL(LC_EHDF5, "cannot list /Scenarios");
  return LC_OK;
}

static void cmp_list_free(struct cmp_list *l) {
  compare_free_strings(l->name, l->n);
  memset(l, 0, sizeof *l);
}

/* Per-category nearest distances of this rank's block, transposed to [c][i]. */
static int cmp_read_nearest(hid_t file, const struct cmp_ctx *x, const char *scen, int64_t *store,
                            int64_t **cols) {
  char name[640];
  int64_t n = x->hi - x->lo, C = x->n_cat;
  int64_t *tmp = lc_malloc_array(n * C, sizeof *tmp);
  if (!tmp)
    return LC_ENOMEM;
  snprintf(name, sizeof name, "/Scenarios/%s/NodeAccess/nearest_cm", scen);
  int st = results_read_rows(file, name, x->n_nodes, C, x->lo, x->hi, tmp);
  for (int c = 0; c < C; c++) {
    cols[c] = store + (size_t)c * (size_t)n;
    for (int64_t i = 0; st == LC_OK && i < n; i++)
      cols[c][i] = tmp[i * C + c];
  }
  free(tmp);
  return st;
}

/* The pass/fail word of one cell: "no data" when the category has no facility on the
 * network (never a failure), "-" when the row has no residents of the served groups. */
static const char *cmp_pass_word(int64_t p, int64_t status) {
  if (status == COVERAGE_DATA_NONE)
    return "no data";
  return p == 1 ? "pass" : p == 0 ? "fail" : "-";
}

/* Column widths of the printout: the widest subdistrict and category label. */
static void cmp_widths(const struct cmp_ctx *x, int *w_row, int *w_cat) {
  *w_row = textwidth("subdistrict");
  *w_cat = textwidth("category");
  for (int r = 0; r <= x->n_sub; r++)
    if (textwidth(x->row_name[r]) > *w_row)
      *w_row = textwidth(x->row_name[r]);
  for (int c = 0; c < x->n_cat; c++)
    if (textwidth(x->cat_label[c]) > *w_cat)
      *w_cat = textwidth(x->cat_label[c]);
}

/* Prints "+gain" and "-loss" right-aligned in 9 columns each, or "-" twice. */
static void cmp_pair(int have, int64_t gain, int64_t loss) {
  char a[32] = "-", b[32] = "-";
  if (have) {
    snprintf(a, sizeof a, "+%" PRId64, gain);
    snprintf(b, sizeof b, "-%" PRId64, loss);
  }
  textwidth_rpad(stdout, a, 10);
  textwidth_rpad(stdout, b, 10);
}

/* The data status of both scenarios in words (rank 0): categories with no data or thin
 * data, with the reasons the run recorded. */
static void cmp_print_status(const struct cmp_ctx *x, const char *name, const int64_t *status,
                             char *const *reason) {
  if (!status) {
    printf("  %s: data status not recorded (results written before Coverage/data_status)\n", name);
    return;
  }
  int none = 0, thin = 0;
  for (int c = 0; c < x->n_cat; c++) {
    none += status[c] == COVERAGE_DATA_NONE;
    thin += status[c] == COVERAGE_DATA_THIN;
  }
  if (!none && !thin) {
    printf("  %s: every category has data\n", name);
    return;
  }
  printf("  %s: %d categories with no data (no facility on the network: shares NaN, pass "
         "\"no data\", left out of the complete life circle), %d with thin data\n",
         name, none, thin);
  for (int c = 0; c < x->n_cat; c++) {
    if (status[c] == COVERAGE_DATA_OK)
      continue;
    printf("    %-9s %s", status[c] == COVERAGE_DATA_NONE ? "no data" : "thin", x->cat_label[c]);
    if (reason && reason[c][0] && status[c] == COVERAGE_DATA_THIN)
      printf(" - %s", reason[c]);
    else
      printf(" (%s)", x->cat_id[c]);
    printf("\n");
  }
}

/* Prints the table of one comparison (rank 0). Headline first: per subdistrict and
 * category, the residents of the groups the category serves gaining and losing access
 * (static and realised) and pass/fail before and after; then the same per served group.
 * rn, rl (realised, R x C*G) and rsn, rsl (realised over the served groups, R x C) may be
 * NULL; status_b, status_a (data status per category) may be NULL for older files. */
static void cmp_print(const struct cmp_ctx *x, const char *scen, const char *base,
                      const struct comparison *cmp, const int64_t *sn, const int64_t *sl,
                      const int64_t *rn, const int64_t *rl, const int64_t *rsn, const int64_t *rsl,
                      const int64_t *pb, const int64_t *pa, const int64_t *status_b,
                      const int64_t *status_a) {
  int R = x->n_sub + 1, C = x->n_cat, G = x->n_group, w_row, w_cat;
  cmp_widths(x, &w_row, &w_cat);
  printf("\n%s compared with %s: residents of the groups each category serves gaining (+) "
         "and losing (-) access within the category's threshold; static: the walk to the "
         "nearest facility; realised: the simulated day's trips served in time%s; pass/fail "
         "against the category's target (\"no data\": no facility of the category on the "
         "network, not a failure)\n",
         scen, base, rsn ? "" : " (not available: no agent simulation or no Trips)");
  printf("  ");
  textwidth_pad(stdout, "subdistrict", w_row + 2);
  textwidth_pad(stdout, "category", w_cat + 2);
  printf("%-24s %20s %20s   %s\n", "served groups", "static gain  loss", "realised gain  loss",
         "pass before -> after");
  int64_t quiet = 0, shown = 0;
  uint8_t *show = lc_calloc_array(R * C, 1);
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) {
      size_t k = (size_t)r * C + c;
      int64_t b = pb[k], a = pa[k];
      int64_t sb = status_b ? status_b[c] : 0, sa = status_a ? status_a[c] : 0;
      int any = sn[k] || sl[k] || (rsn && (rsn[k] || rsl[k]));
      if (!any && a == b && sa == sb) {
        quiet++;
        continue;
      }
      if (show)
        show[k] = 1;
      shown++;
      char groups[128];
      size_t at = 0;
      groups[0] = '\0';
      for (int g = 0; g < G && at < sizeof groups; g++)
        if (x->serves[c * G + g])
          at += (size_t)snprintf(groups + at, sizeof groups - at, "%s%s", at ? "," : "",
                                 x->group_id[g]);
      printf("  ");
      textwidth_pad(stdout, x->row_name[r], w_row + 2);
      textwidth_pad(stdout, x->cat_label[c], w_cat + 2);
      printf("%-24s", groups);
      cmp_pair(1, sn[k], sl[k]);
      printf(" ");
      cmp_pair(rsn != NULL, rsn ? rsn[k] : 0, rsl ? rsl[k] : 0);
      printf("   %s -> %s%s\n", cmp_pass_word(b, sb), cmp_pass_word(a, sa),
             a != b || sa != sb ? "  (changed)" : "");
    }
  printf("  (%" PRId64 " subdistrict x category rows without change not shown)\n", quiet);
  if (shown && show) {
    printf("  per served group (a category's headline is the sum of these):\n");
    for (int r = 0; r < R; r++)
      for (int c = 0; c < C; c++) {
        if (!show[(size_t)r * C + c])
          continue;
        for (int g = 0; g < G; g++) {
          if (!x->serves[c * G + g])
            continue;
          size_t k = ((size_t)r * C + c) * G + g;
          printf("  ");
          textwidth_pad(stdout, x->row_name[r], w_row + 2);
          textwidth_pad(stdout, x->cat_label[c], w_cat + 2);
          printf("%-24s", x->group_id[g]);
          cmp_pair(1, cmp->newly_covered[k], cmp->no_longer_covered[k]);
          printf(" ");
          cmp_pair(rn != NULL, rn ? rn[k] : 0, rl ? rl[k] : 0);
          printf("\n");
        }
      }
  }
  free(show);
}

/* Facility load before and after per category, from the comparison's facility_load_*
 * datasets (rank 0). */
static int cmp_facility_load(hid_t file, const struct cmp_ctx *x, const char *scen) {
  char name[700];
  snprintf(name, sizeof name, "/Comparisons/%s/facility_load_after", scen);
  if (!h5io_exists(file, name)) {
    printf("  facility load: not simulated in this run\n");
    return LC_OK;
  }
  int C = x->n_cat;
  int64_t *before = NULL, *after = NULL, *cat = NULL, nf = 0, cols = 0, r1 = 0, r2 = 0;
  int64_t *tot = lc_calloc_array(4 * C, sizeof *tot);
  int st = tot ? LC_OK : LC_ENOMEM;
  snprintf(name, sizeof name, "/Scenarios/%s/Facilities/category", scen);
  if (st == LC_OK)
    st = h5io_read(file, name, H5IO_I64, (void **)&cat, &nf, &cols);
  snprintf(name, sizeof name, "/Comparisons/%s/facility_load_before", scen);
  if (st == LC_OK)
    st = h5io_read(file, name, H5IO_I64, (void **)&before, &r1, &cols);
  snprintf(name, sizeof name, "/Comparisons/%s/facility_load_after", scen);
  if (st == LC_OK)
    st = h5io_read(file, name, H5IO_I64, (void **)&after, &r2, &cols);
  if (st == LC_OK && (r1 != nf || r2 != nf || cols != 4))
    st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "/Comparisons/%s/facility_load_*: shape does not match Facilities", scen);
  int64_t changed = 0;
  for (int64_t f = 0; st == LC_OK && f < nf; f++) {
    if (cat[f] < 0 || cat[f] >= C)
      continue;
    /* Columns: arrivals, served, refused, peak_queue. */
    tot[cat[f]] += before[f * 4 + 1];
    tot[C + cat[f]] += after[f * 4 + 1];
    tot[2 * C + cat[f]] += before[f * 4 + 2];
    tot[3 * C + cat[f]] += after[f * 4 + 2];
    for (int q = 0; q < 4; q++)
      if (before[f * 4 + q] != after[f * 4 + q]) {
        changed++;
        break;
      }
  }
  int w_row, w_cat;
  cmp_widths(x, &w_row, &w_cat);
  if (st == LC_OK) {
    printf("  facility load per category (agents served, refused: before -> after; %" PRId64
           " facilities changed, per facility in facility_load_change)\n",
           changed);
    for (int c = 0; c < C; c++)
      if (tot[c] != tot[C + c] || tot[2 * C + c] != tot[3 * C + c]) {
        printf("  ");
        textwidth_pad(stdout, x->cat_label[c], w_cat);
        printf(" served %8" PRId64 " -> %8" PRId64 "   refused %8" PRId64 " -> %8" PRId64 "\n",
               tot[c], tot[C + c], tot[2 * C + c], tot[3 * C + c]);
      }
  }
  free(tot);
  free(cat);
  free(before);
  free(after);
  return st;
}

/* Copies a file byte for byte (rank 0). */
static int cmp_copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (!in)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", from, strerror(errno));
  FILE *out = fopen(to, "wb");
  if (!out) {
    fclose(in);
    LC_FAIL(LC_EIO, "%s: cannot create: %s", to, strerror(errno));
  }
  static char buf[1 << 20];
  size_t n;
  int st = LC_OK;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) {
      st = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: write failed: %s", to, strerror(errno));
      break;
    }
  if (st == LC_OK && ferror(in))
    st = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: read failed", from);
  fclose(in);
  if (fclose(out) != 0 && st == LC_OK)
    st = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: write failed: %s", to, strerror(errno));
  if (st != LC_OK)
    unlink(to);
  return st;
}

static int cmp_open_parallel(const char *path, MPI_Comm comm, hid_t *file) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0 || H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0) {
    if (fapl >= 0)
      H5Pclose(fapl);
    LC_FAIL(LC_EHDF5, "%s: cannot set up parallel access", path);
  }
  *file = H5Fopen(path, H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  if (*file < 0)
    LC_FAIL(LC_EHDF5, "%s: cannot open for parallel writing", path);
  return LC_OK;
}

/* Compares one scenario and writes its group. Collective. */
static int cmp_one(struct results *res, const struct cmp_ctx *x, const char *scen,
                   const char *base) {
  int C = x->n_cat, R = x->n_sub + 1;
  int64_t n = x->hi - x->lo;
  size_t nc = (size_t)(n * C > 0 ? n * C : 1);
  int64_t *store = malloc(2 * nc * sizeof *store);
  int64_t **cols = lc_calloc_array(2 * C, sizeof *cols);
  int64_t *pb = NULL, *pa = NULL;
  int8_t *pb8 = lc_malloc_array(2 * R * C, 1);
  struct comparison cmp;
  memset(&cmp, 0, sizeof cmp);
  char name[640];
  int st = store && cols && pb8 ? LC_OK : LC_ENOMEM;
  if (st == LC_OK)
    st = cmp_read_nearest(res->file, x, base, store, cols);
  if (st == LC_OK)
    st = cmp_read_nearest(res->file, x, scen, store + nc, cols + C);
  snprintf(name, sizeof name, "/Scenarios/%s/Coverage/pass", base);
  if (st == LC_OK)
    st = cmp_read_table(res->file, name, R, C, &pb);
  snprintf(name, sizeof name, "/Scenarios/%s/Coverage/pass", scen);
  if (st == LC_OK)
    st = cmp_read_table(res->file, name, R, C, &pa);
  for (int k = 0; st == LC_OK && k < R * C; k++) {
    pb8[k] = (int8_t)pb[k];
    pb8[R * C + k] = (int8_t)pa[k];
  }
  st = lc_agree(MPI_COMM_WORLD, st);
  if (st == LC_OK) {
    struct coverage_spec spec = {x->n_sub,     C, x->n_group, x->threshold_min, NULL, NULL, NULL,
                                 x->speed_m_s, 0, NULL};
    st = compare_compute(&spec, n, (const int64_t *const *)cols, (const int64_t *const *)(cols + C),
                         x->residents, x->subdistrict, res->comm, &cmp);
  }
  snprintf(name, sizeof name, "/Comparisons/%s", scen);
  if (st == LC_OK && h5io_exists(res->file, name) && H5Ldelete(res->file, name, H5P_DEFAULT) < 0)
    st = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot replace %s", name);
  st = lc_agree(MPI_COMM_WORLD, st);
  if (st == LC_OK)
    st = compare_write(res, scen, base, &cmp, x->row_name, n, x->gid, (const int64_t *const *)cols,
                       (const int64_t *const *)(cols + C), pb8, pb8 + R * C);
  if (st == LC_OK && H5Fflush(res->file, H5F_SCOPE_GLOBAL) < 0)
    st = lc_error_set(LC_EHDF5, __FILE__, __LINE__, "cannot flush %s", res->tmp);
  st = lc_agree(MPI_COMM_WORLD, st);
  if (st == LC_OK && x->rank == 0) {
    /* The realised tables as written (absent when the agents were not simulated). */
    int G = x->n_group;
    int64_t *rn = NULL, *rl = NULL, *rsn = NULL, *rsl = NULL, *sb = NULL, *sa = NULL;
    char **why_b = NULL, **why_a = NULL;
    int64_t n_why_a = 0, n_why_b = 0;
    int64_t *served = lc_malloc_array(2 * R * C, sizeof *served);
    if (!served)
      st = LC_ENOMEM;
    snprintf(name, sizeof name, "/Comparisons/%s/realised_newly_covered", scen);
    if (st == LC_OK && h5io_exists(res->file, name)) {
      st = cmp_read_table(res->file, name, R, (int64_t)C * G, &rn);
      snprintf(name, sizeof name, "/Comparisons/%s/realised_no_longer_covered", scen);
      if (st == LC_OK)
        st = cmp_read_table(res->file, name, R, (int64_t)C * G, &rl);
      snprintf(name, sizeof name, "/Comparisons/%s/realised_served_newly_covered", scen);
      if (st == LC_OK)
        st = cmp_read_table(res->file, name, R, C, &rsn);
      snprintf(name, sizeof name, "/Comparisons/%s/realised_served_no_longer_covered", scen);
      if (st == LC_OK)
        st = cmp_read_table(res->file, name, R, C, &rsl);
    }
    /* Data status of both (absent from files written before it was recorded). */
    for (int w = 0; w < 2 && st == LC_OK; w++) {
      snprintf(name, sizeof name, "/Scenarios/%s/Coverage/data_status", w ? scen : base);
      if (!h5io_exists(res->file, name))
        continue;
      st = cmp_read_table(res->file, name, C, 0, w ? &sa : &sb);
      snprintf(name, sizeof name, "/Scenarios/%s/Coverage/data_status_reason", w ? scen : base);
      int64_t nr = 0;
      if (st == LC_OK && h5io_exists(res->file, name))
        st = compare_read_strings(res->file, name, w ? &why_a : &why_b, &nr);
      if (st == LC_OK && nr != 0 && nr != C)
        st = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s has %" PRId64 " rows, not %d", name,
                          nr, C);
      if (w)
        n_why_a = nr;
      else
        n_why_b = nr;
    }
    if (st == LC_OK) {
      compare_served_sum(R, C, G, cmp.newly_covered, x->serves, served);
      compare_served_sum(R, C, G, cmp.no_longer_covered, x->serves, served + R * C);
      cmp_print(x, scen, base, &cmp, served, served + R * C, rsl ? rn : NULL, rsl ? rl : NULL,
                rsl ? rsn : NULL, rsl, pb, pa, sb, sa);
      cmp_print_status(x, base, sb, why_b);
      int same = sb && sa && !memcmp(sb, sa, (size_t)C * sizeof *sb);
      for (int c = 0; same && why_a && why_b && c < C; c++)
        same = !strcmp(why_a[c], why_b[c]);
      if (!same)
        cmp_print_status(x, scen, sa, why_a);
      else
        printf("  %s: the same data status\n", scen);
    }
    if (st == LC_OK)
      st = cmp_facility_load(res->file, x, scen);
    if (st == LC_OK)
      st = compare_band_print(res->file, scen, x->row_name, x->cat_id, R, C);
    free(served);
    free(rsn);
    free(rsl);
    free(sb);
    free(sa);
    compare_free_strings(why_b, n_why_b);
    compare_free_strings(why_a, n_why_a);
    free(rn);
    free(rl);
  }
  st = lc_agree(MPI_COMM_WORLD, st);
  compare_free(&cmp);
  free(store);
  free(cols);
  free(pb);
  free(pa);
  free(pb8);
  return st;
}

/* 1 when `name` is in the comma-separated list (or the list is NULL). */
static int cmp_selected(const char *list, const char *name) {
  if (!list)
    return 1;
  size_t len = strlen(name);
  for (const char *s = list; (s = strstr(s, name)) != NULL; s += len)
    if ((s == list || s[-1] == ',') && (s[len] == '\0' || s[len] == ','))
      return 1;
  return 0;
}

/* Lists the scenarios to compare (every rank reads the file alone, read-only). */
static int cmp_plan(const char *path, const char *baseline, const char *only,
                    struct cmp_list *todo) {
  memset(todo, 0, sizeof *todo);
  hid_t file;
  LC_CHECK(h5io_open_serial(path, &file));
  struct cmp_list all;
  int st = cmp_list_scenarios(file, &all);
  if (st == LC_OK && !cmp_complete(file, baseline))
    st = lc_error_set(LC_EPARAM, __FILE__, __LINE__,
                      "%s: the baseline '%s' is not a complete scenario of the file", path,
                      baseline);
  for (int i = 0; st == LC_OK && i < all.n; i++) {
    if (!strcmp(all.name[i], baseline) || !cmp_selected(only, all.name[i]))
      continue;
    if (!cmp_complete(file, all.name[i])) {
      log_warn("%s: scenario %s is incomplete (interrupted run): skipped", path, all.name[i]);
      continue;
    }
    if (cmp_collect(-1, all.name[i], NULL, todo) < 0)
      st = LC_ENOMEM;
  }
  /* Every name asked for must exist. */
  if (st == LC_OK && only) {
    char *list = strdup(only), *save = NULL;
    if (!list)
      st = LC_ENOMEM;
    for (char *t = list ? strtok_r(list, ",", &save) : NULL; t && st == LC_OK;
         t = strtok_r(NULL, ",", &save)) {
      int found = 0;
      for (int i = 0; i < all.n; i++)
        found |= !strcmp(all.name[i], t);
      if (!found)
        st = lc_error_set(LC_EUSAGE, __FILE__, __LINE__,
                          "--scenarios: '%s' is not a scenario of %s", t, path);
    }
    free(list);
  }
  cmp_list_free(&all);
  H5Fclose(file);
  if (st != LC_OK)
    cmp_list_free(todo);
  return st;
}

int cmd_compare(int argc, char **argv) {
  static const struct option opts[] = {{"baseline", required_argument, NULL, 'b'},
                                       {"scenarios", required_argument, NULL, 's'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int c, rank, size;
  const char *baseline = "baseline", *only = NULL;
  MPI_Comm comm = MPI_COMM_WORLD;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  while ((c = getopt_long(argc, argv, "b:s:h", opts, NULL)) != -1) {
    switch (c) {
      case 'b':
        baseline = optarg;
        break;
      case 's':
        only = optarg;
        break;
      case 'h':
        if (rank == 0)
          cmd_compare_usage();
        return LC_OK;
      default:
        LC_FAIL(LC_EUSAGE, "compare: unknown option (see lifecircle compare --help)");
    }
  }
  if (optind + 1 != argc)
    LC_FAIL(LC_EUSAGE, "compare: expected exactly one RESULTS.h5 (see lifecircle compare "
                       "--help)");
  const char *path = argv[optind];
  /* A run or another compare writing the same file must not interleave with this one. */
  struct results_lock lock;
  LC_CHECK(results_lock_take(path, "compare", comm, &lock));
  struct cmp_list todo;
  int st = lc_agree(MPI_COMM_WORLD, cmp_plan(path, baseline, only, &todo));
  if (st != LC_OK) {
    results_lock_release(&lock);
    return st;
  }
  if (todo.n == 0) {
    log_info("%s: no complete scenario besides %s: nothing to compare", path, baseline);
    cmp_list_free(&todo);
    results_lock_release(&lock);
    return LC_OK;
  }
  double t0 = MPI_Wtime();
  /* Work on a copy that replaces the file only when every comparison is written. */
  struct results res;
  memset(&res, 0, sizeof res);
  res.comm = comm;
  res.rank = rank;
  res.size = size;
  res.file = -1;
  res.path = strdup(path);
  size_t len = strlen(path) + 16;
  res.tmp = malloc(len);
  if (!res.path || !res.tmp) {
    free(res.path);
    free(res.tmp);
    cmp_list_free(&todo);
    results_lock_release(&lock);
    return lc_agree(MPI_COMM_WORLD, LC_ENOMEM);
  }
  snprintf(res.tmp, len, "%s.compare.tmp", path);
  st = rank == 0 ? cmp_copy_file(path, res.tmp) : LC_OK;
  st = lc_agree(MPI_COMM_WORLD, st);
  if (st == LC_OK)
    st = lc_agree(MPI_COMM_WORLD, cmp_open_parallel(res.tmp, comm, &res.file));
  struct cmp_ctx x;
  memset(&x, 0, sizeof x);
  x.comm = comm;
  x.rank = rank;
  x.size = size;
  if (st == LC_OK)
    st = lc_agree(MPI_COMM_WORLD, cmp_read_common(res.file, &x));
  res.n_nodes = x.n_nodes;
  for (int i = 0; st == LC_OK && i < todo.n; i++)
    st = cmp_one(&res, &x, todo.name[i], baseline);
  /* Renames the copy over the file when every rank succeeded, else removes it. */
  st = results_finish(&res, st);
  if (st == LC_OK)
    log_info("compare: %d scenario(s) compared with %s in %.2f s; /Comparisons written to %s",
             todo.n, baseline, MPI_Wtime() - t0, path);
  cmp_ctx_free(&x);
  cmp_list_free(&todo);
  results_lock_release(&lock);
  return st;
}
