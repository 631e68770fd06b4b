/* Shared inside the results module: the mappings of virtual per-node tables (see
 * results_virtual.c), used by the checksum and the copy of a group. */
#ifndef LIFECIRCLE_RESULTS_INTERNAL_H
#define LIFECIRCLE_RESULTS_INTERNAL_H

#include <hdf5.h>
#include <stdint.h>

#include "lifecircle/results.h"

/* 1 when datasets named `name` are hashed while written (they lie under the digest
 * group). Local. */
int results_digest_wanted(const struct results *res, const char *name);

/* Rank 0 records the data digest of dataset `name`. Local. */
int results_digest_add(struct results *res, const char *name, const uint8_t sha[32]);

/* One mapping of a virtual dataset: the block (start, count per dimension) of the virtual
 * dataset that reads the block of dataset `src` (a path in the same file). */
struct results_vmap {
  hsize_t vstart[2], vcount[2];
  char *src;
  hsize_t sstart[2], scount[2];
};

/* Reads the layout of dataset `dset` (named `path` in messages): *is_virtual, and for a
 * virtual dataset its mappings (allocated; free with results_vmaps_free) and fill value.
 * A virtual dataset whose mappings are not single blocks of datasets of the same file, or
 * of more than two dimensions, is refused with LC_EFORMAT. Local. */
int results_vmaps_get(hid_t dset, const char *path, int *is_virtual, struct results_vmap **maps,
                      int *n, int64_t *fill);

/* Frees n mappings. */
void results_vmaps_free(struct results_vmap *m, int n);

/* Creates virtual dataset `name` (file type `type`, nd dimensions `dims`) with the n
 * mappings and the fill value for unmapped elements; *dset receives it, open. Collective in
 * parallel files. */
int results_vmaps_create(hid_t file, const char *name, hid_t type, int nd, const hsize_t *dims,
                         const struct results_vmap *maps, int n, int64_t fill, hid_t *dset);

/* The digest that stands for a virtual dataset's data in the checksum of `group` (see
 * results_checksum). Local (reads the checksum attributes of outside sources' groups). */
int results_vmaps_digest(hid_t file, const char *group, const char *path, int nd,
                         const struct results_vmap *maps, int n, int64_t fill, uint8_t out[32]);

#endif
