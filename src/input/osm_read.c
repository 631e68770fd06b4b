/* Reading OSM XML and PBF files through readosm into the compact element store. */
#include "lifecircle/osm.h"

#include <errno.h>
#include <math.h>
#include <readosm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lifecircle/alloc.h"
#include "lifecircle/geo.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* State of one osm_read: the store, the hooks, scratch arrays for tags and members, the
 * status that stopped the parse, and the last element seen (for positions in messages). */
struct osm_read_ctx {
  const char *path;
  struct osm_store *st;
  const struct osm_hooks *hooks;
  struct osm_counts *counts;
  int status;
  const char **keys, **values;
  int cap_tags;
  int *mtype;
  int64_t *mid;
  const char **mrole;
  int cap_members;
  const char *last_kind;
  int64_t last_id;
};

void osm_store_init(struct osm_store *st) { memset(st, 0, sizeof *st); }

void osm_store_free(struct osm_store *st) {
  free(st->node);
  free(st->way_id);
  free(st->way_cls);
  free(st->way_off);
  free(st->way_len);
  free(st->way_file);
  free(st->ref);
  free(st->way_sorted);
  osm_store_init(st);
}

/* Grows an array to hold at least `need` items, doubling. */
static int osm_grow(void **arr, int64_t *cap, int64_t need, size_t size) {
  if (need <= *cap)
    return LC_OK;
  int64_t c = *cap ? *cap : 1024;
  while (c < need)
    c *= 2;
  void *p = realloc(*arr, (size_t)c * size);
  if (!p)
    LC_FAIL(LC_ENOMEM, "cannot grow the OSM element store to %lld entries", (long long)c);
  *arr = p;
  *cap = c;
  return LC_OK;
}

static int osm_scratch_tags(struct osm_read_ctx *c, int n) {
  if (n <= c->cap_tags)
    return LC_OK;
  int cap = n < 64 ? 64 : 2 * n;
  const char **k = realloc(c->keys, (size_t)cap * sizeof *k);
  if (!k)
    LC_FAIL(LC_ENOMEM, "cannot allocate %d tags", n);
  c->keys = k;
  const char **v = realloc(c->values, (size_t)cap * sizeof *v);
  if (!v)
    LC_FAIL(LC_ENOMEM, "cannot allocate %d tags", n);
  c->values = v;
  c->cap_tags = cap;
  return LC_OK;
}

static int osm_scratch_members(struct osm_read_ctx *c, int n) {
  if (n <= c->cap_members)
    return LC_OK;
  int cap = n < 64 ? 64 : 2 * n;
  int *t = realloc(c->mtype, (size_t)cap * sizeof *t);
  if (!t)
    LC_FAIL(LC_ENOMEM, "cannot allocate %d relation members", n);
  c->mtype = t;
  int64_t *i = realloc(c->mid, (size_t)cap * sizeof *i);
  if (!i)
    LC_FAIL(LC_ENOMEM, "cannot allocate %d relation members", n);
  c->mid = i;
  const char **r = realloc(c->mrole, (size_t)cap * sizeof *r);
  if (!r)
    LC_FAIL(LC_ENOMEM, "cannot allocate %d relation members", n);
  c->mrole = r;
  c->cap_members = cap;
  return LC_OK;
}

/* Copies readosm's tag array into the key and value arrays the hooks take. */
static int osm_tags(struct osm_read_ctx *c, int n, const readosm_tag *tags) {
  LC_CHECK(osm_scratch_tags(c, n));
  for (int i = 0; i < n; i++) {
    c->keys[i] = tags[i].key ? tags[i].key : "";
    c->values[i] = tags[i].value ? tags[i].value : "";
  }
  return LC_OK;
}

static int osm_on_node(const void *user, const readosm_node *node) {
  struct osm_read_ctx *c = (struct osm_read_ctx *)user;
  struct osm_store *st = c->st;
  c->last_kind = "node";
  c->last_id = node->id;
  c->counts->nodes++;
  double lon = node->longitude, lat = node->latitude;
  if (!geo_valid(lon, lat)) {
    c->status = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                             "%s: node %lld has invalid coordinates lon=%g lat=%g (need finite "
                             "degrees, |lon| <= 180, |lat| <= 90)",
                             c->path, (long long)node->id, lon, lat);
    return READOSM_ABORT;
  }
  if ((c->status = osm_grow((void **)&st->node, &st->cap_node, st->n_node + 1, sizeof *st->node)) !=
      LC_OK)
    return READOSM_ABORT;
  struct osm_node *n = &st->node[st->n_node++];
  n->id = node->id;
  n->lon7 = (int32_t)llround(lon * 1e7);
  n->lat7 = (int32_t)llround(lat * 1e7);
  if (node->tag_count > 0 && c->hooks && c->hooks->node) {
    if ((c->status = osm_tags(c, node->tag_count, node->tags)) != LC_OK)
      return READOSM_ABORT;
    /* The hook sees the stored (fixed-point) coordinates, as every later stage does. */
    if ((c->status = c->hooks->node(c->hooks->arg, node->id, osm_deg(n->lon7), osm_deg(n->lat7),
                                    node->tag_count, c->keys, c->values)) != LC_OK)
      return READOSM_ABORT;
  }
  return READOSM_OK;
}

static int osm_on_way(const void *user, const readosm_way *way) {
  struct osm_read_ctx *c = (struct osm_read_ctx *)user;
  struct osm_store *st = c->st;
  c->last_kind = "way";
  c->last_id = way->id;
  c->counts->ways++;
  int32_t cls = -1;
  if (c->hooks && c->hooks->way) {
    if ((c->status = osm_tags(c, way->tag_count, way->tags)) != LC_OK)
      return READOSM_ABORT;
    if ((c->status = c->hooks->way(c->hooks->arg, way->id, way->tag_count, c->keys, c->values,
                                   &cls)) != LC_OK)
      return READOSM_ABORT;
  }
  int64_t w = st->n_way;
  int64_t cap = st->cap_way;
  if ((c->status = osm_grow((void **)&st->way_id, &cap, w + 1, sizeof *st->way_id)) != LC_OK)
    return READOSM_ABORT;
  cap = st->cap_way;
  if ((c->status = osm_grow((void **)&st->way_cls, &cap, w + 1, sizeof *st->way_cls)) != LC_OK)
    return READOSM_ABORT;
  cap = st->cap_way;
  if ((c->status = osm_grow((void **)&st->way_off, &cap, w + 1, sizeof *st->way_off)) != LC_OK)
    return READOSM_ABORT;
  cap = st->cap_way;
  if ((c->status = osm_grow((void **)&st->way_len, &cap, w + 1, sizeof *st->way_len)) != LC_OK)
    return READOSM_ABORT;
  cap = st->cap_way;
  if ((c->status = osm_grow((void **)&st->way_file, &cap, w + 1, sizeof *st->way_file)) != LC_OK)
    return READOSM_ABORT;
  st->cap_way = cap;
  int nr = way->node_ref_count > 0 ? way->node_ref_count : 0;
  if ((c->status = osm_grow((void **)&st->ref, &st->cap_ref, st->n_ref + nr, sizeof *st->ref)) !=
      LC_OK)
    return READOSM_ABORT;
  st->way_id[w] = way->id;
  st->way_cls[w] = cls;
  st->way_off[w] = st->n_ref;
  st->way_len[w] = nr;
  st->way_file[w] = st->n_files;
  for (int i = 0; i < nr; i++)
    st->ref[st->n_ref + i] = way->node_refs[i];
  st->n_ref += nr;
  st->n_way++;
  return READOSM_OK;
}

static int osm_on_relation(const void *user, const readosm_relation *rel) {
  struct osm_read_ctx *c = (struct osm_read_ctx *)user;
  c->last_kind = "relation";
  c->last_id = rel->id;
  c->counts->relations++;
  if (!c->hooks || !c->hooks->relation)
    return READOSM_OK;
  int nm = rel->member_count > 0 ? rel->member_count : 0;
  if ((c->status = osm_tags(c, rel->tag_count, rel->tags)) != LC_OK ||
      (c->status = osm_scratch_members(c, nm)) != LC_OK)
    return READOSM_ABORT;
  for (int i = 0; i < nm; i++) {
    const readosm_member *m = &rel->members[i];
    c->mtype[i] = m->member_type == READOSM_MEMBER_NODE  ? OSM_MEMBER_NODE
                  : m->member_type == READOSM_MEMBER_WAY ? OSM_MEMBER_WAY
                                                         : OSM_MEMBER_RELATION;
    c->mid[i] = m->id;
    c->mrole[i] = m->role ? m->role : "";
  }
  if ((c->status = c->hooks->relation(c->hooks->arg, rel->id, rel->tag_count, c->keys, c->values,
                                      nm, c->mtype, c->mid, c->mrole)) != LC_OK)
    return READOSM_ABORT;
  return READOSM_OK;
}

static const char *osm_readosm_reason(int rc) {
  switch (rc) {
    case READOSM_INVALID_SUFFIX:
      return "not a .osm or .pbf suffix";
    case READOSM_FILE_NOT_FOUND:
      return "file not found or not readable";
    case READOSM_INSUFFICIENT_MEMORY:
      return "out of memory";
    case READOSM_CREATE_XML_PARSER_ERROR:
      return "cannot create the XML parser";
    case READOSM_READ_ERROR:
      return "read error (truncated or not an OSM file)";
    case READOSM_XML_ERROR:
      return "XML syntax error (truncated or not OSM XML)";
    case READOSM_INVALID_PBF_HEADER:
      return "invalid PBF header (truncated or not OSM PBF)";
    case READOSM_UNZIP_ERROR:
      return "cannot decompress a PBF block (truncated or corrupt)";
    case READOSM_ABORT:
      return "parse aborted";
    default:
      return "unknown readosm error";
  }
}

/* Lower-case suffix test. */
static int osm_ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Checks the suffix and that the file is a readable regular file. */
static int osm_check_file(const char *path) {
  static const char *const packed[] = {".gz", ".bz2", ".xz", ".zst", ".zip"};
  for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++)
    if (osm_ends_with(path, packed[i]))
      LC_FAIL(LC_EFORMAT,
              "%s: compressed OSM files are not read (readosm takes plain .osm XML or .pbf): "
              "decompress first, e.g. 'gunzip -k %s' or 'bunzip2 -k %s', or convert with "
              "'osmium cat %s -o out.osm.pbf'",
              path, path, path, path);
  if (!osm_ends_with(path, ".osm") && !osm_ends_with(path, ".pbf"))
    LC_FAIL(LC_EFORMAT,
            "%s: unsupported input suffix (expected .osm for OSM XML or .pbf for OSM PBF; "
            "DIMACS graphs end in .gr)",
            path);
  struct stat sb;
  if (stat(path, &sb) != 0)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  if (!S_ISREG(sb.st_mode))
    LC_FAIL(LC_EIO, "%s: not a regular file", path);
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  fclose(f);
  if (sb.st_size == 0)
    LC_FAIL(LC_EFORMAT, "%s: empty file", path);
  return LC_OK;
}

int osm_read(const char *path, struct osm_store *st, const struct osm_hooks *hooks,
             struct osm_counts *counts) {
  memset(counts, 0, sizeof *counts);
  if (st->finished)
    LC_FAIL(LC_EINVARIANT, "%s: osm_read after osm_store_finish", path);
  LC_CHECK(osm_check_file(path));
  if (osm_ends_with(path, ".pbf"))
    LC_CHECK(osm_check_pbf(path));
  else
    LC_CHECK(osm_check_xml(path));
  struct osm_read_ctx c;
  memset(&c, 0, sizeof c);
  c.path = path;
  c.st = st;
  c.hooks = hooks;
  c.counts = counts;
  c.status = LC_OK;
  const void *h = NULL;
  int rc = readosm_open(path, &h);
  if (rc != READOSM_OK) {
    if (h)
      readosm_close(h);
    LC_FAIL(rc == READOSM_FILE_NOT_FOUND ? LC_EIO : LC_EFORMAT, "%s: cannot open: %s", path,
            osm_readosm_reason(rc));
  }
  rc = readosm_parse(h, &c, osm_on_node, osm_on_way, osm_on_relation);
  st->n_files++;
  int close_rc = readosm_close(h);
  free(c.keys);
  free(c.values);
  free(c.mtype);
  free(c.mid);
  free(c.mrole);
  if (c.status != LC_OK)
    return c.status; /* A callback or hook failed: its message is already recorded. */
  if (rc != READOSM_OK) {
    if (c.last_kind)
      LC_FAIL(LC_EFORMAT, "%s: cannot parse after %s %lld (element %lld): %s (readosm code %d)",
              path, c.last_kind, (long long)c.last_id,
              (long long)(counts->nodes + counts->ways + counts->relations), osm_readosm_reason(rc),
              rc);
    LC_FAIL(LC_EFORMAT, "%s: cannot parse before the first element: %s (readosm code %d)", path,
            osm_readosm_reason(rc), rc);
  }
  if (close_rc != READOSM_OK)
    LC_FAIL(LC_EIO, "%s: cannot close: %s", path, osm_readosm_reason(close_rc));
  return LC_OK;
}

/* Stable LSD radix sort of nodes by id (8-bit digits of the id with its sign bit flipped),
 * skipping digits that are equal in every key. */
static int osm_sort_nodes(struct osm_store *st) {
  int64_t n = st->n_node;
  int sorted = 1;
  for (int64_t i = 1; i < n && sorted; i++)
    if (st->node[i].id < st->node[i - 1].id)
      sorted = 0;
  if (sorted)
    return LC_OK;
  struct osm_node *tmp = malloc((size_t)n * sizeof *tmp);
  int64_t(*hist)[256] = calloc(8, sizeof *hist);
  if (!tmp || !hist) {
    free(tmp);
    free(hist);
    LC_FAIL(LC_ENOMEM, "cannot allocate the node sort buffer (%lld nodes)", (long long)n);
  }
  for (int64_t i = 0; i < n; i++) {
    uint64_t k = (uint64_t)st->node[i].id ^ (UINT64_C(1) << 63);
    for (int d = 0; d < 8; d++)
      hist[d][(k >> (8 * d)) & 0xff]++;
  }
  struct osm_node *src = st->node, *dst = tmp;
  for (int d = 0; d < 8; d++) {
    int trivial = 0;
    for (int b = 0; b < 256; b++)
      if (hist[d][b] == n)
        trivial = 1;
    if (trivial)
      continue;
    int64_t pos[256], s = 0;
    for (int b = 0; b < 256; b++) {
      pos[b] = s;
      s += hist[d][b];
    }
    for (int64_t i = 0; i < n; i++) {
      uint64_t k = (uint64_t)src[i].id ^ (UINT64_C(1) << 63);
      dst[pos[(k >> (8 * d)) & 0xff]++] = src[i];
    }
    struct osm_node *t = src;
    src = dst;
    dst = t;
  }
  if (src != st->node)
    memcpy(st->node, src, (size_t)n * sizeof *src);
  free(tmp);
  free(hist);
  return LC_OK;
}

struct osm_way_key {
  int64_t id, idx;
};

static int osm_way_key_cmp(const void *a, const void *b) {
  const struct osm_way_key *x = a, *y = b;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

int osm_store_finish(struct osm_store *st) {
  if (st->finished)
    return LC_OK;
  LC_CHECK(osm_sort_nodes(st));
  /* Keep the first copy of each node id (the sort is stable). Copies of one node from
   * overlapping extracts agree; two positions for one id are an error, not a choice. */
  int64_t m = 0;
  for (int64_t i = 0; i < st->n_node; i++) {
    if (m > 0 && st->node[m - 1].id == st->node[i].id) {
      const struct osm_node *a = &st->node[m - 1], *b = &st->node[i];
      if (a->lon7 != b->lon7 || a->lat7 != b->lat7)
        LC_FAIL(LC_EFORMAT,
                "node %lld appears twice with different coordinates (%.7f, %.7f) "
                "and (%.7f, %.7f)",
                (long long)a->id, a->lon7 / 1e7, a->lat7 / 1e7, b->lon7 / 1e7, b->lat7 / 1e7);
      continue;
    }
    st->node[m++] = st->node[i];
  }
  st->dup_nodes = st->n_node - m;
  st->n_node = m;

  int64_t nw = st->n_way;
  struct osm_way_key *k = lc_malloc_array(nw, sizeof *k);
  st->way_sorted = lc_malloc_array(nw, sizeof *st->way_sorted);
  if (!k || !st->way_sorted) {
    free(k);
    LC_FAIL(LC_ENOMEM, "cannot allocate the way index (%lld ways)", (long long)nw);
  }
  for (int64_t w = 0; w < nw; w++)
    k[w] = (struct osm_way_key){st->way_id[w], w};
  qsort(k, (size_t)nw, sizeof *k, osm_way_key_cmp);
  int64_t mw = 0;
  for (int64_t i = 0; i < nw; i++) {
    if (i > 0 && k[i].id == k[i - 1].id)
      continue;
    st->way_sorted[mw++] = k[i].idx;
  }
  free(k);
  st->dup_ways = nw - mw;
  st->n_way_sorted = mw;
  st->finished = 1;
  return LC_OK;
}

int64_t osm_node_find(const struct osm_store *st, int64_t id) {
  int64_t lo = 0, hi = st->n_node;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (st->node[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < st->n_node && st->node[lo].id == id ? lo : -1;
}

int64_t osm_way_find(const struct osm_store *st, int64_t id) {
  int64_t lo = 0, hi = st->n_way_sorted;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (st->way_id[st->way_sorted[mid]] < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < st->n_way_sorted && st->way_id[st->way_sorted[lo]] == id ? st->way_sorted[lo] : -1;
}
