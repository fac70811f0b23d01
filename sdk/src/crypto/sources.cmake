# Keys, certificates, randomness and password hashing (issue 3).
list(APPEND SECIP_CORE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/rng.c
  ${CMAKE_CURRENT_LIST_DIR}/util.c
  ${CMAKE_CURRENT_LIST_DIR}/der_read.c
  ${CMAKE_CURRENT_LIST_DIR}/der_write.c
  ${CMAKE_CURRENT_LIST_DIR}/der_time.c
  ${CMAKE_CURRENT_LIST_DIR}/pem.c
  ${CMAKE_CURRENT_LIST_DIR}/fileio.c
  ${CMAKE_CURRENT_LIST_DIR}/key.c
  ${CMAKE_CURRENT_LIST_DIR}/key_pem.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_parse.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_io.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_access.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_issue.c
  ${CMAKE_CURRENT_LIST_DIR}/cert_verify.c
  ${CMAKE_CURRENT_LIST_DIR}/password.c
  ${CMAKE_CURRENT_LIST_DIR}/sha256.c
  ${CMAKE_CURRENT_LIST_DIR}/sha256_ni.c
)

# SHA-256 with the x86 SHA extensions (used only when CPUID reports them):
# GCC and Clang need the instruction sets enabled for that one file; MSVC
# accepts the intrinsics as they are.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|x64)$")
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/sha256_ni.c
      PROPERTIES COMPILE_OPTIONS "-msha;-mssse3;-msse4.1"
                 COMPILE_DEFINITIONS SP_HAVE_SHA_NI=1)
  elseif(MSVC)
    set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/sha256_ni.c
      PROPERTIES COMPILE_DEFINITIONS SP_HAVE_SHA_NI=1)
  endif()
endif()
