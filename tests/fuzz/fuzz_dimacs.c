/* Fuzzes the DIMACS reader (dimacs_read). The input is a .gr file, optionally followed by a
 * line "==" and a .co file. */
#include <string.h>

#include "fuzz_common.h"
#include "lifecircle/dimacs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  const uint8_t *sep = NULL;
  for (size_t i = 0; i + 3 <= size && !sep; i++)
    if (!memcmp(data + i, "\n==", 3))
      sep = data + i;
  size_t gr_size = sep ? (size_t)(sep - data) + 1 : size;
  const char *gr = fuzz_file(0, data, gr_size, ".gr");
  const char *co = NULL;
  if (sep)
    co = fuzz_file(1, sep + 3, size - gr_size - 2, ".co");
  struct graph g;
  if (dimacs_read(gr, co, &g) == 0) {
    (void)graph_build_csr(&g);
    graph_free(&g);
  }
  return 0;
}
