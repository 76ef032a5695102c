# platform/ is sans-I/O. This makes the build itself refuse a platform/ file that includes anything
# from backends/, sim/, harness/, tools/, or an I/O library (Boost, SimGrid, SQLite, OpenSSL, ...):
# every platform target depends on a check that re-runs whenever a platform file changes.
set(ROOST_LAYERING_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/check_layering.cmake)

function(roost_enforce_sans_io target dir)
  file(GLOB_RECURSE _files CONFIGURE_DEPENDS ${dir}/*.h ${dir}/*.hpp ${dir}/*.cpp ${dir}/*.cc)
  set(_stamp ${CMAKE_CURRENT_BINARY_DIR}/${target}.layering.stamp)
  add_custom_command(
    OUTPUT ${_stamp}
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -P ${ROOST_LAYERING_SCRIPT}
    COMMAND ${CMAKE_COMMAND} -E touch ${_stamp}
    DEPENDS ${_files} ${ROOST_LAYERING_SCRIPT}
    COMMENT "Checking that ${dir} stays sans-I/O"
    VERBATIM)
  add_custom_target(${target}_layering DEPENDS ${_stamp})
  add_dependencies(${target} ${target}_layering)
endfunction()
