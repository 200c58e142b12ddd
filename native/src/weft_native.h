// The addon's pieces, one file each, registered by the module's init (original_dst.c).
#ifndef WEFT_NATIVE_H
#define WEFT_NATIVE_H
#include <node_api.h>

// Adds setTcpUserTimeout to `exports`; 0 on failure.
int weft_register_tcp_user_timeout(napi_env env, napi_value exports);

#endif
