/*
 * peer.c: a small SRT peer written against libsrt's C API, for srtwire's
 * interop tests (go test -tags interop ./interop/). The tests build it with
 *
 *     cc -O1 -o peer peer.c $(pkg-config --cflags --libs srt)
 *
 * Usage:
 *     peer call   HOST PORT [key=value ...]
 *     peer listen HOST PORT [key=value ...]
 *     peer rdv    LOCALHOST LOCALPORT REMOTEHOST REMOTEPORT [key=value ...]
 *
 * HOST is a numeric IPv4 or IPv6 address. Keys:
 *     passphrase=S          SRTO_PASSPHRASE
 *     pbkeylen=N            SRTO_PBKEYLEN (16, 24, 32)
 *     enforcedencryption=0  SRTO_ENFORCEDENCRYPTION
 *     streamid=S            SRTO_STREAMID (caller)
 *     transtype=live|file   SRTO_TRANSTYPE
 *     packetfilter=S        SRTO_PACKETFILTER (e.g. fec,cols:4,rows:2)
 *     latency=MS            SRTO_LATENCY
 *     conntimeo=MS          SRTO_CONNTIMEO
 *     cb=1                  listener: install a listen callback that rejects
 *                           by Stream ID (see listen_cb)
 *     role=send|recv        what to do once connected (default: the caller
 *                           and the rendezvous peer send, the listener receives)
 *     count=N size=B interval=MS   messages to send (default 20 x 1316, 10 ms)
 *     linger=MS             wait after the last message before closing (300)
 *     deadline=S            exit with status 3 after S seconds (default 20)
 *
 * It prints one line per event on stdout, prefixed "peer: ":
 *     LISTENING HOST:PORT, CALLBACK sid='...' -> accept|reject N|reject, no reason,
 *     CONNECTED (caller|accepted|rendezvous) streamid='...',
 *     REJECTED reason=N (text)   from srt_getrejectreason on a failed connect,
 *     SENT N messages of B bytes, RECEIVED N messages, B bytes.
 * Exit status: 0 success, 1 usage or setup error, 2 connection failed or
 * rejected, 3 deadline.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <srt/srt.h>

struct opts {
    const char *passphrase;
    int pbkeylen;
    int enforced; /* -1: default */
    const char *streamid;
    const char *transtype;
    const char *packetfilter;
    int latency;   /* -1: default */
    int conntimeo; /* -1: default */
    int cb;
    const char *role;
    int count, size, interval, linger, deadline;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("peer: ", stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

static void on_alarm(int sig)
{
    static const char m[] = "peer: DEADLINE\n";
    (void)sig;
    if (write(1, m, sizeof m - 1) < 0) { /* nothing to do */ }
    _exit(3);
}

static void on_term(int sig)
{
    static const char m[] = "peer: TERMINATED\n";
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

/* value of key k in a "#!::k=v,k=v" Stream ID, copied to out; 0 if absent */
static int sid_get(const char *sid, const char *k, char *out, size_t outlen)
{
    if (sid == NULL || strncmp(sid, "#!::", 4) != 0)
        return 0;
    size_t kl = strlen(k);
    const char *p = sid + 4;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > kl && strncmp(p, k, kl) == 0 && p[kl] == '=') {
            size_t vl = n - kl - 1;
            if (vl >= outlen)
                vl = outlen - 1;
            memcpy(out, p + kl + 1, vl);
            out[vl] = 0;
            return 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/*
 * listen_cb rejects by Stream ID, on the resource key r:
 *   r=forbidden...  -> srt_setrejectreason(1403) (SRT_REJX_FORBIDDEN)
 *   r=userNNNN      -> srt_setrejectreason(NNNN), for any number
 *   r=noreason      -> reject without setting a reason
 *   anything else   -> accept
 */
static int listen_cb(void *opaq, SRTSOCKET ns, int hsversion, const struct sockaddr *peeraddr, const char *streamid)
{
    char r[600];
    (void)opaq;
    (void)peeraddr;
    if (sid_get(streamid, "r", r, sizeof r)) {
        int code = -1;
        if (strncmp(r, "forbidden", 9) == 0)
            code = 1403;
        else if (strncmp(r, "user", 4) == 0 && r[4] >= '0' && r[4] <= '9')
            code = atoi(r + 4);
        else if (strcmp(r, "noreason") == 0) {
            say("CALLBACK hsv=%d sid='%s' -> reject, no reason set", hsversion, streamid);
            return -1;
        }
        if (code >= 0) {
            srt_setrejectreason(ns, code);
            say("CALLBACK hsv=%d sid='%s' -> reject %d", hsversion, streamid, code);
            return -1;
        }
    }
    say("CALLBACK hsv=%d sid='%s' -> accept", hsversion, streamid ? streamid : "");
    return 0;
}

static int setopts(SRTSOCKET s, const struct opts *o, int caller)
{
#define SETI(opt, v)                                                              \
    do {                                                                          \
        int val_ = (v);                                                           \
        if (srt_setsockflag(s, opt, &val_, sizeof val_) == SRT_ERROR) {           \
            say("ERROR setting " #opt ": %s", srt_getlasterror_str());            \
            return -1;                                                            \
        }                                                                         \
    } while (0)
#define SETS(opt, v)                                                              \
    do {                                                                          \
        if (srt_setsockflag(s, opt, (v), (int)strlen(v)) == SRT_ERROR) {          \
            say("ERROR setting " #opt ": %s", srt_getlasterror_str());            \
            return -1;                                                            \
        }                                                                         \
    } while (0)
    if (o->transtype && strcmp(o->transtype, "file") == 0)
        SETI(SRTO_TRANSTYPE, SRTT_FILE);
    if (o->passphrase)
        SETS(SRTO_PASSPHRASE, o->passphrase);
    if (o->pbkeylen)
        SETI(SRTO_PBKEYLEN, o->pbkeylen);
    if (o->enforced >= 0)
        SETI(SRTO_ENFORCEDENCRYPTION, o->enforced);
    if (o->packetfilter)
        SETS(SRTO_PACKETFILTER, o->packetfilter);
    if (o->latency >= 0)
        SETI(SRTO_LATENCY, o->latency);
    if (o->conntimeo >= 0)
        SETI(SRTO_CONNTIMEO, o->conntimeo);
    if (caller && o->streamid)
        SETS(SRTO_STREAMID, o->streamid);
    SETI(SRTO_RCVTIMEO, 3000);
    return 0;
#undef SETI
#undef SETS
}

static int is_file(const struct opts *o)
{
    return o->transtype && strcmp(o->transtype, "file") == 0;
}

static void send_data(SRTSOCKET s, const struct opts *o)
{
    char *buf = malloc((size_t)o->size + 1);
    int sent = 0;
    for (int i = 0; i < o->count; i++) {
        for (int j = 0; j < o->size; j++)
            buf[j] = (char)('a' + (i + j) % 26);
        snprintf(buf, (size_t)o->size + 1 < 24 ? (size_t)o->size + 1 : 24, "SRTWIRE msg=%06d ", i);
        int n = is_file(o) ? srt_send(s, buf, o->size) : srt_sendmsg2(s, buf, o->size, NULL);
        if (n == SRT_ERROR) {
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
    char buf[1500 * 2];
    long bytes = 0;
    int msgs = 0;
    while (o->count <= 0 || msgs < o->count) {
        int n = is_file(o) ? srt_recv(s, buf, sizeof buf) : srt_recvmsg2(s, buf, sizeof buf, NULL);
        if (n == SRT_ERROR || n == 0)
            break;
        msgs++;
        bytes += n;
    }
    say("RECEIVED %d messages, %ld bytes", msgs, bytes);
}

static void work(SRTSOCKET s, const struct opts *o, int sender)
{
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
    o.enforced = -1;
    o.latency = -1;
    o.conntimeo = -1;
    o.count = 20;
    o.size = 1316;
    o.interval = 10;
    o.linger = 300;
    o.deadline = 20;

    if (argc < 4) {
        fprintf(stderr, "usage: peer call|listen HOST PORT [key=value...] | peer rdv LHOST LPORT RHOST RPORT [key=value...]\n");
        return 1;
    }
    const char *mode = argv[1];
    int rdv = strcmp(mode, "rdv") == 0;
    int first = rdv ? 6 : 4;
    if (rdv && argc < 6) {
        fprintf(stderr, "peer rdv needs LHOST LPORT RHOST RPORT\n");
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
        else if (!strcmp(k, "streamid")) o.streamid = v;
        else if (!strcmp(k, "transtype")) o.transtype = v;
        else if (!strcmp(k, "packetfilter")) o.packetfilter = v;
        else if (!strcmp(k, "latency")) o.latency = atoi(v);
        else if (!strcmp(k, "conntimeo")) o.conntimeo = atoi(v);
        else if (!strcmp(k, "cb")) o.cb = atoi(v);
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

    int rc = 0;
    if (!strcmp(mode, "call")) {
        if (setopts(s, &o, 1) < 0)
            return 1;
        if (srt_connect(s, (struct sockaddr *)&a1, l1) == SRT_ERROR) {
            rc = connect_failed(s);
        } else {
            say("CONNECTED (caller) streamid='%s'", o.streamid ? o.streamid : "");
            work(s, &o, 1);
        }
    } else if (!strcmp(mode, "listen")) {
        if (setopts(s, &o, 0) < 0)
            return 1;
        if (srt_bind(s, (struct sockaddr *)&a1, l1) == SRT_ERROR || srt_listen(s, 5) == SRT_ERROR) {
            say("ERROR bind/listen: %s", srt_getlasterror_str());
            return 1;
        }
        if (o.cb && srt_listen_callback(s, listen_cb, NULL) == SRT_ERROR) {
            say("ERROR srt_listen_callback: %s", srt_getlasterror_str());
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
            char sid[600] = "";
            int sl = sizeof sid - 1;
            if (srt_getsockflag(c, SRTO_STREAMID, sid, &sl) == SRT_ERROR)
                sl = 0;
            sid[sl] = 0;
            say("CONNECTED (accepted) streamid='%s'", sid);
            work(c, &o, 0);
            srt_close(c);
        }
    } else if (rdv) {
        if (setopts(s, &o, 1) < 0)
            return 1;
        if (srt_rendezvous(s, (struct sockaddr *)&a1, l1, (struct sockaddr *)&a2, l2) == SRT_ERROR) {
            rc = connect_failed(s);
        } else {
            say("CONNECTED (rendezvous)");
            work(s, &o, 1);
        }
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 1;
    }
    srt_close(s);
    srt_cleanup();
    return rc;
}
