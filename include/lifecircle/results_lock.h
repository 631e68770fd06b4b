/* The lock beside a results file: one job at a time writes an output path. */
#ifndef LIFECIRCLE_RESULTS_LOCK_H
#define LIFECIRCLE_RESULTS_LOCK_H

#include <mpi.h>

/* Hours after which a lock taken on another host is stale (LIFECIRCLE_LOCK_STALE_H
 * overrides): a process on another host cannot be asked whether it still runs. */
#define RESULTS_LOCK_STALE_H 24.0

struct results_lock {
  char *path;  /* OUTPUT.lock; NULL when not held (and on ranks other than 0). */
  char *token; /* The text written into it, to release only a lock still ours. */
};

/* Takes the lock OUTPUT.lock on rank 0 of comm: creates it exclusively with this host, pid,
 * Slurm job id and start time; refuses (LC_EIO, naming the holder) when another live job
 * holds it; takes over with a warning a stale one (its pid gone on this host, the same Slurm
 * job requeued, or older than the stale limit on another host). `what` names the command in
 * the lock. Collective; every rank returns the same status. */
int results_lock_take(const char *output, const char *what, MPI_Comm comm, struct results_lock *lk);

/* Removes the lock when it is still ours. Collective on the comm given to take. */
void results_lock_release(struct results_lock *lk);

#endif
