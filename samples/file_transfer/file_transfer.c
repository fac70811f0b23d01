/*
 * samples/file_transfer/file_transfer.c -- a server that accepts files into
 * a download directory, and a client that sends it one, in one program.
 *
 *   file_transfer DOWNLOAD_DIR [FILE]
 *
 * DOWNLOAD_DIR must exist.  FILE is streamed from disk in chunks (any size);
 * without it, 3 MiB generated in memory are sent as "generated.bin".  The
 * library checks the SHA-256 of what arrived, never writes outside
 * DOWNLOAD_DIR whatever name the sender announces, and never overwrites a
 * file there ("name (1).ext" is used instead).
 *
 * Uses the public API only (#include <secip/secip.h>).
 */
#include <stdio.h>
#include <stdlib.h>

#include <secip/secip.h>

#define GENERATED_SIZE ((size_t)3 << 20)

/* Server side, one thread per session: files larger than the in-memory
 * limit (1 MiB by default) are already in the download directory when they
 * arrive; smaller ones are saved there now.  The reply tells the client. */
static void handle_session(secip_session *s, void *user_data)
{
    const char *dir = user_data;
    secip_message *m;
    char reply[512];
    while (secip_session_receive(s, &m, SECIP_WAIT_FOREVER) == 0) {
        if (secip_message_type(m) == SECIP_FILE) {
            int rc = 0;
            if (secip_message_file_path(m) == NULL)
                rc = secip_message_save(m, dir);
            if (rc == 0)
                snprintf(reply, sizeof reply, "%s arrived: %lld bytes in %s",
                         secip_message_file_name(m),
                         (long long)secip_message_file_size(m),
                         secip_message_file_path(m) != NULL
                             ? secip_message_file_path(m)
                             : dir);
            else
                snprintf(reply, sizeof reply, "not saved: %s",
                         secip_last_error());
            secip_session_send_text(s, reply);
        }
        secip_message_free(m);
    }
}

static int start_server(const char *dir, secip_key **key, secip_server **srv)
{
    secip_session_options opts;
    secip_session_options_init(&opts);
    opts.files_dir = dir; /* copied by secip_server_set_options() */
    if (secip_key_generate(2048, key) < 0 || secip_server_new(*key, srv) < 0 ||
        secip_server_set_options(*srv, &opts) < 0 ||
        secip_server_set_handler(*srv, handle_session, (void *)dir) < 0 ||
        secip_server_start(*srv, "127.0.0.1", 0) < 0)
        return -1;
    return 0;
}

/* Client side: send the file (or generated data) and wait for the server's
 * reply.  Both sends return once the receiver confirmed the SHA-256. */
static int send_one(secip_session *s, const char *path)
{
    secip_message *m = NULL;
    int rc;
    if (path != NULL) {
        rc = secip_session_send_file(s, path);
    } else {
        unsigned char *data = malloc(GENERATED_SIZE);
        if (data == NULL)
            return -1;
        for (size_t i = 0; i < GENERATED_SIZE; i++)
            data[i] = (unsigned char)(i * 31 + (i >> 12));
        rc = secip_session_send_file_data(s, "generated.bin", data,
                                          GENERATED_SIZE);
        free(data);
    }
    if (rc < 0)
        return -1;
    printf("sent %s: the receiver confirmed its SHA-256\n",
           path != NULL ? path : "generated.bin");
    if (secip_session_receive(s, &m, 10000) < 0)
        return -1;
    printf("server says: %s\n", secip_message_text(m));
    secip_message_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    secip_key *key = NULL;
    secip_server *srv = NULL;
    secip_client *c = NULL;
    secip_session *s = NULL;
    char fp[SECIP_FINGERPRINT_HEX_LEN + 1];
    int rc;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: file_transfer DOWNLOAD_DIR [FILE]\n");
        return 2;
    }
    rc = start_server(argv[1], &key, &srv);
    /* The client pins the server key's fingerprint (or use a CA). */
    if (rc == 0)
        rc = secip_key_fingerprint(key, fp);
    if (rc == 0)
        rc = secip_client_new(&c);
    if (rc == 0)
        rc = secip_client_set_pin(c, fp);
    if (rc == 0)
        rc = secip_client_connect(c, "127.0.0.1", secip_server_port(srv), 10000,
                                  &s);
    if (rc == 0)
        rc = send_one(s, argc > 2 ? argv[2] : NULL);
    if (rc < 0)
        fprintf(stderr, "file_transfer: %s\n", secip_last_error());
    secip_client_free(c);
    secip_server_stop(srv);
    secip_server_free(srv);
    secip_key_free(key);
    return rc < 0 ? 1 : 0;
}
