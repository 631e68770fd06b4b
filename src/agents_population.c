/* Agents of the simulation: one per resident, or one per N residents, on the residents' home
 * nodes. Agent ids are global and independent of the ranks: they follow the nodes in global
 * order, then the groups in group order, then the agents of one node and group, so an agent
 * has the same id (and therefore the same random draws) on any number of ranks. */
#include <stdint.h>

#include "agents_internal.h"
#include "lifecircle/status.h"

int64_t agents_count(int64_t residents, long per_agent) {
  if (residents <= 0)
    return 0;
  return (residents + per_agent - 1) / per_agent;
}

int agents_population_totals(const struct population *pop, long per_agent, int64_t *agents,
                             int64_t *residents) {
  int64_t a = 0, r = 0;
  int G = pop->n_groups;
  for (int64_t i = 0; i < pop->n_nodes; i++)
    for (int g = 0; g < G; g++) {
      int64_t x = pop->by_group[i * G + g];
      if (x < 0)
        LC_FAIL(LC_EINVARIANT, "negative residents (%lld) at node %lld, group %d",
                (long long)x, (long long)i, g);
      if (r > INT64_MAX - x)
        LC_FAIL(LC_ETOOBIG, "the population's total overflows 64 bits");
      r += x;
      a += agents_count(x, per_agent);
    }
  *agents = a;
  *residents = r;
  return LC_OK;
}

int agents_population_first(const struct population *pop, const struct dgraph *dg,
                            long per_agent, int64_t *first) {
  int G = pop->n_groups;
  int64_t at = 0;
  int32_t j = 0;
  /* Owned nodes come in ascending global order: one pass over all nodes suffices. */
  for (int64_t i = 0; i < pop->n_nodes && j < dg->n_owned; i++) {
    if (dg->global[j] == i)
      first[j++] = at;
    for (int g = 0; g < G; g++)
      at += agents_count(pop->by_group[i * G + g], per_agent);
  }
  if (j != dg->n_owned)
    LC_FAIL(LC_EINVARIANT, "owned node %lld is not a node of the population (%lld nodes)",
            (long long)dg->global[j], (long long)pop->n_nodes);
  return LC_OK;
}
