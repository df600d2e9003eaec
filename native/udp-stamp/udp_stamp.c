// udp_stamp: a UDP socket whose datagrams carry the kernel's receive timestamp.
//
// Node's dgram exposes neither SO_TIMESTAMPNS nor recvmsg's ancillary data, so a JS receiver can
// only stamp a datagram when its callback runs: after the kernel woke the process and libuv got
// round to it (tens of µs on an idle VM, milliseconds under load). With SO_TIMESTAMPNS the kernel
// stamps each datagram (CLOCK_REALTIME) when it is queued to the socket; on loopback that happens
// inside the sender's sendmsg, before the receiver is even woken.
//
// JS API (wrapped by src/net/stamped-socket.ts):
//   open(address, port, rcvbufBytes, onMessage(buf, address, port, arrivalMonoNs | null), onError?, reuseAddr?)
//     → handle; reuseAddr sets SO_REUSEADDR (several workers of one host bind one group's port); a non-blocking socket of the address's family, bound, polled on Node's loop.
//   info(handle) → { address, port, family, rcvbuf, unstamped, txLost, drops, dropsFrom }
//     drops: datagrams the kernel dropped at this socket (receive queue full), or null with
//     dropsFrom naming why; read with SO_MEMINFO (the socket's own counter, now), else the last
//     SO_RXQ_OVFL value a datagram carried (drops before that datagram only).
//   send(handle, buf, port, address, stampThis?) → bytes sent (synchronous sendto; EAGAIN is an error)
//   joinGroup(handle, group, iface)  IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP on the interface named by
//     iface: "" (the kernel's choice by route), a local address, or an interface name.
//   multicastSend(handle, ttl, iface)  IP(V6)_MULTICAST_TTL/HOPS and _IF for datagrams sent to a
//     group, loopback delivery on (workers on the sending host hear the group too).
//   enableTxStamps(handle, onlyAsked?) asks the kernel for a software transmit stamp of every
//     datagram this socket sends (SO_TIMESTAMPING TX_SOFTWARE, OPT_ID, OPT_TSONLY); the k-th
//     datagram sent after it (k = 0, 1, …, counting successful send() calls) gets id k. onlyAsked:
//     only of the datagrams sent with send(…, stampThis = true) (a per-sendmsg control message);
//     their ids then count stamped datagrams on recent kernels, all datagrams on older ones.
//     Throws when the kernel refuses.
//   txStamps(handle) → [id0, monoNs0, id1, monoNs1, …]: the transmit stamps collected so far
//     (oldest first), moved to CLOCK_MONOTONIC like arrival stamps, and forgets them. It first
//     drains the error queue without blocking; the poll drains it too (POLLERR), so a caller that
//     never asks loses nothing but the oldest stamps beyond TX_RING.
//   setRecvPause(handle, ms)  when datagrams come faster than one per `ms`, rest the poll `ms` after
//     each wake-up's drain: what arrives meanwhile waits in the receive queue, kernel-stamped, and
//     is read in one wake-up (0, the default: never rest). The arrival stamps are the same; only
//     the callbacks come up to `ms` later.
//   close(handle)  stops the poll and closes the fd; no callback runs after it returns.
//   mapShared(path, length) → ArrayBuffer over the first `length` bytes of the file, mapped
//     read-only and MAP_SHARED (a daemon's shared-memory segment, e.g. ChronoTick's): reads see the
//     writer's stores with no system call; unmapped when the ArrayBuffer is collected.
// Errors are JS exceptions: "<what>: <strerror> (<ERRNO>)" with err.code = "<ERRNO>".
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/sock_diag.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 16          // datagrams per recvmmsg call
#define DRAIN_BATCHES 4   // recvmmsg calls per wake-up at most: 64 datagrams, then the loop turns
#define SLOT 65536        // bytes per datagram slot: any UDP payload fits, nothing is truncated
#define MAX_AGE_NS 10000000000LL  // a stamp older than 10 s (or in the future) is not believed
#define TX_RING 1024      // transmit stamps kept until txStamps() takes them; the oldest go first

typedef struct {
  napi_env env;
  int fd;
  int family;
  int closed;        // close() called: no more callbacks
  int uv_closed;     // libuv released the poll handle
  int finalized;     // the JS handle object was collected
  uv_poll_t poll;
  // setRecvPause: when datagrams come faster than one per pause_ms, the poll rests that long after
  // a wake-up's drain (a timer), so what arrives meanwhile is read in one wake-up instead of one
  // each; 0: never rests.
  unsigned pause_ms;
  int64_t last_wake_ns;  // CLOCK_MONOTONIC of the previous wake-up that read and drained the queue
  int pausing;          // the poll is stopped and the timer runs
  int timer_closed;     // libuv released the timer handle
  uv_timer_t pause;
  napi_ref self;     // the JS handle object, held while open so an open socket is not collected
  napi_ref on_message;
  napi_ref on_error; // may be NULL
  napi_async_context actx;
  uint64_t unstamped;  // datagrams without a usable kernel stamp
  int rxq_ovfl;        // SO_RXQ_OVFL is on: datagrams carry the socket's drop count
  uint32_t ovfl_last;  // the latest drop count a datagram carried (the counter only grows)
  // Source address of the previous datagram and its JS string: a worker hears one coordinator,
  // so the string is made once instead of once per datagram.
  struct sockaddr_storage last_addr;
  socklen_t last_len;
  napi_ref last_str;
  int last_port;
  // recvmmsg buffers
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_storage from[BATCH];
  char ctrl[BATCH][CMSG_SPACE(sizeof(struct timespec)) + 64];
  char *data;  // BATCH * SLOT bytes
  // Transmit stamps (enableTxStamps): a ring of (OPT_ID id, CLOCK_MONOTONIC ns).
  int tx_on;
  uint32_t tx_id[TX_RING];
  int64_t tx_mono[TX_RING];
  unsigned tx_head, tx_count;
  uint64_t tx_lost;  // stamps overwritten before txStamps() took them, or not believable
} sock_t;

// ---- errors ---------------------------------------------------------------------------------

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[320];
  const char *name = uv_err_name(uv_translate_sys_error(err));
  snprintf(msg, sizeof msg, "%s: %s (%s)", what, strerror(err), name);
  napi_throw_error(env, name, msg);
  return NULL;
}

static napi_value throw_msg(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

// ---- addresses ------------------------------------------------------------------------------

// Parse a numeric IPv4/IPv6 address (host names are resolved in JS). On an IPv6 socket an IPv4
// address becomes ::ffff:a.b.c.d, as Node's dgram does.
static int parse_addr(const char *s, int port, int family, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct in_addr a4;
  struct in6_addr a6;
  if (inet_pton(AF_INET, s, &a4) == 1) {
    if (family == AF_INET6) {
      char mapped[64];
      snprintf(mapped, sizeof mapped, "::ffff:%s", s);
      if (inet_pton(AF_INET6, mapped, &a6) != 1) return -1;
    } else {
      struct sockaddr_in *sin = (struct sockaddr_in *)ss;
      sin->sin_family = AF_INET;
      sin->sin_port = htons((uint16_t)port);
      sin->sin_addr = a4;
      *len = sizeof *sin;
      return 0;
    }
  } else if (inet_pton(AF_INET6, s, &a6) != 1 || family == AF_INET) {
    return -1;
  }
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons((uint16_t)port);
  sin6->sin6_addr = a6;
  *len = sizeof *sin6;
  return 0;
}

static void format_addr(const struct sockaddr_storage *ss, char *out, size_t n, int *port) {
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &sin->sin_addr, out, (socklen_t)n);
    *port = ntohs(sin->sin_port);
  } else {
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
    inet_ntop(AF_INET6, &sin6->sin6_addr, out, (socklen_t)n);
    *port = ntohs(sin6->sin6_port);
  }
}

static napi_value get_string(napi_env env, napi_value v, char *buf, size_t n, const char *what) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, n, &len) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be a string", what);
    return throw_msg(env, "ERR_INVALID_ARG_TYPE", msg);
  }
  return v;
}

static int64_t ts_ns(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec; }

// ---- lifetime -------------------------------------------------------------------------------

static void maybe_free(sock_t *s) {
  if (s->uv_closed && s->timer_closed && s->finalized) { free(s->data); free(s); }
}

static void on_timer_closed(uv_handle_t *h) {
  sock_t *s = (sock_t *)h->data;
  s->timer_closed = 1;
  maybe_free(s);
}

static void on_uv_closed(uv_handle_t *h) {
  sock_t *s = (sock_t *)h->data;
  // The async context is destroyed here, not in close(): close() may run inside a callback scope
  // that still uses it. A handle finalized before it was closed is only seen at the environment's
  // teardown (an open socket holds its handle object), when no JS call may be made any more.
  napi_handle_scope hs;
  if (!s->finalized && napi_open_handle_scope(s->env, &hs) == napi_ok) {
    napi_async_destroy(s->env, s->actx);
    napi_close_handle_scope(s->env, hs);
  }
  s->uv_closed = 1;
  maybe_free(s);
}

static void do_close(sock_t *s) {
  if (s->closed) return;
  s->closed = 1;
  uv_poll_stop(&s->poll);
  close(s->fd);
  s->fd = -1;
  if (!s->timer_closed) { uv_timer_stop(&s->pause); uv_close((uv_handle_t *)&s->pause, on_timer_closed); }
  uv_close((uv_handle_t *)&s->poll, on_uv_closed);
  napi_delete_reference(s->env, s->on_message);
  if (s->on_error) napi_delete_reference(s->env, s->on_error);
  if (s->last_str) napi_delete_reference(s->env, s->last_str);
  s->last_str = NULL;
  napi_delete_reference(s->env, s->self);  // the handle object may now be collected
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  sock_t *s = (sock_t *)data;
  do_close(s);  // normally already closed (an open socket is held by s->self)
  s->finalized = 1;
  maybe_free(s);
}

// ---- receive --------------------------------------------------------------------------------

static void report_error(sock_t *s, int err) {
  napi_env env = s->env;
  if (!s->on_error) return;  // no listener: the JS side chose to ignore receive errors
  napi_value fn, code, msg, e, global;
  char text[256];
  const char *name = uv_err_name(uv_translate_sys_error(err));
  snprintf(text, sizeof text, "recvmmsg: %s (%s)", strerror(err), name);
  if (napi_get_reference_value(env, s->on_error, &fn) != napi_ok) return;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, code, msg, &e);
  napi_get_global(env, &global);
  if (napi_call_function(env, global, fn, 1, &e, NULL) == napi_pending_exception) {
    napi_value ex;
    napi_get_and_clear_last_exception(env, &ex);
    napi_fatal_exception(env, ex);
  }
}

// Hand one datagram to JS: (Buffer, address, port, arrivalMonoNs | null).
static void deliver(sock_t *s, napi_value fn, napi_value global, int i, int64_t real_now, int64_t mono_now) {
  napi_env env = s->env;
  struct msghdr *h = &s->msgs[i].msg_hdr;
  size_t len = s->msgs[i].msg_len;
  napi_handle_scope hs;
  if (napi_open_handle_scope(env, &hs) != napi_ok) return;
  napi_value argv[4];
  void *copy;
  napi_create_buffer_copy(env, len, s->data + (size_t)i * SLOT, &copy, &argv[0]);

  // Source address: reuse the previous string when the sender is the same.
  if (s->last_str && h->msg_namelen == s->last_len && memcmp(&s->from[i], &s->last_addr, h->msg_namelen) == 0) {
    napi_get_reference_value(env, s->last_str, &argv[1]);
  } else {
    char text[INET6_ADDRSTRLEN];
    format_addr(&s->from[i], text, sizeof text, &s->last_port);
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &argv[1]);
    if (s->last_str) napi_delete_reference(env, s->last_str);
    napi_create_reference(env, argv[1], 1, &s->last_str);
    memcpy(&s->last_addr, &s->from[i], h->msg_namelen);
    s->last_len = h->msg_namelen;
  }
  napi_create_int32(env, s->last_port, &argv[2]);

  // The kernel's CLOCK_REALTIME stamp, moved into the CLOCK_MONOTONIC frame with a
  // (realtime, monotonic) pair read just after recvmmsg: arrival = mono_now − (real_now − ts).
  // A missing stamp, or one in the future or over MAX_AGE_NS old (realtime stepped in between),
  // gives null: the caller must stamp it itself, and it is counted, never invented.
  int stamped = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_TIMESTAMPNS && !stamped) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      int64_t age = real_now - ts_ns(&ts);
      if (age >= 0 && age <= MAX_AGE_NS) {
        napi_create_bigint_int64(env, mono_now - age, &argv[3]);
        stamped = 1;
      }
    } else if (c->cmsg_type == SO_RXQ_OVFL) {
      // Sent only once the count is non-zero: the socket's drops when this datagram was queued.
      uint32_t d;
      memcpy(&d, CMSG_DATA(c), sizeof d);
      if ((int32_t)(d - s->ovfl_last) > 0) s->ovfl_last = d;
    }
  }
  if (!stamped) { s->unstamped++; napi_get_null(env, &argv[3]); }

  if (napi_call_function(env, global, fn, 4, argv, NULL) == napi_pending_exception) {
    // A throwing listener is the same as one throwing in a dgram 'message' handler.
    napi_value ex;
    napi_get_and_clear_last_exception(env, &ex);
    napi_fatal_exception(env, ex);
  }
  napi_close_handle_scope(env, hs);
}

// Move every transmit stamp waiting on the error queue into the ring, without blocking. Each
// message is a sock_extended_err (origin TIMESTAMPING, ee_info SCM_TSTAMP_SND, ee_data = OPT_ID)
// and an SCM_TIMESTAMPING whose ts[0] is the software stamp (CLOCK_REALTIME), taken as the
// datagram is handed to the device; moved to CLOCK_MONOTONIC with a pair read just after.
static void drain_tx(sock_t *s) {
  for (int guard = 0; guard < TX_RING; guard++) {
    char ctrl[256];
    struct msghdr h;
    memset(&h, 0, sizeof h);
    h.msg_control = ctrl;
    h.msg_controllen = sizeof ctrl;
    ssize_t n = recvmsg(s->fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (n < 0) { if (errno == EINTR) continue; return; }  // EAGAIN: the queue is empty
    // The pair that moves the stamp to CLOCK_MONOTONIC: realtime between two monotonic reads,
    // paired with their midpoint. A preemption between the reads (milliseconds on a loaded host)
    // would shift the stamp by half of it, out of its datagram's send bracket: read again, up to
    // 8 times, until the bracket is under 2 µs, and keep the narrowest.
    int64_t mono_now = 0, real_now = 0, best_gap = INT64_MAX;
    for (int t = 0; t < 8 && best_gap > 2000; t++) {
      struct timespec m0, r, m1;
      clock_gettime(CLOCK_MONOTONIC, &m0);
      clock_gettime(CLOCK_REALTIME, &r);
      clock_gettime(CLOCK_MONOTONIC, &m1);
      int64_t gap = ts_ns(&m1) - ts_ns(&m0);
      if (gap < best_gap) { best_gap = gap; real_now = ts_ns(&r); mono_now = ts_ns(&m0) + gap / 2; }
    }
    int64_t ts = -1;
    int have_id = 0;
    uint32_t id = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING) {
        struct scm_timestamping t;
        memcpy(&t, CMSG_DATA(c), sizeof t);
        if (t.ts[0].tv_sec || t.ts[0].tv_nsec) ts = ts_ns(&t.ts[0]);
      } else if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) || (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
        struct sock_extended_err ee;
        memcpy(&ee, CMSG_DATA(c), sizeof ee);
        if (ee.ee_origin == SO_EE_ORIGIN_TIMESTAMPING && ee.ee_info == SCM_TSTAMP_SND) { have_id = 1; id = ee.ee_data; }
      }
    }
    if (!have_id) continue;  // not a send stamp (another error-queue message): skipped
    int64_t age = real_now - ts;
    if (ts < 0 || age < 0 || age > MAX_AGE_NS) { s->tx_lost++; continue; }
    unsigned at = (s->tx_head + s->tx_count) % TX_RING;
    if (s->tx_count == TX_RING) { s->tx_head = (s->tx_head + 1) % TX_RING; s->tx_lost++; } else s->tx_count++;
    s->tx_id[at] = id;
    s->tx_mono[at] = mono_now - age;
  }
}

static void on_readable(uv_poll_t *p, int status, int events);

static void on_pause_end(uv_timer_t *t) {
  sock_t *s = (sock_t *)t->data;
  s->pausing = 0;
  if (s->closed) return;
  int r = uv_poll_start(&s->poll, UV_READABLE, on_readable);
  if (r < 0) report_error(s, -r);
}

static void on_readable(uv_poll_t *p, int status, int events) {
  (void)events;
  sock_t *s = (sock_t *)p->data;
  if (s->closed) return;
  napi_env env = s->env;
  napi_handle_scope hs;
  if (napi_open_handle_scope(env, &hs) != napi_ok) return;
  napi_value self, fn, global;
  napi_get_reference_value(env, s->self, &self);
  napi_get_reference_value(env, s->on_message, &fn);
  napi_get_global(env, &global);
  // One callback scope for the whole drain: process.nextTick and promise jobs queued by the
  // listener run once when it closes, not after every datagram.
  napi_callback_scope scope;
  if (napi_open_callback_scope(env, self, s->actx, &scope) != napi_ok) { napi_close_handle_scope(env, hs); return; }

  // A transmit stamp waiting on the error queue makes the socket report POLLERR, and libuv answers
  // POLLERR by stopping the poll and passing UV_EBADF: take the stamps and poll again, or no echo
  // would be received after the first stamp that came late.
  if (s->tx_on) {
    drain_tx(s);
    if (status == UV_EBADF) {
      int r = uv_poll_start(&s->poll, UV_READABLE, on_readable);
      status = r < 0 ? r : 0;
    }
  }
  int got = 0;      // datagrams this wake-up read
  int drained = 0;  // the queue was found empty (a short batch or EAGAIN)
  if (status < 0) {
    report_error(s, -status);
  } else {
    // Drain. libuv polls level-triggered, so a batch shorter than BATCH (the queue was empty at
    // that instant) can end the drain: anything arriving later wakes the poll again. For the same
    // reason the drain stops after DRAIN_BATCHES full batches: a sender faster than the listener
    // keeps the queue from ever emptying, and an endless drain would hold the event loop (timers,
    // CSV writes, signals) until the flood stopped. libuv's own UDP reader stops after 32.
    for (int b = 0; b < DRAIN_BATCHES; b++) {
      for (int i = 0; i < BATCH; i++) {
        s->iov[i].iov_base = s->data + (size_t)i * SLOT;
        s->iov[i].iov_len = SLOT;
        struct msghdr *h = &s->msgs[i].msg_hdr;
        h->msg_name = &s->from[i];
        h->msg_namelen = sizeof s->from[i];
        h->msg_iov = &s->iov[i];
        h->msg_iovlen = 1;
        h->msg_control = s->ctrl[i];
        h->msg_controllen = sizeof s->ctrl[i];
        h->msg_flags = 0;
      }
      int n = recvmmsg(s->fd, s->msgs, BATCH, MSG_DONTWAIT, NULL);
      if (n < 0) {
        if (errno == EINTR) { b--; continue; }
        if (errno != EAGAIN && errno != EWOULDBLOCK) report_error(s, errno);
        else drained = 1;
        break;
      }
      struct timespec r, m;
      clock_gettime(CLOCK_REALTIME, &r);
      clock_gettime(CLOCK_MONOTONIC, &m);
      int64_t real_now = ts_ns(&r), mono_now = ts_ns(&m);
      got += n;
      for (int i = 0; i < n && !s->closed; i++) deliver(s, fn, global, i, real_now, mono_now);
      if (n < BATCH) drained = 1;
      if (s->closed || n < BATCH) break;
    }
  }
  // Rest, when the previous wake-up is less than a pause ago (a slow sender costs no extra
  // wake-up): the datagrams arriving meanwhile wait in the receive queue with their kernel stamps,
  // and no sender has to wake this process for each of them. Never while the queue still holds
  // datagrams (the drain stopped at DRAIN_BATCHES): the poll must come straight back, or a rest
  // per 64 datagrams would cap the read rate and fill the queue.
  if (s->pause_ms > 0 && got > 0 && drained && !s->closed && !s->pausing) {
    struct timespec m;
    clock_gettime(CLOCK_MONOTONIC, &m);
    int64_t now = ts_ns(&m);
    if (now - s->last_wake_ns < (int64_t)s->pause_ms * 1000000LL && uv_poll_stop(&s->poll) == 0) {
      s->pausing = 1;
      uv_timer_start(&s->pause, on_pause_end, s->pause_ms, 0);
    }
    s->last_wake_ns = now;
  }
  napi_close_callback_scope(env, scope);
  napi_close_handle_scope(env, hs);
}

// ---- exported functions ---------------------------------------------------------------------

static sock_t *unwrap(napi_env env, napi_value v) {
  sock_t *s = NULL;
  if (napi_unwrap(env, v, (void **)&s) != napi_ok || !s) { throw_msg(env, "ERR_INVALID_ARG_TYPE", "not a udp_stamp handle"); return NULL; }
  return s;
}

// The open socket a call names first (argv[0]), or NULL: with no argument, with a JS error thrown
// for a value that is not a handle, or for a closed socket ("<what>: socket is closed").
static sock_t *open_sock(napi_env env, size_t argc, napi_value *argv, const char *what) {
  sock_t *s = argc ? unwrap(env, argv[0]) : NULL;
  if (!s) return NULL;
  if (s->closed) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s%ssocket is closed", what, *what ? ": " : "");
    throw_msg(env, "ERR_SOCKET_CLOSED", msg);
    return NULL;
  }
  return s;
}

// open(address, port, rcvbufBytes, onMessage, onError?, reuseAddr?)
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) return throw_msg(env, "ERR_MISSING_ARGS", "open(address, port, rcvbufBytes, onMessage, onError?)");
  char addr[INET6_ADDRSTRLEN + 8];
  if (!get_string(env, argv[0], addr, sizeof addr, "address")) return NULL;
  int32_t port, rcvbuf;
  if (napi_get_value_int32(env, argv[1], &port) != napi_ok || port < 0 || port > 65535) return throw_msg(env, "ERR_OUT_OF_RANGE", "port must be 0-65535");
  if (napi_get_value_int32(env, argv[2], &rcvbuf) != napi_ok || rcvbuf < 0) return throw_msg(env, "ERR_OUT_OF_RANGE", "rcvbufBytes must be a whole number >= 0 (0: the system default)");
  napi_valuetype t;
  napi_typeof(env, argv[3], &t);
  if (t != napi_function) return throw_msg(env, "ERR_INVALID_ARG_TYPE", "onMessage must be a function");
  int has_err = 0;
  if (argc >= 5) { napi_typeof(env, argv[4], &t); has_err = t == napi_function; }
  bool reuse = false;
  if (argc >= 6) napi_get_value_bool(env, argv[5], &reuse);

  struct in6_addr probe;
  int family = inet_pton(AF_INET, addr, &probe) == 1 ? AF_INET : inet_pton(AF_INET6, addr, &probe) == 1 ? AF_INET6 : 0;
  if (!family) {
    char msg[160];
    snprintf(msg, sizeof msg, "bind address \"%s\" is not a numeric IPv4 or IPv6 address", addr);
    return throw_msg(env, "EINVAL", msg);
  }
  struct sockaddr_storage ss;
  socklen_t len;
  parse_addr(addr, port, family, &ss, &len);

  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int on = 1, s_rxq_ovfl;
  char what[160];
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0) { int e = errno; close(fd); return throw_errno(env, "setsockopt SO_TIMESTAMPNS", e); }
  // Each datagram then carries the socket's drop count; failure only loses that fallback.
  s_rxq_ovfl = setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) == 0;
  // Linux caps the request at net.core.rmem_max; info() reports what was granted.
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) { int e = errno; close(fd); return throw_errno(env, "setsockopt SO_RCVBUF", e); }
  if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) { int e = errno; close(fd); return throw_errno(env, "setsockopt SO_REUSEADDR", e); }
  if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
    int e = errno;
    close(fd);
    snprintf(what, sizeof what, "bind %s%s%s:%d", family == AF_INET6 ? "[" : "", addr, family == AF_INET6 ? "]" : "", port);
    return throw_errno(env, what, e);
  }

  sock_t *s = calloc(1, sizeof *s);
  char *data = malloc((size_t)BATCH * SLOT);
  if (!s || !data) { free(s); free(data); close(fd); return throw_errno(env, "udp_stamp", ENOMEM); }
  s->env = env;
  s->fd = fd;
  s->family = family;
  s->data = data;
  s->rxq_ovfl = s_rxq_ovfl;
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) { free(data); free(s); close(fd); return throw_msg(env, "ERR_UDP_STAMP", "no libuv loop"); }
  int r = uv_poll_init(loop, &s->poll, fd);
  if (r < 0) { free(data); free(s); close(fd); return throw_errno(env, "uv_poll_init", -r); }
  s->poll.data = s;
  uv_timer_init(loop, &s->pause);  // cannot fail: libuv only fills in the handle
  s->pause.data = s;
  // Not unref'd: while the poll rests, the timer is what keeps the loop (and the process) alive.

  napi_value handle, name;
  CHECK(napi_create_object(env, &handle));
  CHECK(napi_wrap(env, handle, s, finalize, NULL, NULL));
  CHECK(napi_create_reference(env, handle, 1, &s->self));
  CHECK(napi_create_reference(env, argv[3], 1, &s->on_message));
  if (has_err) CHECK(napi_create_reference(env, argv[4], 1, &s->on_error));
  CHECK(napi_create_string_utf8(env, "udp_stamp", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, handle, name, &s->actx));
  r = uv_poll_start(&s->poll, UV_READABLE, on_readable);
  if (r < 0) { do_close(s); return throw_errno(env, "uv_poll_start", -r); }
  return handle;
}

// setRecvPause(handle, ms): rest the poll `ms` after a wake-up's drain when the previous wake-up
// is less than `ms` ago (0: never rest).
static napi_value js_set_recv_pause(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = open_sock(env, argc, argv, "");
  if (!s) return NULL;
  int32_t ms;
  if (argc < 2 || napi_get_value_int32(env, argv[1], &ms) != napi_ok || ms < 0 || ms > 1000)
    return throw_msg(env, "ERR_OUT_OF_RANGE", "setRecvPause: ms must be a whole number 0-1000");
  s->pause_ms = (unsigned)ms;
  return NULL;
}

// info(handle) → { address, port, family, rcvbuf, unstamped, drops, dropsFrom }
static napi_value js_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, v;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = open_sock(env, argc, argv, "");
  if (!s) return NULL;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0) return throw_errno(env, "getsockname", errno);
  int rcvbuf = 0;
  socklen_t rl = sizeof rcvbuf;
  if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &rl) < 0) return throw_errno(env, "getsockopt SO_RCVBUF", errno);
  char text[INET6_ADDRSTRLEN];
  int port;
  format_addr(&ss, text, sizeof text, &port);
  CHECK(napi_create_object(env, &out));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v); napi_set_named_property(env, out, "address", v);
  napi_create_int32(env, port, &v); napi_set_named_property(env, out, "port", v);
  napi_create_string_utf8(env, s->family == AF_INET6 ? "IPv6" : "IPv4", NAPI_AUTO_LENGTH, &v); napi_set_named_property(env, out, "family", v);
  napi_create_int32(env, rcvbuf, &v); napi_set_named_property(env, out, "rcvbuf", v);
  napi_create_double(env, (double)s->unstamped, &v); napi_set_named_property(env, out, "unstamped", v);
  napi_create_double(env, (double)s->tx_lost, &v); napi_set_named_property(env, out, "txLost", v);
  // The socket's drop counter (sk_drops) now; without SO_MEMINFO (Linux < 4.6) the last value a
  // datagram carried; without either, null and why.
  uint32_t mem[SK_MEMINFO_VARS];
  socklen_t ml = sizeof mem;
  const char *from;
  if (getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mem, &ml) == 0 && ml > SK_MEMINFO_DROPS * sizeof(uint32_t)) {
    napi_create_double(env, (double)mem[SK_MEMINFO_DROPS], &v);
    from = "SO_MEMINFO";
  } else if (s->rxq_ovfl) {
    napi_create_double(env, (double)s->ovfl_last, &v);
    from = "SO_RXQ_OVFL";
  } else {
    napi_get_null(env, &v);
    from = "unavailable: neither SO_MEMINFO nor SO_RXQ_OVFL works on this kernel";
  }
  napi_set_named_property(env, out, "drops", v);
  napi_create_string_utf8(env, from, NAPI_AUTO_LENGTH, &v); napi_set_named_property(env, out, "dropsFrom", v);
  return out;
}

// send(handle, buf, port, address, stampThis?) → bytes sent
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) return throw_msg(env, "ERR_MISSING_ARGS", "send(handle, buf, port, address)");
  sock_t *s = open_sock(env, argc, argv, "send");
  if (!s) return NULL;
  void *data;
  size_t len;
  bool is_buf;
  napi_is_buffer(env, argv[1], &is_buf);
  if (!is_buf || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) return throw_msg(env, "ERR_INVALID_ARG_TYPE", "send: buf must be a Buffer");
  int32_t port;
  if (napi_get_value_int32(env, argv[2], &port) != napi_ok || port < 1 || port > 65535) return throw_msg(env, "ERR_OUT_OF_RANGE", "send: port must be 1-65535");
  char addr[INET6_ADDRSTRLEN + 8];
  if (!get_string(env, argv[3], addr, sizeof addr, "send: address")) return NULL;
  struct sockaddr_storage ss;
  socklen_t sl;
  if (parse_addr(addr, port, s->family, &ss, &sl) < 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "send: \"%s\" is not a numeric %s address", addr, s->family == AF_INET6 ? "IPv6 (or IPv4)" : "IPv4");
    return throw_msg(env, "EINVAL", msg);
  }
  // stampThis: ask for this datagram's transmit stamp alone (a SO_TIMESTAMPING control message).
  bool stamp_this = false;
  if (argc >= 5) napi_get_value_bool(env, argv[4], &stamp_this);
  ssize_t n;
  if (stamp_this && s->tx_on) {
    struct iovec iov = { data, len };
    char ctrl[CMSG_SPACE(sizeof(int))];
    memset(ctrl, 0, sizeof ctrl);
    struct msghdr h;
    memset(&h, 0, sizeof h);
    h.msg_name = &ss;
    h.msg_namelen = sl;
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    h.msg_control = ctrl;
    h.msg_controllen = sizeof ctrl;
    struct cmsghdr *c = CMSG_FIRSTHDR(&h);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SO_TIMESTAMPING;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    int gen = SOF_TIMESTAMPING_TX_SOFTWARE;
    memcpy(CMSG_DATA(c), &gen, sizeof gen);
    do n = sendmsg(s->fd, &h, MSG_DONTWAIT); while (n < 0 && errno == EINTR);
  } else {
    do n = sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl); while (n < 0 && errno == EINTR);
  }
  if (n < 0) {
    char what[160];
    snprintf(what, sizeof what, "send to %s:%d", addr, port);
    return throw_errno(env, what, errno);
  }
  CHECK(napi_create_int64(env, n, &out));
  return out;
}

// The interface `iface` names for a socket of `family`: "" → 0 (the kernel's choice), an interface
// name → its index, a local address → the interface holding it (IPv4: also the address itself).
static int resolve_iface(const char *iface, int family, unsigned *index, struct in_addr *v4) {
  v4->s_addr = htonl(INADDR_ANY);
  *index = 0;
  if (!iface[0]) return 0;
  struct in6_addr a6;
  struct in_addr a4;
  int is4 = inet_pton(AF_INET, iface, &a4) == 1, is6 = !is4 && inet_pton(AF_INET6, iface, &a6) == 1;
  if (!is4 && !is6) {
    *index = if_nametoindex(iface);
    return *index ? 0 : -1;
  }
  if (is4 && family == AF_INET) { *v4 = a4; return 0; }
  struct ifaddrs *all, *i;
  if (getifaddrs(&all) < 0) return -1;
  for (i = all; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    if (is4 && i->ifa_addr->sa_family == AF_INET && ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == a4.s_addr) break;
    if (is6 && i->ifa_addr->sa_family == AF_INET6 && memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &a6, sizeof a6) == 0) break;
  }
  if (i) *index = if_nametoindex(i->ifa_name);
  freeifaddrs(all);
  return *index ? 0 : -1;
}

static napi_value iface_error(napi_env env, const char *iface) {
  char msg[200];
  snprintf(msg, sizeof msg, "multicast interface \"%s\" is not a local address or interface name", iface);
  return throw_msg(env, "ENODEV", msg);
}

// joinGroup(handle, group, iface)
static napi_value js_join_group(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_msg(env, "ERR_MISSING_ARGS", "joinGroup(handle, group, iface)");
  sock_t *s = open_sock(env, argc, argv, "joinGroup");
  if (!s) return NULL;
  char group[INET6_ADDRSTRLEN + 8], iface[IF_NAMESIZE + INET6_ADDRSTRLEN + 8], what[240];
  if (!get_string(env, argv[1], group, sizeof group, "group")) return NULL;
  if (!get_string(env, argv[2], iface, sizeof iface, "iface")) return NULL;
  unsigned index;
  struct in_addr v4;
  if (resolve_iface(iface, s->family, &index, &v4) < 0) return iface_error(env, iface);
  int r;
  if (s->family == AF_INET) {
    struct ip_mreqn m = { .imr_address = v4, .imr_ifindex = (int)index };
    if (inet_pton(AF_INET, group, &m.imr_multiaddr) != 1) return throw_msg(env, "EINVAL", "joinGroup: group is not an IPv4 address");
    r = setsockopt(s->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
  } else {
    struct ipv6_mreq m = { .ipv6mr_interface = index };
    if (inet_pton(AF_INET6, group, &m.ipv6mr_multiaddr) != 1) return throw_msg(env, "EINVAL", "joinGroup: group is not an IPv6 address");
    r = setsockopt(s->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m);
  }
  if (r < 0) {
    snprintf(what, sizeof what, "join group %s on %s", group, iface[0] ? iface : "the default interface");
    return throw_errno(env, what, errno);
  }
  return NULL;
}

// multicastSend(handle, ttl, iface)
static napi_value js_multicast_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return throw_msg(env, "ERR_MISSING_ARGS", "multicastSend(handle, ttl, iface)");
  sock_t *s = open_sock(env, argc, argv, "multicastSend");
  if (!s) return NULL;
  int32_t ttl;
  if (napi_get_value_int32(env, argv[1], &ttl) != napi_ok || ttl < 0 || ttl > 255) return throw_msg(env, "ERR_OUT_OF_RANGE", "multicastSend: ttl must be 0-255");
  char iface[IF_NAMESIZE + INET6_ADDRSTRLEN + 8];
  if (!get_string(env, argv[2], iface, sizeof iface, "iface")) return NULL;
  unsigned index;
  struct in_addr v4;
  if (resolve_iface(iface, s->family, &index, &v4) < 0) return iface_error(env, iface);
  int on = 1;
  if (s->family == AF_INET) {
    struct ip_mreqn m = { .imr_address = v4, .imr_ifindex = (int)index };
    if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0) return throw_errno(env, "setsockopt IP_MULTICAST_TTL", errno);
    if (setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &on, sizeof on) < 0) return throw_errno(env, "setsockopt IP_MULTICAST_LOOP", errno);
    if (iface[0] && setsockopt(s->fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) < 0) return throw_errno(env, "setsockopt IP_MULTICAST_IF", errno);
  } else {
    if (setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl) < 0) return throw_errno(env, "setsockopt IPV6_MULTICAST_HOPS", errno);
    if (setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &on, sizeof on) < 0) return throw_errno(env, "setsockopt IPV6_MULTICAST_LOOP", errno);
    if (iface[0] && setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) < 0) return throw_errno(env, "setsockopt IPV6_MULTICAST_IF", errno);
  }
  return NULL;
}

// enableTxStamps(handle, onlyAsked?)
static napi_value js_enable_tx(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = open_sock(env, argc, argv, "enableTxStamps");
  if (!s) return NULL;
  bool only_asked = false;
  if (argc >= 2) napi_get_value_bool(env, argv[1], &only_asked);
  // onlyAsked: report stamps, but generate one only for a send(…, stampThis = true).
  int flags = SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY;
  if (!only_asked) flags |= SOF_TIMESTAMPING_TX_SOFTWARE;
  if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) < 0) return throw_errno(env, "setsockopt SO_TIMESTAMPING", errno);
  s->tx_on = 1;
  return NULL;
}

// txStamps(handle) → [id, monoNs, …]
static napi_value js_tx_stamps(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, v;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = open_sock(env, argc, argv, "txStamps");
  if (!s) return NULL;
  if (s->tx_on) drain_tx(s);
  CHECK(napi_create_array_with_length(env, (size_t)s->tx_count * 2, &out));
  for (unsigned k = 0; k < s->tx_count; k++) {
    unsigned at = (s->tx_head + k) % TX_RING;
    CHECK(napi_create_uint32(env, s->tx_id[at], &v)); CHECK(napi_set_element(env, out, 2 * k, v));
    CHECK(napi_create_bigint_int64(env, s->tx_mono[at], &v)); CHECK(napi_set_element(env, out, 2 * k + 1, v));
  }
  s->tx_head = 0;
  s->tx_count = 0;
  return out;
}

// close(handle): idempotent.
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sock_t *s = argc ? unwrap(env, argv[0]) : NULL;
  if (!s) return NULL;
  do_close(s);
  return NULL;
}

/*
 * clockPair(): CLOCK_REALTIME and CLOCK_MONOTONIC read back to back, for HostClock's anchor.
 * Of 32 tries (mono, real, mono) keep the one with the narrowest monotonic bracket and pair the
 * realtime with the bracket's midpoint: tens of nanoseconds, where a Date.now() millisecond edge
 * seen from JavaScript is good to a microsecond or more. Returns [realNs, monoNs, bracketNs].
 */
static napi_value js_clock_pair(napi_env env, napi_callback_info info) {
  int64_t best_real = 0, best_mono = 0, best_gap = INT64_MAX;
  for (int i = 0; i < 32; i++) {
    struct timespec m0, r, m1;
    clock_gettime(CLOCK_MONOTONIC, &m0);
    clock_gettime(CLOCK_REALTIME, &r);
    clock_gettime(CLOCK_MONOTONIC, &m1);
    int64_t gap = ts_ns(&m1) - ts_ns(&m0);
    if (gap < best_gap) { best_gap = gap; best_real = ts_ns(&r); best_mono = ts_ns(&m0) + gap / 2; }
  }
  napi_value out, v;
  CHECK(napi_create_array_with_length(env, 3, &out));
  CHECK(napi_create_bigint_int64(env, best_real, &v)); CHECK(napi_set_element(env, out, 0, v));
  CHECK(napi_create_bigint_int64(env, best_mono, &v)); CHECK(napi_set_element(env, out, 1, v));
  CHECK(napi_create_bigint_int64(env, best_gap, &v)); CHECK(napi_set_element(env, out, 2, v));
  return out;
}

static void unmap_finalize(napi_env env, void *data, void *hint) {
  munmap(data, (size_t)(uintptr_t)hint);
}

/*
 * mapShared(path, length): the file must exist and hold at least `length` bytes (a shorter file
 * would raise SIGBUS on access past its end). The descriptor is closed at once; the mapping lives
 * until the ArrayBuffer is collected. Errors: "<what>: <strerror> (<ERRNO>)", or ESHORT.
 */
static napi_value js_map_shared(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_msg(env, "EINVAL", "mapShared(path, length) needs two arguments");
  char path[4096];
  if (!get_string(env, argv[0], path, sizeof path, "path")) return NULL;
  int64_t length = 0;
  if (napi_get_value_int64(env, argv[1], &length) != napi_ok || length <= 0 || length > (1 << 20))
    return throw_msg(env, "EINVAL", "mapShared: length must be a whole number of bytes, 1 to 1048576");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, path, errno);
  struct stat st;
  if (fstat(fd, &st) != 0) { int e = errno; close(fd); return throw_errno(env, path, e); }
  if (st.st_size < length) {
    close(fd);
    char msg[4200];
    snprintf(msg, sizeof msg, "%s: %lld bytes, need at least %lld", path, (long long)st.st_size, (long long)length);
    return throw_msg(env, "ESHORT", msg);
  }
  void *p = mmap(NULL, (size_t)length, PROT_READ, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);
  if (p == MAP_FAILED) return throw_errno(env, path, e);
  napi_value ab;
  if (napi_create_external_arraybuffer(env, p, (size_t)length, unmap_finalize, (void *)(uintptr_t)length, &ab) != napi_ok) {
    munmap(p, (size_t)length);
    return NULL;
  }
  return ab;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL },
    { "info", NULL, js_info, NULL, NULL, NULL, napi_default, NULL },
    { "send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL },
    { "joinGroup", NULL, js_join_group, NULL, NULL, NULL, napi_default, NULL },
    { "multicastSend", NULL, js_multicast_send, NULL, NULL, NULL, napi_default, NULL },
    { "enableTxStamps", NULL, js_enable_tx, NULL, NULL, NULL, napi_default, NULL },
    { "txStamps", NULL, js_tx_stamps, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
    { "setRecvPause", NULL, js_set_recv_pause, NULL, NULL, NULL, napi_default, NULL },
    { "clockPair", NULL, js_clock_pair, NULL, NULL, NULL, napi_default, NULL },
    { "mapShared", NULL, js_map_shared, NULL, NULL, NULL, napi_default, NULL },
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
