/* bench_tcp - raw TCP ping-pong round trip on loopback (the baseline for the
 * emit-to-ack figure of bench/run_io.sh): 2,000 sequential 32-byte
 * write/read round trips against bench/tcp_echo.js.
 *     bench_tcp PORT        prints one JSON line */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "bench_clock.h"

int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    char buf[32];
    static double rtt[2000];
    int fd, one = 1, i;
    if (argc < 2) return 2;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(argv[1]));
    sa.sin_addr.s_addr = htonl(0x7f000001);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) return 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    memset(buf, 'p', sizeof buf);
    for (i = 0; i < 2000; i++) {
        double t0 = bench_now_s() * 1e6;
        size_t got = 0;
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) return 1;
        while (got < sizeof buf) {
            ssize_t n = read(fd, buf + got, sizeof buf - got);
            if (n <= 0) return 1;
            got += (size_t)n;
        }
        rtt[i] = bench_now_s() * 1e6 - t0;
    }
    qsort(rtt, 2000, sizeof rtt[0], bench_cmp_double);
    printf("{\"client\":\"raw TCP ping-pong (node echo)\",\"rtt_p50_us\":%.1f,\"rtt_p99_us\":%.1f}\n", rtt[1000], rtt[1980]);
    close(fd);
    return 0;
}
