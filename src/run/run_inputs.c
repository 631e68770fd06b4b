/* The main job's input digests: the SHA-256 of every file a scenario depends on, so that a
 * resumed run keeps an earlier scenario only when none of its inputs changed since. */
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/alloc.h"
#include "lifecircle/status.h"
#include "run.h"

int run_inputs_add(struct run_ctx *run, const char *role, const char *path) {
  char **r = realloc(run->input_role, (size_t)(run->n_inputs + 1) * sizeof *r);
  if (r)
    run->input_role = r;
  char **p = r ? realloc(run->input_path, (size_t)(run->n_inputs + 1) * sizeof *p) : NULL;
  if (p)
    run->input_path = p;
  if (!r || !p)
    return LC_ENOMEM;
  run->input_role[run->n_inputs] = strdup(role);
  run->input_path[run->n_inputs] = strdup(path);
  run->n_inputs++;
  if (!run->input_role[run->n_inputs - 1] || !run->input_path[run->n_inputs - 1])
    return LC_ENOMEM;
  return LC_OK;
}

/* Appends "SHA-256  role  path\n" for one file to the growing text *out. */
static int run_inputs_line(const char *role, const char *path, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open to hash it: %s", path, strerror(errno));
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    sha256_update(&ctx, n, buf);
  int bad = ferror(f);
  fclose(f);
  if (bad)
    LC_FAIL(LC_EIO, "%s: read error while hashing it", path);
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, d);
  size_t add = 2 * SHA256_DIGEST_SIZE + strlen(role) + strlen(path) + 8;
  char *grown = realloc(*out, *len + add);
  if (!grown)
    return LC_ENOMEM;
  *out = grown;
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
    snprintf(grown + *len + 2 * (size_t)i, 3, "%02x", d[i]);
  *len += 2 * SHA256_DIGEST_SIZE;
  *len += (size_t)snprintf(grown + *len, add - 2 * SHA256_DIGEST_SIZE, "  %s: %s\n", role, path);
  return LC_OK;
}

/* Rank 0's text is sent to every rank (*text allocated there). */
static int run_inputs_bcast(struct run_ctx *run, char **text) {
  long long len = run->rank == 0 && *text ? (long long)strlen(*text) : -1;
  LC_MPI_CHECK(MPI_Bcast(&len, 1, MPI_LONG_LONG, 0, run->comm));
  if (len < 0)
    return LC_EINVARIANT;
  if (run->rank != 0 && !(*text = malloc((size_t)len + 1)))
    return LC_ENOMEM;
  if (MPI_Bcast(*text, (int)len + 1, MPI_CHAR, 0, run->comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "cannot broadcast the input digests");
  return LC_OK;
}

int run_inputs_digest(struct run_ctx *run) {
  int st = LC_OK;
  run->inputs_scen = lc_calloc_array(run->n_scen, sizeof *run->inputs_scen);
  if (!run->inputs_scen)
    st = LC_ENOMEM;
  if (run->rank == 0 && st == LC_OK) {
    size_t len = 0;
    run->inputs_base = calloc(1, 1);
    if (!run->inputs_base)
      st = LC_ENOMEM;
    for (int i = 0; i < run->n_inputs && st == LC_OK; i++)
      st = run_inputs_line(run->input_role[i], run->input_path[i], &run->inputs_base, &len);
    for (int s = 0; s < run->n_scen && st == LC_OK; s++) {
      const struct scenario *sc = &run->scen[s];
      size_t sl = len;
      if (!(run->inputs_scen[s] = malloc(len + 1))) {
        st = LC_ENOMEM;
        break;
      }
      memcpy(run->inputs_scen[s], run->inputs_base, len + 1);
      st = run_inputs_line("scenario", sc->file, &run->inputs_scen[s], &sl);
      for (int k = 0; k < sc->n_inputs && st == LC_OK; k++)
        st = run_inputs_line("scenario file", sc->inputs[k], &run->inputs_scen[s], &sl);
    }
  }
  st = lc_agree(run->comm, st);
  if (st == LC_OK)
    st = lc_agree(run->comm, run_inputs_bcast(run, &run->inputs_base));
  for (int s = 0; s < run->n_scen && st == LC_OK; s++)
    st = lc_agree(run->comm, run_inputs_bcast(run, &run->inputs_scen[s]));
  return st;
}

#define RUN_INPUTS_HEX (2 * SHA256_DIGEST_SIZE + 2) /* The hash and its two spaces. */

/* 1 when the text holds `line` (len bytes, no newline) as a whole line; from = the offset
 * compared from (RUN_INPUTS_HEX: the role and path only). */
static int run_inputs_has(const char *text, const char *line, size_t len, size_t from) {
  for (const char *p = text; p && *p;) {
    const char *nl = strchr(p, '\n');
    size_t l = nl ? (size_t)(nl - p) : strlen(p);
    if (l == len && len >= from && !memcmp(p + from, line + from, len - from))
      return 1;
    p = nl ? nl + 1 : NULL;
  }
  return 0;
}

/* Appends the "role path" of the lines of `a` that `b` lacks (from: as run_inputs_has). */
static void run_inputs_missing(const char *a, const char *b, size_t from, const char *suffix,
                               char *why, size_t len) {
  for (const char *p = a; p && *p;) {
    const char *nl = strchr(p, '\n');
    size_t l = nl ? (size_t)(nl - p) : strlen(p);
    if (l > RUN_INPUTS_HEX && !run_inputs_has(b, p, l, from)) {
      size_t used = strlen(why);
      snprintf(why + used, len - used, "%s%.*s%s", used ? "; " : "", (int)(l - RUN_INPUTS_HEX),
               p + RUN_INPUTS_HEX, suffix);
    }
    p = nl ? nl + 1 : NULL;
  }
}

void run_inputs_changed(const char *earlier, const char *now, char *why, size_t len) {
  why[0] = '\0';
  run_inputs_missing(now, earlier, 0, "", why, len);
  run_inputs_missing(earlier, now, RUN_INPUTS_HEX, " (no longer used)", why, len);
}
