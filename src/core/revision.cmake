# Writes OUT, a header defining LC_GIT_REVISION as the short git revision of the source tree
# SRC ("unknown" outside git; "-dirty" appended when tracked files differ from it). Run at
# every build (cmake -DSRC=... -DOUT=... -P revision.cmake); OUT is rewritten only when its
# text changes, so that an unchanged revision recompiles nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT rev)
  set(rev "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD --
                  WORKING_DIRECTORY ${SRC}
                  RESULT_VARIABLE dirty ERROR_QUIET)
  if(dirty EQUAL 1)
    string(APPEND rev "-dirty")
  endif()
endif()
set(text "/* Generated at build time by src/core/revision.cmake; do not edit. */\n#define LC_GIT_REVISION \"${rev}\"\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
