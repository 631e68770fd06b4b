/* Run parameters: reading (collective), typed and validated getters, unknown-key reports
 * and the "as used" dump. */
#include "lifecircle/params.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* Parameter files larger than this are refused: they are surely not parameter files. */
#define PARAMS_MAX_BYTES ((size_t)64 << 20)

/* ---------------------------------------------------------------------------------------
 * Reading. */

/* Parses `len` bytes of `text` (copied) into p; the top level must be a map. */
static int params_parse(const char *text, size_t len, const char *name, struct params *p) {
  int rc = LC_OK;
  memset(p, 0, sizeof *p);
  p->file = strdup(name);
  p->text = malloc(len + 1);
  if (!p->file || !p->text) {
    rc = LC_ENOMEM;
    goto fail;
  }
  memcpy(p->text, text, len);
  p->text[len] = '\0';
  p->text_len = len;
  LC_CHECK_GOTO(rc, ytree_parse(p->text, len, name, &p->tree), fail);
  if (p->tree.root->type != YTREE_MAP) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s:%d:%d: the parameters must be a map of sections "
                      "(Section:\\n  key: value)",
                      name, p->tree.root->line, p->tree.root->column);
    ytree_free(&p->tree);
    goto fail;
  }
  return LC_OK;
fail:
  free(p->file);
  free(p->text);
  memset(p, 0, sizeof *p);
  return rc;
}

int params_from_string(const char *text, const char *name, struct params *p) {
  return params_parse(text, strlen(text), name, p);
}

/* Reads a whole regular file into a malloc'ed buffer (rank 0's part of params_read). */
static int params_slurp(const char *path, char **buf, size_t *len) {
  *buf = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open the parameter file: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0) {
    int e = errno;
    fclose(f);
    LC_FAIL(LC_EIO, "%s: cannot stat the parameter file: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    fclose(f);
    LC_FAIL(LC_EIO, "%s: the parameter file is not a regular file", path);
  }
  if ((uintmax_t)st.st_size > PARAMS_MAX_BYTES) {
    fclose(f);
    LC_FAIL(LC_ETOOBIG, "%s: the parameter file has %jd bytes, more than the %zu allowed", path,
            (intmax_t)st.st_size, PARAMS_MAX_BYTES);
  }
  size_t size = (size_t)st.st_size;
  char *b = malloc(size + 1);
  if (!b) {
    fclose(f);
    return LC_ENOMEM;
  }
  size_t got = fread(b, 1, size, f);
  int err = ferror(f);
  fclose(f);
  if (got != size || err) {
    free(b);
    LC_FAIL(LC_EIO, "%s: short read of the parameter file (%zu of %zu bytes)", path, got, size);
  }
  b[size] = '\0';
  *buf = b;
  *len = size;
  return LC_OK;
}

static int params_bcast(char *data, size_t len, MPI_Comm comm) {
  /* Bytes go in pieces of at most 1 GiB so that every count fits an int. */
  const size_t piece = (size_t)1 << 30;
  for (size_t off = 0; off < len; off += piece) {
    size_t n = len - off < piece ? len - off : piece;
    int mrc = MPI_Bcast(data + off, (int)n, MPI_CHAR, 0, comm);
    if (mrc != MPI_SUCCESS)
      LC_FAIL(LC_EMPI, "MPI_Bcast of the parameter file failed (MPI error %d)", mrc);
  }
  return LC_OK;
}

int params_read(const char *path, MPI_Comm comm, struct params *p) {
  int rank, rc = LC_OK;
  char *buf = NULL;
  size_t len = 0;
  memset(p, 0, sizeof *p);
  int mrc = MPI_Comm_rank(comm, &rank);
  if (mrc != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "MPI_Comm_rank failed (MPI error %d)", mrc);
  /* Rank 0 reads; the status and the length travel together. */
  long long head[2] = {LC_OK, 0};
  if (rank == 0) {
    head[0] = params_slurp(path, &buf, &len);
    head[1] = (long long)len;
  }
  mrc = MPI_Bcast(head, 2, MPI_LONG_LONG, 0, comm);
  if (mrc != MPI_SUCCESS) {
    free(buf);
    LC_FAIL(LC_EMPI, "MPI_Bcast of the parameter file header failed (MPI error %d)", mrc);
  }
  if (head[0] != LC_OK) {
    /* Every rank returns rank 0's status with rank 0's message. */
    char msg[2048];
    if (rank == 0)
      snprintf(msg, sizeof msg, "%s", lc_error_message());
    mrc = MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, 0, comm);
    if (mrc != MPI_SUCCESS)
      LC_FAIL(LC_EMPI, "MPI_Bcast of an error message failed (MPI error %d)", mrc);
    msg[sizeof msg - 1] = '\0';
    return lc_error_set((int)head[0], __FILE__, __LINE__, "%s", msg);
  }
  len = (size_t)head[1];
  if (rank != 0) {
    buf = malloc(len + 1);
    if (!buf)
      LC_FAIL(LC_ENOMEM, "%s: no memory for the %zu bytes of the parameter file", path, len);
  }
  LC_CHECK_GOTO(rc, params_bcast(buf, len, comm), done);
  buf[len] = '\0';
  /* Every rank parses the same bytes, so every rank gets the same tree or the same error. */
  rc = params_parse(buf, len, path, p);
done:
  free(buf);
  return rc;
}

void params_free(struct params *p) {
  for (int i = 0; i < p->n_used; i++) {
    free(p->used[i].key);
    free(p->used[i].value);
  }
  free(p->used);
  ytree_free(&p->tree);
  free(p->file);
  free(p->text);
  memset(p, 0, sizeof *p);
}

/* ---------------------------------------------------------------------------------------
 * Lookup and bookkeeping. */

/* A plain empty, `~` or `null` scalar is YAML's null. */
static int params_is_null(const struct ytree_node *n) {
  if (n->type != YTREE_SCALAR || n->quoted)
    return 0;
  return n->value[0] == '\0' || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
         strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0;
}

/* The node at key, or NULL when absent; a null node is marked read and treated as absent. */
static struct ytree_node *params_find(const struct params *p, const char *key) {
  struct ytree_node *n = ytree_path(p->tree.root, key);
  if (n && params_is_null(n)) {
    n->used = 1;
    return NULL;
  }
  return n;
}

static const char *params_type_name(const struct ytree_node *n) {
  return n->type == YTREE_MAP ? "a map" : n->type == YTREE_SEQ ? "a sequence" : "a scalar";
}

/* Records (or updates) a key read and the value used. */
static int params_record(struct params *p, const char *key, const char *value,
                         enum params_kind kind, int is_default) {
  char *v = strdup(value);
  if (!v)
    return LC_ENOMEM;
  for (int i = 0; i < p->n_used; i++) {
    if (strcmp(p->used[i].key, key) == 0) {
      free(p->used[i].value);
      p->used[i].value = v;
      p->used[i].kind = kind;
      p->used[i].is_default = is_default;
      return LC_OK;
    }
  }
  if (p->n_used == p->cap_used) {
    int cap = p->cap_used ? 2 * p->cap_used : 32;
    struct params_used *u = realloc(p->used, (size_t)cap * sizeof *u);
    if (!u) {
      free(v);
      return LC_ENOMEM;
    }
    p->used = u;
    p->cap_used = cap;
  }
  char *k = strdup(key);
  if (!k) {
    free(v);
    return LC_ENOMEM;
  }
  p->used[p->n_used++] = (struct params_used){k, v, kind, is_default};
  return LC_OK;
}

/* The scalar at key for a getter: *node is NULL when absent (and `required` is 0). `what`
 * describes the expected value in messages ("an integer in [0, 10] m"). */
static int params_scalar(struct params *p, const char *key, int required, const char *what,
                         struct ytree_node **node) {
  struct ytree_node *n = params_find(p, key);
  *node = NULL;
  if (!n) {
    if (!required)
      return LC_OK;
    struct ytree_node *raw = ytree_path(p->tree.root, key);
    if (raw)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: required key %s has no value (expected %s)", p->file, raw->line,
              raw->column, key, what);
    LC_FAIL(LC_EPARAM, "%s: required key %s is missing (expected %s)", p->file, key, what);
  }
  if (n->type != YTREE_SCALAR)
    LC_FAIL(LC_EPARAM, "%s:%d:%d: %s must be %s, but it is %s", p->file, n->line, n->column, key,
            what, params_type_name(n));
  *node = n;
  return LC_OK;
}

/* "[min, max] unit" for messages. */
static void params_range_long(char *buf, size_t size, long min, long max, const char *unit) {
  snprintf(buf, size, "[%ld, %ld]%s%s", min, max, unit && *unit ? " " : "", unit ? unit : "");
}

static void params_range_double(char *buf, size_t size, double min, double max, const char *unit) {
  snprintf(buf, size, "[%g, %g]%s%s", min, max, unit && *unit ? " " : "", unit ? unit : "");
}

/* The shortest "%.Ng" text that reads back as exactly v. */
static void params_format_double(char *buf, size_t size, double v) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      return;
  }
}

/* ---------------------------------------------------------------------------------------
 * Getters. */

int params_has(const struct params *p, const char *key) {
  struct ytree_node *n = ytree_path(p->tree.root, key);
  return n && !params_is_null(n);
}

int params_count(struct params *p, const char *key, int *n) {
  *n = 0;
  struct ytree_node *node = params_find(p, key);
  if (!node)
    return LC_OK;
  if (node->type != YTREE_SEQ)
    LC_FAIL(LC_EPARAM, "%s:%d:%d: %s must be a sequence (a list of items), but it is %s", p->file,
            node->line, node->column, key, params_type_name(node));
  node->used = 1;
  *n = node->n_children;
  return LC_OK;
}

static int params_string_impl(struct params *p, const char *key, int required, const char *def,
                              const char **out) {
  struct ytree_node *n;
  LC_CHECK(params_scalar(p, key, required, "a string", &n));
  if (!n) {
    *out = def;
    return params_record(p, key, def ? def : "", PARAMS_STRING, 1);
  }
  n->used = 1;
  *out = n->value;
  return params_record(p, key, n->value, PARAMS_STRING, 0);
}

int params_get_string(struct params *p, const char *key, const char **out) {
  return params_string_impl(p, key, 1, NULL, out);
}

int params_get_string_or(struct params *p, const char *key, const char *def, const char **out) {
  return params_string_impl(p, key, 0, def, out);
}

static int params_int_impl(struct params *p, const char *key, long min, long max, const char *unit,
                           int required, long def, long *out) {
  char range[256], what[300], text[64];
  params_range_long(range, sizeof range, min, max, unit);
  snprintf(what, sizeof what, "an integer in %s", range);
  if (!required && (def < min || def > max))
    LC_FAIL(LC_EINVARIANT, "the default %ld of %s is outside its own range %s", def, key, range);
  struct ytree_node *n;
  LC_CHECK(params_scalar(p, key, required, what, &n));
  long v = def;
  if (n) {
    const char *s = n->value;
    char *end = NULL;
    if (!(s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9')))
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is not an integer (expected an integer in %s)", p->file,
              n->line, n->column, key, s, range);
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0')
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is not an integer (expected an integer in %s)", p->file,
              n->line, n->column, key, s, range);
    if (errno == ERANGE)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s does not fit in a 64-bit integer (allowed range %s)",
              p->file, n->line, n->column, key, s, range);
    if (v < min || v > max)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is outside the allowed range %s", p->file, n->line,
              n->column, key, s, range);
    n->used = 1;
  }
  snprintf(text, sizeof text, "%ld", v);
  LC_CHECK(params_record(p, key, text, PARAMS_INT, n == NULL));
  *out = v;
  return LC_OK;
}

int params_get_int(struct params *p, const char *key, long min, long max, const char *unit,
                   long *out) {
  return params_int_impl(p, key, min, max, unit, 1, min, out);
}

int params_get_int_or(struct params *p, const char *key, long min, long max, const char *unit,
                      long def, long *out) {
  return params_int_impl(p, key, min, max, unit, 0, def, out);
}

static int params_double_impl(struct params *p, const char *key, double min, double max,
                              const char *unit, int required, double def, double *out) {
  char range[256], what[300], text[64];
  params_range_double(range, sizeof range, min, max, unit);
  snprintf(what, sizeof what, "a number in %s", range);
  if (!required && !(def >= min && def <= max))
    LC_FAIL(LC_EINVARIANT, "the default %g of %s is outside its own range %s", def, key, range);
  struct ytree_node *n;
  LC_CHECK(params_scalar(p, key, required, what, &n));
  double v = def;
  if (n) {
    const char *s = n->value;
    char *end = NULL;
    /* strtod would also take leading blanks, hexadecimal, "nan" and "inf": refuse them. */
    int plausible = (s[0] == '-' || s[0] == '+' || s[0] == '.' || (s[0] >= '0' && s[0] <= '9')) &&
                    !strpbrk(s, "xX");
    errno = 0;
    v = plausible ? strtod(s, &end) : 0.0;
    if (!plausible || end == s || *end != '\0')
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is not a number (expected a number in %s)", p->file,
              n->line, n->column, key, s, range);
    if (!isfinite(v))
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is not a finite number (expected a number in %s)",
              p->file, n->line, n->column, key, s, range);
    if (errno == ERANGE)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is beyond the range of a double (allowed range %s)",
              p->file, n->line, n->column, key, s, range);
    if (!(v >= min && v <= max))
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is outside the allowed range %s", p->file, n->line,
              n->column, key, s, range);
    n->used = 1;
  }
  params_format_double(text, sizeof text, v);
  LC_CHECK(params_record(p, key, text, PARAMS_DOUBLE, n == NULL));
  *out = v;
  return LC_OK;
}

int params_get_double(struct params *p, const char *key, double min, double max, const char *unit,
                      double *out) {
  return params_double_impl(p, key, min, max, unit, 1, 0.0, out);
}

int params_get_double_or(struct params *p, const char *key, double min, double max,
                         const char *unit, double def, double *out) {
  return params_double_impl(p, key, min, max, unit, 0, def, out);
}

static int params_bool_impl(struct params *p, const char *key, int required, int def, int *out) {
  const char *what = "a boolean (true, false, yes or no)";
  struct ytree_node *n;
  LC_CHECK(params_scalar(p, key, required, what, &n));
  int v = def ? 1 : 0;
  if (n) {
    const char *s = n->value;
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0)
      v = 1;
    else if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0)
      v = 0;
    else
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is not %s", p->file, n->line, n->column, key, s, what);
    n->used = 1;
  }
  LC_CHECK(params_record(p, key, v ? "true" : "false", PARAMS_BOOL, n == NULL));
  *out = v;
  return LC_OK;
}

int params_get_bool(struct params *p, const char *key, int *out) {
  return params_bool_impl(p, key, 1, 0, out);
}

int params_get_bool_or(struct params *p, const char *key, int def, int *out) {
  return params_bool_impl(p, key, 0, def, out);
}

static int params_choice_impl(struct params *p, const char *key, const char *const *allowed,
                              int n_allowed, int required, int def_index, int *index) {
  char list[1024] = "";
  size_t used = 0;
  for (int i = 0; i < n_allowed && used < sizeof list; i++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", allowed[i]);
  char what[1100];
  snprintf(what, sizeof what, "one of: %s", list);
  if (!required && (def_index < 0 || def_index >= n_allowed))
    LC_FAIL(LC_EINVARIANT, "the default choice %d of %s is not in [0, %d)", def_index, key,
            n_allowed);
  struct ytree_node *n;
  LC_CHECK(params_scalar(p, key, required, what, &n));
  int v = def_index;
  if (n) {
    v = -1;
    for (int i = 0; i < n_allowed; i++)
      if (strcmp(n->value, allowed[i]) == 0)
        v = i;
    if (v < 0)
      LC_FAIL(LC_EPARAM, "%s:%d:%d: %s = %s is not one of the allowed values: %s", p->file, n->line,
              n->column, key, n->value, list);
    n->used = 1;
  }
  LC_CHECK(params_record(p, key, allowed[v], PARAMS_STRING, n == NULL));
  *index = v;
  return LC_OK;
}

int params_get_choice(struct params *p, const char *key, const char *const *allowed, int n_allowed,
                      int *index) {
  return params_choice_impl(p, key, allowed, n_allowed, 1, 0, index);
}

int params_get_choice_or(struct params *p, const char *key, const char *const *allowed,
                         int n_allowed, int def_index, int *index) {
  return params_choice_impl(p, key, allowed, n_allowed, 0, def_index, index);
}

/* ---------------------------------------------------------------------------------------
 * Unknown keys. */

struct params_unused_ctx {
  const char *file;
  char first[1024];
  int first_line, first_column, count;
};

static void params_unused_one(const char *path, const struct ytree_node *n, void *arg) {
  struct params_unused_ctx *ctx = arg;
  log_warn("%s:%d:%d: unknown parameter %s is not used (misspelt or misplaced?)", ctx->file,
           n->line, n->column, path);
  if (ctx->count++ == 0) {
    snprintf(ctx->first, sizeof ctx->first, "%s", path);
    ctx->first_line = n->line;
    ctx->first_column = n->column;
  }
}

int params_report_unused(const struct params *p, int strict) {
  struct params_unused_ctx ctx = {.file = p->file};
  ytree_unused(p->tree.root, "", params_unused_one, &ctx);
  if (strict && ctx.count > 0)
    LC_FAIL(LC_EPARAM, "%s:%d:%d: unknown parameter %s (%d unknown in all)", p->file,
            ctx.first_line, ctx.first_column, ctx.first, ctx.count);
  return LC_OK;
}

/* ---------------------------------------------------------------------------------------
 * The "as used" dump. */

/* A growing text buffer. */
struct params_buf {
  char *s;
  size_t len, cap;
  int failed;
};

static void params_buf_add(struct params_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void params_buf_add(struct params_buf *b, const char *fmt, ...) {
  if (b->failed)
    return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = 1;
      return;
    }
    if (b->s && b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap <= b->len + (size_t)n)
      cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
      b->failed = 1;
      return;
    }
    b->s = s;
    b->cap = cap;
  }
}

/* A node of the dump: a map entry (name) or a sequence item (index), holding either a value
 * (a used entry) or children. */
struct params_dnode {
  char *name;
  long index;
  int is_seq; /* Its children are sequence items. */
  const struct params_used *leaf;
  int n, cap;
  struct params_dnode **kids;
};

static void params_dnode_free(struct params_dnode *d) {
  if (!d)
    return;
  for (int i = 0; i < d->n; i++)
    params_dnode_free(d->kids[i]);
  free(d->kids);
  free(d->name);
  free(d);
}

/* The child of d named `step` (or with index `step` in a sequence), created when absent. */
static struct params_dnode *params_dnode_child(struct params_dnode *d, const char *step) {
  long idx = d->is_seq ? strtol(step, NULL, 10) : 0;
  for (int i = 0; i < d->n; i++)
    if (d->is_seq ? d->kids[i]->index == idx : strcmp(d->kids[i]->name, step) == 0)
      return d->kids[i];
  if (d->n == d->cap) {
    int cap = d->cap ? 2 * d->cap : 4;
    struct params_dnode **k = realloc(d->kids, (size_t)cap * sizeof *k);
    if (!k)
      return NULL;
    d->kids = k;
    d->cap = cap;
  }
  struct params_dnode *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->name = strdup(step);
  c->index = idx;
  if (!c->name) {
    free(c);
    return NULL;
  }
  d->kids[d->n++] = c;
  return c;
}

/* Places one used entry in the dump tree. Whether a level is a sequence comes from the
 * parsed file (a key absent from the file is placed in maps). */
static int params_dnode_place(struct params_dnode *root, const struct params *p,
                              const struct params_used *u) {
  char path[1024], step[256];
  const char *s = u->key;
  struct params_dnode *d = root;
  path[0] = '\0';
  while (*s) {
    const char *e = strchr(s, ':');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    if (len >= sizeof step || strlen(path) + len + 2 >= sizeof path)
      return LC_OK; /* Longer than any key ytree_path accepts. */
    memcpy(step, s, len);
    step[len] = '\0';
    struct ytree_node *n = ytree_path(p->tree.root, path);
    d->is_seq = n && n->type == YTREE_SEQ;
    d = params_dnode_child(d, step);
    if (!d)
      return LC_ENOMEM;
    snprintf(path + strlen(path), sizeof path - strlen(path), "%s%s", path[0] ? ":" : "", step);
    s = e ? e + 1 : s + len;
  }
  d->leaf = u;
  return LC_OK;
}

static int params_plain_key(const char *k) {
  if (!*k)
    return 0;
  for (const char *c = k; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '_' || *c == '-' || *c == '.'))
      return 0;
  return k[0] != '-' && k[0] != '.';
}

static void params_emit_quoted(struct params_buf *b, const char *s) {
  params_buf_add(b, "\"");
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\')
      params_buf_add(b, "\\%c", *c);
    else if (*c == '\n')
      params_buf_add(b, "\\n");
    else if (*c == '\t')
      params_buf_add(b, "\\t");
    else if (*c < 0x20 || *c == 0x7f)
      params_buf_add(b, "\\x%02x", *c);
    else
      params_buf_add(b, "%c", *c);
  }
  params_buf_add(b, "\"");
}

static void params_emit_value(struct params_buf *b, const struct params_used *u) {
  if (u->kind == PARAMS_STRING)
    params_emit_quoted(b, u->value);
  else
    params_buf_add(b, "%s", u->value);
}

static void params_emit(struct params_buf *b, const struct params_dnode *d, int indent);

/* Writes what follows a "key:" or "-": the value on the same line, or children below. */
static void params_emit_body(struct params_buf *b, const struct params_dnode *c, int indent) {
  if (c->n == 0) {
    params_buf_add(b, " ");
    if (c->leaf)
      params_emit_value(b, c->leaf);
    else
      params_buf_add(b, "~");
    params_buf_add(b, "\n");
  } else {
    params_buf_add(b, "\n");
    params_emit(b, c, indent + 2);
  }
}

static void params_emit(struct params_buf *b, const struct params_dnode *d, int indent) {
  if (d->is_seq) {
    /* Items in index order; a gap (an item none of whose keys was read) becomes null so
     * that the indices of the others are kept. */
    long max = -1;
    for (int i = 0; i < d->n; i++)
      if (d->kids[i]->index > max)
        max = d->kids[i]->index;
    for (long idx = 0; idx <= max; idx++) {
      const struct params_dnode *c = NULL;
      for (int i = 0; i < d->n; i++)
        if (d->kids[i]->index == idx)
          c = d->kids[i];
      params_buf_add(b, "%*s-", indent, "");
      if (c)
        params_emit_body(b, c, indent);
      else
        params_buf_add(b, " ~\n");
    }
    return;
  }
  for (int i = 0; i < d->n; i++) {
    const struct params_dnode *c = d->kids[i];
    params_buf_add(b, "%*s", indent, "");
    if (params_plain_key(c->name))
      params_buf_add(b, "%s", c->name);
    else
      params_emit_quoted(b, c->name);
    params_buf_add(b, ":");
    params_emit_body(b, c, indent);
  }
}

int params_used_yaml(const struct params *p, char **text) {
  int rc = LC_OK;
  struct params_buf b = {0};
  *text = NULL;
  struct params_dnode *root = calloc(1, sizeof *root);
  if (!root)
    return LC_ENOMEM;
  for (int i = 0; i < p->n_used; i++)
    LC_CHECK_GOTO(rc, params_dnode_place(root, p, &p->used[i]), done);
  params_buf_add(&b, "# The parameters as used: every key read, with defaults filled in.\n");
  if (root->n == 0)
    params_buf_add(&b, "{}\n");
  else
    params_emit(&b, root, 0);
  if (b.failed) {
    free(b.s);
    rc = LC_ENOMEM;
    goto done;
  }
  *text = b.s;
done:
  params_dnode_free(root);
  return rc;
}
