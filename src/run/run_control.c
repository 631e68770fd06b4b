/* Control of a run: injected faults (LIFECIRCLE_FAULT) and the clean stop on SIGUSR1 or
 * SIGTERM, checked by every rank at the same points. */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/agree.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"
#include "run.h"

static volatile sig_atomic_t run_signalled;

static void run_on_signal(int sig) { run_signalled = sig; }

int run_fault(const struct run_ctx *run, const char *phase) {
  const char *f = getenv("LIFECIRCLE_FAULT");
  if (!f)
    return LC_OK;
  int rank = -1;
  char name[64] = "";
  if (sscanf(f, "%d:%63s", &rank, name) != 2)
    return LC_OK;
  if (rank == run->rank && !strcmp(name, phase))
    LC_FAIL(LC_EFAULT, "injected fault on rank %d at phase %s (LIFECIRCLE_FAULT=%s)", rank, phase,
            f);
  return LC_OK;
}

void run_signals_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = run_on_signal;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int run_signal_any(struct run_ctx *run, int *any) {
  int sig = run_signalled;
  *any = 0;
  int mrc = MPI_Allreduce(&sig, any, 1, MPI_INT, MPI_MAX, run->comm);
  return mrc == MPI_SUCCESS ? LC_OK : lc_mpi_fail(mrc, "MPI_Allreduce of the stop signal");
}

int run_stop_check(struct run_ctx *run, const char *phase) {
  int any = 0;
  LC_CHECK(run_signal_any(run, &any));
  if (!any)
    return LC_OK;
  log_info("stopped by signal before the time limit: 0 scenarios complete (after %s); "
           "nothing written",
           phase);
  LC_FAIL(LC_ESTOPPED, "stopped by a signal during %s, before any scenario was complete", phase);
}
