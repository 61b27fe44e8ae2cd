# `cmake --install` and the Debian package (cpack): the `ldp` command, libldp (shared and static),
# the public headers, a CMake package (find_package(ldp) -> ldp::ldp, ldp::ldp_static), a
# pkg-config file, the Python module, and the bundled DuckDB library beside libldp.
include(GNUInstallDirs)

set(LDP_PYTHON_INSTALL_DIR "lib/python3/dist-packages" CACHE STRING
    "Where the Python module goes, relative to the install prefix (Debian's layout)")

# Paths from one installed folder to another, so that the installed tree can be moved (a package
# unpacked anywhere still finds its libraries).
function(_ldp_relative out from to)
  file(RELATIVE_PATH _rel "/prefix/${from}" "/prefix/${to}")
  if(_rel STREQUAL "")
    set(_rel ".")
  endif()
  set(${out} "${_rel}" PARENT_SCOPE)
endfunction()

_ldp_relative(_bin_to_lib ${CMAKE_INSTALL_BINDIR} ${CMAKE_INSTALL_LIBDIR})
set_target_properties(ldp ldp_serve PROPERTIES INSTALL_RPATH "$ORIGIN/${_bin_to_lib}")
set_target_properties(ldp_shared PROPERTIES INSTALL_RPATH "$ORIGIN")

install(TARGETS ldp ldp_serve RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ldp_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Unspecified)
install(FILES ${CMAKE_BINARY_DIR}/lib/libldp.a DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/ldp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/generated/ldp/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ldp)

# The pinned DuckDB travels with ldp (a system DuckDB is the system's business).
if(NOT LDP_SYSTEM_DUCKDB)
  file(GLOB _duck_libs ${_duck_libdir}/libduckdb.so*)
  install(FILES ${_duck_libs} DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set(LDP_DUCKDB_LINK "\${_ldp_prefix}/${CMAKE_INSTALL_LIBDIR}/libduckdb.so")
  set(LDP_PC_DUCKDB "-L\${libdir} -lduckdb")
else()
  set(LDP_DUCKDB_LINK "${DUCKDB_LIBRARY}")
  get_filename_component(_sys_duck_dir ${DUCKDB_LIBRARY} DIRECTORY)
  set(LDP_PC_DUCKDB "-L${_sys_duck_dir} -lduckdb")
endif()

_ldp_relative(LDP_CMAKE_TO_PREFIX ${CMAKE_INSTALL_LIBDIR}/cmake/ldp .)
_ldp_relative(LDP_PC_TO_PREFIX ${CMAKE_INSTALL_LIBDIR}/pkgconfig .)
set(LDP_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
include(CMakePackageConfigHelpers)
configure_file(${CMAKE_SOURCE_DIR}/cmake/ldpConfig.cmake.in ${CMAKE_BINARY_DIR}/package/ldpConfig.cmake @ONLY)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/package/ldpConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
configure_file(${CMAKE_SOURCE_DIR}/cmake/ldp.pc.in ${CMAKE_BINARY_DIR}/package/ldp.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/package/ldpConfig.cmake ${CMAKE_BINARY_DIR}/package/ldpConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ldp)
install(FILES ${CMAKE_BINARY_DIR}/package/ldp.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# ---- Debian package -------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ldp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "ldp developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Local data platform: Iceberg tables, a SQL catalog and DuckDB in one binary")
set(CPACK_PACKAGE_CONTACT "ldp developers <ldp@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
# Written out rather than computed by dpkg-shlibdeps (not installed here): what ldp links
# dynamically besides the DuckDB it carries. The Python module is for Debian 12's python3 (3.11).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libfmt9, libyaml-cpp0.7")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3 (>= 3.11), python3 (<< 3.12)")
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
include(CPack)
