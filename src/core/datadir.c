/* The shipped input files, looked up by the program's own location: a default must not
 * depend on the folder a job is started from (a Slurm job's or a benchmark's work folder). */
#include "lifecircle/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lifecircle/status.h"

#define DATADIR_MAX 16

/* Resolved names, kept for the life of the process so that callers may hold the pointers
 * like string literals. */
static struct { char *name, *path; } datadir_cache[DATADIR_MAX];

/* 1 when the running program is the installed one (its directory is LC_BINDIR, compared by
 * device and inode so that links and relative spellings agree). */
static int datadir_installed(void) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return 1; /* Unknown: prefer the installed copy. */
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash)
    *slash = '\0';
  struct stat a, b;
  if (stat(exe, &a) != 0 || stat(LC_BINDIR, &b) != 0)
    return 0;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int datadir_input(const char *name, const char **path) {
  int free_slot = -1;
  for (int i = 0; i < DATADIR_MAX; i++) {
    if (datadir_cache[i].name && strcmp(datadir_cache[i].name, name) == 0) {
      *path = datadir_cache[i].path;
      return LC_OK;
    }
    if (!datadir_cache[i].name && free_slot < 0)
      free_slot = i;
  }
  if (free_slot < 0)
    LC_FAIL(LC_EINVARIANT, "more than %d shipped input files asked for", DATADIR_MAX);
  char cand[2][PATH_MAX];
  int inst = datadir_installed();
  snprintf(cand[!inst], sizeof cand[0], "%s/inputs/%s", LC_SOURCE_DIR, name);
  snprintf(cand[inst], sizeof cand[0], "%s/inputs/%s", LC_DATADIR, name);
  for (int c = 0; c < 2; c++) {
    if (access(cand[c], R_OK) != 0)
      continue;
    char *n = strdup(name), *p = strdup(cand[c]);
    if (!n || !p) {
      free(n);
      free(p);
      LC_FAIL(LC_ENOMEM, "out of memory");
    }
    datadir_cache[free_slot].name = n;
    datadir_cache[free_slot].path = p;
    *path = p;
    return LC_OK;
  }
  LC_FAIL(LC_EIO,
          "the default input file inputs/%s is in neither %s nor %s (install "
          "lifecircle, or name the file in the parameters)",
          name, cand[0], cand[1]);
}

int datadir_param(struct params *p, const char *key, const char *name, const char **path) {
  const char *def = NULL;
  if (!params_has(p, key))
    LC_CHECK(datadir_input(name, &def));
  return params_get_string_or(p, key, def, path);
}
