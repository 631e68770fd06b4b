/* Logging: rank prefix, elapsed time, levels, progress with percent and time left. */
#ifndef LIFECIRCLE_LOG_H
#define LIFECIRCLE_LOG_H

#include <stdint.h>

/* Verbosity: 0 quiet (errors only), 1 rank 0 informs, 2 every rank informs, 3 debug. */
enum log_level { LOG_ERROR = 0, LOG_INFO = 1, LOG_ALL = 2, LOG_DEBUG = 3 };

/* Sets the rank used as prefix and the verbosity; starts the elapsed-time clock. Local. */
void log_init(int rank, int verbosity);

/* Returns the current verbosity. */
int log_verbosity(void);

/* Seconds since log_init. */
double log_elapsed(void);

/* Prints an error on stderr from any rank, with rank and elapsed time. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints an informative line on stderr from rank 0 (from every rank at verbosity 2+). */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a warning from rank 0 (every rank at verbosity 2+). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a debug line at verbosity 3. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Progress of a long phase. Call log_progress_begin once, then log_progress as work advances;
 * a line with percent done, elapsed and estimated time left is printed at most every
 * `interval` seconds (and at the end). Local, rank 0 prints. */
struct log_progress {
  const char *phase;
  double start, last, interval;
  int64_t total;
};
void log_progress_begin(struct log_progress *p, const char *phase, int64_t total);
void log_progress(struct log_progress *p, int64_t done);

/* Peak resident memory of this process in bytes (from /proc/self/status VmHWM). */
int64_t log_peak_rss(void);

#endif
