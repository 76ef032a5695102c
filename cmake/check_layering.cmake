# cmake -DDIR=<dir> -P check_layering.cmake
# Fails (exit 1) listing every file:line under DIR that breaks the sans-I/O rule.
if(NOT DIR)
  message(FATAL_ERROR "check_layering: pass -DDIR=<directory>")
endif()
file(GLOB_RECURSE files ${DIR}/*.h ${DIR}/*.hpp ${DIR}/*.cpp ${DIR}/*.cc)
# Includes management logic must never see: the other layers, I/O libraries, threads, files, sockets.
set(forbidden_includes
  "[\"<](\\.\\./)*(backends|sim|harness|tools)/"
  "[\"<](boost|simgrid|openssl|libvirt|rados|spdlog|CLI|gtest|rapidcheck)/"
  "[\"<](sqlite3\\.h|xbt\\.h|thread|mutex|future|fstream|filesystem|iostream|cstdio|ctime|unistd\\.h|fcntl\\.h)[\">]"
  "[\"<](sys|netinet|arpa)/")
# Ambient I/O that needs no include of its own.
set(forbidden_calls "std::chrono::(system|steady|high_resolution)_clock" "std::random_device" "[^a-z_]getenv\\(" "std::rand\\(")
set(violations "")
foreach(f ${files})
  file(STRINGS ${f} lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n}+1")
    if(line MATCHES "^[ \t]*#[ \t]*include")
      foreach(p ${forbidden_includes})
        if(line MATCHES "${p}")
          string(APPEND violations "  ${f}:${n}: ${line}\n")
        endif()
      endforeach()
    else()
      foreach(p ${forbidden_calls})
        if(line MATCHES "${p}")
          string(APPEND violations "  ${f}:${n}: ${line}\n")
        endif()
      endforeach()
    endif()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "sans-I/O layering violated: platform code may only use platform/ and the standard "
                      "library's pure parts (time, RNG, logging, messages go through platform/core):\n${violations}")
endif()
