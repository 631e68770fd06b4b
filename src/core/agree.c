/* Agreement on a status across ranks, so that every rank fails together. */

#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/status.h"

int lc_agree(MPI_Comm comm, int status) {
  int size = 1, rank = 0;
  if (MPI_Comm_size(comm, &size) != MPI_SUCCESS || MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "cannot query the communicator while agreeing on a status");
  if (size == 1)
    return status;
  /* The lowest failing rank tells its status and message to every rank. */
  int mine[2] = {status != LC_OK ? rank : size, status}, first[2];
  if (MPI_Allreduce(mine, first, 1, MPI_2INT, MPI_MINLOC, comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "MPI_Allreduce failed while agreeing on a status");
  if (first[0] == size)
    return LC_OK;
  int agreed = status;
  char msg[2048] = "";
  if (rank == first[0]) {
    strncpy(msg, lc_error_message(), sizeof msg - 1);
    msg[sizeof msg - 1] = '\0';
  }
  if (MPI_Bcast(&agreed, 1, MPI_INT, first[0], comm) != MPI_SUCCESS ||
      MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first[0], comm) != MPI_SUCCESS)
    LC_FAIL(LC_EMPI, "MPI_Bcast failed while agreeing on a status");
  if (rank != first[0])
    lc_error_set(agreed, __FILE__, __LINE__, "%s", msg);
  return agreed;
}

int lc_worst(MPI_Comm comm, int status) {
  int worst = status;
  if (MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS)
    return lc_error_set(LC_EMPI, __FILE__, __LINE__,
                        "MPI_Allreduce failed while agreeing on a status");
  return worst;
}

int lc_mpi_fail(int mpi_rc, const char *call) {
  char text[MPI_MAX_ERROR_STRING] = "";
  int len = 0;
  MPI_Error_string(mpi_rc, text, &len);
  return lc_error_set(LC_EMPI, __FILE__, __LINE__, "%s failed: %s", call, text);
}
