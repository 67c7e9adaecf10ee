# Writes a C++ source that holds a file's bytes, so that the binary serves the file exactly as
# it was when it was built (docs/openapi.yaml at /api/openapi.yaml). Run as a script:
#
#   cmake -DINPUT=FILE -DOUTPUT=FILE.cc -DNAMESPACE=upkeep::embedded -DSYMBOL=kName -P embed_file.cmake
#
# The source defines `extern const unsigned char SYMBOL[]` (the bytes, then a NUL that is not
# one of them, so that an empty file still gives an array) and `extern const std::size_t
# SYMBOL##Size`. OUTPUT is replaced only when its text changes, so an unchanged file rebuilds
# nothing.
foreach(variable INPUT OUTPUT NAMESPACE SYMBOL)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "embed_file.cmake: -D${variable}=... is required")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_digits)
math(EXPR size "${hex_digits} / 2")
# Two hex digits a byte, as 0xNN, sixteen to a line.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# (CMake's regular expressions have no {16}.)
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 line_of_bytes)
string(REGEX REPLACE "(${line_of_bytes})" "\\1\n    " bytes "${bytes}")

file(RELATIVE_PATH shown_input "${CMAKE_CURRENT_LIST_DIR}/.." "${INPUT}")
set(text "// Generated from ${shown_input} by server/embed_file.cmake at build time: do not edit.
#include <cstddef>

namespace ${NAMESPACE} {

extern const unsigned char ${SYMBOL}[];
extern const std::size_t ${SYMBOL}Size;

const unsigned char ${SYMBOL}[] = {
    ${bytes}0x00};
const std::size_t ${SYMBOL}Size = ${size};

}  // namespace ${NAMESPACE}
")
file(WRITE "${OUTPUT}.tmp" "${text}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
