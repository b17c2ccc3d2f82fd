/*
 * A librdkafka producer that takes a whole batch in one call. node-rdkafka's produce() costs
 * about 12 us per record in argument conversion and a delivery-report event per record; here a
 * batch arrives as one buffer (the layout of @firefront/kafka-native's batch codec), is handed to
 * librdkafka in a C loop, and delivery reports come back, on poll(), as runs of
 * (batch id, error code, count).
 *
 * Threads: produce() checks the batch on the JavaScript thread and queues a copy of it; a
 * hand-over thread of the producer's own takes the queued batches in order, hands their records
 * to librdkafka (waiting for room when its queue is full) and serves librdkafka's queue, so the
 * delivery reports, errors and logs are gathered there; poll() on the JavaScript thread only takes
 * what was gathered. metadata(), flush and close run in libuv's pool. Everything the callbacks
 * gather, and the batch queue, is kept behind one mutex.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "rdkafka-batch: N-API call failed");  \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/* An error or a log line, kept until the next poll. */
typedef struct event {
  int kind; /* 0 error, 1 log */
  int code; /* error code, or log level */
  int fatal;
  char *fac;
  char *text;
  struct event *next;
} event_t;

typedef struct {
  rd_kafka_t *rk;
  pthread_mutex_t lock;
  /* delivery reports as runs of (batch id, error, count) */
  int32_t *runs;
  size_t runs_len; /* int32 slots used */
  size_t runs_cap;
  event_t *events;
  event_t *events_tail;
  size_t events_len;
  int closed;
  /* pool jobs (metadata, flush) still running: close waits for them before destroying */
  int jobs;
  pthread_cond_t idle;
  /* the hand-over thread's topic handle, kept while the topic stays the same */
  rd_kafka_topic_t *rkt;
  char *rkt_name;
  /* batches queued by produce(), taken in order by the hand-over thread */
  struct batch_job *head;
  struct batch_job *tail;
  pthread_t thread;
  int thread_started;
  int stopping;
  pthread_cond_t wake;
  /* how long a record waits for room in librdkafka's full queue before it is refused */
  int queue_full_ms;
} producer_t;

/* A batch waiting for the hand-over thread: a copy of its bytes, messages [start, end). */
typedef struct batch_job {
  char *topic;
  uint8_t *data;
  size_t length;
  int32_t id;
  int32_t start;
  int32_t end;
  struct batch_job *next;
} batch_job_t;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_n(const char *s, size_t n) {
  char *out = malloc(n + 1);
  if (!out) return NULL;
  memcpy(out, s, n);
  out[n] = 0;
  return out;
}

static void push_event(producer_t *p, int kind, int code, int fatal, const char *fac, const char *text) {
  event_t *e = calloc(1, sizeof(event_t));
  if (!e) return;
  e->kind = kind;
  e->code = code;
  e->fatal = fatal;
  e->fac = fac ? dup_n(fac, strlen(fac)) : NULL;
  e->text = text ? dup_n(text, strlen(text)) : NULL;
  pthread_mutex_lock(&p->lock);
  /* a long outage logs a line per reconnect: keep a bounded backlog if nobody polls */
  if (p->events_len < 10000) {
    if (p->events_tail) p->events_tail->next = e;
    else p->events = e;
    p->events_tail = e;
    p->events_len++;
    e = NULL;
  }
  pthread_mutex_unlock(&p->lock);
  if (e) {
    free(e->fac);
    free(e->text);
    free(e);
  }
}

/* Adds `count` reports of batch `id` with error `err`, extending the last run when it matches. */
static void append_run(producer_t *p, int32_t id, int32_t err, int32_t count) {
  pthread_mutex_lock(&p->lock);
  size_t n = p->runs_len;
  if (n >= 3 && p->runs[n - 3] == id && p->runs[n - 2] == err) {
    p->runs[n - 1] += count;
  } else {
    if (n + 3 > p->runs_cap) {
      size_t cap = p->runs_cap ? p->runs_cap * 2 : 768;
      int32_t *grown = realloc(p->runs, cap * sizeof(int32_t));
      if (!grown) {
        pthread_mutex_unlock(&p->lock);
        return; /* out of memory: the batch then times out in JavaScript's wait */
      }
      p->runs = grown;
      p->runs_cap = cap;
    }
    p->runs[n] = id;
    p->runs[n + 1] = err;
    p->runs[n + 2] = count;
    p->runs_len = n + 3;
  }
  pthread_mutex_unlock(&p->lock);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  append_run(opaque, (int32_t)(intptr_t)m->_private, (int32_t)m->err, 1);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
  producer_t *p = opaque;
  int fatal = 0;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    /* the underlying reason, as node-rdkafka reports it */
    char text[512];
    rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, text, sizeof(text));
    if (orig != RD_KAFKA_RESP_ERR_NO_ERROR) {
      push_event(p, 0, orig, 1, NULL, text);
      return;
    }
    fatal = 1;
  }
  push_event(p, 0, err, fatal, NULL, reason);
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
  producer_t *p = rd_kafka_opaque(rk);
  if (p) push_event(p, 1, level, 0, fac, buf);
}

static void free_events(event_t *e) {
  while (e) {
    event_t *next = e->next;
    free(e->fac);
    free(e->text);
    free(e);
    e = next;
  }
}

static void free_jobs(batch_job_t *j) {
  while (j) {
    batch_job_t *next = j->next;
    free(j->topic);
    free(j->data);
    free(j);
    j = next;
  }
}

/* Stops the hand-over thread once it has handed over every queued batch. */
static void stop_thread(producer_t *p) {
  if (!p->thread_started) return;
  pthread_mutex_lock(&p->lock);
  __atomic_store_n(&p->stopping, 1, __ATOMIC_RELAXED);
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->thread, NULL);
  p->thread_started = 0;
}

static void producer_free(producer_t *p) {
  stop_thread(p);
  free_jobs(p->head);
  if (p->rkt) rd_kafka_topic_destroy(p->rkt);
  p->rkt = NULL;
  if (p->rk) rd_kafka_destroy(p->rk);
  p->rk = NULL;
  free(p->rkt_name);
  free(p->runs);
  free_events(p->events);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->idle);
  pthread_cond_destroy(&p->wake);
  free(p);
}

static void finalize_producer(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  producer_free(data);
}

static int get_string(napi_env env, napi_value v, char **out) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return 0;
  *out = malloc(len + 1);
  if (!*out) return 0;
  if (napi_get_value_string_utf8(env, v, *out, len + 1, &len) != napi_ok) return 0;
  return 1;
}

static producer_t *get_producer(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "rdkafka-batch: not a producer handle");
    return NULL;
  }
  return data;
}

static void *handover_thread(void *arg);

/* The pseudo config key that sets `queue_full_ms` (not passed to librdkafka). */
#define QUEUE_FULL_KEY "firefront.queue.full.timeout.ms"

/* create(config: Array<[name, value]>) -> handle */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t n = 0;
  if (argc < 1 || napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "rdkafka-batch: create() takes an array of [name, value] pairs");
    return NULL;
  }
  producer_t *p = calloc(1, sizeof(producer_t));
  if (!p) {
    napi_throw_error(env, NULL, "rdkafka-batch: out of memory");
    return NULL;
  }
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->idle, NULL);
  pthread_condattr_t wake_attr;
  pthread_condattr_init(&wake_attr);
  pthread_condattr_setclock(&wake_attr, CLOCK_MONOTONIC);
  pthread_cond_init(&p->wake, &wake_attr);
  pthread_condattr_destroy(&wake_attr);
  p->queue_full_ms = 30000;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char errstr[512];
  for (uint32_t i = 0; i < n; i++) {
    napi_value pair, k, v;
    char *name = NULL, *value = NULL;
    int ok = napi_get_element(env, argv[0], i, &pair) == napi_ok && napi_get_element(env, pair, 0, &k) == napi_ok &&
             napi_get_element(env, pair, 1, &v) == napi_ok && get_string(env, k, &name) && get_string(env, v, &value);
    if (!ok) {
      free(name);
      free(value);
      rd_kafka_conf_destroy(conf);
      producer_free(p);
      napi_throw_type_error(env, NULL, "rdkafka-batch: a config entry is not a pair of strings");
      return NULL;
    }
    if (strcmp(name, QUEUE_FULL_KEY) == 0) {
      p->queue_full_ms = atoi(value);
      free(name);
      free(value);
      continue;
    }
    rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr));
    free(name);
    free(value);
    if (res != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      producer_free(p);
      napi_throw_error(env, "ERR_CONFIG", errstr);
      return NULL;
    }
  }
  /* logs go to the main queue, so they arrive on poll() like everything else */
  rd_kafka_conf_set(conf, "log.queue", "true", errstr, sizeof(errstr));
  rd_kafka_conf_set_opaque(conf, p);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_error_cb(conf, on_error);
  rd_kafka_conf_set_log_cb(conf, on_log);
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!p->rk) {
    rd_kafka_conf_destroy(conf);
    producer_free(p);
    napi_throw_error(env, "ERR_CONFIG", errstr);
    return NULL;
  }
  rd_kafka_set_log_queue(p->rk, NULL);
  if (pthread_create(&p->thread, NULL, handover_thread, p) != 0) {
    producer_free(p);
    napi_throw_error(env, NULL, "rdkafka-batch: cannot start the hand-over thread");
    return NULL;
  }
  p->thread_started = 1;
  napi_value handle;
  if (napi_create_external(env, p, finalize_producer, NULL, &handle) != napi_ok) {
    producer_free(p);
    napi_throw_error(env, NULL, "rdkafka-batch: N-API call failed");
    return NULL;
  }
  return handle;
}

/* Reading the batch layout, bounds-checked: a bad buffer is an error, never a crash. */
typedef struct {
  const uint8_t *at;
  const uint8_t *end;
  int bad;
} reader_t;

static int32_t read_i32(reader_t *r) {
  if (r->end - r->at < 4) {
    r->bad = 1;
    return -1;
  }
  int32_t v;
  memcpy(&v, r->at, 4);
  r->at += 4;
  return v;
}

static double read_f64(reader_t *r) {
  if (r->end - r->at < 8) {
    r->bad = 1;
    return NAN;
  }
  double v;
  memcpy(&v, r->at, 8);
  r->at += 8;
  return v;
}

/* a length-prefixed byte string; len -1 is null */
static const uint8_t *read_bytes(reader_t *r, int32_t *len) {
  *len = read_i32(r);
  if (r->bad || *len < 0) return NULL;
  if (r->end - r->at < *len) {
    r->bad = 1;
    return NULL;
  }
  const uint8_t *out = r->at;
  r->at += *len;
  return out;
}

static napi_value produce_result(napi_env env, uint32_t next, int err) {
  napi_value out, a, b;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_create_uint32(env, next, &a));
  CHECK(napi_create_int32(env, err, &b));
  CHECK(napi_set_element(env, out, 0, a));
  CHECK(napi_set_element(env, out, 1, b));
  return out;
}

/*
 * Walks messages [start, end) of a batch (end is clamped to its count, written to *count). With
 * `p` unset it only checks the layout; with `p` set it hands each message to librdkafka, waiting
 * for room while its queue is full until `deadline` (monotonic ms). Returns the index reached:
 * `end`, or the first message that is malformed (*err = _BAD_MSG) or that librdkafka refused
 * (*err = its code).
 */
static int32_t walk_batch(const uint8_t *data, size_t length, int32_t start, int32_t end, producer_t *p,
                          rd_kafka_topic_t *rkt, int32_t batch_id, int64_t deadline, int *err, int32_t *count) {
  reader_t r = {data, data + length, 0};
  int32_t n = read_i32(&r);
  if (r.bad || n < 0) {
    *err = RD_KAFKA_RESP_ERR__BAD_MSG;
    if (count) *count = 0;
    return 0;
  }
  if (count) *count = n;
  if (end > n) end = n;
  /* header sets: built once per batch, each message gets a copy (librdkafka owns it then) */
  rd_kafka_headers_t **sets = NULL;
  int32_t nsets = 0, capsets = 0;
  int32_t i = 0;
  *err = 0;
  for (; i < end; i++) {
    int32_t key_len, value_len;
    const uint8_t *key = read_bytes(&r, &key_len);
    const uint8_t *value = read_bytes(&r, &value_len);
    double ts = read_f64(&r);
    int32_t set = read_i32(&r);
    if (r.bad) break;
    if (set >= 0 && set == nsets) {
      int32_t nh = read_i32(&r);
      if (r.bad || nh < 0) {
        r.bad = 1;
        break;
      }
      rd_kafka_headers_t *h = p ? rd_kafka_headers_new((size_t)nh) : NULL;
      for (int32_t j = 0; j < nh && !r.bad; j++) {
        int32_t name_len, val_len;
        const uint8_t *name = read_bytes(&r, &name_len);
        const uint8_t *val = read_bytes(&r, &val_len);
        if (h && !r.bad && name) rd_kafka_header_add(h, (const char *)name, name_len, val, val_len < 0 ? 0 : val_len);
      }
      if (nsets == capsets) {
        capsets = capsets ? capsets * 2 : 4;
        rd_kafka_headers_t **grown = realloc(sets, capsets * sizeof(*sets));
        if (!grown) {
          if (h) rd_kafka_headers_destroy(h);
          *err = RD_KAFKA_RESP_ERR__FAIL;
          break;
        }
        sets = grown;
      }
      sets[nsets++] = h;
      if (r.bad) break;
    } else if (set >= nsets) {
      r.bad = 1;
      break;
    }
    if (!p || i < start) continue;

    rd_kafka_vu_t vu[7];
    int nvu = 0;
    vu[nvu].vtype = RD_KAFKA_VTYPE_RKT;
    vu[nvu++].u.rkt = rkt;
    vu[nvu].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[nvu++].u.i = RD_KAFKA_MSG_F_COPY;
    vu[nvu].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[nvu++].u.ptr = (void *)(intptr_t)batch_id;
    if (value) {
      vu[nvu].vtype = RD_KAFKA_VTYPE_VALUE;
      vu[nvu].u.mem.ptr = (void *)value;
      vu[nvu++].u.mem.size = (size_t)value_len;
    }
    if (key) {
      vu[nvu].vtype = RD_KAFKA_VTYPE_KEY;
      vu[nvu].u.mem.ptr = (void *)key;
      vu[nvu++].u.mem.size = (size_t)key_len;
    }
    if (!isnan(ts)) {
      vu[nvu].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
      vu[nvu++].u.i64 = (int64_t)ts;
    }
    int hv = nvu;
    for (;;) {
      nvu = hv;
      rd_kafka_headers_t *h = set >= 0 ? rd_kafka_headers_copy(sets[set]) : NULL;
      if (h) {
        vu[nvu].vtype = RD_KAFKA_VTYPE_HEADERS;
        vu[nvu++].u.headers = h;
      }
      rd_kafka_error_t *e = rd_kafka_produceva(p->rk, vu, (size_t)nvu);
      if (!e) break;
      int code = rd_kafka_error_code(e);
      rd_kafka_error_destroy(e);
      if (h) rd_kafka_headers_destroy(h); /* not taken: still ours */
      /* closing cuts the wait short: what is still waiting is refused, not held up */
      if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL && now_ms() < deadline && !__atomic_load_n(&p->stopping, __ATOMIC_RELAXED)) {
        /* room comes with delivery reports: serve them, then try again */
        rd_kafka_poll(p->rk, 5);
        continue;
      }
      *err = code;
      break;
    }
    if (*err) break;
  }
  for (int32_t j = 0; j < nsets; j++)
    if (sets[j]) rd_kafka_headers_destroy(sets[j]);
  free(sets);
  if (r.bad && !*err) *err = RD_KAFKA_RESP_ERR__BAD_MSG;
  return i;
}

/* Hands one queued batch to librdkafka; records it could not take are reported as refused. */
static void run_job(producer_t *p, batch_job_t *job) {
  if (!p->rkt || strcmp(p->rkt_name, job->topic) != 0) {
    if (p->rkt) rd_kafka_topic_destroy(p->rkt);
    free(p->rkt_name);
    p->rkt_name = dup_n(job->topic, strlen(job->topic));
    p->rkt = rd_kafka_topic_new(p->rk, job->topic, NULL);
  }
  if (!p->rkt || !p->rkt_name) {
    append_run(p, job->id, rd_kafka_last_error() ? rd_kafka_last_error() : RD_KAFKA_RESP_ERR__FAIL, job->end - job->start);
    return;
  }
  int err = 0;
  int32_t reached =
      walk_batch(job->data, job->length, job->start, job->end, p, p->rkt, job->id, now_ms() + p->queue_full_ms, &err, NULL);
  if (reached < job->end) append_run(p, job->id, err ? err : RD_KAFKA_RESP_ERR__FAIL, job->end - reached);
}

/*
 * The hand-over thread: takes queued batches in order and hands them over; between batches it
 * serves librdkafka's queue (every millisecond while records are out, every 100 ms when idle, for
 * errors and logs) until told to stop, and stops only once the queue of batches is empty.
 */
static void *handover_thread(void *arg) {
  producer_t *p = arg;
  for (;;) {
    rd_kafka_poll(p->rk, 0);
    pthread_mutex_lock(&p->lock);
    if (!p->head && !p->stopping) {
      int64_t wait = rd_kafka_outq_len(p->rk) > 0 ? 1 : 100;
      struct timespec until;
      clock_gettime(CLOCK_MONOTONIC, &until);
      until.tv_nsec += (long)(wait * 1000000);
      until.tv_sec += until.tv_nsec / 1000000000;
      until.tv_nsec %= 1000000000;
      pthread_cond_timedwait(&p->wake, &p->lock, &until);
    }
    batch_job_t *job = p->head;
    if (job) {
      p->head = job->next;
      if (!p->head) p->tail = NULL;
    }
    int stop = p->stopping && !job;
    pthread_mutex_unlock(&p->lock);
    if (stop) break;
    if (job) {
      run_job(p, job);
      job->next = NULL;
      free_jobs(job);
    }
  }
  return NULL;
}

/*
 * produce(handle, topic, batch: Uint8Array, batchId, start) -> [next, error]
 * Checks the batch and queues a copy of messages start.. for the hand-over thread; returns at
 * once. `next` is the count, or the index of the first malformed message (error `_BAD_MSG`: the
 * messages before it are queued). Every queued message is reported exactly once on poll(): its
 * delivery report, or the error librdkafka refused it with (`_QUEUE_FULL` once its queue stayed
 * full for the queue-full timeout).
 */
static napi_value produce(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "rdkafka-batch: produce(handle, topic, batch, batchId, start)");
    return NULL;
  }
  producer_t *p = get_producer(env, argv[0]);
  if (!p) return NULL;
  if (p->closed || !p->rk) {
    return produce_result(env, 0, RD_KAFKA_RESP_ERR__DESTROY);
  }
  char *topic = NULL;
  if (!get_string(env, argv[1], &topic)) {
    free(topic);
    napi_throw_type_error(env, NULL, "rdkafka-batch: the topic must be a string");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[2], &type, &length, &data, &ab, &offset) != napi_ok ||
      type != napi_uint8_array) {
    free(topic);
    napi_throw_type_error(env, NULL, "rdkafka-batch: the batch must be a Uint8Array");
    return NULL;
  }
  int32_t batch_id, start;
  if (napi_get_value_int32(env, argv[3], &batch_id) != napi_ok || napi_get_value_int32(env, argv[4], &start) != napi_ok) {
    free(topic);
    napi_throw_type_error(env, NULL, "rdkafka-batch: batchId and start must be integers");
    return NULL;
  }
  int err = 0;
  int32_t count = 0;
  int32_t valid = walk_batch(data, length, 0, INT32_MAX, NULL, NULL, 0, 0, &err, &count);
  if (start < 0) start = 0;
  if (start >= valid) {
    free(topic);
    return produce_result(env, (uint32_t)valid, err);
  }
  batch_job_t *job = calloc(1, sizeof(batch_job_t));
  uint8_t *copy = malloc(length ? length : 1);
  if (!job || !copy) {
    free(job);
    free(copy);
    free(topic);
    return produce_result(env, (uint32_t)start, RD_KAFKA_RESP_ERR__FAIL);
  }
  memcpy(copy, data, length);
  job->topic = topic;
  job->data = copy;
  job->length = length;
  job->id = batch_id;
  job->start = start;
  job->end = valid;
  pthread_mutex_lock(&p->lock);
  if (p->tail) p->tail->next = job;
  else p->head = job;
  p->tail = job;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  return produce_result(env, (uint32_t)valid, err);
}

/*
 * poll(handle) -> undefined | [runs: Int32Array | null, events: Array<[kind, code, fatal, fac, text]> | null]
 * Returns the delivery reports, errors and logs gathered since the last call.
 */
static napi_value poll(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  producer_t *p = argc ? get_producer(env, argv[0]) : NULL;
  if (!p) return NULL;
  /* the hand-over thread serves librdkafka's queue; this takes what it gathered */
  if (p->rk && !p->closed && !p->thread_started) rd_kafka_poll(p->rk, 0);
  pthread_mutex_lock(&p->lock);
  int32_t *runs = p->runs;
  size_t runs_len = p->runs_len;
  event_t *events = p->events;
  p->runs = NULL;
  p->runs_len = 0;
  p->runs_cap = 0;
  p->events = p->events_tail = NULL;
  p->events_len = 0;
  pthread_mutex_unlock(&p->lock);
  napi_value undefined;
  CHECK(napi_get_undefined(env, &undefined));
  if (runs_len == 0 && !events) {
    free(runs);
    return undefined;
  }
  napi_value out, js_runs = NULL, js_events = NULL, nul;
  CHECK(napi_get_null(env, &nul));
  if (runs_len) {
    void *bytes;
    napi_value ab;
    CHECK(napi_create_arraybuffer(env, runs_len * sizeof(int32_t), &bytes, &ab));
    memcpy(bytes, runs, runs_len * sizeof(int32_t));
    CHECK(napi_create_typedarray(env, napi_int32_array, runs_len, ab, 0, &js_runs));
  }
  free(runs);
  if (events) {
    CHECK(napi_create_array(env, &js_events));
    uint32_t k = 0;
    for (event_t *e = events; e; e = e->next) {
      napi_value item, v;
      CHECK(napi_create_array_with_length(env, 5, &item));
      CHECK(napi_create_int32(env, e->kind, &v));
      CHECK(napi_set_element(env, item, 0, v));
      CHECK(napi_create_int32(env, e->code, &v));
      CHECK(napi_set_element(env, item, 1, v));
      CHECK(napi_get_boolean(env, e->fatal != 0, &v));
      CHECK(napi_set_element(env, item, 2, v));
      if (e->fac) CHECK(napi_create_string_utf8(env, e->fac, NAPI_AUTO_LENGTH, &v));
      else v = nul;
      CHECK(napi_set_element(env, item, 3, v));
      if (e->text) CHECK(napi_create_string_utf8(env, e->text, NAPI_AUTO_LENGTH, &v));
      else v = nul;
      CHECK(napi_set_element(env, item, 4, v));
      CHECK(napi_set_element(env, js_events, k++, item));
    }
    free_events(events);
  }
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_set_element(env, out, 0, js_runs ? js_runs : nul));
  CHECK(napi_set_element(env, out, 1, js_events ? js_events : nul));
  return out;
}

/* Work in libuv's pool: metadata (connect), flush, close. */
typedef enum { OP_METADATA, OP_FLUSH, OP_CLOSE } op_t;

typedef struct {
  op_t op;
  producer_t *p;
  int timeout_ms;
  int err;
  napi_ref handle_ref; /* keeps the handle alive while the work runs */
  napi_ref cb_ref;
  napi_async_work work;
} job_t;

static void job_execute(napi_env env, void *data) {
  (void)env;
  job_t *job = data;
  producer_t *p = job->p;
  if (job->op == OP_CLOSE) {
    pthread_mutex_lock(&p->lock);
    while (p->jobs > 0) pthread_cond_wait(&p->idle, &p->lock);
    pthread_mutex_unlock(&p->lock);
  }
  if (!p->rk) {
    job->err = RD_KAFKA_RESP_ERR__DESTROY;
  } else if (job->op == OP_METADATA) {
    const struct rd_kafka_metadata *md = NULL;
    job->err = rd_kafka_metadata(p->rk, 0, NULL, &md, job->timeout_ms);
    if (md) rd_kafka_metadata_destroy(md);
  } else if (job->op == OP_FLUSH) {
    job->err = rd_kafka_flush(p->rk, job->timeout_ms);
  } else {
    /* every queued batch is handed over first, so the flush and the purge account for all */
    stop_thread(p);
    job->err = rd_kafka_flush(p->rk, job->timeout_ms);
    /* what is still queued fails with _PURGE_QUEUE / _PURGE_INFLIGHT, reported below */
    rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(p->rk, 0);
    if (p->rkt) rd_kafka_topic_destroy(p->rkt);
    p->rkt = NULL;
    rd_kafka_destroy(p->rk);
    p->rk = NULL;
  }
  if (job->op != OP_CLOSE) {
    pthread_mutex_lock(&p->lock);
    if (--p->jobs == 0) pthread_cond_broadcast(&p->idle);
    pthread_mutex_unlock(&p->lock);
  }
}

static void job_complete(napi_env env, napi_status status, void *data) {
  (void)status;
  job_t *job = data;
  napi_value cb, global, arg;
  if (napi_get_reference_value(env, job->cb_ref, &cb) == napi_ok && napi_get_global(env, &global) == napi_ok &&
      napi_create_int32(env, job->err, &arg) == napi_ok) {
    napi_call_function(env, global, cb, 1, &arg, NULL);
  }
  napi_delete_reference(env, job->cb_ref);
  napi_delete_reference(env, job->handle_ref);
  napi_delete_async_work(env, job->work);
  free(job);
}

/* metadata|flush|close(handle, timeoutMs, cb(err)) */
static napi_value start_job(napi_env env, napi_callback_info info, op_t op, const char *name) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "rdkafka-batch: (handle, timeoutMs, callback)");
    return NULL;
  }
  producer_t *p = get_producer(env, argv[0]);
  if (!p) return NULL;
  if (p->closed) {
    napi_throw_error(env, "ERR_CLOSED", "rdkafka-batch: the producer is closed");
    return NULL;
  }
  job_t *job = calloc(1, sizeof(job_t));
  if (!job) {
    napi_throw_error(env, NULL, "rdkafka-batch: out of memory");
    return NULL;
  }
  job->op = op;
  job->p = p;
  CHECK(napi_get_value_int32(env, argv[1], &job->timeout_ms));
  if (op == OP_CLOSE) {
    p->closed = 1;
  } else {
    pthread_mutex_lock(&p->lock);
    p->jobs++;
    pthread_mutex_unlock(&p->lock);
  }
  napi_value resource_name;
  CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name));
  CHECK(napi_create_reference(env, argv[0], 1, &job->handle_ref));
  CHECK(napi_create_reference(env, argv[2], 1, &job->cb_ref));
  CHECK(napi_create_async_work(env, NULL, resource_name, job_execute, job_complete, job, &job->work));
  CHECK(napi_queue_async_work(env, job->work));
  return NULL;
}

static napi_value metadata(napi_env env, napi_callback_info info) {
  return start_job(env, info, OP_METADATA, "rdkafka-batch:metadata");
}
static napi_value flush(napi_env env, napi_callback_info info) {
  return start_job(env, info, OP_FLUSH, "rdkafka-batch:flush");
}
static napi_value close_producer(napi_env env, napi_callback_info info) {
  return start_job(env, info, OP_CLOSE, "rdkafka-batch:close");
}

/* outq(handle) -> records librdkafka still holds (queued, in flight, reports not served) */
static napi_value outq(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  producer_t *p = argc ? get_producer(env, argv[0]) : NULL;
  if (!p) return NULL;
  CHECK(napi_create_int32(env, p->rk && !p->closed ? rd_kafka_outq_len(p->rk) : 0, &out));
  return out;
}

/* errorName(code) -> librdkafka's name of an error code; errorText(code) -> its description */
static napi_value error_name(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  int32_t code = 0;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc) CHECK(napi_get_value_int32(env, argv[0], &code));
  CHECK(napi_create_string_utf8(env, rd_kafka_err2name(code), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_string_utf8(env, rd_kafka_version_str(), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
      {"produce", NULL, produce, NULL, NULL, NULL, napi_default, NULL},
      {"poll", NULL, poll, NULL, NULL, NULL, napi_default, NULL},
      {"metadata", NULL, metadata, NULL, NULL, NULL, napi_default, NULL},
      {"flush", NULL, flush, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_producer, NULL, NULL, NULL, napi_default, NULL},
      {"outq", NULL, outq, NULL, NULL, NULL, napi_default, NULL},
      {"errorName", NULL, error_name, NULL, NULL, NULL, napi_default, NULL},
      {"version", NULL, version, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
