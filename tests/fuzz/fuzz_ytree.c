/* Fuzzes the YAML tree (ytree_parse) with the queries readers make on it. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "lifecircle/ytree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct ytree t;
  if (ytree_parse((const char *)data, size, "fuzz.yml", &t) != 0)
    return 0;
  (void)ytree_path(t.root, "a:0:b");
  (void)ytree_unused(t.root, "", NULL, NULL);
  ytree_mark_used(t.root);
  ytree_free(&t);
  return 0;
}
