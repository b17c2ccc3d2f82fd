{
  "targets": [
    {
      "target_name": "firefront_rdkafka_batch",
      "sources": ["native/batch_producer.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "<!@(node scripts/link-flags.cjs cflags)"],
      "libraries": ["<!@(node scripts/link-flags.cjs libs)"]
    }
  ]
}
