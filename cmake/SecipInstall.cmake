# Installation of the secip SDK: install() rules, the CMake package
# (find_package(secip CONFIG) -> secip::secip, secip::secip_static), the
# pkg-config files, the Doxygen API reference, and the CPack packages
# (installer/SecipCPack.cmake).  Included at the end of the root
# CMakeLists.txt, once every target exists.
#
# Install components (they decide what goes into which package; see
# installer/README.md):
#   runtime      the shared library (libsecip.so.N, libsecip.dll)
#   development  headers, libsecip.so / import library, static library,
#                CMake package, pkg-config files
#   tools        the secip programs
#   docs         README, LICENSE, docs/*.md, the HTML API reference
#
# Cache options:
#   SECIP_INSTALL_DOCS_API   build and install the Doxygen HTML reference
#                            (default ON when doxygen is found)
#   SECIP_DEB_LAYOUT         add Debian's per-package copyright/changelog
#                            files (set by the package-linux preset)
#   SECIP_BUNDLE_DEPS        Windows: ship the static BearSSL and json-c
#                            libraries the static secip library needs
#                            (default ON for Windows builds)

include(CMakePackageConfigHelpers)

set(SECIP_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/secip" CACHE STRING
  "Where the CMake package files are installed (relative to the prefix)")
set(SECIP_PKGCONFIG_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig" CACHE STRING
  "Where secip.pc is installed (relative to the prefix)")
mark_as_advanced(SECIP_CMAKE_DIR SECIP_PKGCONFIG_DIR)
option(SECIP_DEB_LAYOUT "Install Debian copyright/changelog files per package" OFF)
if(WIN32)
  option(SECIP_BUNDLE_DEPS "Install the static BearSSL and json-c libraries" ON)
else()
  option(SECIP_BUNDLE_DEPS "Install the static BearSSL and json-c libraries" OFF)
endif()

# ---- libraries and headers -------------------------------------------------

install(TARGETS secip EXPORT secipTargets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT runtime
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT runtime
    NAMELINK_COMPONENT development
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT development)
install(TARGETS secip_static EXPORT secipTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT development)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/sdk/include/secip"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT development
  FILES_MATCHING PATTERN "*.h")

# The static library needs BearSSL and json-c at link time.  Debian's
# libsecip-dev depends on their -dev packages; the Windows SDK carries the
# static libraries it was built with (their licences go along).
if(SECIP_BUNDLE_DEPS)
  # LOCATION of an imported target: its file for the default configuration.
  get_target_property(_secip_jsonc_lib json-c::json-c LOCATION)
  install(FILES "${BearSSL_LIBRARY}" "${_secip_jsonc_lib}"
    DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT development)
  get_filename_component(_secip_bearssl_name "${BearSSL_LIBRARY}" NAME)
  get_filename_component(_secip_jsonc_name "${_secip_jsonc_lib}" NAME)
  foreach(dep bearssl json-c)
    foreach(root IN LISTS CMAKE_FIND_ROOT_PATH CMAKE_PREFIX_PATH)
      if(IS_DIRECTORY "${root}/share/doc/${dep}")
        install(DIRECTORY "${root}/share/doc/${dep}/"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/secip/third-party/${dep}"
          COMPONENT docs)
        break()
      endif()
    endforeach()
  endforeach()
endif()

# ---- programs --------------------------------------------------------------

# Program targets installed when they exist (tools/ may be switched off).
set(SECIP_INSTALL_PROGRAMS secip_cli secip_ca_cli CACHE STRING
  "Executable targets installed as the tools component")
mark_as_advanced(SECIP_INSTALL_PROGRAMS)
foreach(prog IN LISTS SECIP_INSTALL_PROGRAMS)
  if(TARGET ${prog})
    install(TARGETS ${prog}
      RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT tools)
  endif()
endforeach()

# ---- samples ---------------------------------------------------------------

# The public-API samples' sources: samples/ opened on its own is a CMake
# project (with a Visual Studio 2022 preset) that finds the installed SDK
# with find_package(secip); each sample also builds on its own.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/samples/echo"
  "${PROJECT_SOURCE_DIR}/samples/file_transfer"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/secip/samples" COMPONENT development)
install(FILES "${PROJECT_SOURCE_DIR}/samples/CMakeLists.txt"
  "${PROJECT_SOURCE_DIR}/samples/CMakePresets.json"
  DESTINATION "${CMAKE_INSTALL_DATADIR}/secip/samples" COMPONENT development)

# ---- documentation ---------------------------------------------------------

install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/LICENSE"
  DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT docs)
file(GLOB _secip_docs "${PROJECT_SOURCE_DIR}/docs/*.md")
if(_secip_docs)
  install(FILES ${_secip_docs} DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT docs)
endif()

find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  set(_secip_api_default ON)
else()
  set(_secip_api_default OFF)
endif()
option(SECIP_INSTALL_DOCS_API "Build and install the Doxygen API reference"
  ${_secip_api_default})
if(SECIP_INSTALL_DOCS_API)
  if(NOT DOXYGEN_FOUND)
    message(FATAL_ERROR "SECIP_INSTALL_DOCS_API needs doxygen (apt-get install doxygen)")
  endif()
  # docs/Doxyfile is also usable by hand (doxygen docs/Doxyfile from the
  # repository root); these variables only move its output.
  set(_secip_api_out "${PROJECT_BINARY_DIR}/docs")
  file(GLOB _secip_public_headers "${PROJECT_SOURCE_DIR}/sdk/include/secip/*.h")
  add_custom_command(
    OUTPUT "${_secip_api_out}/html/index.html"
    COMMAND ${CMAKE_COMMAND} -E rm -rf "${_secip_api_out}/html"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${_secip_api_out}"
    COMMAND ${CMAKE_COMMAND} -E env
      "SECIP_DOXYGEN_OUT=${_secip_api_out}"
      "SECIP_VERSION=${PROJECT_VERSION}"
      "${DOXYGEN_EXECUTABLE}" docs/Doxyfile
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    DEPENDS "${PROJECT_SOURCE_DIR}/docs/Doxyfile" ${_secip_public_headers}
    COMMENT "Doxygen: API reference (warnings are errors)"
    VERBATIM)
  add_custom_target(secip_api_docs ALL DEPENDS "${_secip_api_out}/html/index.html")
  install(DIRECTORY "${_secip_api_out}/html/"
    DESTINATION "${CMAKE_INSTALL_DOCDIR}/api" COMPONENT docs)
endif()

# ---- CMake package ---------------------------------------------------------

install(EXPORT secipTargets
  NAMESPACE secip::
  FILE secipTargets.cmake
  DESTINATION "${SECIP_CMAKE_DIR}"
  COMPONENT development)
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/secipConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/secipConfig.cmake"
  INSTALL_DESTINATION "${SECIP_CMAKE_DIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/secipConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
set(_secip_package_files
  "${PROJECT_BINARY_DIR}/secipConfig.cmake"
  "${PROJECT_BINARY_DIR}/secipConfigVersion.cmake")
if(NOT SECIP_BUNDLE_DEPS)
  # The config re-finds BearSSL with our module (BearSSL has no package).
  list(APPEND _secip_package_files "${PROJECT_SOURCE_DIR}/cmake/FindBearSSL.cmake")
endif()
install(FILES ${_secip_package_files}
  DESTINATION "${SECIP_CMAKE_DIR}" COMPONENT development)

# ---- pkg-config ------------------------------------------------------------

# secip.pc: the shared library (pkg-config --static adds what the static
# one needs).  secip-static.pc: always the static library, with
# -DSECIP_STATIC (needed on Windows, where the headers otherwise ask for
# dllimport).  Windows gets a relocatable prefix and no Requires.private,
# since json-c's .pc is not shipped there.
# On Linux the prefix is written when installing, so that
# `cmake --install <build> --prefix <dir>` (and CPack) get a correct file.
if(WIN32)
  set(SECIP_PC_PREFIX "\${pcfiledir}/../..")
  set(SECIP_PC_REQUIRES_PRIVATE "")
  set(SECIP_PC_LIBS_PRIVATE "-lbearssl -ljson-c")
  # The system libraries of the platform backend (ws2_32, ...): the plain
  # names among the static library's link interface.
  get_target_property(_secip_links secip_static INTERFACE_LINK_LIBRARIES)
  foreach(lib IN LISTS _secip_links)
    if(NOT TARGET "${lib}" AND lib MATCHES "^[A-Za-z0-9_]+$")
      string(APPEND SECIP_PC_LIBS_PRIVATE " -l${lib}")
    endif()
  endforeach()
  set(SECIP_PC_STATIC_LIB "-lsecip_static")
else()
  set(SECIP_PC_PREFIX "@SECIP_INSTALL_PREFIX@")
  set(SECIP_PC_REQUIRES_PRIVATE "json-c")
  set(SECIP_PC_LIBS_PRIVATE "-lbearssl -pthread")
  # libsecip.a and libsecip.so share a name; -l: picks the archive.
  set(SECIP_PC_STATIC_LIB "-l:libsecip.a")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(SECIP_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(SECIP_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
set(_secip_pc_dir "${PROJECT_BINARY_DIR}/pkgconfig")
set(SECIP_PC_NAME "secip")
set(SECIP_PC_DESCRIPTION "${PROJECT_DESCRIPTION}")
set(SECIP_PC_CFLAGS "")
set(SECIP_PC_LIBS "-lsecip")
configure_file("${PROJECT_SOURCE_DIR}/cmake/secip.pc.in"
  "${_secip_pc_dir}/secip.pc.tmpl" @ONLY)
set(SECIP_PC_NAME "secip-static")
set(SECIP_PC_DESCRIPTION "${PROJECT_DESCRIPTION} (static library)")
set(SECIP_PC_CFLAGS " -DSECIP_STATIC")
set(SECIP_PC_LIBS "${SECIP_PC_STATIC_LIB}")
configure_file("${PROJECT_SOURCE_DIR}/cmake/secip.pc.in"
  "${_secip_pc_dir}/secip-static.pc.tmpl" @ONLY)
install(CODE "
  set(SECIP_INSTALL_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  foreach(_pc secip secip-static)
    configure_file(\"${_secip_pc_dir}/\${_pc}.pc.tmpl\"
      \"${_secip_pc_dir}/install/\${_pc}.pc\" @ONLY)
  endforeach()
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${SECIP_PKGCONFIG_DIR}\"
    TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ FILES
    \"${_secip_pc_dir}/install/secip.pc\"
    \"${_secip_pc_dir}/install/secip-static.pc\")
" COMPONENT development)

# ---- packages --------------------------------------------------------------

include("${PROJECT_SOURCE_DIR}/installer/SecipCPack.cmake")
