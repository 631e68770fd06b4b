/* YAML documents as trees, on top of libyaml's event parser. */
#include "lifecircle/ytree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lifecircle/status.h"

static struct ytree_node *ytree_node_new(enum ytree_type type, const yaml_mark_t *mark) {
  struct ytree_node *n = calloc(1, sizeof *n);
  if (!n)
    return NULL;
  n->type = type;
  n->line = (int)mark->line + 1;
  n->column = (int)mark->column + 1;
  return n;
}

static void ytree_node_free(struct ytree_node *n) {
  if (!n)
    return;
  for (int i = 0; i < n->n_children; i++)
    ytree_node_free(n->children[i]);
  free(n->children);
  free(n->key);
  free(n->value);
  free(n);
}

static int ytree_append(struct ytree_node *parent, struct ytree_node *child) {
  /* Capacity doubles at powers of two, so a long sequence is not copied once per item. */
  int n = parent->n_children;
  if (n == 0 || (n & (n - 1)) == 0) {
    if (n > (1 << 29))
      return LC_ENOMEM;
    struct ytree_node **c = realloc(parent->children, (size_t)(n > 0 ? 2 * n : 1) * sizeof *c);
    if (!c)
      return LC_ENOMEM;
    parent->children = c;
  }
  parent->children[parent->n_children++] = child;
  return LC_OK;
}

/* Deepest nesting of maps and sequences accepted: the tree is built (and freed) by
 * recursion, so an adversarial file of a million '[' must be refused, not overflow the
 * stack. Real parameter and data files nest fewer than ten levels. */
#define YTREE_MAX_DEPTH 64

/* Most keys of one map: duplicate keys are found by a linear search, so a file of a million
 * keys would take hours; real maps have tens of keys (long lists are sequences). */
#define YTREE_MAX_KEYS 10000

/* The parser state: the libyaml parser, the file name and the current nesting depth. */
struct ytree_ctx {
  yaml_parser_t parser;
  const char *file;
  int depth;
};

static int ytree_next(struct ytree_ctx *ctx, yaml_event_t *ev) {
  if (!yaml_parser_parse(&ctx->parser, ev)) {
    LC_FAIL(LC_EFORMAT, "%s:%zu:%zu: YAML syntax error: %s", ctx->file,
            ctx->parser.problem_mark.line + 1, ctx->parser.problem_mark.column + 1,
            ctx->parser.problem ? ctx->parser.problem : "unknown problem");
  }
  return LC_OK;
}

static int ytree_build(struct ytree_ctx *ctx, yaml_event_t *ev, struct ytree_node **out);

/* Builds the node that starts with event `ev` (already read). Consumes `ev`. */
static int ytree_build(struct ytree_ctx *ctx, yaml_event_t *ev, struct ytree_node **out) {
  int rc = LC_OK;
  struct ytree_node *n = NULL;
  *out = NULL;
  switch (ev->type) {
    case YAML_ALIAS_EVENT:
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s:%zu:%zu: YAML aliases are not supported; write the value out",
                        ctx->file, ev->start_mark.line + 1, ev->start_mark.column + 1);
      yaml_event_delete(ev);
      return rc;
    case YAML_SCALAR_EVENT:
      n = ytree_node_new(YTREE_SCALAR, &ev->start_mark);
      if (!n) {
        yaml_event_delete(ev);
        return LC_ENOMEM;
      }
      n->value = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
      n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                  ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                  ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
      yaml_event_delete(ev);
      if (!n->value) {
        ytree_node_free(n);
        return LC_ENOMEM;
      }
      *out = n;
      return LC_OK;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
      int is_map = ev->type == YAML_MAPPING_START_EVENT;
      if (ctx->depth >= YTREE_MAX_DEPTH) {
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                          "%s:%zu:%zu: maps and sequences nested more than %d levels deep",
                          ctx->file, ev->start_mark.line + 1, ev->start_mark.column + 1,
                          YTREE_MAX_DEPTH);
        yaml_event_delete(ev);
        return rc;
      }
      n = ytree_node_new(is_map ? YTREE_MAP : YTREE_SEQ, &ev->start_mark);
      yaml_event_delete(ev);
      if (!n)
        return LC_ENOMEM;
      for (;;) {
        yaml_event_t e;
        LC_CHECK_GOTO(rc, ytree_next(ctx, &e), fail);
        if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
          yaml_event_delete(&e);
          break;
        }
        char *key = NULL;
        if (is_map) {
          if (e.type != YAML_SCALAR_EVENT) {
            rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                              "%s:%zu:%zu: a map key must be a plain scalar", ctx->file,
                              e.start_mark.line + 1, e.start_mark.column + 1);
            yaml_event_delete(&e);
            goto fail;
          }
          key = strndup((const char *)e.data.scalar.value, e.data.scalar.length);
          size_t kl = e.start_mark.line + 1, kc = e.start_mark.column + 1;
          yaml_event_delete(&e);
          if (!key) {
            rc = LC_ENOMEM;
            goto fail;
          }
          if (n->n_children >= YTREE_MAX_KEYS) {
            rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                              "%s:%zu:%zu: a map with more than %d keys", ctx->file, kl, kc,
                              YTREE_MAX_KEYS);
            free(key);
            goto fail;
          }
          if (ytree_child(n, key)) {
            rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:%zu:%zu: duplicate key '%s'",
                              ctx->file, kl, kc, key);
            free(key);
            goto fail;
          }
          rc = ytree_next(ctx, &e);
          if (rc != LC_OK) {
            free(key);
            goto fail;
          }
        }
        struct ytree_node *child = NULL;
        ctx->depth++;
        rc = ytree_build(ctx, &e, &child);
        ctx->depth--;
        if (rc != LC_OK) {
          free(key);
          goto fail;
        }
        child->key = key;
        rc = ytree_append(n, child);
        if (rc != LC_OK) {
          ytree_node_free(child);
          goto fail;
        }
      }
      *out = n;
      return LC_OK;
    }
    default:
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:%zu:%zu: unexpected YAML event",
                        ctx->file, ev->start_mark.line + 1, ev->start_mark.column + 1);
      yaml_event_delete(ev);
      return rc;
  }
fail:
  ytree_node_free(n);
  return rc;
}

int ytree_parse(const char *text, size_t len, const char *file, struct ytree *out) {
  int rc = LC_OK;
  struct ytree_ctx ctx;
  yaml_event_t ev;
  memset(out, 0, sizeof *out);
  out->file = strdup(file);
  if (!out->file)
    return LC_ENOMEM;
  if (!yaml_parser_initialize(&ctx.parser)) {
    free(out->file);
    out->file = NULL;
    return LC_ENOMEM;
  }
  ctx.file = file;
  ctx.depth = 0;
  yaml_parser_set_input_string(&ctx.parser, (const unsigned char *)text, len);
  /* Stream start, then one document (or none). */
  LC_CHECK_GOTO(rc, ytree_next(&ctx, &ev), done);
  yaml_event_delete(&ev);
  LC_CHECK_GOTO(rc, ytree_next(&ctx, &ev), done);
  if (ev.type == YAML_STREAM_END_EVENT) {
    yaml_event_delete(&ev);
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:1:1: the file is empty", file);
    goto done;
  }
  yaml_event_delete(&ev);
  LC_CHECK_GOTO(rc, ytree_next(&ctx, &ev), done);
  LC_CHECK_GOTO(rc, ytree_build(&ctx, &ev, &out->root), done);
  LC_CHECK_GOTO(rc, ytree_next(&ctx, &ev), done); /* Document end. */
  yaml_event_delete(&ev);
  LC_CHECK_GOTO(rc, ytree_next(&ctx, &ev), done);
  if (ev.type != YAML_STREAM_END_EVENT) {
    rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                      "%s:%zu:%zu: only one YAML document is allowed", file, ev.start_mark.line + 1,
                      ev.start_mark.column + 1);
  }
  yaml_event_delete(&ev);
done:
  yaml_parser_delete(&ctx.parser);
  if (rc != LC_OK)
    ytree_free(out);
  return rc;
}

int ytree_load(const char *path, struct ytree *out) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  if (fseek(f, 0, SEEK_END) != 0) {
    fclose(f);
    LC_FAIL(LC_EIO, "%s: cannot seek", path);
  }
  long size = ftell(f);
  rewind(f);
  if (size < 0) {
    fclose(f);
    LC_FAIL(LC_EIO, "%s: cannot tell its size", path);
  }
  char *buf = malloc((size_t)size + 1);
  if (!buf) {
    fclose(f);
    return LC_ENOMEM;
  }
  size_t got = fread(buf, 1, (size_t)size, f);
  fclose(f);
  if (got != (size_t)size) {
    free(buf);
    LC_FAIL(LC_EIO, "%s: short read", path);
  }
  buf[size] = '\0';
  int rc = ytree_parse(buf, (size_t)size, path, out);
  free(buf);
  return rc;
}

void ytree_free(struct ytree *t) {
  ytree_node_free(t->root);
  free(t->file);
  t->root = NULL;
  t->file = NULL;
}

struct ytree_node *ytree_child(const struct ytree_node *map, const char *key) {
  if (!map || map->type != YTREE_MAP)
    return NULL;
  for (int i = 0; i < map->n_children; i++)
    if (strcmp(map->children[i]->key, key) == 0)
      return map->children[i];
  return NULL;
}

struct ytree_node *ytree_path(const struct ytree_node *node, const char *path) {
  char step[256];
  const char *p = path;
  struct ytree_node *cur = (struct ytree_node *)node;
  while (cur && *p) {
    const char *e = strchr(p, ':');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len >= sizeof step)
      return NULL;
    memcpy(step, p, len);
    step[len] = '\0';
    if (cur->type == YTREE_MAP) {
      cur = ytree_child(cur, step);
    } else if (cur->type == YTREE_SEQ) {
      char *end;
      long idx = strtol(step, &end, 10);
      if (*end || idx < 0 || idx >= cur->n_children)
        return NULL;
      cur = cur->children[idx];
    } else {
      return NULL;
    }
    p = e ? e + 1 : p + len;
  }
  return cur;
}

static int ytree_any_used(const struct ytree_node *node) {
  if (node->used)
    return 1;
  for (int i = 0; i < node->n_children; i++)
    if (ytree_any_used(node->children[i]))
      return 1;
  return 0;
}

int ytree_unused(const struct ytree_node *node, const char *prefix,
                 void (*fn)(const char *path, const struct ytree_node *n, void *arg), void *arg) {
  int count = 0;
  if (!node)
    return 0;
  for (int i = 0; i < node->n_children; i++) {
    const struct ytree_node *c = node->children[i];
    char path[1024];
    if (c->key)
      snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? ":" : "", c->key);
    else
      snprintf(path, sizeof path, "%s%s%d", prefix, *prefix ? ":" : "", i);
    if (c->key && !ytree_any_used(c)) {
      count++;
      if (fn)
        fn(path, c, arg);
    } else {
      count += ytree_unused(c, path, fn, arg);
    }
  }
  return count;
}

void ytree_mark_used(struct ytree_node *node) {
  if (!node)
    return;
  node->used = 1;
  for (int i = 0; i < node->n_children; i++)
    ytree_mark_used(node->children[i]);
}

int ytree_vfail(int status, const char *file, const struct ytree_node *n, const char *context,
                const char *fmt, va_list ap) {
  char text[768];
  vsnprintf(text, sizeof text, fmt, ap);
  return lc_error_set(status, __FILE__, __LINE__, "%s:%d:%d: %s%s%s", file, n ? n->line : 1,
                      n ? n->column : 1, context ? context : "", context ? ": " : "", text);
}

int ytree_fail(int status, const char *file, const struct ytree_node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = ytree_vfail(status, file, n, NULL, fmt, ap);
  va_end(ap);
  return rc;
}
