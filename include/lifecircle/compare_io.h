/* Writing a comparison of a scenario with the baseline to a results file, shared by `run`
 * (from the arrays it holds in memory) and `lifecircle compare` (from a results file). */
#ifndef LIFECIRCLE_COMPARE_IO_H
#define LIFECIRCLE_COMPARE_IO_H

#include <hdf5.h>
#include <stdint.h>

#include "lifecircle/compare.h"
#include "lifecircle/results.h"

/* Writes /Comparisons/<scenario>/ of a results file open for collective writing:
 *   newly_covered, no_longer_covered (int64, R x (C*G), column c*G+g; from cmp),
 *   served_newly_covered, served_no_longer_covered (int64, R x C: their sums over the
 *   groups each category serves, /Categories/serves read from the file),
 *   delta_nearest_cm (scenario minus baseline where both reach a facility within the
 *   radius, else 0) and reach_change (1 reached only in the scenario, -1 only in the
 *   baseline, 0 both or neither), int64, N x C, of the owned nodes, whose global ids are
 *   gid[0 .. n_owned), any order; virtual tables storing only the categories whose
 *   distances differ somewhere (results_write_nodes_mapped), the others reading 0,
 *   pass_before, pass_after (int64, R x C: the Coverage/pass tables of the baseline and the
 *   scenario, identical on every rank),
 * with units and descriptions, then the agent-simulation part (compare_write_agents, read
 * back from the file, where /Scenarios/<baseline> and /Scenarios/<scenario> must already
 * be), then the group attributes `baseline` (its name) and `complete` = 1, last. `row_names` (R strings, subdistricts then "all") is written as
 * row_name. A /Comparisons/<scenario> group that already exists must have been removed by
 * the caller. Returns LC_OK, LC_ENOMEM, LC_EMPI or LC_EHDF5, agreed by all ranks.
 * Collective over res->comm. */
int compare_write(struct results *res, const char *scenario, const char *baseline,
                  const struct comparison *cmp, char *const *row_names, int64_t n_owned,
                  const int64_t *gid, const int64_t *const *base_nearest,
                  const int64_t *const *scen_nearest, const int8_t *pass_before,
                  const int8_t *pass_after);

/* Writes the agent-simulation part of /Comparisons/<scenario>, reading both scenarios back
 * from the results file (flushed first):
 *   realised_covered_change (int64, R x (C*G)): RealisedCoverage/covered of the scenario
 *     minus the baseline's;
 *   realised_newly_covered, realised_no_longer_covered (int64, R x (C*G)): residents whose
 *     realised coverage (compare.h) appears or disappears, compared agent by agent from the
 *     Trips of both, and realised_served_newly_covered, realised_served_no_longer_covered
 *     (int64, R x C) their sums over the groups each category serves; their recount of needed and covered must equal both RealisedCoverage
 *     tables (else LC_EINVARIANT); written only when both have Trips;
 *   facility_load_before, facility_load_after, facility_load_change (int64, F x 4, rows of
 *     the scenario's Facilities; columns arrivals, served, refused, peak_queue),
 *     facility_baseline_row (int64, F) and facility_load_column (strings);
 * and the group attributes `realised` and (when not simulated) `facility_load` saying what
 * was possible. Nothing but the attributes is written when either scenario was simulated
 * without agents. Returns LC_OK, LC_EFORMAT, LC_EINVARIANT, LC_ENOMEM, LC_EMPI or LC_EHDF5,
 * agreed by all ranks. Collective over res->comm. */
int compare_write_agents(struct results *res, const char *scenario, const char *baseline);

/* The housing part of /Comparisons/<scenario>, when the scenario changes the residents
 * (/Scenarios/<scenario>/Population/residents exists; otherwise nothing is written):
 * housing_added and housing_removed (int64, R x G: residents above and below the
 * baseline's, per row and group), housing_covered (int64, R x (C*G)) and housing_share
 * (float64, R x (C*G)): the added residents within each category's threshold in the
 * scenario, housing_complete (int64, R x G) and housing_complete_share (float64, R x G):
 * those with a complete life circle (coverage_compute over the added residents; NaN where
 * none were added), and the attribute `illustrative`. Logs the complete share per group.
 * Read back from the file. Collective over res->comm. */
int compare_write_housing(struct results *res, const char *scenario);

/* Writes /Comparisons/<scenario>/realised_served_gain and its band over the sensitivity
 * design (_low, _high, _sign_holds; int64, R x C) from both scenarios' RealisedCoverage
 * design datasets, or only the group attribute `realised_band` saying why not (older results,
 * Agents:sensitivity off). Returns LC_OK, LC_EFORMAT (different designs, bad shapes),
 * LC_ENOMEM or LC_EHDF5, agreed. Collective over res->comm. (compare_band.c) */
int compare_band_write(struct results *res, const char *scenario, const char *baseline);

/* Prints the realised served gain of one comparison with its band and whether its sign holds
 * over the design, per row (n_rows names) and category (n_cat ids), or says it was not
 * computed. Local (rank 0). */
int compare_band_print(hid_t file, const char *scenario, char *const *row_name, char *const *cat_id,
                       int n_rows, int n_cat);

/* Reads /Categories/serves (int64, C x G: 1 where category c serves group g) into a newly
 * allocated array. A results file without it (written before served groups were recorded)
 * or of another shape is refused with LC_EFORMAT naming the dataset. Local. */
int compare_read_serves(hid_t file, int n_cat, int n_group, int64_t **serves);

/* out[r * C + c] = sum over the groups g that c serves of table[(r * C + c) * G + g]: the
 * headline count of a category, which never adds groups it does not serve. Local, pure. */
void compare_served_sum(int n_rows, int n_cat, int n_group, const int64_t *table,
                        const int64_t *serves, int64_t *out);

/* Frees n strings and their array (NULL: nothing). Local. */
void compare_free_strings(char **s, int64_t n);

/* Reads a 1-D dataset of fixed- or variable-length strings into newly allocated strings.
 * Local. */
int compare_read_strings(hid_t file, const char *name, char ***out, int64_t *n);

#endif
