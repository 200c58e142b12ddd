{
  "targets": [
    {
      "target_name": "weft_native",
      "sources": ["src/original_dst.c", "src/tcp_user_timeout.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
