# Build the secip MSI with wixl from an installed (staged) tree.
#
# Run by CPack's External generator (installer/SecipCPack.cmake) on its
# staging directory, or by hand:
#
#   cmake -DSTAGE=<install tree> -DVERSION=0.1.0 -DOUTPUT=<file.msi> \
#         -P installer/make-msi.cmake
#
# Every file of the tree becomes one component (wixl-heat), listed in the
# feature of installer/secip.wxs; wixl -a x64 links both into the MSI.
cmake_minimum_required(VERSION 3.19)

if(DEFINED CPACK_TEMPORARY_DIRECTORY)
  # Under CPack: stage, version and output name come from CPackConfig.cmake.
  set(STAGE "${CPACK_TEMPORARY_DIRECTORY}")
  set(VERSION "${CPACK_PACKAGE_VERSION}")
  set(WXS "${CPACK_SECIP_WXS}")
  set(WORK "${CPACK_TOPLEVEL_DIRECTORY}/msi")
  set(OUTPUT "${CPACK_TOPLEVEL_DIRECTORY}/${CPACK_PACKAGE_FILE_NAME}.msi")
else()
  foreach(var STAGE VERSION OUTPUT)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "make-msi.cmake: -D${var}=... is required")
    endif()
  endforeach()
  set(WXS "${CMAKE_CURRENT_LIST_DIR}/secip.wxs")
  get_filename_component(OUTPUT "${OUTPUT}" ABSOLUTE)
  get_filename_component(WORK "${OUTPUT}" DIRECTORY)
  set(WORK "${WORK}/msi-work")
endif()

find_program(WIXL wixl)
find_program(WIXL_HEAT wixl-heat)
if(NOT WIXL OR NOT WIXL_HEAT)
  message(FATAL_ERROR "make-msi.cmake: wixl and wixl-heat are needed (apt-get install wixl)")
endif()

# CPack may stage below a packaging prefix; the tree root is where
# include/secip is.
file(GLOB_RECURSE _headers LIST_DIRECTORIES false "${STAGE}/*/include/secip/secip.h"
  "${STAGE}/include/secip/secip.h")
list(LENGTH _headers _n)
if(NOT _n EQUAL 1)
  message(FATAL_ERROR "make-msi.cmake: expected one include/secip/secip.h under ${STAGE}, found ${_n}")
endif()
get_filename_component(ROOT "${_headers}" DIRECTORY)
get_filename_component(ROOT "${ROOT}/../.." ABSOLUTE)

file(GLOB_RECURSE _files LIST_DIRECTORIES false RELATIVE "${ROOT}" "${ROOT}/*")
list(SORT _files)
file(MAKE_DIRECTORY "${WORK}")
list(TRANSFORM _files PREPEND "./")
list(JOIN _files "\n" _list)
file(WRITE "${WORK}/files.txt" "${_list}\n")

execute_process(
  COMMAND "${WIXL_HEAT}" -p ./ --directory-ref INSTALLDIR
    --component-group SecipFiles --var var.SourceDir --win64
  WORKING_DIRECTORY "${ROOT}"
  INPUT_FILE "${WORK}/files.txt"
  OUTPUT_FILE "${WORK}/files.wxs"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "make-msi.cmake: wixl-heat failed (${_rc})")
endif()

# wixl resolves File sources relative to the working directory (absolute
# SourceDir values are mishandled by wixl 0.101), so run it in the tree.
execute_process(
  COMMAND "${WIXL}" -a x64 -D SourceDir=. -D "Version=${VERSION}" -D Win64=yes
    -o "${OUTPUT}" "${WXS}" "${WORK}/files.wxs"
  WORKING_DIRECTORY "${ROOT}"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0 OR NOT EXISTS "${OUTPUT}")
  message(FATAL_ERROR "make-msi.cmake: wixl failed (${_rc})")
endif()
message(STATUS "make-msi.cmake: ${OUTPUT}")
set(CPACK_EXTERNAL_BUILT_PACKAGES "${OUTPUT}")
