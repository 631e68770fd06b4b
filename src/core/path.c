/* File path helpers. */
#include "lifecircle/path.h"

#include <stdlib.h>
#include <string.h>

char *path_stem(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  char *name = strdup(base);
  if (name) {
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
      *dot = '\0';
  }
  return name;
}
