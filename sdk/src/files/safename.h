/*
 * sdk/src/files/safename.h -- internal: reducing a received file name to a
 * safe base name, and the small path helpers the file code shares.
 *
 * A name that arrives from the network is hostile.  sp_safename() turns it
 * into a single path component that means the same thing on Linux and on
 * Windows and cannot leave the directory it is joined to, or refuses it.
 * The rules (docs/PROTOCOL.md section 7.8 repeats them):
 *
 *  refused (SECIP_EFORMAT): empty input, input longer than 4096 bytes,
 *    invalid UTF-8, a NUL byte anywhere, a name whose last component is
 *    empty (ends with a separator) or becomes empty once trailing dots and
 *    spaces are removed ("", ".", "..", "...", "a/").
 *  rewritten:
 *    - separators: '/' and '\' both count; only the last component is kept
 *      ("../../x" -> "x", "C:\x" -> "x", "\\server\share" -> "share");
 *    - control characters (U+0000..U+001F except NUL, which refuses,
 *      U+007F..U+009F), the characters Windows forbids (< > : " | ? *) and
 *      the bidirectional-override controls (U+200E, U+200F, U+202A..U+202E,
 *      U+2066..U+2069) become '_' (so "C:x" -> "C_x", newlines -> '_');
 *    - trailing dots and spaces are removed ("x." -> "x", "x " -> "x");
 *    - a leading '.' becomes '_' (no hidden files, and no clash with the
 *      ".secip-*" names the receiver uses for partial files);
 *    - Windows device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with the
 *      superscript digits 1-3, CONIN$, CONOUT$), compared case-insensitively
 *      on the part before the first dot with trailing spaces ignored, get a
 *      '_' prefix ("CON" -> "_CON", "nul.txt" -> "_nul.txt");
 *    - names longer than SP_SAFENAME_MAX bytes are cut on a UTF-8 character
 *      boundary, keeping an extension of up to 32 bytes.
 *  Nothing is percent-decoded: "%2e%2e" is the literal, harmless name.
 *
 * Everything here is pure computation; safe from any thread.
 */
#ifndef SP_FILES_SAFENAME_H
#define SP_FILES_SAFENAME_H

#include <stddef.h>
#include <stdint.h>

/** Longest safe name in bytes.  Leaves room for the " (999)" of an
 *  alternative name within the 255-byte (and 255 UTF-16 unit) limit that
 *  common file systems put on one component. */
#define SP_SAFENAME_MAX 240u

/** Longest name accepted as input (what a peer may send). */
#define SP_NAME_INPUT_MAX 4096u

/**
 * Reduce name[0..len) (not necessarily NUL-terminated; may contain NUL,
 * which refuses it) to a safe base name in out (NUL-terminated).
 * cap must be at least SP_SAFENAME_MAX + 1.
 * Returns the length of the safe name (1..SP_SAFENAME_MAX).
 * Errors: SECIP_EFORMAT (refused, detail says why), SECIP_EINVAL (NULL
 * arguments, cap too small), SECIP_ENOMEM.
 */
int sp_safename(const void *name, size_t len, char *out, size_t cap);

/**
 * The last component of a path (after the last '/' or '\'), as a pointer
 * into path.  "" when path ends with a separator.
 */
const char *sp_path_base(const char *path);

/** A new string "dir/name" (free() it), or NULL with SECIP_ENOMEM set. */
char *sp_path_join(const char *dir, const char *name);

/**
 * A new string holding the directory part of path ("." when it has none),
 * or NULL with SECIP_ENOMEM set.
 */
char *sp_path_dir(const char *path);

/**
 * Write into out the n-th alternative of a safe name: n == 0 gives the name
 * itself, n >= 1 gives "stem (n).ext" ("report (2).pdf", "notes (1)").
 * Returns the length or SECIP_ETOOBIG when cap is too small.
 */
int sp_safename_alt(const char *name, unsigned n, char *out, size_t cap);

#endif /* SP_FILES_SAFENAME_H */
