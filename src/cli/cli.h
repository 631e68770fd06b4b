/* The commands of the lifecircle binary. Each parses its own options (getopt_long) and
 * returns a status; main prints the message and chooses the exit code. Every command is
 * collective over MPI_COMM_WORLD: all ranks call it and all return the same status. */
#ifndef LIFECIRCLE_CLI_H
#define LIFECIRCLE_CLI_H

/* lifecircle init --osm AREA.osm.pbf -o DIR [--admin-level N] [--categories SET] ...: a
 * runnable parameter file and its inputs for a new area (rank 0 writes). */
int cmd_init(int argc, char **argv);

/* lifecircle import INPUT... -o GRAPH.h5 [--profile FILE] [--categories FILE] */
int cmd_import(int argc, char **argv);

/* mpiexec -n N lifecircle run PARAMS.yml [-o RESULTS.h5] */
int cmd_run(int argc, char **argv);

/* lifecircle info FILE.h5 */
int cmd_info(int argc, char **argv);

/* lifecircle synth --nodes N --seed S -o GRAPH.h5 [--facilities FILE.csv] [--population-dir
 * DIR] ...: a synthetic city calibrated on the Xinhua network (rank 0 writes). */
int cmd_synth(int argc, char **argv);

/* mpiexec -n N lifecircle compare RESULTS.h5 [--baseline NAME]: every complete scenario
 * against the baseline, written to /Comparisons and printed. */
int cmd_compare(int argc, char **argv);

/* mpiexec -n N lifecircle optimize PARAMS.yml --category C --k K [--candidates FILE |
 * --candidates-in POLYGON] [-o PREFIX]: greedy maximal covering of the uncovered residents. */
int cmd_optimize(int argc, char **argv);

#endif
