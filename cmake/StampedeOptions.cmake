# Warnings and sanitizers, applied to every target through one interface library.
add_library(stampede_options INTERFACE)
add_library(stampede::options ALIAS stampede_options)

target_compile_options(stampede_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                  -Wnon-virtual-dtor -Wno-psabi)
target_compile_definitions(stampede_options INTERFACE BOOST_ASIO_NO_DEPRECATED
                                                      BOOST_BEAST_USE_STD_STRING_VIEW)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Boost 1.74 enables Asio's C++20 coroutines under clang only with libc++; libstdc++ 12's
  # <coroutine> works with clang 14 as well (the demo target's sessions are coroutines).
  target_compile_definitions(stampede_options INTERFACE BOOST_ASIO_HAS_CO_AWAIT=1
                                                        BOOST_ASIO_HAS_STD_COROUTINE=1)
endif()

# libFuzzer (tests/fuzz, clang only) shares the address,undefined tree: every library gets the
# fuzzer's coverage instrumentation, the tests link it harmlessly (the sanitizer runtime answers
# its hooks), and only the fuzz targets link libFuzzer itself (-fsanitize=fuzzer). One tree
# instead of two saves CI a whole instrumented build of the libraries.
if(STAMPEDE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STAMPEDE_FUZZ needs clang (libFuzzer); this tree uses "
                        "${CMAKE_CXX_COMPILER_ID}. Configure a fresh build tree with CXX=clang++, "
                        "e.g. scripts/build-sanitized address")
  endif()
  if(NOT STAMPEDE_SANITIZE)
    set(STAMPEDE_SANITIZE address,undefined)
  elseif(NOT STAMPEDE_SANITIZE MATCHES "address")
    message(FATAL_ERROR "STAMPEDE_FUZZ goes with address,undefined, not ${STAMPEDE_SANITIZE}")
  endif()
  message(STATUS "Fuzzing: -fsanitize=fuzzer-no-link")
  target_compile_options(stampede_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

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
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      # clang 14's function-type check puts data before each function that a coroutine's split
      # parts cannot carry ("Cannot represent a difference across sections").
      target_compile_options(stampede_options INTERFACE -fno-sanitize=function)
      target_link_options(stampede_options INTERFACE -fno-sanitize=function)
    endif()
  endif()
  # Timing tests widen their tolerances: instrumented code runs several times slower.
  target_compile_definitions(stampede_options INTERFACE STAMPEDE_SANITIZED=1)
endif()

