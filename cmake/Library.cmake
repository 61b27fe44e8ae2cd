# libldp: the public C++ API (include/ldp/, implemented in src/ldp/api/) with the modules below it,
# as a shared library (libldp.so, exporting only the public API) and a static one (libldp.a, every
# module archive merged into one). The `ldp` command does not use them: it links the module
# archives directly, which keeps its start-up free of one more shared library.

file(GLOB _ldp_api_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/ldp/api/*.cc)
add_library(ldp_api OBJECT ${_ldp_api_srcs})
target_link_libraries(ldp_api PUBLIC ldp::services ldp::orchestrator)

# ---- shared ------------------------------------------------------------------------------------
add_library(ldp_shared SHARED $<TARGET_OBJECTS:ldp_api>)
add_library(ldp::ldp ALIAS ldp_shared)
# The module archives are named as files, not as targets, so that their link interface does not
# come along: Debian's libyaml-cpp.a is not position-independent, and the shared library takes
# libyaml-cpp.so instead (found before Dependencies.cmake pointed the yaml-cpp target at the archive).
set(_ldp_shared_yaml yaml-cpp)
if(_yaml_so)
  set(_ldp_shared_yaml ${_yaml_so})
endif()
target_link_libraries(ldp_shared PRIVATE
  $<TARGET_FILE:ldp_orchestrator> $<TARGET_FILE:ldp_pipeline> $<TARGET_FILE:ldp_services> $<TARGET_FILE:ldp_connectors> $<TARGET_FILE:ldp_engine> $<TARGET_FILE:ldp_catalog> $<TARGET_FILE:ldp_iceberg>
  $<TARGET_FILE:ldp_avro> $<TARGET_FILE:ldp_io> $<TARGET_FILE:ldp_core>
  ldp_duckdb fmt::fmt SQLite::SQLite3 ZLIB::ZLIB ${_ldp_shared_yaml} Threads::Threads ${CMAKE_DL_LIBS})
add_dependencies(ldp_shared ldp_orchestrator ldp_pipeline ldp_services ldp_connectors ldp_engine ldp_catalog ldp_iceberg ldp_avro ldp_io ldp_core)
target_include_directories(ldp_shared PUBLIC
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include> $<BUILD_INTERFACE:${CMAKE_BINARY_DIR}/generated>)
# Only the public API is exported (cmake/libldp.map): SQLite, yaml-cpp, zlib and ldp's internals
# are linked in but hidden, so they never clash with a program's own copies.
target_link_options(ldp_shared PRIVATE "-Wl,--version-script=${CMAKE_SOURCE_DIR}/cmake/libldp.map"
  "-Wl,--no-undefined")
set_property(TARGET ldp_shared APPEND PROPERTY LINK_DEPENDS ${CMAKE_SOURCE_DIR}/cmake/libldp.map)
set_target_properties(ldp_shared PROPERTIES
  OUTPUT_NAME ldp
  VERSION ${PROJECT_VERSION}
  # 0.x: every minor version may break the ABI.
  SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)

# ---- static ------------------------------------------------------------------------------------
# One archive a program can link alone (plus DuckDB, fmt, yaml-cpp, SQLite, zlib): the API objects
# and every module archive, merged with an `ar` MRI script.
add_library(ldp_api_static STATIC $<TARGET_OBJECTS:ldp_api>)
set(_ldp_static_parts ldp_api_static ldp_orchestrator ldp_pipeline ldp_services ldp_connectors ldp_engine ldp_catalog ldp_iceberg ldp_avro ldp_io ldp_core)
set(_ldp_mri "create ${CMAKE_BINARY_DIR}/lib/libldp.a\n")
foreach(_part IN LISTS _ldp_static_parts)
  string(APPEND _ldp_mri "addlib $<TARGET_FILE:${_part}>\n")
endforeach()
string(APPEND _ldp_mri "save\nend\n")
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/libldp.mri CONTENT "${_ldp_mri}")
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/lib/libldp.a
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/lib
  COMMAND ${CMAKE_COMMAND} -E rm -f ${CMAKE_BINARY_DIR}/lib/libldp.a
  COMMAND ${CMAKE_AR} -M < ${CMAKE_BINARY_DIR}/libldp.mri
  DEPENDS ${_ldp_static_parts} ${CMAKE_BINARY_DIR}/libldp.mri
  COMMENT "Merging the module archives into lib/libldp.a"
  VERBATIM)
add_custom_target(ldp_static ALL DEPENDS ${CMAKE_BINARY_DIR}/lib/libldp.a)
