/* The lock beside a results file (OUTPUT.lock), so that two jobs given the same output never
 * interleave their temporary files and renames. Rank 0 alone touches the file system. */
#include "lifecircle/results_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lifecircle/agree.h"
#include "lifecircle/log.h"
#include "lifecircle/status.h"

/* The holder as written in a lock file: one "key=value" line each. */
struct results_holder {
  char host[256], what[64], job[64], started[32];
  long pid;
  long long epoch;
};

static void results_lock_field(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void results_lock_parse(const char *text, struct results_holder *h) {
  memset(h, 0, sizeof *h);
  h->pid = -1;
  h->epoch = -1;
  const char *p = text;
  while (p && *p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[300];
    if (len < sizeof line) {
      memcpy(line, p, len);
      line[len] = '\0';
      if (!strncmp(line, "host=", 5))
        results_lock_field(h->host, sizeof h->host, line + 5);
      else if (!strncmp(line, "command=", 8))
        results_lock_field(h->what, sizeof h->what, line + 8);
      else if (!strncmp(line, "slurm_job=", 10))
        results_lock_field(h->job, sizeof h->job, line + 10);
      else if (!strncmp(line, "started=", 8))
        results_lock_field(h->started, sizeof h->started, line + 8);
      else if (!strncmp(line, "pid=", 4))
        h->pid = strtol(line + 4, NULL, 10);
      else if (!strncmp(line, "epoch=", 6))
        h->epoch = strtoll(line + 6, NULL, 10);
    }
    p = nl ? nl + 1 : NULL;
  }
}

/* The lock's text, or NULL when it cannot be read (gone meanwhile). */
static char *results_lock_read(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  char *buf = calloc(4096, 1);
  if (buf)
    (void)!fread(buf, 1, 4095, f);
  fclose(f);
  return buf;
}

static double results_lock_stale_s(void) {
  const char *e = getenv("LIFECIRCLE_LOCK_STALE_H");
  char *end = NULL;
  double h = e ? strtod(e, &end) : RESULTS_LOCK_STALE_H;
  if (!e || end == e || *end || !(h >= 0))
    h = RESULTS_LOCK_STALE_H;
  return h * 3600.0;
}

/* Why the holder is stale, or NULL when it may still be running. */
static const char *results_lock_stale(const struct results_holder *h, const char *host,
                                      const char *job, long long age_s) {
  if (h->host[0] && !strcmp(h->host, host)) {
    if (h->pid > 0 && kill((pid_t)h->pid, 0) != 0 && errno == ESRCH)
      return "its process is gone";
    if (h->pid == (long)getpid())
      return "its process id is this process's (a restarted container)";
  }
  /* Slurm requeues a job only once its processes have ended. */
  if (job[0] && h->job[0] && !strcmp(job, h->job))
    return "it belongs to this Slurm job, requeued";
  if (age_s >= 0 && (double)age_s > results_lock_stale_s())
    return "it is older than the stale limit (LIFECIRCLE_LOCK_STALE_H)";
  return NULL;
}

static int results_lock_create(const char *path, const char *token) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0)
    return errno;
  size_t len = strlen(token), off = 0;
  int err = 0;
  while (off < len) {
    ssize_t w = write(fd, token + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      err = w < 0 ? errno : EIO;
      break;
    }
    off += (size_t)w;
  }
  if (close(fd) != 0 && !err)
    err = errno;
  if (err)
    unlink(path);
  return err;
}

static int results_lock_take0(const char *output, const char *what, struct results_lock *lk) {
  size_t len = strlen(output) + 8;
  lk->path = malloc(len);
  lk->token = malloc(1024);
  if (!lk->path || !lk->token)
    LC_FAIL(LC_ENOMEM, "%s: cannot allocate the lock", output);
  snprintf(lk->path, len, "%s.lock", output);
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  host[sizeof host - 1] = '\0';
  const char *job = getenv("SLURM_JOB_ID");
  time_t now = time(NULL);
  struct tm tm;
  char when[32];
  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(lk->token, 1024, "host=%s\npid=%ld\nslurm_job=%s\ncommand=%s\nstarted=%s\nepoch=%lld\n",
           host, (long)getpid(), job ? job : "", what, when, (long long)now);
  /* Two tries: the second after removing a stale lock. */
  for (int attempt = 0; attempt < 2; attempt++) {
    int err = results_lock_create(lk->path, lk->token);
    if (!err)
      return LC_OK;
    if (err != EEXIST)
      LC_FAIL(LC_EIO, "%s: cannot create the output lock: %s", lk->path, strerror(err));
    char *text = results_lock_read(lk->path);
    if (!text)
      continue; /* Released meanwhile. */
    struct results_holder h;
    results_lock_parse(text, &h);
    free(text);
    long long age = h.epoch >= 0 ? (long long)now - h.epoch : -1;
    struct stat sb;
    if (age < 0 && stat(lk->path, &sb) == 0)
      age = (long long)now - (long long)sb.st_mtime;
    const char *why = attempt == 0 ? results_lock_stale(&h, host, job ? job : "", age) : NULL;
    if (!why)
      LC_FAIL(LC_EIO,
              "%s: the output is in use by %s (host %s, pid %ld, Slurm job %s, started %s); "
              "wait for it or choose another output (a lock older than %.0f h on another "
              "host, or whose process is gone on this host, is taken over)",
              output, h.what[0] ? h.what : "another job", h.host[0] ? h.host : "?", h.pid,
              h.job[0] ? h.job : "none", h.started[0] ? h.started : "?",
              results_lock_stale_s() / 3600.0);
    log_warn("%s: taking over the stale lock of %s (host %s, pid %ld, Slurm job %s, started "
             "%s): %s",
             lk->path, h.what[0] ? h.what : "a job", h.host[0] ? h.host : "?", h.pid,
             h.job[0] ? h.job : "none", h.started[0] ? h.started : "?", why);
    if (unlink(lk->path) != 0 && errno != ENOENT)
      LC_FAIL(LC_EIO, "%s: cannot remove the stale lock: %s", lk->path, strerror(errno));
  }
  LC_FAIL(LC_EIO, "%s: another job took the output lock at the same moment", lk->path);
}

int results_lock_take(const char *output, const char *what, MPI_Comm comm,
                      struct results_lock *lk) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  lk->path = lk->token = NULL;
  int st = rank == 0 ? results_lock_take0(output, what, lk) : LC_OK;
  if (st != LC_OK) {
    free(lk->path);
    free(lk->token);
    lk->path = lk->token = NULL;
  }
  return lc_agree(comm, st);
}

void results_lock_release(struct results_lock *lk) {
  if (lk->path) {
    char *text = results_lock_read(lk->path);
    if (text && !strcmp(text, lk->token))
      unlink(lk->path);
    else
      log_warn("%s: the output lock is no longer this job's: left in place", lk->path);
    free(text);
  }
  free(lk->path);
  free(lk->token);
  lk->path = lk->token = NULL;
}
