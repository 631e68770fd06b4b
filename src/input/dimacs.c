/* DIMACS shortest-path challenge files (.gr, .co) to an undirected graph. */
#include "lifecircle/dimacs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/log.h"
#include "lifecircle/memcheck.h"
#include "lifecircle/status.h"

/* One arc with its ends ordered: a < b; dir is 0 when the file wrote a -> b, 1 for b -> a. */
struct dimacs_arc {
  int64_t a, b, w;
  int dir;
};

static int dimacs_arc_cmp(const void *x, const void *y) {
  const struct dimacs_arc *p = x, *q = y;
  if (p->a != q->a)
    return p->a < q->a ? -1 : 1;
  if (p->b != q->b)
    return p->b < q->b ? -1 : 1;
  if (p->w != q->w)
    return p->w < q->w ? -1 : 1;
  return (p->dir > q->dir) - (p->dir < q->dir);
}

/* Splits a line into at most max whitespace-separated tokens (in place); returns the count,
 * or max + 1 when there are more. */
static int dimacs_tokens(char *line, char **tok, int max) {
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
    if (n == max)
      return max + 1;
    tok[n++] = t;
  }
  return n;
}

/* Parses a whole token as a decimal int64. Returns 1 on success. */
static int dimacs_int(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end || errno)
    return 0;
  *out = (int64_t)v;
  return 1;
}

/* Reads the .gr file into an arc array. */
/* The checks at the end of a file: no read error, and a problem line (whose form `problem`
 * names) was seen at line p_line > 0. */
static int dimacs_finish(FILE *f, const char *path, int64_t lineno, int64_t p_line,
                         const char *problem) {
  if (ferror(f))
    LC_FAIL(LC_EIO, "%s: read error after line %lld", path, (long long)lineno);
  if (!p_line)
    LC_FAIL(LC_EFORMAT, "%s:%lld: no problem line \"%s\" in the file", path, (long long)lineno,
            problem);
  return LC_OK;
}

static int dimacs_read_arcs(const char *path, int64_t *n_nodes, struct dimacs_arc **arcs_out,
                            int64_t *n_arcs_out) {
  int rc = LC_OK;
  FILE *f = fopen(path, "r");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  char *line = NULL;
  size_t cap = 0;
  int64_t lineno = 0, n = -1, m = -1, got = 0;
  int64_t p_line = 0;
  struct dimacs_arc *arcs = NULL;
  ssize_t len;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    char *tok[6];
    if (line[0] == 'c' && (line[1] == ' ' || line[1] == '\t' || line[1] == '\n' ||
                           line[1] == '\r' || line[1] == '\0'))
      continue;
    int nt = dimacs_tokens(line, tok, 5);
    if (nt == 0)
      continue;
    if (!strcmp(tok[0], "p")) {
      if (p_line) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: a second problem line (the first is at line %lld)", path,
                          (long long)lineno, (long long)p_line);
        goto done;
      }
      if (nt != 4 || strcmp(tok[1], "sp") || !dimacs_int(tok[2], &n) || !dimacs_int(tok[3], &m) ||
          n < 1 || m < 0) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: malformed problem line: expected \"p sp N M\" with N >= 1 "
                          "nodes and M >= 0 arcs",
                          path, (long long)lineno);
        goto done;
      }
      /* Node ids become METIS vertices (32-bit idx_t). */
      if (n > INT32_MAX) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: %lld nodes announced; at most %d are supported", path,
                          (long long)lineno, (long long)n, INT32_MAX);
        goto done;
      }
      /* The nodes are allocated from the announced count; the arcs are not (they grow as
       * they are read), so a false M cannot make a huge or wrapped allocation. */
      int64_t need = 0;
      char detail[128];
      memcheck_add(&need, n, 64);
      snprintf(detail, sizeof detail, "%lld nodes announced at line %lld", (long long)n,
               (long long)lineno);
      LC_CHECK_GOTO(rc, memcheck_fits(need, path, detail), done);
      p_line = lineno;
    } else if (!strcmp(tok[0], "a")) {
      int64_t u, v, w;
      if (!p_line) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: arc before the problem line \"p sp N M\"", path,
                          (long long)lineno);
        goto done;
      }
      if (nt != 4 || !dimacs_int(tok[1], &u) || !dimacs_int(tok[2], &v) ||
          !dimacs_int(tok[3], &w)) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: malformed arc line: expected \"a U V W\" with integers", path,
                          (long long)lineno);
        goto done;
      }
      if (u < 1 || u > n || v < 1 || v > n) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: node id %lld is outside 1..%lld", path, (long long)lineno,
                          (long long)(u < 1 || u > n ? u : v), (long long)n);
        goto done;
      }
      if (w < 1 || w > INT64_MAX / 100) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: arc weight %lld must be a positive length in metres "
                          "(1..%lld)",
                          path, (long long)lineno, (long long)w, (long long)(INT64_MAX / 100));
        goto done;
      }
      if (got == m) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: more arcs than the %lld announced by the problem line", path,
                          (long long)lineno, (long long)m);
        goto done;
      }
      if ((got & (got - 1)) == 0) {
        struct dimacs_arc *grown = realloc(arcs, (size_t)(got > 0 ? 2 * got : 1) * sizeof *arcs);
        if (!grown) {
          rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s:%lld: cannot allocate %lld arcs",
                            path, (long long)lineno, (long long)(2 * got));
          goto done;
        }
        arcs = grown;
      }
      struct dimacs_arc *a = &arcs[got++];
      a->a = u < v ? u : v;
      a->b = u < v ? v : u;
      a->w = w;
      a->dir = u > v;
    } else {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%lld: unknown line type '%s' (expected c, p or a)", path,
                        (long long)lineno, tok[0]);
      goto done;
    }
  }
  rc = dimacs_finish(f, path, lineno, p_line, "p sp N M");
  if (rc != LC_OK)
    goto done;
  if (got != m) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s:%lld: %lld arcs found but the problem line (line %lld) announces %lld",
                      path, (long long)lineno, (long long)got, (long long)p_line, (long long)m);
    goto done;
  }
  *n_nodes = n;
  *n_arcs_out = got;
  *arcs_out = arcs;
  arcs = NULL;
done:
  free(arcs);
  free(line);
  fclose(f);
  return rc;
}

/* Reads the .co file into lon/lat of g (n nodes). */
static int dimacs_read_coords(const char *path, struct graph *g) {
  int rc = LC_OK;
  FILE *f = fopen(path, "r");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  char *line = NULL;
  size_t cap = 0;
  int64_t lineno = 0, n = -1, p_line = 0, got = 0;
  uint8_t *seen = calloc((size_t)g->n_nodes, 1);
  if (!seen) {
    fclose(f);
    return LC_ENOMEM;
  }
  while (getline(&line, &cap, f) >= 0) {
    lineno++;
    char *tok[7];
    if (line[0] == 'c' && (line[1] == ' ' || line[1] == '\t' || line[1] == '\n' ||
                           line[1] == '\r' || line[1] == '\0'))
      continue;
    int nt = dimacs_tokens(line, tok, 6);
    if (nt == 0)
      continue;
    if (!strcmp(tok[0], "p")) {
      if (p_line) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: a second problem line (the first is at line %lld)", path,
                          (long long)lineno, (long long)p_line);
        goto done;
      }
      if (nt != 5 || strcmp(tok[1], "aux") || strcmp(tok[2], "sp") || strcmp(tok[3], "co") ||
          !dimacs_int(tok[4], &n)) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: malformed problem line: expected \"p aux sp co N\"", path,
                          (long long)lineno);
        goto done;
      }
      if (n != g->n_nodes) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: %lld coordinates announced but the graph has %lld nodes", path,
                          (long long)lineno, (long long)n, (long long)g->n_nodes);
        goto done;
      }
      p_line = lineno;
    } else if (!strcmp(tok[0], "v")) {
      int64_t id, x, y;
      if (!p_line) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: coordinate before the problem line \"p aux sp co N\"", path,
                          (long long)lineno);
        goto done;
      }
      if (nt != 4 || !dimacs_int(tok[1], &id) || !dimacs_int(tok[2], &x) ||
          !dimacs_int(tok[3], &y)) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: malformed coordinate line: expected \"v ID X Y\" with "
                          "integers",
                          path, (long long)lineno);
        goto done;
      }
      if (id < 1 || id > n) {
        rc =
            lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:%lld: node id %lld is outside 1..%lld",
                         path, (long long)lineno, (long long)id, (long long)n);
        goto done;
      }
      if (x < -180000000 || x > 180000000 || y < -90000000 || y > 90000000) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%lld: coordinates %lld %lld are outside +-180e6, +-90e6 "
                          "(degrees times 10^6)",
                          path, (long long)lineno, (long long)x, (long long)y);
        goto done;
      }
      if (seen[id - 1]) {
        rc =
            lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:%lld: node %lld has coordinates twice",
                         path, (long long)lineno, (long long)id);
        goto done;
      }
      seen[id - 1] = 1;
      got++;
      g->lon[id - 1] = (double)x / 1e6;
      g->lat[id - 1] = (double)y / 1e6;
    } else {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%lld: unknown line type '%s' (expected c, p or v)", path,
                        (long long)lineno, tok[0]);
      goto done;
    }
  }
  rc = dimacs_finish(f, path, lineno, p_line, "p aux sp co N");
  if (rc != LC_OK)
    goto done;
  if (got != n) {
    int64_t first = 0;
    while (first < n && seen[first])
      first++;
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s:%lld: %lld of %lld nodes have coordinates (node %lld has none)", path,
                      (long long)lineno, (long long)got, (long long)n, (long long)(first + 1));
    goto done;
  }
done:
  free(seen);
  free(line);
  fclose(f);
  return rc;
}

int dimacs_read(const char *gr_path, const char *co_path, struct graph *g) {
  int rc = LC_OK;
  struct dimacs_arc *arcs = NULL;
  int64_t n = 0, m = 0;
  graph_init(g);
  LC_CHECK(dimacs_read_arcs(gr_path, &n, &arcs, &m));
  if (m > 1)
    qsort(arcs, (size_t)m, sizeof *arcs, dimacs_arc_cmp);

  /* Count the pairs and classify them. Arcs of one pair are adjacent after sorting, the
   * smallest weight first. */
  int64_t n_pairs = 0, n_loops = 0, n_asym = 0;
  for (int64_t i = 0; i < m;) {
    int64_t j = i;
    while (j < m && arcs[j].a == arcs[i].a && arcs[j].b == arcs[i].b)
      j++;
    if (arcs[i].a == arcs[i].b) {
      n_loops += j - i;
    } else {
      int64_t wmin[2] = {-1, -1};
      for (int64_t k = i; k < j; k++)
        if (wmin[arcs[k].dir] < 0)
          wmin[arcs[k].dir] = arcs[k].w;
      if (wmin[0] != wmin[1])
        n_asym++;
      n_pairs++;
    }
    i = j;
  }

  LC_CHECK_GOTO(rc, graph_alloc(g, n, n_pairs), fail);
  for (int64_t i = 0; i < n; i++) {
    g->lon[i] = 0.0;
    g->lat[i] = 0.0;
    g->osm_id[i] = i + 1;
  }
  int64_t e = 0;
  for (int64_t i = 0; i < m;) {
    int64_t j = i;
    while (j < m && arcs[j].a == arcs[i].a && arcs[j].b == arcs[i].b)
      j++;
    if (arcs[i].a != arcs[i].b) {
      g->u[e] = arcs[i].a - 1;
      g->v[e] = arcs[i].b - 1;
      g->length_cm[e] = arcs[i].w * 100;
      g->cost_cm[e] = arcs[i].w * 100;
      g->way_id[e] = -1;
      e++;
    }
    i = j;
  }
  free(arcs);
  arcs = NULL;
  if (co_path)
    LC_CHECK_GOTO(rc, dimacs_read_coords(co_path, g), fail);
  log_info("%s: %lld nodes, %lld arcs -> %lld undirected edges (minimum weight per pair); "
           "%lld asymmetric pairs, %lld self-loops dropped%s",
           gr_path, (long long)n, (long long)m, (long long)n_pairs, (long long)n_asym,
           (long long)n_loops, co_path ? "" : "; no .co file: lon/lat are 0");
  return LC_OK;
fail:
  free(arcs);
  graph_free(g);
  return rc;
}
