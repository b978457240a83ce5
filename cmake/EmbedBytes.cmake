# byte_lines(FILE OUT_VAR SIZE_VAR): a file's bytes as C character literals
# ("'\x64', '\x65', ...", 12 to a line) and its size, for the generated sources of
# EmbedProfiles.cmake and EmbedAssets.cmake (run with cmake -P at build time).
function(byte_lines file out_var size_var)
  file(READ "${file}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  set(lines "")
  set(offset 0)
  while(offset LESS hex_length)
    string(SUBSTRING "${hex}" ${offset} 24 chunk)
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1', " chunk "${chunk}")
    string(STRIP "${chunk}" chunk)
    string(APPEND lines "    ${chunk}\n")
    math(EXPR offset "${offset} + 24")
  endwhile()
  set(${out_var} "${lines}" PARENT_SCOPE)
  set(${size_var} "${size}" PARENT_SCOPE)
endfunction()
