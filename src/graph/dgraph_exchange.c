/* MPI traffic of the distributed graph: the split-phase halo exchange. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/dgraph.h"
#include "lifecircle/status.h"

/* Tag of halo messages on the graph's own communicator. */
#define DGRAPH_TAG_HALO 101

int dgraph_halo_begin(const struct dgraph *dg, void *data, size_t elem_size,
                      struct dgraph_halo *h) {
  memset(h, 0, sizeof *h);
  h->dg = dg;
  if (dg->n_nbr == 0)
    return LC_OK;
  /* Every message must count its bytes in an int. */
  for (int j = 0; j < dg->n_nbr; j++) {
    size_t ns = (size_t)(dg->send_off[j + 1] - dg->send_off[j]);
    size_t nr = (size_t)(dg->recv_off[j + 1] - dg->recv_off[j]);
    if (elem_size > 0 && (ns > (size_t)INT_MAX / elem_size || nr > (size_t)INT_MAX / elem_size))
      LC_FAIL(LC_ETOOBIG,
              "dgraph halo: a message to or from rank %d exceeds 2^31-1 bytes "
              "(%zu or %zu elements of %zu bytes)",
              dg->nbr[j], ns, nr, elem_size);
  }
  size_t nsend = (size_t)dg->send_off[dg->n_nbr];
  h->sendbuf = malloc(nsend * elem_size + 1);
  h->req = malloc(2 * (size_t)dg->n_nbr * sizeof *h->req);
  if (!h->sendbuf || !h->req) {
    free(h->sendbuf);
    free(h->req);
    memset(h, 0, sizeof *h);
    LC_FAIL(LC_ENOMEM, "dgraph halo: cannot allocate %zu bytes of send buffer", nsend * elem_size);
  }
  char *d = data;
  for (size_t s = 0; s < nsend; s++)
    memcpy(h->sendbuf + s * elem_size, d + (size_t)dg->send_idx[s] * elem_size, elem_size);
  for (int j = 0; j < dg->n_nbr; j++) {
    int nr = (int)((size_t)(dg->recv_off[j + 1] - dg->recv_off[j]) * elem_size);
    char *dst = d + ((size_t)dg->n_owned + (size_t)dg->recv_off[j]) * elem_size;
    if (MPI_Irecv(dst, nr, MPI_BYTE, dg->nbr[j], DGRAPH_TAG_HALO, dg->comm, &h->req[h->n_req]) !=
        MPI_SUCCESS)
      goto mpi_fail;
    h->n_req++;
  }
  for (int j = 0; j < dg->n_nbr; j++) {
    int ns = (int)((size_t)(dg->send_off[j + 1] - dg->send_off[j]) * elem_size);
    char *src = h->sendbuf + (size_t)dg->send_off[j] * elem_size;
    if (MPI_Isend(src, ns, MPI_BYTE, dg->nbr[j], DGRAPH_TAG_HALO, dg->comm, &h->req[h->n_req]) !=
        MPI_SUCCESS)
      goto mpi_fail;
    h->n_req++;
  }
  return LC_OK;
mpi_fail:
  (void)MPI_Waitall(h->n_req, h->req, MPI_STATUSES_IGNORE);
  free(h->sendbuf);
  free(h->req);
  memset(h, 0, sizeof *h);
  LC_FAIL(LC_EMPI, "dgraph halo: posting a message failed");
}

int dgraph_halo_end(struct dgraph_halo *h) {
  int rc = LC_OK;
  if (h->n_req > 0 && MPI_Waitall(h->n_req, h->req, MPI_STATUSES_IGNORE) != MPI_SUCCESS)
    rc = lc_error_set(LC_EMPI, __FILE__, __LINE__, "dgraph halo: MPI_Waitall failed");
  free(h->sendbuf);
  free(h->req);
  memset(h, 0, sizeof *h);
  return rc;
}
