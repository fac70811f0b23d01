# File transfer (issue 5), the session-independent part: name sanitiser,
# receiving sink, sending source, safe placement and FILE messages.
list(APPEND SECIP_CORE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/safename.c
  ${CMAKE_CURRENT_LIST_DIR}/file_proto.c
  ${CMAKE_CURRENT_LIST_DIR}/file_place.c
  ${CMAKE_CURRENT_LIST_DIR}/file_state.c
  ${CMAKE_CURRENT_LIST_DIR}/file_sink.c
  ${CMAKE_CURRENT_LIST_DIR}/file_source.c
  ${CMAKE_CURRENT_LIST_DIR}/file_message.c
)
