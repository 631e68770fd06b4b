/* Agents of the simulation: one per resident, or one per N residents, on the residents' home
 * nodes. Agent ids are global and independent of the ranks: they follow the nodes in global
 * order, then the groups in group order, then the agents of one node and group, so an agent
 * has the same id (and therefore the same random draws) on any number of ranks. In a housing
 * scenario the baseline's agents keep their ids and the added residents' agents come after
 * all of them, so that the baseline's residents draw the same plans. */
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
        LC_FAIL(LC_EINVARIANT, "negative residents (%lld) at node %lld, group %d", (long long)x,
                (long long)i, g);
      if (r > INT64_MAX - x)
        LC_FAIL(LC_ETOOBIG, "the population's total overflows 64 bits");
      r += x;
      a += agents_count(x, per_agent);
    }
  *agents = a;
  *residents = r;
  return LC_OK;
}

int agents_population_first(const struct population *pop, const struct dgraph *dg, long per_agent,
                            int64_t *first) {
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

void agents_population_split(const struct agents_input *in, int64_t i, int g, int64_t *base,
                             int64_t *kept, int64_t *added) {
  int G = in->pop->n_groups;
  int64_t r = in->pop->by_group[i * G + g];
  if (!in->base_pop) {
    *base = *kept = r;
    *added = 0;
    return;
  }
  *base = in->base_pop->by_group[i * G + g];
  *kept = r < *base ? r : *base;
  *added = r - *kept;
}

int agents_population_layout(const struct agents_input *in, int64_t *first, int64_t *first_new,
                             int64_t *agents, int64_t *residents) {
  const struct population *pop = in->pop, *base = in->base_pop ? in->base_pop : in->pop;
  const struct dgraph *dg = in->dg;
  long per = in->cfg->residents_per_agent;
  int G = pop->n_groups;
  if (base->n_nodes != pop->n_nodes || base->n_groups != G)
    LC_FAIL(LC_EINVARIANT,
            "the housing baseline (%lld nodes, %d groups) does not match the "
            "population (%lld nodes, %d groups)",
            (long long)base->n_nodes, base->n_groups, (long long)pop->n_nodes, G);
  int64_t base_agents = 0, base_res = 0;
  LC_CHECK(agents_population_totals(pop, per, agents, residents));
  LC_CHECK(agents_population_totals(base, per, &base_agents, &base_res));
  LC_CHECK(agents_population_first(base, dg, per, first));
  if (!in->base_pop)
    return LC_OK;
  int64_t at = base_agents, total = 0;
  int32_t j = 0;
  for (int64_t i = 0; i < pop->n_nodes; i++) {
    int64_t node_new = 0;
    for (int g = 0; g < G; g++) {
      int64_t b, k, a;
      agents_population_split(in, i, g, &b, &k, &a);
      total += agents_count(k, per) + agents_count(a, per);
      node_new += agents_count(a, per);
    }
    if (j < dg->n_owned && dg->global[j] == i)
      first_new[j++] = at;
    at += node_new;
  }
  *agents = total;
  return LC_OK;
}
