/* Display widths of UTF-8 text, counted by hand: ASCII one column, Chinese and fullwidth
 * forms two, combining marks none; padding to a width. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_test.h"
#include "lifecircle/textwidth.h"

static void test_widths(void) {
  CU_ASSERT_EQUAL(textwidth(""), 0);
  CU_ASSERT_EQUAL(textwidth("all"), 3);
  CU_ASSERT_EQUAL(textwidth("新华路街道"), 10);      /* Five CJK ideographs. */
  CU_ASSERT_EQUAL(textwidth("菜场 Wet market"), 15); /* 4 + 11. */
  CU_ASSERT_EQUAL(textwidth("（食堂）"), 8);         /* Fullwidth parentheses. */
  CU_ASSERT_EQUAL(textwidth("e\xcc\x81"), 1);        /* e + combining acute. */
  CU_ASSERT_EQUAL(textwidth("\xff"
                            "a"),
                  2); /* A malformed byte: one column. */
  CU_ASSERT_EQUAL(textwidth_cp(0x4E00), 2);
  CU_ASSERT_EQUAL(textwidth_cp(0x00E9), 1);
  CU_ASSERT_EQUAL(textwidth_cp(0xFF08), 2);
}

static void test_pad(void) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  textwidth_pad(f, "长宁", 6);
  fputc('|', f);
  textwidth_rpad(f, "12", 4);
  fclose(f);
  CU_ASSERT_STRING_EQUAL(buf, "长宁  |  12");
  free(buf);
}

int lc_test_register(void) {
  CU_pSuite s = CU_add_suite("textwidth", NULL, NULL);
  if (!s || !CU_add_test(s, "widths", test_widths) || !CU_add_test(s, "padding", test_pad))
    return 1;
  return 0;
}
