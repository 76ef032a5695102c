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

# The link side of the same rule: a platform library may link only other platform libraries and
# nlohmann_json. Checked at configure time over every target defined under platform/.
function(_roost_platform_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    _roost_platform_targets(${sub} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(roost_check_platform_links platform_dir)
  _roost_platform_targets(${platform_dir} platform_targets)
  foreach(t ${platform_targets})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "UTILITY")
      continue()
    endif()
    get_target_property(libs ${t} LINK_LIBRARIES)
    get_target_property(ilibs ${t} INTERFACE_LINK_LIBRARIES)
    foreach(lib ${libs} ${ilibs})
      # A static library's PRIVATE links show in its interface as $<LINK_ONLY:lib>.
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
      if(lib MATCHES "-NOTFOUND$" OR lib STREQUAL "nlohmann_json::nlohmann_json")
        continue()
      endif()
      # pugixml: a pure parser (roost_inv's bulk host XML). It can open files, but platform code only
      # ever parses from and saves to memory; the include check keeps <cstdio>/<fstream> out regardless.
      if(lib MATCHES "^pugixml(::pugixml|::shared|::static)?$")
        continue()
      endif()
      list(FIND platform_targets ${lib} found)
      if(found EQUAL -1)
        message(FATAL_ERROR "sans-I/O layering violated: platform target '${t}' links '${lib}'; platform libraries "
                            "may link only other platform libraries, nlohmann_json and pugixml")
      endif()
    endforeach()
  endforeach()
endfunction()
