/* Agreement on a status across the ranks of a communicator, so that every rank fails
 * together with the same message. */
#ifndef LIFECIRCLE_AGREE_H
#define LIFECIRCLE_AGREE_H

#include <mpi.h>

/* Returns LC_OK when `status` is LC_OK on every rank of `comm`; otherwise the status of the
 * lowest failing rank, whose error message every rank then holds. LC_EMPI when the
 * communication itself fails. Collective over `comm`. */
int lc_agree(MPI_Comm comm, int status);

#endif
