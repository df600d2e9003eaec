{
  "targets": [
    {
      "target_name": "udp_stamp",
      "sources": ["udp_stamp.c"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
