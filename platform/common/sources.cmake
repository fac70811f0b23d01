# Portable parts of the platform layer, shared by both backends.
set(SPL_COMMON_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/timers.c
  ${CMAKE_CURRENT_LIST_DIR}/postq.c
)
