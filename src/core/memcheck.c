/* Memory estimates against MemAvailable. */
#include "lifecircle/memcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecircle/status.h"

int memcheck_available(int64_t *bytes) {
  *bytes = -1;
  const char *env = getenv("LIFECIRCLE_MEM_AVAILABLE");
  if (env && *env) {
    char *end;
    long long v = strtoll(env, &end, 10);
    if (*end == '\0' && v > 0) {
      *bytes = v;
      return LC_OK;
    }
  }
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f)
    return LC_OK;
  char line[256];
  while (fgets(line, sizeof line, f)) {
    long long kb;
    if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1) {
      *bytes = kb * 1024;
      break;
    }
  }
  fclose(f);
  return LC_OK;
}

void memcheck_add(int64_t *sum, int64_t a, int64_t b) {
  if (a <= 0 || b <= 0 || *sum == INT64_MAX)
    return;
  if (a > (INT64_MAX - *sum) / b) {
    *sum = INT64_MAX;
    return;
  }
  *sum += a * b;
}

/* Writes a byte count as GiB, or MiB below 1 GiB. */
static void memcheck_format(int64_t bytes, char *buf, size_t size) {
  if (bytes == INT64_MAX)
    snprintf(buf, size, "more than 8 EiB");
  else if (bytes >= (INT64_C(1) << 30))
    snprintf(buf, size, "%.1f GiB", (double)bytes / (double)(INT64_C(1) << 30));
  else
    snprintf(buf, size, "%.1f MiB", (double)bytes / (double)(INT64_C(1) << 20));
}

int memcheck_fits(int64_t need, const char *what, const char *detail) {
  int64_t avail;
  LC_CHECK(memcheck_available(&avail));
  if (avail < 0 || need <= avail)
    return LC_OK;
  char needs[64], have[64];
  memcheck_format(need, needs, sizeof needs);
  memcheck_format(avail, have, sizeof have);
  LC_FAIL(LC_ETOOBIG, "%s needs about %s (%s), more than the %s available (MemAvailable%s)", what,
          needs, detail ? detail : "estimate", have,
          getenv("LIFECIRCLE_MEM_AVAILABLE") ? ", from LIFECIRCLE_MEM_AVAILABLE" : "");
}
