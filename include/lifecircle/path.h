/* File path helpers. */
#ifndef LIFECIRCLE_PATH_H
#define LIFECIRCLE_PATH_H

/* The file name of `path` without its directory and its last suffix ("a/b/x.yml" -> "x";
 * a name that only starts with a dot keeps it), newly allocated; NULL when out of memory.
 * Local. */
char *path_stem(const char *path);

#endif
