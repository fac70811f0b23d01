# FindBearSSL
# -----------
# Debian ships BearSSL (libbearssl-dev) with neither a pkg-config file nor a
# CMake package, so find the header and library ourselves.
#
# Result: BearSSL_FOUND, BearSSL_INCLUDE_DIR, BearSSL_LIBRARY and the
# imported target BearSSL::BearSSL.  Set BearSSL_USE_STATIC to prefer the
# static archive (the Windows cross build always links it statically).
find_path(BearSSL_INCLUDE_DIR NAMES bearssl.h)
if(BearSSL_USE_STATIC)
  find_library(BearSSL_LIBRARY NAMES libbearssl.a bearssl)
else()
  find_library(BearSSL_LIBRARY NAMES bearssl)
endif()

if(CMAKE_CROSSCOMPILING AND WIN32)
  set(_bearssl_hint "Build the Windows dependencies first: scripts/build-windows-deps.sh (prefix SECIP_WINDOWS_DEPS=${SECIP_WINDOWS_DEPS}).")
else()
  set(_bearssl_hint "Install libbearssl-dev (scripts/install-deps.sh) or set CMAKE_PREFIX_PATH.")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(BearSSL
  REQUIRED_VARS BearSSL_LIBRARY BearSSL_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "${_bearssl_hint}")

if(BearSSL_FOUND AND NOT TARGET BearSSL::BearSSL)
  add_library(BearSSL::BearSSL UNKNOWN IMPORTED)
  set_target_properties(BearSSL::BearSSL PROPERTIES
    IMPORTED_LOCATION "${BearSSL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${BearSSL_INCLUDE_DIR}")
  if(WIN32)
    # BearSSL's Win32 seeder uses CryptGenRandom (advapi32); gcc ignores the
    # #pragma comment(lib) that MSVC would honour.
    set_property(TARGET BearSSL::BearSSL APPEND PROPERTY
      INTERFACE_LINK_LIBRARIES advapi32)
  endif()
endif()
mark_as_advanced(BearSSL_INCLUDE_DIR BearSSL_LIBRARY)
