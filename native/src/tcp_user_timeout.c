// setTcpUserTimeout(fd, ms) -> undefined
//   TCP_USER_TIMEOUT (RFC 5482): how long transmitted data may stay unacknowledged before the
//   kernel gives up on the connection (ETIMEDOUT). Node has no API for it. weft sets it on
//   upstream connections, so a request sent into a network partition fails in bounded time
//   instead of waiting for the idle timeout.
#include <node_api.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "weft_native.h"

static napi_value set_tcp_user_timeout(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setTcpUserTimeout(fd, ms): fd and ms are required");
    return NULL;
  }
  int32_t fd;
  uint32_t ms;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setTcpUserTimeout(fd, ms): fd must be a non-negative integer");
    return NULL;
  }
  if (napi_get_value_uint32(env, argv[1], &ms) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setTcpUserTimeout(fd, ms): ms must be a non-negative integer");
    return NULL;
  }
  unsigned int value = ms;
  if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &value, sizeof value) != 0) {
    char msg[160];
    int err = errno;
    snprintf(msg, sizeof msg, "setsockopt(TCP_USER_TIMEOUT): %s", strerror(err));
    napi_throw_error(env, err == EBADF ? "EBADF" : err == ENOTSOCK ? "ENOTSOCK" : err == EINVAL ? "EINVAL" : "WEFT_ERR_NATIVE", msg);
    return NULL;
  }
  return NULL;
}

int weft_register_tcp_user_timeout(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "setTcpUserTimeout", NAPI_AUTO_LENGTH, set_tcp_user_timeout, NULL, &fn) != napi_ok) return 0;
  return napi_set_named_property(env, exports, "setTcpUserTimeout", fn) == napi_ok;
}
