/*
 * loadgen: a small HTTP/1.1 load generator for loopback benchmarks.
 *
 * One thread, epoll, non-blocking keep-alive connections, no pipelining.
 *
 *   open loop  (--rate R): request i is due at t0 + i/R. Its latency is measured
 *              from that intended time, so time spent waiting for a free
 *              connection counts (coordinated-omission correction, as in wrk2).
 *   closed loop (no --rate): every connection sends its next request as soon as
 *              the previous response is complete; latency from the actual send.
 *
 * Prints one JSON line on stdout. Writes "loadgen: measuring" to stderr when the
 * warm-up ends, so a caller can sample process counters at that moment.
 *
 * Build: cc -O2 -Wall -Wextra -o loadgen loadgen.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S 1000000000LL
#define NS_PER_MS 1000000LL
#define HBUF 16384
#define RBUF 65536
#define MAX_HEADERS 64

/* ---------- histogram: log-linear buckets, values in microseconds ---------- */
/* Values below 256 are exact; above, each power of two is split into 128 linear
 * sub-buckets, so a bucket's width is at most 1/128 of its lower bound and the
 * midpoint is within 0.4% of any value in it. */
#define SUB_BITS 7
#define SUB_COUNT (1u << SUB_BITS)
#define LINEAR_MAX (2u * SUB_COUNT)
#define MAX_SHIFT 40u
#define NBUCKETS (LINEAR_MAX + MAX_SHIFT * SUB_COUNT)

static uint64_t hist[NBUCKETS];
static uint64_t hist_count, hist_max;
static double hist_sum;

static unsigned bucket_of(uint64_t v) {
  if (v < LINEAR_MAX) return (unsigned)v;
  unsigned shift = (unsigned)(63 - __builtin_clzll(v)) - SUB_BITS;
  if (shift > MAX_SHIFT) return NBUCKETS - 1;
  return LINEAR_MAX + (shift - 1) * SUB_COUNT + (unsigned)((v >> shift) - SUB_COUNT);
}

static uint64_t bucket_mid(unsigned b) {
  if (b < LINEAR_MAX) return b;
  unsigned shift = (b - LINEAR_MAX) / SUB_COUNT + 1;
  uint64_t lo = (uint64_t)((b - LINEAR_MAX) % SUB_COUNT + SUB_COUNT) << shift;
  return lo + ((1ULL << shift) - 1) / 2;
}

static void hist_record(uint64_t us) {
  hist[bucket_of(us)]++;
  hist_count++;
  hist_sum += (double)us;
  if (us > hist_max) hist_max = us;
}

static uint64_t hist_pct(double p) {
  if (hist_count == 0) return 0;
  uint64_t want = (uint64_t)(p * (double)hist_count + 0.999999);
  if (want < 1) want = 1;
  uint64_t cum = 0;
  for (unsigned b = 0; b < NBUCKETS; b++) {
    cum += hist[b];
    if (cum >= want) {
      uint64_t v = bucket_mid(b);
      return v > hist_max ? hist_max : v;
    }
  }
  return hist_max;
}

/* ---------- options and counters ---------- */
static struct {
  const char *url, *method, *body_file;
  const char *headers[MAX_HEADERS];
  int nheaders, connections;
  double rate, duration, warmup, timeout, drain;
} opt = {NULL, NULL, NULL, {NULL}, 0, 16, 0, 10, 0, 10, 5};

static struct { uint64_t requests, non2xx, connect, io, parse, timeout; } st;

static char *req_buf;
static size_t req_len;
static struct sockaddr_storage addr;
static socklen_t addr_len;
static int ep, tfd;
static volatile sig_atomic_t stop_flag;

/* CPU seconds (user + sys) this process has used so far */
static double self_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}
static double cpu_at_meas;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* ---------- connections and the response parser ---------- */
enum cstate { C_DOWN, C_CONNECTING, C_IDLE, C_BUSY };
enum pstate { P_HEAD, P_BODY_LEN, P_BODY_EOF, P_CHUNK_SIZE, P_CHUNK_DATA, P_CHUNK_END, P_TRAILER };

struct conn {
  int fd, in_fifo, measured, fails, status, close_after;
  uint32_t events; /* the epoll interest set now registered */
  enum cstate state;
  enum pstate ps;
  int64_t t_start, t_sent, retry_at;
  size_t woff, hlen;
  uint64_t remaining;
  char hbuf[HBUF];
};

static struct conn *conns;
static int *fifo; /* idle connections, first in first out */
static int fifo_head, fifo_len;
static int64_t t0, t_meas, t_end, t_last; /* t_last: last measured request done */
static int measuring;

static void fifo_push(struct conn *c) {
  if (c->in_fifo) return;
  c->in_fifo = 1;
  fifo[(fifo_head + fifo_len) % (opt.connections + 1)] = (int)(c - conns);
  fifo_len++;
}

static struct conn *fifo_pop(void) {
  while (fifo_len > 0) {
    struct conn *c = &conns[fifo[fifo_head]];
    fifo_head = (fifo_head + 1) % (opt.connections + 1);
    fifo_len--;
    c->in_fifo = 0;
    if (c->state == C_IDLE) return c;
  }
  return NULL;
}

static void conn_close(struct conn *c, int64_t now, int backoff) {
  if (c->fd >= 0) close(c->fd); /* close() also removes it from the epoll set */
  c->fd = -1;
  c->state = C_DOWN;
  c->retry_at = now + (backoff ? 10 * NS_PER_MS : 0);
}

/* A request in flight failed: count it (if measured) and reconnect. */
static void conn_fail(struct conn *c, int64_t now, uint64_t *counter) {
  if (c->state == C_BUSY && c->measured) (*counter)++;
  if (c->state == C_CONNECTING && measuring) st.connect++;
  c->fails++;
  conn_close(c, now, c->fails > 1);
}

static void conn_open(struct conn *c, int64_t now) {
  c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) { c->fails++; conn_close(c, now, 1); if (measuring) st.connect++; return; }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->state = C_CONNECTING;
  c->t_sent = now;
  c->events = EPOLLOUT;
  struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0 ||
      (connect(c->fd, (struct sockaddr *)&addr, addr_len) < 0 && errno != EINPROGRESS))
    conn_fail(c, now, &st.connect);
}

static void set_events(struct conn *c, uint32_t events) {
  if (c->events == events) return;
  c->events = events;
  struct epoll_event ev = {.events = events, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_write(struct conn *c, int64_t now) {
  while (c->woff < req_len) {
    ssize_t n = send(c->fd, req_buf + c->woff, req_len - c->woff, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) { set_events(c, EPOLLIN | EPOLLOUT); return; }
    if (n <= 0) { conn_fail(c, now, &st.io); return; }
    c->woff += (size_t)n;
  }
  set_events(c, EPOLLIN);
}

static void conn_send(struct conn *c, int64_t t_start, int measured, int64_t now) {
  c->state = C_BUSY;
  c->t_start = t_start;
  c->t_sent = now;
  c->measured = measured;
  c->ps = P_HEAD;
  c->hlen = 0;
  c->woff = 0;
  conn_write(c, now);
}

/* Appends input to hbuf until a line ends (or, for the head, an empty line).
 * Returns bytes consumed; sets *done. -1 if the line does not fit. */
static ssize_t take_until(struct conn *c, const char *p, size_t n, const char *term, int *done) {
  size_t tl = strlen(term), old = c->hlen, room = HBUF - 1 - c->hlen, take = n < room ? n : room;
  memcpy(c->hbuf + c->hlen, p, take);
  c->hlen += take;
  c->hbuf[c->hlen] = 0;
  size_t from = old >= tl ? old - tl + 1 : 0;
  char *e = memmem(c->hbuf + from, c->hlen - from, term, tl);
  if (!e) { *done = 0; return c->hlen >= HBUF - 1 ? -1 : (ssize_t)take; }
  *done = 1;
  size_t end = (size_t)(e - c->hbuf) + tl;
  c->hlen = end;
  c->hbuf[end] = 0;
  return (ssize_t)(end - old);
}

static int header_is(const char *line, const char *name, const char **value) {
  size_t nl = strlen(name);
  if (strncasecmp(line, name, nl) != 0 || line[nl] != ':') return 0;
  const char *v = line + nl + 1;
  while (*v == ' ' || *v == '\t') v++;
  *value = v;
  return 1;
}

/* Parses the status line and headers in hbuf; picks the body framing. */
static int parse_head(struct conn *c) {
  int minor;
  if (sscanf(c->hbuf, "HTTP/1.%d %3d", &minor, &c->status) != 2) return -1;
  int chunked = 0, has_len = 0;
  c->close_after = minor == 0;
  for (char *line = strstr(c->hbuf, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
    const char *v, *hdr = line + 2;
    if (header_is(hdr, "content-length", &v)) {
      char *endp;
      c->remaining = strtoull(v, &endp, 10);
      if (endp == v) return -1;
      has_len = 1;
    } else if (header_is(hdr, "transfer-encoding", &v)) {
      const char *eol = strstr(v, "\r\n"), *ch = strcasestr(v, "chunked");
      chunked = ch && ch < eol;
    } else if (header_is(hdr, "connection", &v)) {
      const char *eol = strstr(v, "\r\n"), *cl = strcasestr(v, "close");
      if (cl && cl < eol) c->close_after = 1;
    }
  }
  c->hlen = 0;
  if (c->status >= 100 && c->status < 200) { c->ps = P_HEAD; return 0; }
  if (c->status == 204 || c->status == 304 || (has_len && c->remaining == 0 && !chunked)) return 1;
  c->ps = chunked ? P_CHUNK_SIZE : has_len ? P_BODY_LEN : P_BODY_EOF;
  if (!chunked && !has_len) c->close_after = 1;
  return 0;
}

/* Feeds received bytes to the parser. Returns 1 when the response is complete,
 * 0 if more is needed, -1 on a protocol error. */
static int parse(struct conn *c, const char *p, size_t n) {
  while (n > 0) {
    int done = 0;
    ssize_t used = 0;
    switch (c->ps) {
    case P_HEAD:
      if ((used = take_until(c, p, n, "\r\n\r\n", &done)) < 0) return -1;
      if (done) {
        int r = parse_head(c);
        if (r != 0) return r < 0 ? -1 : ((size_t)used == n ? 1 : -1);
      }
      break;
    case P_BODY_LEN:
    case P_CHUNK_DATA:
      used = (ssize_t)(n < c->remaining ? n : c->remaining);
      c->remaining -= (uint64_t)used;
      if (c->remaining == 0) {
        if (c->ps == P_BODY_LEN) return (size_t)used == n ? 1 : -1;
        c->ps = P_CHUNK_END;
      }
      break;
    case P_BODY_EOF:
      used = (ssize_t)n;
      break;
    case P_CHUNK_SIZE:
    case P_CHUNK_END:
    case P_TRAILER:
      if ((used = take_until(c, p, n, "\r\n", &done)) < 0) return -1;
      if (!done) break;
      if (c->ps == P_CHUNK_SIZE) {
        char *endp;
        c->remaining = strtoull(c->hbuf, &endp, 16);
        if (endp == c->hbuf) return -1;
        c->ps = c->remaining == 0 ? P_TRAILER : P_CHUNK_DATA;
      } else if (c->ps == P_CHUNK_END) {
        if (c->hlen != 2) return -1;
        c->ps = P_CHUNK_SIZE;
      } else if (c->hlen == 2) {
        return (size_t)used == n ? 1 : -1; /* empty line ends the trailers */
      }
      c->hlen = 0;
      break;
    }
    p += used;
    n -= (size_t)used;
  }
  return 0;
}

static void on_idle(struct conn *c, int64_t now);

static void on_response(struct conn *c, int64_t now) {
  c->fails = 0;
  int in_window = opt.rate > 0 ? c->measured : (c->t_start >= t_meas && now <= t_end);
  if (in_window) {
    st.requests++;
    t_last = now;
    if (c->status < 200 || c->status > 299) st.non2xx++;
    hist_record((uint64_t)((now - c->t_start + 500) / 1000));
  }
  if (c->close_after) { conn_close(c, now, 0); return; }
  c->state = C_IDLE;
  on_idle(c, now);
}

static void on_readable(struct conn *c, int64_t now) {
  static char rbuf[RBUF];
  for (;;) {
    ssize_t n = recv(c->fd, rbuf, sizeof rbuf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      if (c->state == C_BUSY && c->ps == P_BODY_EOF) { c->close_after = 1; on_response(c, now); return; }
      if (c->state == C_BUSY) conn_fail(c, now, &st.io);
      else conn_close(c, now, 0); /* the server closed an idle keep-alive connection */
      return;
    }
    if (c->state != C_BUSY) { conn_fail(c, now, &st.parse); return; }
    int r = parse(c, rbuf, (size_t)n);
    if (r < 0) { conn_fail(c, now, &st.parse); return; }
    if (r > 0) { on_response(c, now); return; }
  }
}

/* ---------- scheduling ---------- */
static uint64_t next_send, i_meas, i_end; /* open loop: request indices */

static int64_t intended(uint64_t i) { return t0 + (int64_t)((double)i * (double)NS_PER_S / opt.rate); }

static void dispatch(int64_t now) {
  while (next_send < i_end && intended(next_send) <= now) {
    struct conn *c = fifo_pop();
    if (!c) return;
    conn_send(c, intended(next_send), next_send >= i_meas, now);
    next_send++;
  }
}

static void on_idle(struct conn *c, int64_t now) {
  if (opt.rate > 0) { fifo_push(c); dispatch(now); }
  else if (now < t_end && !stop_flag) conn_send(c, now, 1, now);
}

static void on_event(struct conn *c, uint32_t events, int64_t now) {
  if (c->state == C_CONNECTING) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) { conn_fail(c, now, &st.connect); return; }
    c->state = C_IDLE;
    set_events(c, EPOLLIN);
    on_idle(c, now);
    return;
  }
  if ((events & EPOLLOUT) && c->state == C_BUSY && c->woff < req_len) conn_write(c, now);
  if (c->fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c, now);
}

/* Reconnects, expires requests past --timeout; returns the next wake-up time. */
static int64_t housekeeping(int64_t now, int64_t wake, int64_t reconnect_until) {
  int64_t tmo = (int64_t)(opt.timeout * NS_PER_S);
  for (int i = 0; i < opt.connections; i++) {
    struct conn *c = &conns[i];
    if (c->state == C_DOWN && now < reconnect_until) {
      if (c->retry_at <= now) conn_open(c, now);
      else if (c->retry_at < wake) wake = c->retry_at;
    }
    if ((c->state == C_BUSY || c->state == C_CONNECTING) && now - c->t_sent > tmo) {
      if (c->state == C_BUSY) conn_fail(c, now, &st.timeout);
      else conn_fail(c, now, &st.connect);
    }
  }
  return wake;
}

static uint64_t in_flight_measured(void) {
  uint64_t n = 0;
  for (int i = 0; i < opt.connections; i++) n += conns[i].state == C_BUSY && conns[i].measured;
  return n;
}

/* Waits for events, or until the absolute time wake: a timerfd in the epoll set
 * (nanosecond resolution, no timer slack) fires then. */
static int wait_until(struct epoll_event *evs, int max, int64_t wake, int64_t *armed) {
  if (wake != *armed) {
    struct itimerspec its = {.it_value = {.tv_sec = wake / NS_PER_S, .tv_nsec = wake % NS_PER_S}};
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
    *armed = wake;
  }
  int n = epoll_wait(ep, evs, max, -1);
  return n < 0 ? 0 : n; /* EINTR: the caller checks stop_flag */
}

static void run(void) {
  struct epoll_event evs[256];
  int64_t armed = -1, drain_end = 0;
  t0 = now_ns();
  t_meas = t0 + (int64_t)(opt.warmup * NS_PER_S);
  t_end = t_meas + (int64_t)(opt.duration * NS_PER_S);
  drain_end = t_end + (int64_t)(opt.drain * NS_PER_S);
  if (opt.rate > 0) {
    i_meas = (uint64_t)(opt.warmup * opt.rate + 0.5);
    i_end = (uint64_t)((opt.warmup + opt.duration) * opt.rate + 0.5);
  }
  for (int i = 0; i < opt.connections; i++) conns[i].fd = -1, conns[i].state = C_DOWN;
  for (;;) {
    int64_t now = now_ns();
    if (!measuring && now >= t_meas) {
      measuring = 1;
      cpu_at_meas = self_cpu();
      fputs("loadgen: measuring\n", stderr);
    }
    if (stop_flag) break;
    if (opt.rate > 0) {
      dispatch(now);
      if (now >= t_end && (next_send >= i_end && in_flight_measured() == 0)) break;
      if (now >= drain_end) break;
    } else if (now >= t_end) {
      break;
    }
    int64_t wake = now + 50 * NS_PER_MS;
    if (!measuring && t_meas < wake) wake = t_meas;
    if (t_end > now && t_end < wake) wake = t_end;
    if (opt.rate > 0 && next_send < i_end && fifo_len > 0 && intended(next_send) < wake) wake = intended(next_send);
    wake = housekeeping(now, wake, opt.rate > 0 ? drain_end : t_end);
    int n = wait_until(evs, 256, wake, &armed);
    now = now_ns();
    for (int i = 0; i < n; i++) {
      if (evs[i].data.ptr == NULL) {
        uint64_t ticks;
        if (read(tfd, &ticks, sizeof ticks) < 0) { /* spurious wake-up */ }
        armed = -1;
      } else {
        on_event(evs[i].data.ptr, evs[i].events, now);
      }
    }
  }
  if (opt.rate > 0) { /* requests of the window never sent or never answered */
    uint64_t first_unsent = next_send > i_meas ? next_send : i_meas;
    st.timeout += (i_end > first_unsent ? i_end - first_unsent : 0) + in_flight_measured();
  }
}

/* ---------- setup and output ---------- */
static void die(const char *msg, const char *arg) {
  fprintf(stderr, "loadgen: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
  exit(2);
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  struct stat sb;
  if (!f || fstat(fileno(f), &sb) < 0) die("cannot read", path);
  char *buf = malloc((size_t)sb.st_size + 1);
  if (!buf || fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) die("cannot read", path);
  fclose(f);
  *len = (size_t)sb.st_size;
  return buf;
}

static void build_request(void) {
  char host[256], port[8] = "80";
  const char *path = "/", *u = opt.url;
  if (!u || strncmp(u, "http://", 7) != 0) die("--url must start with http://", u);
  u += 7;
  size_t hl = strcspn(u, ":/");
  if (hl == 0 || hl >= sizeof host) die("bad host in --url", opt.url);
  memcpy(host, u, hl);
  host[hl] = 0;
  u += hl;
  if (*u == ':') {
    size_t pl = strcspn(++u, "/");
    if (pl == 0 || pl >= sizeof port) die("bad port in --url", opt.url);
    memcpy(port, u, pl);
    port[pl] = 0;
    u += pl;
  }
  if (*u == '/') path = u;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
  if (getaddrinfo(host, port, &hints, &ai) != 0) die("cannot resolve", host);
  memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
  addr_len = ai->ai_addrlen;
  freeaddrinfo(ai);

  size_t body_len = 0;
  char *body = opt.body_file ? read_file(opt.body_file, &body_len) : NULL;
  const char *method = opt.method ? opt.method : body ? "POST" : "GET";
  size_t cap = 1024 + strlen(path) + body_len;
  int has_host = 0;
  for (int i = 0; i < opt.nheaders; i++) {
    cap += strlen(opt.headers[i]) + 2;
    has_host |= strncasecmp(opt.headers[i], "host:", 5) == 0;
  }
  req_buf = malloc(cap);
  if (!req_buf) die("out of memory", NULL);
  int n = snprintf(req_buf, cap, "%s %s HTTP/1.1\r\n", method, path);
  if (!has_host) n += snprintf(req_buf + n, cap - (size_t)n, "Host: %s:%s\r\n", host, port);
  for (int i = 0; i < opt.nheaders; i++) n += snprintf(req_buf + n, cap - (size_t)n, "%s\r\n", opt.headers[i]);
  if (body) n += snprintf(req_buf + n, cap - (size_t)n, "Content-Length: %zu\r\n", body_len);
  n += snprintf(req_buf + n, cap - (size_t)n, "\r\n");
  if (body) memcpy(req_buf + n, body, body_len);
  req_len = (size_t)n + body_len;
  free(body);
}

static double num_arg(const char *name, const char *v, double lo, double hi) {
  char *end;
  double d = v ? strtod(v, &end) : 0;
  if (!v || *end || d < lo || d > hi) die("bad value for", name);
  return d;
}

static void usage(void) {
  fputs("usage: loadgen --url http://HOST:PORT/PATH [--rate R] [--duration S] [--warmup S]\n"
        "               [--connections C] [--method M] [--header 'K: V']... [--body-file F]\n"
        "               [--timeout S] [--drain S]\n"
        "  with --rate: open loop at R req/s, latency from the intended send time\n"
        "  without:     closed loop, each connection sends back to back\n", stderr);
  exit(2);
}

static void on_signal(int sig) { (void)sig; stop_flag = 1; }

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) usage();
    if (!v) die("missing value for", a);
    i++;
    if (!strcmp(a, "--url")) opt.url = v;
    else if (!strcmp(a, "--method")) opt.method = v;
    else if (!strcmp(a, "--body-file")) opt.body_file = v;
    else if (!strcmp(a, "--header")) {
      if (opt.nheaders == MAX_HEADERS || !strchr(v, ':')) die("bad --header", v);
      opt.headers[opt.nheaders++] = v;
    } else if (!strcmp(a, "--connections")) opt.connections = (int)num_arg(a, v, 1, 10000);
    else if (!strcmp(a, "--rate")) opt.rate = num_arg(a, v, 0.001, 1e6);
    else if (!strcmp(a, "--duration")) opt.duration = num_arg(a, v, 0.01, 3600);
    else if (!strcmp(a, "--warmup")) opt.warmup = num_arg(a, v, 0, 600);
    else if (!strcmp(a, "--timeout")) opt.timeout = num_arg(a, v, 0.001, 600);
    else if (!strcmp(a, "--drain")) opt.drain = num_arg(a, v, 0, 600);
    else die("unknown option", a);
  }
  build_request();
  conns = calloc((size_t)opt.connections, sizeof *conns);
  fifo = calloc((size_t)opt.connections + 1, sizeof *fifo);
  ep = epoll_create1(EPOLL_CLOEXEC);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (!conns || !fifo || ep < 0 || tfd < 0) die("setup failed", strerror(errno));
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  run();

  /* An overloaded target answers the window's requests after it ends: the rate is
   * what was answered over the time it took. */
  double dur = opt.duration;
  if (opt.rate > 0 && t_last > t_end) dur = (double)(t_last - t_meas) / (double)NS_PER_S;
  double cpu = self_cpu() - cpu_at_meas;
  uint64_t errors = st.connect + st.io + st.parse + st.timeout;
  printf("{\"mode\":\"%s\",\"target_rps\":%.3f,\"connections\":%d,\"requests\":%llu,\"errors\":%llu,"
         "\"non2xx\":%llu,\"errors_detail\":{\"connect\":%llu,\"io\":%llu,\"parse\":%llu,\"timeout\":%llu},"
         "\"duration_s\":%.3f,\"rps\":%.1f,\"latency_us\":{\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,"
         "\"p999\":%llu,\"max\":%llu,\"mean\":%.1f},\"cpu_s\":%.3f}\n",
         opt.rate > 0 ? "open" : "closed", opt.rate, opt.connections, (unsigned long long)st.requests,
         (unsigned long long)errors, (unsigned long long)st.non2xx, (unsigned long long)st.connect,
         (unsigned long long)st.io, (unsigned long long)st.parse, (unsigned long long)st.timeout, dur,
         (double)st.requests / dur, (unsigned long long)hist_pct(0.50), (unsigned long long)hist_pct(0.90),
         (unsigned long long)hist_pct(0.99), (unsigned long long)hist_pct(0.999), (unsigned long long)hist_max,
         hist_count ? hist_sum / (double)hist_count : 0.0, cpu);
  return 0;
}
