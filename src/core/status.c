/* Status codes, their messages and the last error's text. */
#include "lifecircle/status.h"

#include <stdarg.h>
#include <stdio.h>

/* Thread-local: a failure inside an OpenMP region sets its own thread's message, never another's;
 * such regions record that an iteration failed and report it after the region. */
static _Thread_local char status_message[2048];

static const struct {
  int exit_code;
  const char *text;
} status_table[] = {
#define XX(name, code, msg) {code, msg},
    LC_STATUS_MAP(XX)
#undef XX
};

const char *lc_strerror(int status) {
  if (status < 0 || status >= LC_STATUS_COUNT)
    return "unknown status";
  return status_table[status].text;
}

int lc_exit_code(int status) {
  if (status < 0 || status >= LC_STATUS_COUNT)
    return 1;
  return status_table[status].exit_code;
}

int lc_error_set(int status, const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(status_message, sizeof status_message, fmt, ap);
  va_end(ap);
  (void)file;
  (void)line;
  return status;
}

const char *lc_error_message(void) { return status_message; }

void lc_error_clear(void) { status_message[0] = '\0'; }
