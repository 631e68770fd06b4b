/* lifecircle info (placeholder). */
#include "lifecircle/cli.h"
#include "lifecircle/status.h"

int cmd_info(int argc, char **argv) {
  (void)argc;
  (void)argv;
  LC_FAIL(LC_EUSAGE, "info is not built yet");
}
