/* Run parameters: a YAML file of `Section:key` parameters (SWIFT style), read once, read
 * through typed getters that validate every value, and remembered twice for provenance: the
 * text as given and every value as used (defaults included).
 *
 * Keys are ':'-joined paths of map keys and sequence indices: "Graph:file",
 * "Facilities:layers:0:crs". A key whose value is YAML null (empty, `~` or `null`, unquoted)
 * counts as absent. Getters never clamp: a value outside its range, of the wrong type or
 * with trailing characters is LC_EPARAM with a message naming the file, line and column,
 * the key, the value, the allowed range and the unit. */
#ifndef LIFECIRCLE_PARAMS_H
#define LIFECIRCLE_PARAMS_H

#include <mpi.h>
#include <stddef.h>

#include "lifecircle/ytree.h"

/* How a value read by a getter is written back in the "as used" dump. */
enum params_kind { PARAMS_STRING, PARAMS_INT, PARAMS_DOUBLE, PARAMS_BOOL };

/* One key read by a getter, with the value used. */
struct params_used {
  char *key;
  char *value; /* Canonical text of the value used (the default when absent). */
  enum params_kind kind;
  int is_default; /* Nonzero when the key was absent and the default was used. */
};

struct params {
  char *file;      /* The file name used in messages. */
  char *text;      /* The parameters as given (NUL-terminated). */
  size_t text_len; /* Bytes in text. */
  struct ytree tree;
  struct params_used *used; /* Keys read, in the order first read. */
  int n_used, cap_used;
};

/* Reads and parses the parameter file `path`. Collective over `comm`: rank 0 reads the bytes
 * and broadcasts them; every rank parses them, so every rank holds the same parameters. When
 * rank 0 cannot read the file, every rank returns the same status (LC_EIO) and the same
 * message. The top level must be a map. Returns LC_OK, LC_EIO, LC_EFORMAT, LC_ETOOBIG (over
 * 64 MiB), LC_ENOMEM or LC_EMPI; on failure `p` needs no params_free. */
int params_read(const char *path, MPI_Comm comm, struct params *p);

/* Parses parameters held in memory; `name` stands for the file name in messages. Local.
 * Returns LC_OK, LC_EFORMAT or LC_ENOMEM; on failure `p` needs no params_free. */
int params_from_string(const char *text, const char *name, struct params *p);

/* Frees the parameters. Local. */
void params_free(struct params *p);

/* Returns 1 when `key` is present with a non-null value, else 0. Does not mark it read.
 * Local. */
int params_has(const struct params *p, const char *key);

/* Counts the items of the sequence at `key` into *n: 0 when the key is absent or null.
 * Marks the sequence read (its items' keys still need getters). Returns LC_OK, or LC_EPARAM
 * when the value is not a sequence. Local. */
int params_count(struct params *p, const char *key, int *n);

/* Gets the string at `key` (required) into *out; the pointer stays valid until params_free.
 * Returns LC_OK, or LC_EPARAM when missing or not a scalar. Local. */
int params_get_string(struct params *p, const char *key, const char **out);

/* Like params_get_string, with `def` (which must outlive p) when the key is absent. */
int params_get_string_or(struct params *p, const char *key, const char *def, const char **out);

/* Gets a base-10 integer in [min, max] (inclusive) at `key` (required). `unit` names the
 * unit in messages (NULL or "" for none). Returns LC_OK, or LC_EPARAM when missing, not an
 * integer (including "12x", "1.5", overflow) or out of range. Local. */
int params_get_int(struct params *p, const char *key, long min, long max, const char *unit,
                   long *out);

/* Like params_get_int with a default for an absent key. A default outside [min, max] is a
 * programming error: LC_EINVARIANT. */
int params_get_int_or(struct params *p, const char *key, long min, long max, const char *unit,
                      long def, long *out);

/* Gets a finite double in [min, max] (inclusive; pass -INFINITY/INFINITY for an open end)
 * at `key` (required). NaN, infinities, hexadecimal, trailing characters and overflow are
 * refused. Returns LC_OK or LC_EPARAM. Local. */
int params_get_double(struct params *p, const char *key, double min, double max, const char *unit,
                      double *out);

/* Like params_get_double with a default for an absent key (LC_EINVARIANT when the default
 * is outside [min, max]). */
int params_get_double_or(struct params *p, const char *key, double min, double max,
                         const char *unit, double def, double *out);

/* Gets a boolean: true/false/yes/no in any letter case; *out is 1 or 0. Returns LC_OK or
 * LC_EPARAM. Local. */
int params_get_bool(struct params *p, const char *key, int *out);

/* Like params_get_bool with a default for an absent key. */
int params_get_bool_or(struct params *p, const char *key, int def, int *out);

/* Gets one of `n_allowed` strings (compared exactly) and sets *index to its position.
 * Returns LC_OK, or LC_EPARAM with a message listing the allowed values. Local. */
int params_get_choice(struct params *p, const char *key, const char *const *allowed, int n_allowed,
                      int *index);

/* Like params_get_choice with `def_index` for an absent key (LC_EINVARIANT when it is not
 * in [0, n_allowed)). */
int params_get_choice_or(struct params *p, const char *key, const char *const *allowed,
                         int n_allowed, int def_index, int *index);

/* Warns (log_warn, "file:line:column: unknown parameter KEY ...") about every key that no
 * getter read. Returns LC_OK, or when `strict` is nonzero and a key is unread, LC_EPARAM
 * naming the first one. Local; every rank gets the same answer when every rank made the
 * same getter calls. */
int params_report_unused(const struct params *p, int strict);

/* Writes into *text (malloc'ed, the caller frees it) a YAML document of every key read, with
 * the value actually used (defaults included), nested as in the file, in the order first
 * read. Strings are double-quoted; numbers and booleans are plain. Returns LC_OK or
 * LC_ENOMEM. Local. */
int params_used_yaml(const struct params *p, char **text);

#endif
