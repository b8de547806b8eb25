/*
 * cryptpeer.c: an SRT peer on libsrt's C API for srtwire's encryption
 * interop tests (interop/crypt_test.go, go test -tags interop). The tests
 * build it with
 *
 *     cc -O1 -o cryptpeer cryptpeer.c $(pkg-config --cflags --libs srt)
 *
 * Usage:
 *     cryptpeer call   HOST PORT [key=value ...]
 *     cryptpeer listen HOST PORT [key=value ...]
 *     cryptpeer rdv    LOCALHOST LOCALPORT REMOTEHOST REMOTEPORT [key=value ...]
 *
 * HOST is a numeric IPv4 or IPv6 address. Keys:
 *     passphrase=S          SRTO_PASSPHRASE
 *     pbkeylen=N            SRTO_PBKEYLEN (16, 24, 32)
 *     enforcedencryption=0  SRTO_ENFORCEDENCRYPTION
 *     kmrefreshrate=N       SRTO_KMREFRESHRATE (packets per key; set before
 *     kmpreannounce=N       SRTO_KMPREANNOUNCE, which must be <= (N-1)/2)
 *     latency=MS            SRTO_LATENCY
 *     conntimeo=MS          SRTO_CONNTIMEO
 *     role=send|recv        what to do once connected (default: the caller
 *                           and the rendezvous peer send, the listener receives)
 *     count=N size=B interval=MS   messages to send (default 20 x 1316, 10 ms)
 *     linger=MS             wait after the last message before closing (500)
 *     deadline=S            exit with status 3 after S seconds (default 20)
 *
 * Message i (from 0) of B bytes is the corpus generator's chunk: byte j is
 * 'a' + (i + j) % 26, and its start is overwritten by the ASCII prefix
 * "SRTWIRE chunk=%06d size=%d|" (no NUL; cut to B bytes). The receiver checks
 * every message it gets against that pattern (by the chunk number its prefix
 * names) and counts the ones that differ.
 *
 * It prints one line per event on stdout, prefixed "cryptpeer: ":
 *     LISTENING HOST:PORT,
 *     CONNECTED (caller|accepted|rendezvous) pbkeylen=N kmstate=N,
 *     REJECTED reason=N (text)   from srt_getrejectreason on a failed connect,
 *     SENT N messages of B bytes,
 *     RECV ended: ERROR (why srt_recvmsg2 failed),
 *     RECEIVED N messages, B bytes, M bad.
 * Exit status: 0 success, 1 usage or setup error, 2 connection failed or
 * rejected, 3 deadline.
 */
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <srt/srt.h>

struct opts {
    const char *passphrase;
    int pbkeylen;
    int enforced;      /* -1: default */
    int kmrefreshrate; /* -1: default */
    int kmpreannounce; /* -1: default */
    int latency;       /* -1: default */
    int conntimeo;     /* -1: default */
    const char *role;
    int count, size, interval, linger, deadline;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("cryptpeer: ", stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

static void on_alarm(int sig)
{
    static const char m[] = "cryptpeer: DEADLINE\n";
    (void)sig;
    if (write(1, m, sizeof m - 1) < 0) { /* nothing to do */ }
    _exit(3);
}

static void on_term(int sig)
{
    static const char m[] = "cryptpeer: TERMINATED\n";
    (void)sig;
    if (write(1, m, sizeof m - 1) < 0) { /* nothing to do */ }
    _exit(0);
}

static int resolve(const char *host, const char *port, struct sockaddr_storage *ss, int *len)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        say("ERROR bad address %s port %s: %s", host, port, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = (int)res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* chunk fills buf with message i of size bytes (see the header comment). */
static void chunk(char *buf, int i, int size)
{
    char prefix[64];
    for (int j = 0; j < size; j++)
        buf[j] = (char)('a' + (i + j) % 26);
    int n = snprintf(prefix, sizeof prefix, "SRTWIRE chunk=%06d size=%d|", i, size);
    memcpy(buf, prefix, (size_t)(n < size ? n : size));
}

static int setopts(SRTSOCKET s, const struct opts *o)
{
#define SETI(opt, v)                                                              \
    do {                                                                          \
        int val_ = (v);                                                           \
        if (srt_setsockflag(s, opt, &val_, sizeof val_) == SRT_ERROR) {           \
            say("ERROR setting " #opt "=%d: %s", val_, srt_getlasterror_str());   \
            return -1;                                                            \
        }                                                                         \
    } while (0)
    if (o->passphrase &&
        srt_setsockflag(s, SRTO_PASSPHRASE, o->passphrase, (int)strlen(o->passphrase)) == SRT_ERROR) {
        say("ERROR setting SRTO_PASSPHRASE: %s", srt_getlasterror_str());
        return -1;
    }
    if (o->pbkeylen)
        SETI(SRTO_PBKEYLEN, o->pbkeylen);
    if (o->enforced >= 0)
        SETI(SRTO_ENFORCEDENCRYPTION, o->enforced);
    /* KMREFRESHRATE first: KMPREANNOUNCE is checked against it. */
    if (o->kmrefreshrate >= 0)
        SETI(SRTO_KMREFRESHRATE, o->kmrefreshrate);
    if (o->kmpreannounce >= 0)
        SETI(SRTO_KMPREANNOUNCE, o->kmpreannounce);
    if (o->latency >= 0)
        SETI(SRTO_LATENCY, o->latency);
    if (o->conntimeo >= 0)
        SETI(SRTO_CONNTIMEO, o->conntimeo);
    SETI(SRTO_RCVTIMEO, 3000);
    return 0;
#undef SETI
}

static void send_data(SRTSOCKET s, const struct opts *o)
{
    char *buf = malloc((size_t)o->size);
    int sent = 0;
    for (int i = 0; i < o->count; i++) {
        chunk(buf, i, o->size);
        if (srt_sendmsg2(s, buf, o->size, NULL) == SRT_ERROR) {
            say("SEND failed after %d messages: %s", sent, srt_getlasterror_str());
            break;
        }
        sent++;
        if (o->interval > 0)
            usleep((useconds_t)o->interval * 1000);
    }
    free(buf);
    say("SENT %d messages of %d bytes", sent, o->size);
    if (o->linger > 0)
        usleep((useconds_t)o->linger * 1000);
}

static void recv_data(SRTSOCKET s, const struct opts *o)
{
    char buf[1500], want[1500];
    long bytes = 0;
    int msgs = 0, bad = 0;
    while (o->count <= 0 || msgs < o->count) {
        int n = srt_recvmsg2(s, buf, sizeof buf, NULL);
        if (n == SRT_ERROR) {
            say("RECV ended: %s", srt_getlasterror_str());
            break;
        }
        if (n == 0)
            break;
        msgs++;
        bytes += n;
        int i = -1, size = -1;
        char tmp[64];
        int l = n < (int)sizeof tmp - 1 ? n : (int)sizeof tmp - 1;
        memcpy(tmp, buf, (size_t)l);
        tmp[l] = 0;
        if (sscanf(tmp, "SRTWIRE chunk=%d size=%d|", &i, &size) != 2 || i < 0 || size != n) {
            bad++;
            continue;
        }
        chunk(want, i, n);
        if (memcmp(buf, want, (size_t)n) != 0)
            bad++;
    }
    say("RECEIVED %d messages, %ld bytes, %d bad", msgs, bytes, bad);
}

static void connected(SRTSOCKET s, const char *how, const struct opts *o, int sender)
{
    int keylen = 0, kmstate = -1;
    int l = sizeof keylen;
    srt_getsockflag(s, SRTO_PBKEYLEN, &keylen, &l);
    l = sizeof kmstate;
    srt_getsockflag(s, SRTO_KMSTATE, &kmstate, &l);
    say("CONNECTED (%s) pbkeylen=%d kmstate=%d", how, keylen, kmstate);
    if (o->role)
        sender = strcmp(o->role, "send") == 0;
    if (sender)
        send_data(s, o);
    else
        recv_data(s, o);
}

static int connect_failed(SRTSOCKET s)
{
    int r = srt_getrejectreason(s);
    say("connect failed: %s", srt_getlasterror_str());
    say("REJECTED reason=%d (%s)", r, srt_rejectreason_str(r));
    return 2;
}

int main(int argc, char **argv)
{
    struct opts o;
    memset(&o, 0, sizeof o);
    o.enforced = o.kmrefreshrate = o.kmpreannounce = o.latency = o.conntimeo = -1;
    o.count = 20;
    o.size = 1316;
    o.interval = 10;
    o.linger = 500;
    o.deadline = 20;

    if (argc < 4) {
        fprintf(stderr, "usage: cryptpeer call|listen HOST PORT [key=value...] | cryptpeer rdv LHOST LPORT RHOST RPORT [key=value...]\n");
        return 1;
    }
    const char *mode = argv[1];
    int rdv = strcmp(mode, "rdv") == 0;
    int first = rdv ? 6 : 4;
    if (rdv && argc < 6) {
        fprintf(stderr, "cryptpeer rdv needs LHOST LPORT RHOST RPORT\n");
        return 1;
    }
    for (int i = first; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "bad argument %s\n", argv[i]);
            return 1;
        }
        *eq = 0;
        const char *k = argv[i], *v = eq + 1;
        if (!strcmp(k, "passphrase")) o.passphrase = v;
        else if (!strcmp(k, "pbkeylen")) o.pbkeylen = atoi(v);
        else if (!strcmp(k, "enforcedencryption")) o.enforced = atoi(v);
        else if (!strcmp(k, "kmrefreshrate")) o.kmrefreshrate = atoi(v);
        else if (!strcmp(k, "kmpreannounce")) o.kmpreannounce = atoi(v);
        else if (!strcmp(k, "latency")) o.latency = atoi(v);
        else if (!strcmp(k, "conntimeo")) o.conntimeo = atoi(v);
        else if (!strcmp(k, "role")) o.role = v;
        else if (!strcmp(k, "count")) o.count = atoi(v);
        else if (!strcmp(k, "size")) o.size = atoi(v);
        else if (!strcmp(k, "interval")) o.interval = atoi(v);
        else if (!strcmp(k, "linger")) o.linger = atoi(v);
        else if (!strcmp(k, "deadline")) o.deadline = atoi(v);
        else {
            fprintf(stderr, "unknown key %s\n", k);
            return 1;
        }
    }
    if (o.size < 1 || o.size > 1456) {
        fprintf(stderr, "size must be 1..1456\n");
        return 1;
    }

    signal(SIGALRM, on_alarm);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    alarm((unsigned)o.deadline);

    srt_startup();
    srt_setloglevel(3); /* LOG_ERR: keep libsrt's own log short */
    say("libsrt version 0x%06x", srt_getversion());

    struct sockaddr_storage a1, a2;
    int l1, l2;
    if (resolve(argv[2], argv[3], &a1, &l1) < 0)
        return 1;
    if (rdv && resolve(argv[4], argv[5], &a2, &l2) < 0)
        return 1;

    SRTSOCKET s = srt_create_socket();
    if (s == SRT_INVALID_SOCK) {
        say("ERROR srt_create_socket: %s", srt_getlasterror_str());
        return 1;
    }
    if (setopts(s, &o) < 0)
        return 1;

    int rc = 0;
    if (!strcmp(mode, "call")) {
        if (srt_connect(s, (struct sockaddr *)&a1, l1) == SRT_ERROR)
            rc = connect_failed(s);
        else
            connected(s, "caller", &o, 1);
    } else if (!strcmp(mode, "listen")) {
        if (srt_bind(s, (struct sockaddr *)&a1, l1) == SRT_ERROR || srt_listen(s, 5) == SRT_ERROR) {
            say("ERROR bind/listen: %s", srt_getlasterror_str());
            return 1;
        }
        say("LISTENING %s:%s", argv[2], argv[3]);
        struct sockaddr_storage peer;
        int plen = sizeof peer;
        SRTSOCKET c = srt_accept(s, (struct sockaddr *)&peer, &plen);
        if (c == SRT_INVALID_SOCK) {
            say("ERROR srt_accept: %s", srt_getlasterror_str());
            rc = 2;
        } else {
            connected(c, "accepted", &o, 0);
            srt_close(c);
        }
    } else if (rdv) {
        if (srt_rendezvous(s, (struct sockaddr *)&a1, l1, (struct sockaddr *)&a2, l2) == SRT_ERROR)
            rc = connect_failed(s);
        else
            connected(s, "rendezvous", &o, 1);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 1;
    }
    srt_close(s);
    srt_cleanup();
    return rc;
}
