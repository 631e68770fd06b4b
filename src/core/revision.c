/* The build's git revision. The main build generates lc_revision.h at every build (see
 * src/revision.cmake); other builds (the fuzz targets) define LC_GIT_REVISION themselves. */
#include "lifecircle/revision.h"

#ifndef LC_GIT_REVISION
#include "lc_revision.h"
#endif

const char *lc_git_revision(void) { return LC_GIT_REVISION; }
