/* lifecircle import (placeholder until the importer lands). */
#include "lifecircle/cli.h"
#include "lifecircle/status.h"

int cmd_import(int argc, char **argv) {
  (void)argc;
  (void)argv;
  LC_FAIL(LC_EUSAGE, "import is not built yet");
}
