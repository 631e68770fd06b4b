/* Logging with rank prefix and elapsed time. */
#include "lifecircle/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int log_rank;
static int log_level_now = LOG_INFO;
static double log_t0;

static double log_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void log_init(int rank, int verbosity) {
  log_rank = rank;
  log_level_now = verbosity;
  log_t0 = log_now();
}

int log_verbosity(void) { return log_level_now; }

double log_elapsed(void) { return log_now() - log_t0; }

static void log_emit(const char *tag, const char *fmt, va_list ap) {
  char line[4096];
  vsnprintf(line, sizeof line, fmt, ap);
  fprintf(stderr, "[%04d %9.3fs] %s%s\n", log_rank, log_elapsed(), tag, line);
  fflush(stderr);
}

void log_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  log_emit("error: ", fmt, ap);
  va_end(ap);
}

/* Informative lines come from rank 0 at verbosity 1 and from every rank at 2 and above. */
static int log_should(void) {
  if (log_level_now < LOG_INFO)
    return 0;
  return log_rank == 0 || log_level_now >= LOG_ALL;
}

void log_info(const char *fmt, ...) {
  if (!log_should())
    return;
  va_list ap;
  va_start(ap, fmt);
  log_emit("", fmt, ap);
  va_end(ap);
}

void log_warn(const char *fmt, ...) {
  if (!log_should())
    return;
  va_list ap;
  va_start(ap, fmt);
  log_emit("warning: ", fmt, ap);
  va_end(ap);
}

void log_debug(const char *fmt, ...) {
  if (log_level_now < LOG_DEBUG)
    return;
  va_list ap;
  va_start(ap, fmt);
  log_emit("debug: ", fmt, ap);
  va_end(ap);
}

void log_progress_begin(struct log_progress *p, const char *phase, int64_t total) {
  p->phase = phase;
  p->start = log_now();
  p->last = p->start;
  p->interval = 5.0;
  p->total = total > 0 ? total : 1;
}

void log_progress(struct log_progress *p, int64_t done) {
  double now = log_now();
  if (done < p->total && now - p->last < p->interval)
    return;
  p->last = now;
  double frac = (double)done / (double)p->total;
  double spent = now - p->start;
  double left = frac > 0 ? spent * (1.0 - frac) / frac : 0.0;
  log_info("%s: %5.1f%% done, %.1f s elapsed, %.1f s left, peak memory %.1f MiB", p->phase,
           100.0 * frac, spent, left, (double)log_peak_rss() / 1048576.0);
}

int64_t log_peak_rss(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return 0;
  char line[256];
  int64_t kb = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "VmHWM:", 6) == 0) {
      long long v = 0;
      if (sscanf(line + 6, "%lld", &v) == 1)
        kb = v;
      break;
    }
  }
  fclose(f);
  return kb * 1024;
}
