/* Exact weighted quantiles of walking distance per subdistrict x category x group.
 *
 * A dense histogram of 1-metre bins for every subdistrict, category and group summed over
 * the ranks grows as subdistricts x categories x groups x radius (hundreds of MB for a
 * thousand subdistricts) and dominated the coverage phase. Here
 * each node's record (subdistrict, distance bin per category, residents per group) goes to
 * the rank that owns its subdistrict, which then builds one subdistrict's histograms at a
 * time in a buffer that stays in cache; only the whole-area histograms are summed over the
 * ranks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coverage_internal.h"
#include "lifecircle/alloc.h"
#include "lifecircle/status.h"

/* The distance bin of a node: whole metres, or n_bins for "not reached" (no facility within
 * the radius, or beyond max_radius_m). */
static int64_t quantile_bin(int64_t d_cm, int64_t n_bins) {
  return (d_cm < 0 || d_cm / 100 >= n_bins) ? n_bins : d_cm / 100;
}

/* The upper edge (metres) of the first bin whose cumulative weight reaches q * total, NaN
 * when only the overflow bin does or the total is zero. */
static double quantile_quantile_m(const int64_t *hist, int64_t n_bins, double q) {
  int64_t total = 0;
  for (int64_t b = 0; b <= n_bins; b++)
    total += hist[b];
  if (total == 0)
    return NAN;
  double need = q * (double)total;
  int64_t cum = 0;
  for (int64_t b = 0; b < n_bins; b++) {
    cum += hist[b];
    if ((double)cum >= need)
      return (double)(b + 1);
  }
  return NAN;
}

/* Writes the quantiles of one row from its histograms (n_slot x G x (B + 1)). */
static void quantile_row(const int64_t *hist, int n_slot, int G, int64_t B, double *med,
                         double *p90) {
  for (int s = 0; s < n_slot; s++)
    for (int g = 0; g < G; g++) {
      const int64_t *h = hist + ((size_t)s * G + g) * (size_t)(B + 1);
      med[s * G + g] = quantile_quantile_m(h, B, 0.5);
      p90[s * G + g] = quantile_quantile_m(h, B, 0.9);
    }
}

/* Sums a large int64 buffer over the ranks in pieces whose count fits an int. */
static int quantile_allreduce(void *buf, size_t n, MPI_Datatype type, size_t size, MPI_Comm comm) {
  for (size_t done = 0; done < n;) {
    size_t piece = n - done > ((size_t)1 << 28) ? ((size_t)1 << 28) : n - done;
    if (MPI_Allreduce(MPI_IN_PLACE, (char *)buf + done * size, (int)piece, type, MPI_SUM, comm) !=
        MPI_SUCCESS)
      return LC_EMPI;
    done += piece;
  }
  return LC_OK;
}

/* Agrees on the worst status of all ranks. */
static int quantile_agree(int st, MPI_Comm comm) {
  int worst = st;
  if (MPI_Allreduce(&st, &worst, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS)
    return LC_EMPI;
  return worst;
}

int coverage_quantiles(const struct coverage_spec *spec, int64_t n_owned,
                       const int64_t *const *nearest_cm, const int64_t *residents,
                       const int32_t *subdistrict, const int *slot, int n_slot, MPI_Comm comm,
                       double *med_m, double *p90_m) {
  int P, me;
  MPI_Comm_size(comm, &P);
  MPI_Comm_rank(comm, &me);
  int S = spec->n_sub, C = spec->n_cat, G = spec->n_group, R = S + 1;
  int64_t B = spec->max_radius_m + 1; /* 1-metre bins 0..max, then overflow. */
  size_t per_row = (size_t)n_slot * G, hist_len = per_row * (size_t)(B + 1);
  size_t n_out = (size_t)R * per_row;
  for (size_t i = 0; i < n_out; i++)
    med_m[i] = p90_m[i] = 0.0; /* Summed over ranks below: one rank computes each row. */
  if (n_slot == 0)
    return LC_OK;
  int W = 1 + n_slot + G; /* Record: subdistrict, bin per computed category, residents. */
  int st = LC_OK;
  int64_t *hist = calloc(hist_len, sizeof *hist);
  int *scount = calloc((size_t)P * 4, sizeof *scount);
  int64_t *sbuf = NULL, *rbuf = NULL, *order = NULL, *first = NULL;
  int *rcount = scount ? scount + P : NULL, *sdispl = scount ? scount + 2 * P : NULL;
  int *rdispl = scount ? scount + 3 * P : NULL;
  MPI_Datatype rec = MPI_DATATYPE_NULL;
  if (!hist || !scount)
    st = LC_ENOMEM;

  /* The whole-area row: local histograms, summed over ranks. Records for subdistricts. */
  int64_t n_send = 0;
  for (int64_t i = 0; st == LC_OK && i < n_owned; i++) {
    const int64_t *w = residents + i * G;
    int any = 0;
    for (int g = 0; g < G; g++)
      any |= w[g] != 0;
    if (!any)
      continue;
    for (int c = 0; c < C; c++) {
      if (slot[c] < 0)
        continue;
      int64_t bin = quantile_bin(nearest_cm[c][i], B);
      for (int g = 0; g < G; g++)
        hist[((size_t)slot[c] * G + g) * (size_t)(B + 1) + (size_t)bin] += w[g];
    }
    if (subdistrict[i] >= 0 && subdistrict[i] < S) {
      scount[subdistrict[i] % P]++;
      n_send++;
    }
  }
  if (st == LC_OK)
    st = quantile_allreduce(hist, hist_len, MPI_INT64_T, sizeof *hist, comm);
  st = quantile_agree(st, comm);
  if (st != LC_OK)
    goto done;
  quantile_row(hist, n_slot, G, B, med_m + (size_t)S * per_row, p90_m + (size_t)S * per_row);
  if (me != 0) /* Rank 0 alone contributes the whole-area row to the sum. */
    for (size_t i = (size_t)S * per_row; i < n_out; i++)
      med_m[i] = p90_m[i] = 0.0;

  /* Records to the subdistricts' owners. */
  sbuf = lc_malloc_array(n_send, (size_t)W * sizeof *sbuf);
  if (!sbuf)
    st = LC_ENOMEM;
  if (st == LC_OK) {
    int off = 0;
    for (int p = 0; p < P; p++) {
      sdispl[p] = off;
      off += scount[p];
    }
    int *pos = rcount; /* Borrowed as the fill cursor before the counts arrive. */
    memcpy(pos, sdispl, (size_t)P * sizeof *pos);
    for (int64_t i = 0; i < n_owned; i++) {
      const int64_t *w = residents + i * G;
      int any = 0;
      for (int g = 0; g < G; g++)
        any |= w[g] != 0;
      if (!any || subdistrict[i] < 0 || subdistrict[i] >= S)
        continue;
      int64_t *r = sbuf + (size_t)pos[subdistrict[i] % P]++ * (size_t)W;
      r[0] = subdistrict[i];
      for (int c = 0; c < C; c++)
        if (slot[c] >= 0)
          r[1 + slot[c]] = quantile_bin(nearest_cm[c][i], B);
      memcpy(r + 1 + n_slot, w, (size_t)G * sizeof *w);
    }
  }
  st = quantile_agree(st, comm);
  if (st != LC_OK)
    goto done;
  if (MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, comm) != MPI_SUCCESS ||
      MPI_Type_contiguous(W, MPI_INT64_T, &rec) != MPI_SUCCESS ||
      MPI_Type_commit(&rec) != MPI_SUCCESS) {
    st = LC_EMPI;
    goto done;
  }
  int64_t n_recv = 0;
  for (int p = 0; p < P; p++) {
    rdispl[p] = (int)n_recv;
    n_recv += rcount[p];
  }
  int n_mine = S / P + (me < S % P); /* Subdistricts me, me + P, ... */
  rbuf = lc_malloc_array(n_recv, (size_t)W * sizeof *rbuf);
  order = lc_malloc_array(n_recv, sizeof *order);
  first = calloc((size_t)n_mine + 1, sizeof *first);
  if (!rbuf || !order || !first)
    st = LC_ENOMEM;
  st = quantile_agree(st, comm);
  if (st != LC_OK)
    goto done;
  if (MPI_Alltoallv(sbuf, scount, sdispl, rec, rbuf, rcount, rdispl, rec, comm) != MPI_SUCCESS) {
    st = LC_EMPI;
    goto done;
  }
  free(sbuf);
  sbuf = NULL;

  /* Counting sort of the records by subdistrict, then one subdistrict at a time. */
  for (int64_t j = 0; j < n_recv; j++)
    first[rbuf[(size_t)j * W] / P + 1]++;
  for (int s = 0; s < n_mine; s++)
    first[s + 1] += first[s];
  {
    int64_t *cur = lc_malloc_array(n_mine, sizeof *cur);
    if (!cur) {
      st = LC_ENOMEM;
    } else {
      memcpy(cur, first, (size_t)n_mine * sizeof *cur);
      for (int64_t j = 0; j < n_recv; j++)
        order[cur[rbuf[(size_t)j * W] / P]++] = j;
      free(cur);
    }
  }
  for (int s = 0; st == LC_OK && s < n_mine; s++) {
    int sub = me + s * P;
    memset(hist, 0, hist_len * sizeof *hist);
    for (int64_t j = first[s]; j < first[s + 1]; j++) {
      const int64_t *r = rbuf + (size_t)order[j] * W;
      const int64_t *w = r + 1 + n_slot;
      for (int k = 0; k < n_slot; k++)
        for (int g = 0; g < G; g++)
          hist[((size_t)k * G + g) * (size_t)(B + 1) + (size_t)r[1 + k]] += w[g];
    }
    quantile_row(hist, n_slot, G, B, med_m + (size_t)sub * per_row, p90_m + (size_t)sub * per_row);
  }
  st = quantile_agree(st, comm);
  if (st != LC_OK)
    goto done;
  /* Every row was computed by exactly one rank and is 0 elsewhere: x + 0 = x exactly. */
  if (quantile_allreduce(med_m, n_out, MPI_DOUBLE, sizeof *med_m, comm) != LC_OK ||
      quantile_allreduce(p90_m, n_out, MPI_DOUBLE, sizeof *p90_m, comm) != LC_OK)
    st = LC_EMPI;

done:
  if (rec != MPI_DATATYPE_NULL)
    MPI_Type_free(&rec);
  free(hist);
  free(scount);
  free(sbuf);
  free(rbuf);
  free(order);
  free(first);
  if (st == LC_ENOMEM)
    LC_FAIL(st, "coverage: cannot allocate the quantile histograms and records");
  if (st == LC_EMPI)
    LC_FAIL(st, "coverage: an MPI exchange of the quantile records failed");
  return st;
}
