# CPack configuration of the secip packages (included by
# cmake/SecipInstall.cmake after the install() rules).  What goes where is
# documented in installer/README.md.
#
#   Linux:   DEB   -> libsecip0, libsecip-dev, secip   (component install)
#   Windows: NSIS  -> secip-<ver>-win64.exe            (monolithic)
#            External (installer/make-msi.cmake) -> secip-<ver>-win64.msi (wixl)
#
# scripts/package.sh and the package-linux / package-windows workflow
# presets drive it; `cpack --config CPackConfig.cmake` works too.

set(CPACK_PACKAGE_NAME "secip")
set(CPACK_PACKAGE_VENDOR "The secip authors")
set(CPACK_PACKAGE_CONTACT "secip maintainers <maintainers@secip.example.org>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
if(WIN32)
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "C SDK for secured data transfer over TCP (TLS 1.2, typed messages, files, CA)")
else()
  # CPack's DEB generator prepends any summary other than its own default to
  # every component's description, whose first line already is the Debian
  # synopsis; CPack otherwise takes the (too long) project description.
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
endif()
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "secip")
set(CPACK_STRIP_FILES ON)
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/")
# Directories inside packages: 0755 whatever the packager's umask.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE
  GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# Debian: only the four documented components are packaged; anything
# installed without one ("Unspecified") is left out.  Windows packages are
# monolithic (everything installed goes in).
if(NOT WIN32)
  set(CPACK_COMPONENTS_ALL runtime development docs tools)
endif()

if(WIN32)
  set(CPACK_GENERATOR "NSIS;External")
else()
  set(CPACK_GENERATOR "DEB")
endif()

# ---- Debian ----------------------------------------------------------------

set(SECIP_DEB_RELEASE 1)
set(SECIP_DEB_VERSION "${PROJECT_VERSION}-${SECIP_DEB_RELEASE}")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${SECIP_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_SOURCE "secip")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "libsecip${PROJECT_VERSION_MAJOR}")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION "libs")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "secure data transfer over TCP - shared library
secip is a C SDK for sending bytes, text, files and JSON over TCP through
an encrypted, authenticated channel (TLS 1.2 with BearSSL), with X.509
certificates and a small certificate authority.
.
This package contains the shared library.")

# Headers, static library (components development + docs, group devgroup), CMake package, pkg-config files and the docs.
set(CPACK_DEBIAN_DEVGROUP_PACKAGE_NAME "libsecip-dev")
set(CPACK_DEBIAN_DEVGROUP_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_DEVGROUP_PACKAGE_DEPENDS
  "libsecip${PROJECT_VERSION_MAJOR} (= ${SECIP_DEB_VERSION}), libbearssl-dev, libjson-c-dev")
set(CPACK_DEBIAN_DEVGROUP_DESCRIPTION "secure data transfer over TCP - development files
secip is a C SDK for sending bytes, text, files and JSON over TCP through
an encrypted, authenticated channel (TLS 1.2 with BearSSL), with X.509
certificates and a small certificate authority.
.
This package contains the headers, the static library, the CMake package
(find_package(secip)), the pkg-config files and the API reference.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME "secip")
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_TOOLS_DESCRIPTION "secure data transfer over TCP - command-line programs
secip is a C SDK for sending bytes, text, files and JSON over TCP through
an encrypted, authenticated channel (TLS 1.2 with BearSSL), with X.509
certificates and a small certificate authority.
.
This package contains the secip program (keys, certificates, sessions).")

# The docs component travels with the -dev package (its files live in
# /usr/share/doc/libsecip-dev when configured with SECIP_DEB_LAYOUT).
include(CPackComponent)
cpack_add_component(runtime DISPLAY_NAME "Runtime library" REQUIRED)
cpack_add_component(development DISPLAY_NAME "Development files" DEPENDS runtime)
cpack_add_component(docs DISPLAY_NAME "Documentation")
cpack_add_component(tools DISPLAY_NAME "Command-line programs")
set(CPACK_COMPONENT_DOCS_GROUP "devgroup")
set(CPACK_COMPONENT_DEVELOPMENT_GROUP "devgroup")

if(SECIP_DEB_LAYOUT)
  # Debian policy: every package has /usr/share/doc/<package>/copyright
  # (machine-readable, from LICENSE) and a compressed changelog.
  file(READ "${PROJECT_SOURCE_DIR}/LICENSE" _secip_license)
  string(REGEX REPLACE "\n$" "" _secip_license "${_secip_license}")
  string(REGEX REPLACE "\n\n" "\n.\n" _secip_license "${_secip_license}")
  string(REGEX REPLACE "\n" "\n " _secip_license "${_secip_license}")
  set(_secip_deb_dir "${PROJECT_BINARY_DIR}/debian")
  file(WRITE "${_secip_deb_dir}/copyright"
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: secip
Source: ${PROJECT_HOMEPAGE_URL}

Files: *
Copyright: 2026 The secip authors
License: Expat
 ${_secip_license}
")
  string(TIMESTAMP _secip_deb_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
  file(WRITE "${_secip_deb_dir}/changelog.Debian"
"secip (${SECIP_DEB_VERSION}) unstable; urgency=medium

  * Package of secip ${PROJECT_VERSION}, built with CPack.

 -- ${CPACK_PACKAGE_CONTACT}  ${_secip_deb_date}
")
  find_program(SECIP_GZIP gzip REQUIRED)
  execute_process(
    COMMAND "${SECIP_GZIP}" -9nf "${_secip_deb_dir}/changelog.Debian"
    RESULT_VARIABLE _secip_rc)
  if(NOT _secip_rc EQUAL 0)
    message(FATAL_ERROR "gzip of changelog.Debian failed")
  endif()
  # The shared library registers with ldconfig through a dpkg trigger (what
  # debhelper does), so the package needs no ldconfig maintainer scripts;
  # CPack writes its own postinst/postrm calling ldconfig unless given some.
  file(WRITE "${_secip_deb_dir}/triggers"
    "# Refresh the dynamic linker cache after libsecip changes.\nactivate-noawait ldconfig\n")
  foreach(script postinst postrm)
    file(WRITE "${_secip_deb_dir}/${script}"
      "#!/bin/sh\n# ldconfig runs through the dpkg trigger declared in 'triggers'.\nset -e\nexit 0\n")
  endforeach()
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
    "${_secip_deb_dir}/triggers;${_secip_deb_dir}/postinst;${_secip_deb_dir}/postrm")
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  foreach(pair runtime:RUNTIME development:DEVGROUP tools:TOOLS)
    string(REPLACE ":" ";" pair "${pair}")
    list(GET pair 0 _secip_comp)
    list(GET pair 1 _secip_pkg)
    install(FILES "${_secip_deb_dir}/copyright"
      "${_secip_deb_dir}/changelog.Debian.gz"
      DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/${CPACK_DEBIAN_${_secip_pkg}_PACKAGE_NAME}"
      COMPONENT ${_secip_comp})
  endforeach()
endif()

# ---- Windows: NSIS ---------------------------------------------------------

# Debian's makensis builds 32-bit installers by default, which wine64 (and
# a Windows without WoW64) cannot start; see /work/shared/WINDOWS.md.
set(CPACK_NSIS_DEFINES "Target amd64-unicode")
set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
set(CPACK_NSIS_PACKAGE_NAME "secip SDK ${PROJECT_VERSION}")
set(CPACK_NSIS_DISPLAY_NAME "secip SDK ${PROJECT_VERSION}")
set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "secip")
set(CPACK_NSIS_MODIFY_PATH ON)   # "Install Options" page: PATH entry for bin/
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
set(CPACK_NSIS_CONTACT "${CPACK_PACKAGE_CONTACT}")
set(CPACK_NSIS_UNINSTALL_NAME "Uninstall")
# Start-menu shortcuts (paths relative to the install directory).
string(REPLACE "/" "\\" _secip_win_docdir "${CMAKE_INSTALL_DOCDIR}")
set(CPACK_NSIS_MENU_LINKS
  "${_secip_win_docdir}\\README.md" "secip README")
if(SECIP_INSTALL_DOCS_API)
  list(APPEND CPACK_NSIS_MENU_LINKS
    "${_secip_win_docdir}\\api\\index.html" "secip API reference")
endif()

# ---- Windows: MSI through wixl (External generator) -------------------------

set(CPACK_EXTERNAL_ENABLE_STAGING ON)
set(CPACK_EXTERNAL_PACKAGE_SCRIPT "${PROJECT_SOURCE_DIR}/installer/make-msi.cmake")
# Windows packages are one tree; components only split the Debian packages.
if(WIN32)
  set(CPACK_MONOLITHIC_INSTALL ON)
  set(CPACK_SYSTEM_NAME "win64")
endif()
# Variables the package script needs, passed through CPackConfig.cmake.
set(CPACK_SECIP_WXS "${PROJECT_SOURCE_DIR}/installer/secip.wxs")

include(CPack)
