/* Tests of the status table and the error-passing macros. */
#include <string.h>

#include "lc_test.h"
#include "lifecircle/status.h"

static void test_status_table(void) {
  CU_ASSERT_EQUAL(LC_OK, 0);
  CU_ASSERT_EQUAL(lc_exit_code(LC_OK), 0);
  CU_ASSERT_STRING_EQUAL(lc_strerror(LC_OK), "success");
  for (int s = 0; s < LC_STATUS_COUNT; s++) {
    const char *m = lc_strerror(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(strlen(m) > 0);
    CU_ASSERT_STRING_NOT_EQUAL(m, "unknown status");
    if (s != LC_OK) {
      /* Failures exit non-zero and never with 1, which stands for an unknown status. */
      CU_ASSERT(lc_exit_code(s) > 1 && lc_exit_code(s) < 126);
    }
    for (int t = 0; t < s; t++) {
      CU_ASSERT_NOT_EQUAL(lc_exit_code(s), lc_exit_code(t));
      CU_ASSERT_STRING_NOT_EQUAL(lc_strerror(s), lc_strerror(t));
    }
  }
  CU_ASSERT_STRING_EQUAL(lc_strerror(-1), "unknown status");
  CU_ASSERT_STRING_EQUAL(lc_strerror(LC_STATUS_COUNT), "unknown status");
  CU_ASSERT_EQUAL(lc_exit_code(-1), 1);
  CU_ASSERT_EQUAL(lc_exit_code(LC_STATUS_COUNT), 1);
  /* The documented codes of a few statuses. */
  CU_ASSERT_EQUAL(lc_exit_code(LC_EUSAGE), 2);
  CU_ASSERT_EQUAL(lc_exit_code(LC_EPARAM), 5);
  CU_ASSERT_EQUAL(lc_exit_code(LC_EFAULT), 13);
}

static int reached;

static int fail_param(int value) { LC_FAIL(LC_EPARAM, "x.yml:3:4: k = %d is bad", value); }

static int succeed(void) { return LC_OK; }

static int pass_up(int value) {
  LC_CHECK(succeed());
  reached = 1;
  LC_CHECK(fail_param(value));
  reached = 2;
  return LC_OK;
}

static int unwind(int *cleaned) {
  int rc = LC_OK;
  LC_CHECK_GOTO(rc, succeed(), done);
  LC_CHECK_GOTO(rc, fail_param(9), done);
  rc = LC_EINVARIANT; /* Not reached. */
done:
  *cleaned = 1;
  return rc;
}

static void test_status_macros(void) {
  lc_error_clear();
  CU_ASSERT_STRING_EQUAL(lc_error_message(), "");
  reached = 0;
  CU_ASSERT_EQUAL(pass_up(7), LC_EPARAM);
  CU_ASSERT_EQUAL(reached, 1);
  CU_ASSERT_STRING_EQUAL(lc_error_message(), "x.yml:3:4: k = 7 is bad");
  int cleaned = 0;
  CU_ASSERT_EQUAL(unwind(&cleaned), LC_EPARAM);
  CU_ASSERT_EQUAL(cleaned, 1);
  CU_ASSERT_STRING_EQUAL(lc_error_message(), "x.yml:3:4: k = 9 is bad");
  /* lc_error_set returns its status and replaces the message. */
  CU_ASSERT_EQUAL(lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: %s", "f.h5", "gone"), LC_EIO);
  CU_ASSERT_STRING_EQUAL(lc_error_message(), "f.h5: gone");
  /* A very long message is cut, not overflowed. */
  char big[5000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s", big);
  size_t len = strlen(lc_error_message());
  CU_ASSERT(len > 100 && len < sizeof big - 1);
  lc_error_clear();
  CU_ASSERT_STRING_EQUAL(lc_error_message(), "");
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("status", NULL, NULL);
  if (!s || !CU_add_test(s, "table", test_status_table) ||
      !CU_add_test(s, "fail and check macros", test_status_macros))
    return 1;
  return 0;
}
