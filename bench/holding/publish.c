/* Sends one HTTP request (the bytes of a file) to 127.0.0.1:PORT and prints the answer; the
 * CLOCK_MONOTONIC time in ns just before the request is written goes to T0_FILE (written
 * as soon as the request is sent, so waiting clients can read it before the answer comes).
 * Usage: publish PORT REQUEST_FILE T0_FILE */
#include "common.h"

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: publish PORT REQUEST_FILE T0_FILE\n"); return 2; }
    FILE *rf = fopen(argv[2], "r");
    if (!rf) die(argv[2]);
    static char request[65536], answer[65536];
    size_t len = fread(request, 1, sizeof request, rf);
    fclose(rf);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = loopback_address("127.0.0.1", atoi(argv[1]));
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
    int64_t t0 = now_ns();
    if (write_all(fd, request, len) < 0) die("write");
    char partial[4096];
    snprintf(partial, sizeof partial, "%s.partial", argv[3]);
    FILE *tf = fopen(partial, "w");
    if (!tf) die(partial);
    fprintf(tf, "%lld\n", (long long)t0);
    fclose(tf);
    if (rename(partial, argv[3]) < 0) die("rename"); /* readers never see half a number */
    size_t got = 0;
    ssize_t n;
    while (got < sizeof answer - 1 && (n = read(fd, answer + got, sizeof answer - 1 - got)) > 0) got += (size_t)n;
    int64_t t1 = now_ns();
    answer[got] = 0;
    fprintf(stdout, "%s\n(publish answered in %.2f ms)\n", answer, (double)(t1 - t0) / 1e6);
    return 0;
}
