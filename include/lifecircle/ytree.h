/* A YAML document as a tree of maps, sequences and scalars, parsed with libyaml.
 * Every node remembers its line and column so that messages can name the position, and
 * whether a reader looked at it, so that unknown keys can be reported. */
#ifndef LIFECIRCLE_YTREE_H
#define LIFECIRCLE_YTREE_H

#include <stdarg.h>
#include <stddef.h>

enum ytree_type { YTREE_SCALAR, YTREE_MAP, YTREE_SEQ };

struct ytree_node {
  enum ytree_type type;
  char *key;   /* Key in the parent map; NULL for sequence items and the root. */
  char *value; /* Scalar text; NULL for maps and sequences. */
  int quoted;  /* Nonzero when the scalar was quoted (so "null" or "1" stay strings). */
  int line;    /* 1-based line of the node. */
  int column;  /* 1-based column of the node. */
  int used;    /* Set by readers that consumed the node. */
  int n_children;
  struct ytree_node **children;
};

struct ytree {
  char *file; /* The file name used in messages. */
  struct ytree_node *root;
};

/* Parses a YAML document held in memory. `file` names it in messages. Aliases, multiple
 * documents and duplicate keys are refused. Returns LC_OK or LC_EFORMAT with a message
 * "file:line:column: ...". Local (no MPI). */
int ytree_parse(const char *text, size_t len, const char *file, struct ytree *out);

/* Reads and parses a YAML file. Returns LC_OK, LC_EIO or LC_EFORMAT. Local. */
int ytree_load(const char *path, struct ytree *out);

/* Frees the tree. */
void ytree_free(struct ytree *t);

/* Returns the child of a map by key, or NULL. Does not mark it used. */
struct ytree_node *ytree_child(const struct ytree_node *map, const char *key);

/* Follows a path of keys and sequence indices separated by ':' ("Graph:file",
 * "layers:0:path") from `node`; returns NULL when any step is missing. */
struct ytree_node *ytree_path(const struct ytree_node *node, const char *path);

/* Records the error "file:line:column: text" at node n (line 1, column 1 when n is NULL)
 * and returns status; with a context, "file:line:column: context: text". For the loaders'
 * messages about a YAML file. */
int ytree_fail(int status, const char *file, const struct ytree_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ytree_vfail(int status, const char *file, const struct ytree_node *n, const char *context,
                const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Calls fn for every node of the subtree whose `used` flag is clear and that is a map entry
 * (a key), with its ':'-joined path. Returns how many were found. */
int ytree_unused(const struct ytree_node *node, const char *prefix,
                 void (*fn)(const char *path, const struct ytree_node *n, void *arg), void *arg);

/* Marks a node and its whole subtree as used. */
void ytree_mark_used(struct ytree_node *node);

#endif
