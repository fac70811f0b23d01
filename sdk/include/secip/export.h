/*
 * secip/export.h -- symbol visibility for the shared and static libraries.
 *
 * Applications never define anything for the shared library.  When linking
 * the static library (secip::secip_static, or `pkg-config --static`), define
 * SECIP_STATIC before including any secip header; the CMake target and the
 * pkg-config file do that for you.
 */
#ifndef SECIP_EXPORT_H
#define SECIP_EXPORT_H

#if defined(SECIP_STATIC)
#define SECIP_API
#elif defined(_WIN32)
#if defined(SECIP_BUILDING)
#define SECIP_API __declspec(dllexport)
#else
#define SECIP_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && defined(SECIP_BUILDING)
#define SECIP_API __attribute__((visibility("default")))
#else
#define SECIP_API
#endif

#endif /* SECIP_EXPORT_H */
