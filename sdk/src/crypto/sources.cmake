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
)
