/*
 * sdk/src/files/file_message.h -- internal: building FILE messages (the
 * session layer calls these when a transfer completed and was verified).
 */
#ifndef SP_FILES_MESSAGE_H
#define SP_FILES_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "secip/message.h"

/**
 * A FILE message whose content is data[0..len) (copied), named safe_name
 * (already sanitised; copied).  Returns NULL with SECIP_ENOMEM recorded.
 */
secip_message *sp_message_new_file_mem(const char *safe_name, const void *data,
                                       size_t len);

/**
 * A FILE message whose content is the file at path (size bytes), named
 * safe_name.  Both strings are copied.  Returns NULL with SECIP_ENOMEM.
 */
secip_message *sp_message_new_file_disk(const char *safe_name, const char *path,
                                        uint64_t size);

#endif /* SP_FILES_MESSAGE_H */
