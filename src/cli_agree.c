/* Agreement on a status across ranks, so that every rank fails together. */
#include <mpi.h>
#include <string.h>

#include "lifecircle/cli.h"
#include "lifecircle/status.h"

int cli_agree(int status) {
  int size = 1, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (size == 1)
    return status;
  /* The lowest failing rank tells its message to rank 0. */
  int mine[2] = {status != LC_OK ? rank : size, status};
  int first[2];
  if (MPI_Allreduce(mine, first, 1, MPI_2INT, MPI_MINLOC, MPI_COMM_WORLD) != MPI_SUCCESS)
    return LC_EMPI;
  if (first[0] == size)
    return LC_OK;
  int agreed = first[1];
  MPI_Bcast(&agreed, 1, MPI_INT, first[0], MPI_COMM_WORLD);
  char msg[2048];
  if (rank == first[0]) {
    strncpy(msg, lc_error_message(), sizeof msg - 1);
    msg[sizeof msg - 1] = '\0';
  }
  MPI_Bcast(msg, sizeof msg, MPI_CHAR, first[0], MPI_COMM_WORLD);
  if (rank != first[0])
    lc_error_set(agreed, __FILE__, __LINE__, "%s", msg);
  return agreed;
}
