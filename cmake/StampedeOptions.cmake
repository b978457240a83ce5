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
  # Timing tests widen their tolerances: instrumented code runs several times slower.
  target_compile_definitions(stampede_options INTERFACE STAMPEDE_SANITIZED=1)
endif()
