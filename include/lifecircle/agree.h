/* Agreement on a status across the ranks of a communicator, so that every rank fails
 * together with the same message. */
#ifndef LIFECIRCLE_AGREE_H
#define LIFECIRCLE_AGREE_H

#include <mpi.h>

/* Returns LC_OK when `status` is LC_OK on every rank of `comm`; otherwise the status of the
 * lowest failing rank, whose error message every rank then holds. LC_EMPI when the
 * communication itself fails. Collective over `comm`. */
int lc_agree(MPI_Comm comm, int status);

/* Returns the largest status over the ranks of `comm` (status codes grow with severity only
 * in the sense that any failure exceeds LC_OK), or LC_EMPI when the reduction fails.
 * Collective over `comm`. */
int lc_worst(MPI_Comm comm, int status);

/* MPI errors. The engine sets MPI_ERRORS_RETURN on MPI_COMM_WORLD (inherited by every
 * communicator it derives), so every MPI call that communicates or creates a handle is
 * checked, and a failure becomes LC_EMPI through lc_mpi_fail, passed up like any other
 * status. Exempt: MPI_Comm_rank and MPI_Comm_size on a valid communicator, the *_free calls
 * of cleanup paths, MPI_Get_library_version, MPI_Wtime and MPI_Finalize. tests/check_mpi.py
 * enforces this. */

/* Records an MPI failure of `call` (its name) with MPI's own message and returns LC_EMPI. */
int lc_mpi_fail(int mpi_rc, const char *call);

/* Evaluates an MPI call and passes a failure up as LC_EMPI. */
#define LC_MPI_CHECK(call)                   \
  do {                                       \
    int lc_mpi_rc_ = (call);                 \
    if (lc_mpi_rc_ != MPI_SUCCESS)           \
      return lc_mpi_fail(lc_mpi_rc_, #call); \
  } while (0)

#endif
