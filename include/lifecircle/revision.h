/* The git revision the program was built from, for provenance (the results' /Code group and
 * `lifecircle --version`): read at build time, so a rebuild after a commit carries the new
 * one; "-dirty" when tracked files differed from it. */
#ifndef LIFECIRCLE_REVISION_H
#define LIFECIRCLE_REVISION_H

/* The short git revision, "unknown" outside a git checkout. */
const char *lc_git_revision(void);

#endif
