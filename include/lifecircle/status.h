/* Status codes shared by every module, with their messages from one table. */
#ifndef LIFECIRCLE_STATUS_H
#define LIFECIRCLE_STATUS_H

/* The table: name, process exit code, message. Exit codes are documented in the README and by `lifecircle --help`. */
#define LC_STATUS_MAP(XX)                           \
  XX(OK, 0, "success")                              \
  XX(EUSAGE, 2, "invalid command line")             \
  XX(EIO, 3, "input/output error")                  \
  XX(EFORMAT, 4, "malformed input file")            \
  XX(EPARAM, 5, "invalid parameter")                \
  XX(ENOMEM, 6, "out of memory")                    \
  XX(EMPI, 7, "MPI error")                          \
  XX(EHDF5, 8, "HDF5 error")                        \
  XX(EMETIS, 9, "METIS error")                      \
  XX(EEMPTY, 10, "empty result after filtering")    \
  XX(EINVARIANT, 11, "internal invariant violated") \
  XX(ETOOBIG, 12, "request does not fit in memory") \
  XX(EFAULT, 13, "injected fault")                  \
  XX(ESTOPPED, 14, "stopped by a signal before completion")

enum lc_status {
#define XX(name, code, msg) LC_##name,
  LC_STATUS_MAP(XX)
#undef XX
      LC_STATUS_COUNT
};

/* Returns the message of a status code. */
const char *lc_strerror(int status);

/* Returns the process exit code of a status code. */
int lc_exit_code(int status);

/* Records an error message (printf-style) with the place it was found, and returns status.
 * The message stays available through lc_error_message() until the next call. */
int lc_error_set(int status, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Returns the last recorded error message, or "" when none. */
const char *lc_error_message(void);

/* Clears the recorded error message. */
void lc_error_clear(void);

/* Sets an error and returns its status from the current function. */
#define LC_FAIL(status, ...) return lc_error_set((status), __FILE__, __LINE__, __VA_ARGS__)

/* Evaluates a call returning a status and passes a failure up unchanged. */
#define LC_CHECK(call)         \
  do {                         \
    int lc_check_rc_ = (call); \
    if (lc_check_rc_ != LC_OK) \
      return lc_check_rc_;     \
  } while (0)

/* Like LC_CHECK but jumps to a cleanup label with rc set. */
#define LC_CHECK_GOTO(rc, call, label) \
  do {                                 \
    (rc) = (call);                     \
    if ((rc) != LC_OK)                 \
      goto label;                      \
  } while (0)

#endif
