/* Storage failures under HDF5: the cause of a failed write (disk full, I/O error), read from
 * HDF5's error stack when a call fails, and the release of a file that can no longer be
 * written. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "lifecircle/h5io.h"

static int h5io_fail_errno;

/* The cause named by one error-stack text (an MPI error string or a strerror), or 0. */
static int h5io_fail_match(const char *s) {
  static const struct {
    const char *text;
    int err;
  } known[] = {{"No space left", ENOSPC}, {"NO_SPACE", ENOSPC},
               {"no space", ENOSPC},      {"Disk quota", EDQUOT},
               {"QUOTA", EDQUOT},         {"Input/output error", EIO},
               {"MPI_ERR_IO", EIO},       {"Read-only file system", EROFS},
               {"File too large", EFBIG}};
  for (size_t i = 0; s && i < sizeof known / sizeof known[0]; i++)
    if (strstr(s, known[i].text))
      return known[i].err;
  return 0;
}

/* found[0]: a cause named in the stack; found[1]: 1 when a write to the file failed. */
static herr_t h5io_fail_walk(unsigned n, const H5E_error2_t *e, void *data) {
  (void)n;
  int *found = data;
  if (!found[0])
    found[0] = h5io_fail_match(e->desc);
  if (e->min_num == H5E_WRITEERROR || e->min_num == H5E_CANTFLUSH)
    found[1] = 1;
  if (!found[0]) {
    char minor[256];
    if (H5Eget_msg(e->min_num, NULL, minor, sizeof minor) > 0)
      found[0] = h5io_fail_match(minor);
  }
  return 0;
}

/* Installed as HDF5's automatic error handler: runs when an API call fails, while its error
 * stack is intact. */
static herr_t h5io_fail_record(hid_t stack, void *data) {
  (void)data;
  int saved = errno, found[2] = {0, 0};
  H5Ewalk2(stack, H5E_WALK_DOWNWARD, h5io_fail_walk, found);
  /* MPI-IO may give only a generic error class: the system call's errno then tells. */
  if (!found[0] && (saved == ENOSPC || saved == EIO || saved == EDQUOT || saved == EFBIG))
    found[0] = saved;
  if (!found[0] && found[1])
    found[0] = -1;
  if (found[0] && (!h5io_fail_errno || h5io_fail_errno == -1))
    h5io_fail_errno = found[0];
  errno = saved;
  return 0;
}

void h5io_quiet(void) { H5Eset_auto2(H5E_DEFAULT, h5io_fail_record, NULL); }

int h5io_fail_cause(void) { return h5io_fail_errno; }

void h5io_fail_reset(void) { h5io_fail_errno = 0; }

void h5io_fail_set(int err) {
  if (!h5io_fail_errno || h5io_fail_errno == -1)
    h5io_fail_errno = err;
}

/* Room kept free beyond the metadata cache's size before a flush. */
#define H5IO_FAIL_MARGIN ((unsigned long long)1 << 20)

int h5io_fail_room(hid_t file, const char *path, int64_t need) {
  size_t max = 0, min = 0, cur = 0;
  int n = 0;
  if (H5Fget_mdc_size(file, &max, &min, &cur, &n) < 0)
    return 0;
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash)
    slash[slash == dir ? 1 : 0] = '\0';
  else
    snprintf(dir, sizeof dir, ".");
  struct statvfs sv;
  if (statvfs(dir, &sv) != 0)
    return 0;
  unsigned long long room = (unsigned long long)sv.f_bavail * sv.f_frsize;
  unsigned long long want = (unsigned long long)cur + H5IO_FAIL_MARGIN;
  if (need > 0)
    want += (unsigned long long)need;
  return room < want ? ENOSPC : 0;
}

const char *h5io_fail_text(int err) {
  switch (err) {
    case ENOSPC:
      return "disk full (no space left on device)";
    case EDQUOT:
      return "disk quota exceeded";
    case EIO:
      return "input/output error of the storage";
    case EROFS:
      return "read-only file system";
    case EFBIG:
      return "file too large for the file system";
    default:
      return "write error";
  }
}

void h5io_fail_detach(const char *path) {
  char want[PATH_MAX];
  if (!realpath(path, want))
    return;
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return;
  int mem = -1;
  struct dirent *de;
  while ((de = readdir(d))) {
    char link[64], got[PATH_MAX];
    int fd = atoi(de->d_name);
    if (de->d_name[0] == '.' || fd == dirfd(d))
      continue;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, got, sizeof got - 1);
    if (n <= 0)
      continue;
    got[n] = '\0';
    if (strcmp(got, want))
      continue;
    if (mem < 0 && (mem = memfd_create("lifecircle-failed-write", 0)) < 0)
      break;
    dup2(mem, fd);
  }
  closedir(d);
  if (mem >= 0)
    close(mem);
}
