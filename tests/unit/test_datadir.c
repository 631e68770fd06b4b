/* Tests of the shipped input files' lookup: found beside the program whatever the current
 * folder (the source tree's inputs/ for a test binary in the build folder), the same file
 * as the source tree's (compared by device and inode), and a missing one named with both
 * places looked in. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lc_test.h"
#include "lifecircle/datadir.h"
#include "lifecircle/status.h"

static int same_file(const char *a, const char *b) {
  struct stat x, y;
  return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static void test_datadir_found(void) {
  char cwd[4096], want[4096];
  CU_ASSERT_FATAL(getcwd(cwd, sizeof cwd) != NULL);
  /* A folder without inputs/, as a benchmark's or a Slurm job's work folder. */
  CU_ASSERT_EQUAL_FATAL(chdir("/"), 0);
  const char *names[] = {"activities.yml", "categories.yml", "groups.yml", "profiles/walk.yml"};
  for (int i = 0; i < 4; i++) {
    const char *path = NULL;
    CU_ASSERT_EQUAL(datadir_input(names[i], &path), LC_OK);
    CU_ASSERT_FATAL(path != NULL);
    CU_ASSERT_EQUAL(path[0], '/');
    snprintf(want, sizeof want, "%s/../../inputs/%s", lc_fixture(""), names[i]);
    CU_ASSERT(same_file(path, want));
    /* Asked again: the same string. */
    const char *again = NULL;
    CU_ASSERT_EQUAL(datadir_input(names[i], &again), LC_OK);
    CU_ASSERT_PTR_EQUAL(again, path);
  }
  CU_ASSERT_EQUAL(chdir(cwd), 0);
}

static void test_datadir_missing(void) {
  const char *path = NULL;
  CU_ASSERT_EQUAL(datadir_input("no-such-file.yml", &path), LC_EIO);
  const char *m = lc_error_message();
  CU_ASSERT(strstr(m, "inputs/no-such-file.yml is in neither") != NULL);
  CU_ASSERT(strstr(m, LC_SOURCE_DIR "/inputs/no-such-file.yml") != NULL);
  CU_ASSERT(strstr(m, LC_DATADIR "/inputs/no-such-file.yml") != NULL);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("datadir", NULL, NULL);
  if (!s || !CU_add_test(s, "shipped files from any folder", test_datadir_found) ||
      !CU_add_test(s, "a missing file names both places", test_datadir_missing))
    return 1;
  return 0;
}
