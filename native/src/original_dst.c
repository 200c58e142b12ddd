// weft's native addon: the socket options Node does not expose. Only N-API is used, so one
// build works across Node versions (ABI stable). This file holds the module's init; other
// options have a file each (tcp_user_timeout.c).
//
// getOriginalDst(fd) -> { host, port, family } | null
//   The address a connection was headed for before iptables REDIRECT/DNAT rewrote it, read from
//   conntrack with SO_ORIGINAL_DST (IPv4) or IP6T_SO_ORIGINAL_DST (IPv6). null when the kernel
//   knows of no such entry (ENOENT: not tracked; ENOPROTOOPT: conntrack not loaded). Note that a
//   tracked but un-redirected connection yields the listener's own address: callers compare.
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "weft_native.h"

// From <linux/netfilter_ipv4.h> and <linux/netfilter_ipv6/ip6_tables.h>; defined here because
// those kernel headers clash with glibc's netinet headers.
#ifndef SO_ORIGINAL_DST
#define SO_ORIGINAL_DST 80
#endif
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80
#endif
#ifndef SOL_IP
#define SOL_IP 0
#endif
#ifndef SOL_IPV6
#define SOL_IPV6 41
#endif

#define CHECK(env, call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error((env), "WEFT_ERR_NATIVE", "N-API call failed: " #call); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value throw_errno(napi_env env, const char* what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char* code = "WEFT_ERR_NATIVE";
  switch (err) {
    case EBADF: code = "EBADF"; break;
    case ENOTSOCK: code = "ENOTSOCK"; break;
    case EINVAL: code = "EINVAL"; break;
    case EPERM: code = "EPERM"; break;
    default: break;
  }
  napi_throw_error(env, code, msg);
  return NULL;
}

static napi_value make_result(napi_env env, const char* host, unsigned port, const char* family) {
  napi_value obj, vhost, vport, vfamily;
  CHECK(env, napi_create_object(env, &obj));
  CHECK(env, napi_create_string_utf8(env, host, NAPI_AUTO_LENGTH, &vhost));
  CHECK(env, napi_create_uint32(env, port, &vport));
  CHECK(env, napi_create_string_utf8(env, family, NAPI_AUTO_LENGTH, &vfamily));
  CHECK(env, napi_set_named_property(env, obj, "host", vhost));
  CHECK(env, napi_set_named_property(env, obj, "port", vport));
  CHECK(env, napi_set_named_property(env, obj, "family", vfamily));
  return obj;
}

static napi_value null_value(napi_env env) {
  napi_value v;
  CHECK(env, napi_get_null(env, &v));
  return v;
}

static int no_redirect(int err) {
  return err == ENOENT || err == ENOPROTOOPT;
}

static napi_value original_dst_v4(napi_env env, int fd) {
  struct sockaddr_in sin;
  socklen_t len = sizeof sin;
  memset(&sin, 0, sizeof sin);
  if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &sin, &len) != 0) {
    if (no_redirect(errno)) return null_value(env);
    return throw_errno(env, "getsockopt(SO_ORIGINAL_DST)", errno);
  }
  char host[INET_ADDRSTRLEN];
  if (!inet_ntop(AF_INET, &sin.sin_addr, host, sizeof host)) {
    return throw_errno(env, "inet_ntop", errno);
  }
  return make_result(env, host, ntohs(sin.sin_port), "IPv4");
}

static napi_value original_dst_v6(napi_env env, int fd) {
  struct sockaddr_in6 sin6;
  socklen_t len = sizeof sin6;
  memset(&sin6, 0, sizeof sin6);
  if (getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &sin6, &len) != 0) {
    if (no_redirect(errno)) return null_value(env);
    return throw_errno(env, "getsockopt(IP6T_SO_ORIGINAL_DST)", errno);
  }
  char host[INET6_ADDRSTRLEN];
  if (!inet_ntop(AF_INET6, &sin6.sin6_addr, host, sizeof host)) {
    return throw_errno(env, "inet_ntop", errno);
  }
  return make_result(env, host, ntohs(sin6.sin6_port), "IPv6");
}

static napi_value get_original_dst(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "getOriginalDst(fd): fd is required");
    return NULL;
  }
  int32_t fd;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "getOriginalDst(fd): fd must be a non-negative integer");
    return NULL;
  }

  // The socket's own family decides which table to ask. A dual-stack (AF_INET6) socket that
  // accepted an IPv4 client has a v4-mapped local address and an IPv4 conntrack entry.
  struct sockaddr_storage local;
  socklen_t llen = sizeof local;
  memset(&local, 0, sizeof local);
  if (getsockname(fd, (struct sockaddr*)&local, &llen) != 0) {
    return throw_errno(env, "getsockname", errno);
  }
  if (local.ss_family == AF_INET) return original_dst_v4(env, fd);
  if (local.ss_family == AF_INET6) {
    const struct sockaddr_in6* l6 = (const struct sockaddr_in6*)&local;
    if (IN6_IS_ADDR_V4MAPPED(&l6->sin6_addr)) return original_dst_v4(env, fd);
    return original_dst_v6(env, fd);
  }
  napi_throw_error(env, "WEFT_ERR_NATIVE", "getOriginalDst: not an IPv4 or IPv6 socket");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(env, napi_create_function(env, "getOriginalDst", NAPI_AUTO_LENGTH, get_original_dst, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "getOriginalDst", fn));
  if (!weft_register_tcp_user_timeout(env, exports)) {
    napi_throw_error(env, "WEFT_ERR_NATIVE", "cannot register setTcpUserTimeout");
    return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
