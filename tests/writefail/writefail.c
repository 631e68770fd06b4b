/* LD_PRELOAD shim for the write-failure tests, a disk shared by every process of a job:
 * once the processes together have written LC_WRITEFAIL_AFTER bytes to files whose path
 * contains LC_WRITEFAIL_PATH (counted in the 8-byte file LC_WRITEFAIL_COUNTER, shared), every
 * further write to them fails with LC_WRITEFAIL_ERRNO (ENOSPC or EIO; the write that crosses
 * the limit is cut short first, as on a filling disk), and (ENOSPC) statvfs reports the bytes left.
 * Covers write, pwrite, writev, pwritev (and their 64-bit names), the calls of Open MPI's
 * MPI-IO (OMPIO and ROMIO). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* The shared count of bytes written, or NULL when the shim is off. */
static long long *writefail_shared(void) {
  static long long *done;
  static int tried;
  if (!tried) {
    tried = 1;
    const char *path = getenv("LC_WRITEFAIL_COUNTER");
    int fd = path ? open(path, O_RDWR | O_CREAT, 0644) : -1;
    if (fd >= 0 && ftruncate(fd, sizeof(long long)) == 0) {
      void *m = mmap(NULL, sizeof(long long), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (m != MAP_FAILED)
        done = m;
    }
    if (fd >= 0)
      close(fd);
  }
  return done;
}

/* Bytes the call may still write (count when unlimited), or -1 when it must fail. */
static ssize_t writefail_allow(int fd, size_t count) {
  const char *pat = getenv("LC_WRITEFAIL_PATH"), *after = getenv("LC_WRITEFAIL_AFTER");
  if (!pat || !after || !*pat)
    return (ssize_t)count;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0)
    return (ssize_t)count;
  path[n] = '\0';
  if (!strstr(path, pat))
    return (ssize_t)count;
  long long *done = writefail_shared();
  if (!done)
    return (ssize_t)count;
  long long limit = atoll(after);
  long long before = __atomic_fetch_add(done, (long long)count, __ATOMIC_SEQ_CST);
  long long left = limit - before;
  if (left <= 0) {
    const char *e = getenv("LC_WRITEFAIL_ERRNO");
    errno = e && !strcmp(e, "EIO") ? EIO : ENOSPC;
    return -1;
  }
  return (ssize_t)((long long)count < left ? count : (size_t)left);
}

#define WRITEFAIL_REAL(name, ret, ...) \
  static ret (*real)(__VA_ARGS__);     \
  if (!real)                           \
    real = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, name);

ssize_t write(int fd, const void *buf, size_t count) {
  WRITEFAIL_REAL("write", ssize_t, int, const void *, size_t)
  ssize_t ok = writefail_allow(fd, count);
  return ok < 0 ? -1 : real(fd, buf, (size_t)ok);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off) {
  WRITEFAIL_REAL("pwrite", ssize_t, int, const void *, size_t, off_t)
  ssize_t ok = writefail_allow(fd, count);
  return ok < 0 ? -1 : real(fd, buf, (size_t)ok, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off) {
  return pwrite(fd, buf, count, off);
}

/* Vectors: cut to the bytes allowed. */
static int writefail_cut(const struct iovec *iov, int n, size_t allow, struct iovec *out) {
  int k = 0;
  for (int i = 0; i < n && allow > 0 && k < 1024; i++, k++) {
    out[k] = iov[i];
    if (out[k].iov_len > allow)
      out[k].iov_len = allow;
    allow -= out[k].iov_len;
  }
  return k;
}

static size_t writefail_total(const struct iovec *iov, int n) {
  size_t t = 0;
  for (int i = 0; i < n; i++)
    t += iov[i].iov_len;
  return t;
}

ssize_t writev(int fd, const struct iovec *iov, int n) {
  WRITEFAIL_REAL("writev", ssize_t, int, const struct iovec *, int)
  size_t total = writefail_total(iov, n);
  ssize_t ok = writefail_allow(fd, total);
  if (ok < 0)
    return -1;
  if ((size_t)ok == total)
    return real(fd, iov, n);
  struct iovec cut[1024];
  return real(fd, cut, writefail_cut(iov, n, (size_t)ok, cut));
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off) {
  WRITEFAIL_REAL("pwritev", ssize_t, int, const struct iovec *, int, off_t)
  size_t total = writefail_total(iov, n);
  ssize_t ok = writefail_allow(fd, total);
  if (ok < 0)
    return -1;
  if ((size_t)ok == total)
    return real(fd, iov, n, off);
  struct iovec cut[1024];
  return real(fd, cut, writefail_cut(iov, n, (size_t)ok, cut), off);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off_t off) {
  return pwritev(fd, iov, n, off);
}

int statvfs(const char *path, struct statvfs *buf) {
  WRITEFAIL_REAL("statvfs", int, const char *, struct statvfs *)
  int rc = real(path, buf);
  const char *after = getenv("LC_WRITEFAIL_AFTER"), *e = getenv("LC_WRITEFAIL_ERRNO");
  long long *done = writefail_shared();
  if (rc == 0 && after && !(e && !strcmp(e, "EIO")) && done && buf->f_frsize > 0) {
    long long left = atoll(after) - __atomic_load_n(done, __ATOMIC_SEQ_CST);
    unsigned long long blocks = left > 0 ? (unsigned long long)left / buf->f_frsize : 0;
    if (blocks < buf->f_bavail)
      buf->f_bavail = buf->f_bfree = blocks;
  }
  return rc;
}

int statvfs64(const char *path, struct statvfs64 *buf) {
  return statvfs(path, (struct statvfs *)buf);
}
