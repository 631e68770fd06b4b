/* The accessibility result's packed tables: the word layout of a category, packing entries
 * (for the serial reference), comparing and freeing tables. The kernel (access.c) fills its
 * tables in place: its label words are the table's words. */
#include <stdlib.h>
#include <string.h>

#include "lifecircle/access.h"
#include "lifecircle/alloc.h"
#include "lifecircle/status.h"

int access_table_layout(int64_t radius_cm, int64_t n_fac, int *fbits, int *wide) {
  int b = 1;
  while (b < 62 && ((int64_t)1 << b) <= n_fac)
    b++;
  *fbits = b;
  *wide = !(b < 32 && radius_cm < ((int64_t)1 << (32 - b)));
  if (b >= 62 || radius_cm >= ((int64_t)1 << (63 - b)))
    return LC_ETOOBIG;
  return LC_OK;
}

static int access_table_cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

int access_table_pack(struct access_table *t, const struct access_entry *e, int64_t n) {
  memset(t, 0, sizeof *t);
  int64_t nf = 0, maxd = 0;
  for (int64_t i = 0; i < n; i++)
    if (e[i].fac >= 0) {
      nf++;
      if (e[i].dist_cm > maxd)
        maxd = e[i].dist_cm;
    }
  t->fac_id = malloc((size_t)(nf + 1) * sizeof *t->fac_id);
  if (!t->fac_id)
    LC_FAIL(LC_ENOMEM, "access: cannot allocate a table of %lld slots", (long long)n);
  nf = 0;
  for (int64_t i = 0; i < n; i++)
    if (e[i].fac >= 0)
      t->fac_id[nf++] = e[i].fac;
  qsort(t->fac_id, (size_t)nf, sizeof *t->fac_id, access_table_cmp_i64);
  int64_t m = 0;
  for (int64_t i = 0; i < nf; i++)
    if (m == 0 || t->fac_id[m - 1] != t->fac_id[i])
      t->fac_id[m++] = t->fac_id[i];
  t->n_fac = m;
  if (access_table_layout(maxd, m, &t->fbits, &t->wide) != LC_OK) {
    access_table_free(t);
    LC_FAIL(LC_ETOOBIG,
            "access: distances up to %lld cm and %lld facilities do not fit a "
            "64-bit word",
            (long long)maxd, (long long)m);
  }
  t->word = lc_malloc_array(n, (t->wide ? 8 : 4));
  if (!t->word) {
    access_table_free(t);
    LC_FAIL(LC_ENOMEM, "access: cannot allocate a table of %lld slots", (long long)n);
  }
  for (int64_t i = 0; i < n; i++) {
    uint64_t w = t->wide ? UINT64_MAX : UINT32_MAX;
    if (e[i].fac >= 0) {
      const int64_t *p =
          bsearch(&(int64_t){e[i].fac}, t->fac_id, (size_t)m, sizeof *p, access_table_cmp_i64);
      w = (uint64_t)e[i].dist_cm << t->fbits | (uint64_t)(p - t->fac_id);
    }
    if (t->wide)
      ((uint64_t *)t->word)[i] = w;
    else
      ((uint32_t *)t->word)[i] = (uint32_t)w;
  }
  return LC_OK;
}

int access_table_equal(const struct access_table *a, const struct access_table *b, int64_t n) {
  if (a->word == b->word && a->fac_id == b->fac_id)
    return 1;
  if (a->wide == b->wide && a->fbits == b->fbits && a->n_fac == b->n_fac &&
      memcmp(a->fac_id, b->fac_id, (size_t)a->n_fac * sizeof *a->fac_id) == 0)
    return memcmp(a->word, b->word, (size_t)n * (a->wide ? 8 : 4)) == 0;
  for (int64_t i = 0; i < n; i++) {
    struct access_entry x = access_get(a, i), y = access_get(b, i);
    if (x.dist_cm != y.dist_cm || x.fac != y.fac)
      return 0;
  }
  return 1;
}

void access_table_free(struct access_table *t) {
  free(t->word);
  free(t->fac_id);
  memset(t, 0, sizeof *t);
}

void access_result_free(struct access_result *out) {
  if (out->t)
    for (int c = 0; c < out->n_cat; c++)
      access_table_free(&out->t[c]);
  free(out->t);
  memset(out, 0, sizeof *out);
}
