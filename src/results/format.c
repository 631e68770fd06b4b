/* The table of every dataset of lifecircle's HDF5 files, and its check. */
#include "lifecircle/format.h"

#include <string.h>

#include "lifecircle/status.h"

static const struct format_entry format_table[] = {
    {"/Categories/essential", "int64", 1, "C", "1", "1 when part of the complete life circle"},
    {"/Categories/id", "string", 1, "C", "1",
     "category ids; this order is the column order of every per-category table"},
    {"/Categories/n_facilities", "int64", 1, "C", "1",
     "facilities of the category in the baseline (not excluded)"},
    {"/Categories/name_en", "string", 1, "C", "1", "English name"},
    {"/Categories/name_zh", "string", 1, "C", "1", "Chinese name"},
    {"/Categories/radius_m", "float64", 1, "C", "m",
     "catchment radius: facilities farther away are not reached"},
    {"/Categories/target_share", "float64", 1, "C", "1",
     "target share of residents within the threshold"},
    {"/Categories/threshold_min", "int64", 1, "C", "min", "standard walking time of the category"},
    {"/Comparisons/*/delta_nearest_cm", "int64", 2, "N x C", "cm",
     "scenario minus baseline walking distance to the nearest facility (columns: /Categories/id); "
     "0 when either has none within the radius (see reach_change)"},
    {"/Comparisons/*/facility_baseline_row", "int64", 1, "F", "1",
     "row of the baseline's Facilities holding the same facility (same category and source id), -1 "
     "when the baseline has none (added by the scenario)"},
    {"/Comparisons/*/facility_load_after", "int64", 2, "F x 4", "agents",
     "the scenario's load per row of its Facilities; columns: arrivals (agents arriving over the "
     "day), served (services started), refused (agents turned away), peak_queue (largest queue in "
     "any bin); see facility_load_column"},
    {"/Comparisons/*/facility_load_before", "int64", 2, "F x 4", "agents",
     "the baseline's load of the same facility per row of the scenario's Facilities (0 for rows "
     "the baseline does not have: facility_baseline_row -1); columns: arrivals (agents arriving "
     "over the day), served (services started), refused (agents turned away), peak_queue (largest "
     "queue in any bin); see facility_load_column"},
    {"/Comparisons/*/facility_load_change", "int64", 2, "F x 4", "agents",
     "facility_load_after - facility_load_before; columns: arrivals (agents arriving over the "
     "day), served (services started), refused (agents turned away), peak_queue (largest queue in "
     "any bin); see facility_load_column"},
    {"/Comparisons/*/facility_load_column", "string", 1, "4", "1",
     "column names of facility_load_before, _after and _change"},
    {"/Comparisons/*/newly_covered", "int64", 2, "R x C*G", "persons",
     "residents within category c's threshold at their group's speed in the scenario but not in "
     "the baseline (column c*G+g; rows: subdistricts, then all)"},
    {"/Comparisons/*/no_longer_covered", "int64", 2, "R x C*G", "persons",
     "residents within the threshold in the baseline but not in the scenario (column c*G+g; rows: "
     "subdistricts, then all)"},
    {"/Comparisons/*/pass_after", "int64", 2, "R x C", "1",
     "Coverage/pass of the scenario: 1 pass, 0 fail, -1 no residents or no data"},
    {"/Comparisons/*/pass_before", "int64", 2, "R x C", "1",
     "Coverage/pass of the baseline: 1 pass, 0 fail, -1 no residents or no data"},
    {"/Comparisons/*/reach_change", "int64", 2, "N x C", "1",
     "1: a facility within the radius only in the scenario; -1: only in the baseline; 0: in both "
     "or in neither (delta_nearest_cm is meaningful only where this is 0 and nearest_cm >= 0)"},
    {"/Comparisons/*/realised_covered_change", "int64", 2, "R x C*G", "persons",
     "RealisedCoverage/covered of the scenario minus that of the baseline (column c*G+g; rows: "
     "subdistricts, then all); equals realised_newly_covered - realised_no_longer_covered"},
    {"/Comparisons/*/realised_newly_covered", "int64", 2, "R x C*G", "persons",
     "residents (agent weights) realised-covered for category c in the scenario but not in the "
     "baseline: every trip of c served with door-to-service time within the threshold, compared "
     "agent by agent (column c*G+g; rows: subdistricts, then all)"},
    {"/Comparisons/*/realised_no_longer_covered", "int64", 2, "R x C*G", "persons",
     "residents (agent weights) realised-covered for category c in the baseline but not in the "
     "scenario (column c*G+g; rows: subdistricts, then all)"},
    {"/Comparisons/*/row_name", "string", 1, "R", "1", "row names: subdistricts, then all"},
    {"/Comparisons/*/stored/delta_nearest_cm", "int64", 2, "N x K", "cm",
     "scenario minus baseline walking distance to the nearest facility (columns: /Categories/id); "
     "0 when either has none within the radius (see reach_change) [only the stored column blocks, "
     "listed in NAME_blocks]"},
    {"/Comparisons/*/stored/delta_nearest_cm_blocks", "int64", 1, "K", "1",
     "column blocks (rows of /Categories/id) stored in this table, in its column order"},
    {"/Comparisons/*/stored/reach_change", "int64", 2, "N x K", "1",
     "1: a facility within the radius only in the scenario; -1: only in the baseline; 0: in both "
     "or in neither (delta_nearest_cm is meaningful only where this is 0 and nearest_cm >= 0) "
     "[only the stored column blocks, listed in NAME_blocks]"},
    {"/Comparisons/*/stored/reach_change_blocks", "int64", 1, "K", "1",
     "column blocks (rows of /Categories/id) stored in this table, in its column order"},
    {"/Graph/edges/cost_cm", "int64", 1, "E", "cm", "walking cost: length times the class factor"},
    {"/Graph/edges/geom_lat", "float64", 1, "P", "degree", "polyline point latitude, WGS84"},
    {"/Graph/edges/geom_lon", "float64", 1, "P", "degree", "polyline point longitude, WGS84"},
    {"/Graph/edges/geom_offset", "int64", 1, "E+1", "1",
     "edge e's polyline: rows geom_offset[e]..geom_offset[e+1]-1 of geom_lon/geom_lat, end nodes "
     "included"},
    {"/Graph/edges/length_cm", "int64", 1, "E", "cm", "geodesic length along the edge's geometry"},
    {"/Graph/edges/osm_way_id", "int64", 1, "E", "1", "OpenStreetMap way id, -1 when none"},
    {"/Graph/edges/u", "int64", 1, "E", "1", "first end node (0-based row of /Graph/nodes)"},
    {"/Graph/edges/v", "int64", 1, "E", "1", "second end node (0-based row of /Graph/nodes)"},
    {"/Graph/nodes/lat", "float64", 1, "N", "degree", "node latitude, WGS84"},
    {"/Graph/nodes/lon", "float64", 1, "N", "degree", "node longitude, WGS84"},
    {"/Graph/nodes/osm_id", "int64", 1, "N", "1", "OpenStreetMap node id (DIMACS: node number)"},
    {"/Graph/nodes/owner_rank", "int64", 1, "N", "1", "MPI rank that owned the node in this run"},
    {"/Groups/id", "string", 1, "G", "1",
     "population group ids; the column order of per-group tables"},
    {"/Groups/share", "float64", 1, "G", "1", "share of residents in the group"},
    {"/Groups/speed_m_s", "float64", 1, "G", "m/s", "walking speed of the group"},
    {"/Parameters/given", "string", 0, "scalar", "1", "the parameter file as given"},
    {"/Parameters/used", "string", 0, "scalar", "1",
     "every parameter read, with the value used (defaults included)"},
    {"/Population/residents", "int64", 2, "N x G", "persons",
     "residents at the node per group (columns: /Groups/id)"},
    {"/Population/subdistrict", "int64", 1, "N", "1",
     "row of /Subdistricts/name containing the node, -1 outside"},
    {"/Scenarios/*/Coverage/complete", "int64", 2, "R x G", "persons",
     "residents with every essential category that serves their group (/Categories/serves) and has "
     "data (complete_categories) within its threshold"},
    {"/Scenarios/*/Coverage/complete_share", "float64", 2, "R x G", "1",
     "share of residents with a complete life circle over the essential categories with data "
     "(complete_categories)"},
    {"/Scenarios/*/Coverage/covered", "int64", 2, "R x C*G", "persons",
     "residents within category c's threshold at their group's speed (column c*G+g)"},
    {"/Scenarios/*/Coverage/median_min", "float64", 2, "R x C*G", "min",
     "median walking minutes to the nearest facility (column c*G+g), 1 m resolution; NaN when "
     "beyond the radius"},
    {"/Scenarios/*/Coverage/p90_min", "float64", 2, "R x C*G", "min",
     "90th percentile walking minutes (column c*G+g); NaN when beyond the radius"},
    {"/Scenarios/*/Coverage/pass", "int64", 2, "R x C", "1",
     "1 when served_share reaches the category's target, 0 when not, -1 no residents of the served "
     "groups or no data (data_status 2): never a measured failure"},
    {"/Scenarios/*/Coverage/residents", "int64", 2, "R x G", "persons",
     "residents per row (subdistricts, then all) and group"},
    {"/Scenarios/*/Coverage/row_name", "string", 1, "R", "1", "row names: subdistricts, then all"},
    {"/Scenarios/*/Coverage/served_share", "float64", 2, "R x C", "1",
     "share over the groups the category serves (/Categories/serves); NaN when the category has no "
     "data"},
    {"/Scenarios/*/Coverage/share", "float64", 2, "R x C*G", "1",
     "covered / residents (column c*G+g); NaN where the row has no residents or the category has "
     "no data (data_status 2)"},
    {"/Scenarios/*/Facilities/capacity", "int64", 1, "F", "1", "concurrent seats or servers"},
    {"/Scenarios/*/Facilities/category", "int64", 1, "F", "1", "row of /Categories/id"},
    {"/Scenarios/*/Facilities/close_min", "int64", 1, "F", "min",
     "closing time, minutes after midnight"},
    {"/Scenarios/*/Facilities/lat", "float64", 1, "F", "degree",
     "facility latitude, WGS84 (converted)"},
    {"/Scenarios/*/Facilities/lon", "float64", 1, "F", "degree",
     "facility longitude, WGS84 (converted)"},
    {"/Scenarios/*/Facilities/name", "string", 1, "F", "1", "facility name, UTF-8"},
    {"/Scenarios/*/Facilities/node", "int64", 1, "F", "1",
     "graph node the facility snapped to (row of /Graph/nodes), -1 when excluded"},
    {"/Scenarios/*/Facilities/open_min", "int64", 1, "F", "min",
     "opening time, minutes after midnight"},
    {"/Scenarios/*/Facilities/snap_cm", "int64", 1, "F", "cm",
     "geodesic distance to the snapped node, added to every walk"},
    {"/Scenarios/*/Facilities/source", "int64", 1, "F", "1",
     "-1: the graph file's OSM POIs; k >= 0: Facilities:layers:k of the parameters"},
    {"/Scenarios/*/Facilities/source_id", "string", 1, "F", "1",
     "OSM element (node/ID, way/ID, relation/ID), layer id or row/N"},
    {"/Scenarios/*/FacilityLoad/arrivals", "int64", 2, "F x B", "1",
     "agents arriving at the facility (row of Facilities) in the time bin (column; bin b covers [b "
     "* bin_s, (b + 1) * bin_s) seconds after midnight)"},
    {"/Scenarios/*/FacilityLoad/peak_queue", "int64", 2, "F x B", "1",
     "largest number of agents waiting in the queue during the bin"},
    {"/Scenarios/*/FacilityLoad/refused", "int64", 2, "F x B", "1",
     "persons (distinct agents) turned away in the bin: wait beyond their tolerance, closed on "
     "arrival, or service could not start before closing; never more than arrivals"},
    {"/Scenarios/*/FacilityLoad/served", "int64", 2, "F x B", "1",
     "agents whose service started in the bin"},
    {"/Scenarios/*/NodeAccess/count_within", "int64", 2, "N x C*G", "1",
     "facilities of category c within its threshold at group g's speed (column c*G+g), counted "
     "among the k-entry catchment list (so at most Accessibility:k)"},
    {"/Scenarios/*/NodeAccess/nearest_cm", "int64", 2, "N x C", "cm",
     "walking distance to the nearest facility of each category (columns: /Categories/id), snap "
     "distance included; -1 when none within the category's radius"},
    {"/Scenarios/*/NodeAccess/nearest_facility", "int64", 2, "N x C", "1",
     "row of Facilities of the nearest facility (ties: lower row); -1 when none within the radius"},
    {"/Scenarios/*/RealisedCoverage/covered", "int64", 2, "R x C*G", "persons",
     "of those, residents whose every trip of category c was served with door-to-service time "
     "(walking, redirects and queue) within the category's threshold (column c*G+g)"},
    {"/Scenarios/*/RealisedCoverage/needed", "int64", 2, "R x C*G", "persons",
     "residents (agent weights) with at least one trip of category c on the simulated day (column "
     "c*G+g; rows: subdistricts, then all)"},
    {"/Scenarios/*/RealisedCoverage/share", "float64", 2, "R x C*G", "1",
     "covered / needed (column c*G+g); NaN where no resident needed the category"},
    {"/Scenarios/*/Trips/agent", "int64", 1, "T", "1",
     "agent id (global: home nodes in /Graph/nodes order, then /Groups/id order)"},
    {"/Scenarios/*/Trips/arrive_s", "int64", 1, "T", "s",
     "arrival at the facility, seconds after midnight"},
    {"/Scenarios/*/Trips/category", "int64", 1, "T", "1", "row of /Categories/id"},
    {"/Scenarios/*/Trips/depart_s", "int64", 1, "T", "s",
     "departure from home, seconds after midnight"},
    {"/Scenarios/*/Trips/end_s", "int64", 1, "T", "s",
     "end of service, seconds after midnight; -1 when not served"},
    {"/Scenarios/*/Trips/facility", "int64", 1, "T", "1",
     "row of Facilities that served the agent (failed trips: the last one tried, -1 when no "
     "facility was open within the catchment list)"},
    {"/Scenarios/*/Trips/group", "int64", 1, "T", "1", "row of /Groups/id"},
    {"/Scenarios/*/Trips/origin", "int64", 1, "T", "1",
     "home node (row of /Graph/nodes) the trip starts from"},
    {"/Scenarios/*/Trips/outcome", "int64", 1, "T", "1",
     "0 served, 1 served after waiting, 2 redirected then served, 3 failed"},
    {"/Scenarios/*/Trips/trip_index", "int64", 1, "T", "1", "index of the trip in the agent's day"},
    {"/Scenarios/*/Trips/wait_s", "int64", 1, "T", "s", "queue wait at the facility that served"},
    {"/Scenarios/*/Trips/walk_cm", "int64", 1, "T", "cm",
     "walked from home to the facility over all legs (snap distances included)"},
    {"/Scenarios/*/NodeAccess/stored/count_within", "int64", 2, "N x K*G", "1",
     "facilities of category c within its threshold at group g's speed (column c*G+g), counted "
     "among the k-entry catchment list (so at most Accessibility:k) [only the stored column "
     "blocks, listed in NAME_blocks]"},
    {"/Scenarios/*/NodeAccess/stored/count_within_blocks", "int64", 1, "K", "1",
     "column blocks (rows of /Categories/id) stored in this table, in its column order"},
    {"/Scenarios/*/NodeAccess/stored/nearest_cm", "int64", 2, "N x K", "cm",
     "walking distance to the nearest facility of each category (columns: /Categories/id), snap "
     "distance included; -1 when none within the category's radius [only the stored column blocks, "
     "listed in NAME_blocks]"},
    {"/Scenarios/*/NodeAccess/stored/nearest_cm_blocks", "int64", 1, "K", "1",
     "column blocks (rows of /Categories/id) stored in this table, in its column order"},
    {"/Scenarios/*/NodeAccess/stored/nearest_facility", "int64", 2, "N x K", "1",
     "row of Facilities of the nearest facility (ties: lower row); -1 when none within the radius "
     "[only the stored column blocks, listed in NAME_blocks]"},
    {"/Scenarios/*/NodeAccess/stored/nearest_facility_blocks", "int64", 1, "K", "1",
     "column blocks (rows of /Categories/id) stored in this table, in its column order"},
    {"/Subdistricts/name", "string", 1, "S", "1", "subdistrict names"},
    {"/Subdistricts/ring_lat", "float64", 1, "Q", "degree", "ring point latitude, WGS84"},
    {"/Subdistricts/ring_lon", "float64", 1, "Q", "degree", "ring point longitude, WGS84"},
    {"/Subdistricts/ring_offset", "int64", 1, "rings+1", "1",
     "ring r: points ring_offset[r]..ring_offset[r+1]-1"},
    {"/Subdistricts/ring_subdistrict", "int64", 1, "rings", "1",
     "subdistrict (row of /Subdistricts/name) of every ring"},
    {"/Inputs/path", "string", 1, "I", "1", "input files as given"},
    {"/Inputs/sha256", "string", 1, "I", "1", "SHA-256 of each input file (hex)"},
    {"/POIs/category", "int32", 1, "M", "1",
     "row of /Categories/id the POI matched (one row per match)"},
    {"/POIs/lat", "float64", 1, "M", "degree",
     "POI latitude, WGS84 (way and relation POIs: centroid)"},
    {"/POIs/lon", "float64", 1, "M", "degree",
     "POI longitude, WGS84 (way and relation POIs: centroid)"},
    {"/POIs/name", "string", 1, "M", "1", "OSM name tag, UTF-8"},
    {"/POIs/osm_id", "int64", 1, "M", "1", "OSM element id"},
    {"/POIs/osm_type", "int8", 1, "M", "1", "OSM element type: 0 node, 1 way, 2 relation"},
    {"/Categories/name_languages", "string", 1, "L", "1",
     "language codes of /Categories/names, in the report's order (Report:languages)"},
    {"/Categories/names", "string", 1, "C*L", "1",
     "name of category c in language l at row c * L + l (L rows of name_languages); empty when "
     "none is given"},
    {"/Categories/serves", "int64", 2, "C x G", "1",
     "1 where category c (row) serves group g (column, /Groups/id): the groups its headline counts "
     "and shares are over (the categories file's `groups`)"},
    {"/Comparisons/*/realised_served_gain", "int64", 2, "R x C", "persons",
     "residents realised-covered for category c (row: subdistricts, then all) in the scenario "
     "minus the baseline, over the groups the category serves (central run)"},
    {"/Comparisons/*/realised_served_gain_high", "int64", 2, "R x C", "persons",
     "highest realised served gain over the central run and the sensitivity design"},
    {"/Comparisons/*/realised_served_gain_low", "int64", 2, "R x C", "persons",
     "lowest realised served gain over the central run and every point of the sensitivity design "
     "(RealisedCoverage/design_factors), both scenarios at the same factors"},
    {"/Comparisons/*/realised_served_gain_sign_holds", "int64", 2, "R x C", "1",
     "1 when the gain has the sign of the central gain (positive, zero or negative) at every "
     "design point, else 0"},
    {"/Comparisons/*/realised_served_newly_covered", "int64", 2, "R x C", "persons",
     "realised_newly_covered summed over the groups category c serves (/Categories/serves) only "
     "(columns: /Categories/id; rows: subdistricts, then all)"},
    {"/Comparisons/*/realised_served_no_longer_covered", "int64", 2, "R x C", "persons",
     "realised_no_longer_covered summed over the groups category c serves only"},
    {"/Comparisons/*/served_newly_covered", "int64", 2, "R x C", "persons",
     "residents of the groups category c serves (/Categories/serves) newly within its threshold: "
     "newly_covered summed over those groups only (columns: /Categories/id; rows: subdistricts, "
     "then all)"},
    {"/Comparisons/*/served_no_longer_covered", "int64", 2, "R x C", "persons",
     "residents of the groups category c serves no longer within its threshold: no_longer_covered "
     "summed over those groups only"},
    {"/Comparisons/*/housing_added", "int64", 2, "R x G", "persons",
     "residents the scenario adds (its Population/residents above the baseline's, per node and "
     "group), per row (subdistricts, then all) and group"},
    {"/Comparisons/*/housing_complete", "int64", 2, "R x G", "persons",
     "added residents with every essential category within its threshold (the complete life "
     "circle, as in Coverage/complete)"},
    {"/Comparisons/*/housing_complete_share", "float64", 2, "R x G", "1",
     "housing_complete / housing_added per group; NaN where none were added"},
    {"/Comparisons/*/housing_covered", "int64", 2, "R x C*G", "persons",
     "added residents within category c's threshold at their group's speed in the scenario (column "
     "c*G+g)"},
    {"/Comparisons/*/housing_removed", "int64", 2, "R x G", "persons",
     "residents the scenario removes (the baseline's above its Population/residents), per row and "
     "group"},
    {"/Comparisons/*/housing_share", "float64", 2, "R x C*G", "1",
     "housing_covered / housing_added (column c*G+g); NaN where none were added"},
    {"/Scenarios/*/Coverage/complete_all_essential", "float64", 2, "R x G", "1",
     "complete_share when every essential category serving the group has data; NaN (no data) when "
     "any of them has none"},
    {"/Scenarios/*/Coverage/complete_categories", "int64", 1, "C", "1",
     "1 for the essential categories the complete life circle is computed over (those with data), "
     "0 for the others"},
    {"/Scenarios/*/Coverage/data_status", "int64", 1, "C", "1",
     "per category (/Categories/id): 0 ok, 1 thin (fewer facilities than the categories file's "
     "expected density or the official count), 2 no data (no facility on the network); "
     "data_status_reason says why, in words"},
    {"/Scenarios/*/Coverage/data_status_reason", "string", 1, "C", "1",
     "per category: why its data are thin or missing, in words (empty when ok)"},
    {"/Scenarios/*/Coverage/e2sfca", "float64", 2, "R x C", "per 1000 residents",
     "E2SFCA (Luo & Qi 2009, enhanced two-step floating catchment area; Gaussian decay of Dai 2010 "
     "with the category's radius as catchment): capacity (1 per facility where it is 0, no limit) "
     "per 1000 residents of the groups the category serves, from the k-entry catchment lists (a "
     "full list may leave farther facilities within the radius out: see the log); mean over the "
     "row's nodes weighted by the residents of the served groups (rows: subdistricts, then all); "
     "NaN when the category has no data or the row no such residents"},
    {"/Scenarios/*/FacilityLoad/attempts", "int64", 2, "F x B", "1",
     "refusals in the bin (an agent turned away twice in the bin counts twice)"},
    {"/Scenarios/*/NodeAccess/e2sfca", "float64", 2, "N x C", "per 1000 residents",
     "E2SFCA (Luo & Qi 2009, enhanced two-step floating catchment area; Gaussian decay of Dai 2010 "
     "with the category's radius as catchment): capacity (1 per facility where it is 0, no limit) "
     "per 1000 residents of the groups the category serves, from the k-entry catchment lists (a "
     "full list may leave farther facilities within the radius out: see the log); per node "
     "(columns: /Categories/id); NaN when the category has no data"},
    {"/Scenarios/*/RealisedCoverage/design_covered", "int64", 2, "D x R*C*G", "persons",
     "RealisedCoverage/covered at each design point (row), flattened like design_needed"},
    {"/Scenarios/*/RealisedCoverage/design_factors", "float64", 2, "D x 3", "1",
     "the sensitivity design: factor applied to each parameter (column: design_parameters) at each "
     "point (row); the central run (all 1) is not a row"},
    {"/Scenarios/*/RealisedCoverage/design_needed", "int64", 2, "D x R*C*G", "persons",
     "RealisedCoverage/needed at each design point (row), flattened: column (r*C + c)*G + g"},
    {"/Scenarios/*/RealisedCoverage/design_parameters", "string", 1, "3", "1",
     "parameters of the sensitivity design: capacity (seats of every limited facility), "
     "service_time (every activity's seat time), visit_rate (every activity's daily probability)"},
    {"/Scenarios/*/RealisedCoverage/design_unmet", "int64", 2, "D x R*C*G", "persons",
     "RealisedCoverage/unmet at each design point (row), flattened like design_needed"},
    {"/Scenarios/*/RealisedCoverage/elasticity", "float64", 2, "3 x C", "1",
     "per parameter (row: design_parameters) and category: change of ln(realised share of all "
     "residents with the need) per change of ln(factor), between the parameter's low and high "
     "one-at-a-time points; NaN where a share is 0 or undefined"},
    {"/Scenarios/*/RealisedCoverage/served_late", "int64", 2, "R x C*G", "persons",
     "residents with the need whose every trip of category c was served, some beyond the threshold "
     "(column c*G+g)"},
    {"/Scenarios/*/RealisedCoverage/share_high", "float64", 2, "R x C*G", "1",
     "highest realised share over the central run and the sensitivity design"},
    {"/Scenarios/*/RealisedCoverage/share_low", "float64", 2, "R x C*G", "1",
     "lowest realised share (covered / needed, column c*G+g) over the central run and every point "
     "of the sensitivity design; NaN where no point has the need"},
    {"/Scenarios/*/RealisedCoverage/unmet", "int64", 2, "R x C*G", "persons",
     "residents with the need for whom some trip of category c was not served (column c*G+g); the "
     "sum of the unmet_<reason> tables; needed = covered + served_late + unmet"},
    {"/Scenarios/*/RealisedCoverage/unmet_capacity_full", "int64", 2, "R x C*G", "persons",
     "residents unmet for category c whose first trip not served ended with reason 'capacity full "
     "after K tries' (column c*G+g)"},
    {"/Scenarios/*/RealisedCoverage/unmet_closed_on_arrival", "int64", 2, "R x C*G", "persons",
     "residents unmet for category c whose first trip not served ended with reason 'closed on "
     "arrival' (column c*G+g)"},
    {"/Scenarios/*/RealisedCoverage/unmet_gave_up_waiting", "int64", 2, "R x C*G", "persons",
     "residents unmet for category c whose first trip not served ended with reason 'gave up "
     "waiting' (column c*G+g)"},
    {"/Scenarios/*/RealisedCoverage/unmet_high", "int64", 2, "R x C*G", "persons",
     "most residents unmet over the central run and the design"},
    {"/Scenarios/*/RealisedCoverage/unmet_low", "int64", 2, "R x C*G", "persons",
     "fewest residents unmet (RealisedCoverage/unmet) over the central run and the design"},
    {"/Scenarios/*/RealisedCoverage/unmet_none_within_radius", "int64", 2, "R x C*G", "persons",
     "residents unmet for category c whose first trip not served ended with reason 'none within "
     "radius' (column c*G+g)"},
    {"/Scenarios/*/Trips/reason", "int64", 1, "T", "1",
     "why the need ended as it did: 0 served, 1 served after waiting, 2 redirected then served, 3 "
     "none within radius (no facility of the category within its radius: an unmet need, no walk, "
     "facility -1), 4 closed on arrival, 5 capacity full after K tries, 6 gave up waiting; names "
     "in the Trips attribute `reason_names`"},
    {"/Scenarios/*/Population/residents", "int64", 2, "N x G", "persons",
     "residents at the node per group in this scenario: the baseline's /Population/residents with "
     "the residents its housing edits add and remove (columns: /Groups/id)"},
};

static int format_strict = 1;

int format_count(void) { return (int)(sizeof format_table / sizeof format_table[0]); }

const struct format_entry *format_entry_at(int i) {
  return i >= 0 && i < format_count() ? &format_table[i] : NULL;
}

/* Matches a path against a pattern in which `*` stands for one non-empty path component. */
static int format_match(const char *pattern, const char *path) {
  while (*pattern && *path) {
    if (*pattern == '*') {
      const char *end = strchr(path, '/');
      if (end == path)
        return 0;
      path = end ? end : path + strlen(path);
      pattern++;
    } else if (*pattern++ != *path++) {
      return 0;
    }
  }
  return *pattern == '\0' && *path == '\0';
}

const struct format_entry *format_find(const char *path) {
  for (int i = 0; i < format_count(); i++)
    if (format_match(format_table[i].path, path))
      return &format_table[i];
  return NULL;
}

void format_set_strict(int on) { format_strict = on; }

int format_check(const char *path, const char *type, int rank, const char *units) {
  if (!format_strict)
    return LC_OK;
  const struct format_entry *e = format_find(path);
  if (!e)
    LC_FAIL(LC_EINVARIANT, "the dataset %s is not in the file format table (src/results/format.c)",
            path);
  if (strcmp(e->type, type) != 0 || e->rank != rank || strcmp(e->units, units) != 0)
    LC_FAIL(LC_EINVARIANT,
            "the dataset %s is written as %s, %d-D, in '%s' but the file format table "
            "(src/results/format.c) says %s, %d-D, in '%s'",
            path, type, rank, units, e->type, e->rank, e->units);
  return LC_OK;
}

void format_print_markdown(FILE *out) {
  fprintf(out, "| path | type | shape | units | description |\n");
  fprintf(out, "| --- | --- | --- | --- | --- |\n");
  for (int i = 0; i < format_count(); i++) {
    const struct format_entry *e = &format_table[i];
    fprintf(out, "| `%s` | %s | %s | %s | %s |\n", e->path, e->type, e->shape, e->units,
            e->description);
  }
}
