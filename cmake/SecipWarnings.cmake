# Warning flags shared by every secip target: -Wall -Wextra (+ -Werror when
# SECIP_WERROR) under gcc, clang and mingw; /W4 (+ /WX) under MSVC.
add_library(secip_warnings INTERFACE)
if(MSVC)
  target_compile_options(secip_warnings INTERFACE /W4 $<$<BOOL:${SECIP_WERROR}>:/WX>)
else()
  target_compile_options(secip_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wvla -Wpointer-arith -Wformat=2
    $<$<BOOL:${SECIP_WERROR}>:-Werror>)
endif()
