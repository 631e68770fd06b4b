/* Fuzzes the activities file of the agent simulation (agents_prepare) against the default
 * categories and groups, and OSM opening_hours values (agents_opening_hours). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "lifecircle/agents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_quiet();
  const struct category_set *cats = fuzz_categories();
  const struct group_set *groups = fuzz_groups();
  struct agents_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.enabled = 1;
  cfg.residents_per_agent = 1;
  cfg.max_tries = 3;
  cfg.bin_s = 900;
  cfg.window_s = 60;
  cfg.day_start_s = 0;
  cfg.day_end_s = 86400;
  cfg.activities = fuzz_file(0, data, size, ".yml");
  if (agents_prepare(&cfg, cats, groups) == 0)
    agents_config_free(&cfg);
  char *text = malloc(size + 1);
  if (text) {
    memcpy(text, data, size);
    text[size] = '\0';
    int32_t open, close;
    int closed;
    for (int day = 0; day < 7; day += 3)
      (void)agents_opening_hours(text, day, &open, &close, &closed);
    free(text);
  }
  return 0;
}
