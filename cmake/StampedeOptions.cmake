# Warnings and sanitizers, applied to every target through one interface library.
add_library(stampede_options INTERFACE)
add_library(stampede::options ALIAS stampede_options)

target_compile_options(stampede_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                  -Wnon-virtual-dtor -Wno-psabi)
# Boost 1.74's Asio coroutine headers use std::exchange without including <utility>.
target_compile_definitions(stampede_options INTERFACE BOOST_ASIO_NO_DEPRECATED
                                                      BOOST_BEAST_USE_STD_STRING_VIEW)

if(STAMPEDE_SANITIZE)
  message(STATUS "Sanitizers: ${STAMPEDE_SANITIZE}")
  target_compile_options(stampede_options INTERFACE -fsanitize=${STAMPEDE_SANITIZE}
                                                    -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(stampede_options INTERFACE -fsanitize=${STAMPEDE_SANITIZE})
  if(STAMPEDE_SANITIZE MATCHES "undefined")
    # UBSan's vptr check probes an object's memory through a pipe: with the file table full (the
    # tests of EMFILE handling fill it on purpose) pipe() fails and a valid object is reported as
    # having an invalid vptr. AddressSanitizer still checks those accesses.
    target_compile_options(stampede_options INTERFACE -fno-sanitize=vptr)
    target_link_options(stampede_options INTERFACE -fno-sanitize=vptr)
  endif()
  # Timing tests widen their tolerances: instrumented code runs several times slower.
  target_compile_definitions(stampede_options INTERFACE STAMPEDE_SANITIZED=1)
endif()

# libFuzzer (tests/fuzz): the whole tree gets the fuzzer's coverage instrumentation and
# address,undefined; only the fuzz targets link libFuzzer itself (-fsanitize=fuzzer).
if(STAMPEDE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STAMPEDE_FUZZ needs clang (libFuzzer); this tree uses "
                        "${CMAKE_CXX_COMPILER_ID}. Configure a fresh build tree with CXX=clang++, "
                        "e.g. scripts/fuzz")
  endif()
  if(STAMPEDE_SANITIZE)
    message(FATAL_ERROR "STAMPEDE_FUZZ brings its own sanitizers (address,undefined): "
                        "leave STAMPEDE_SANITIZE empty")
  endif()
  message(STATUS "Fuzzing: -fsanitize=fuzzer-no-link,address,undefined")
  target_compile_options(stampede_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                    -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(stampede_options INTERFACE -fsanitize=address,undefined)
  target_compile_definitions(stampede_options INTERFACE STAMPEDE_SANITIZED=1)
endif()
