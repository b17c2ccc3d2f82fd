/**
 * The status page: one self-contained HTML document (styles, script and the world outline inline;
 * nothing fetched from elsewhere) that polls `/api/status` every second and draws each stream's
 * state, rates and errors as small charts, the queue, throttle and producer, and the detections
 * of the last hour on a world map.
 */
import { WORLD_OUTLINE_PATH } from './world-outline'

const STYLE = `
:root{--fg:#1d2329;--mut:#68717a;--bg:#f6f7f8;--card:#fff;--line:#e3e6e9;--ok:#17803d;--warn:#b86e00;--bad:#c0262d;--acc:#d9480f}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--fg);background:var(--bg)}
header{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap;padding:.8rem 1.4rem;background:#20262c;color:#fff}
header h1{font-size:1.2rem;margin:0} header .meta{color:#c4cbd2;font-size:.9rem}
main{padding:1rem 1.4rem;display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(300px,1fr))}
section{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem}
section.wide{grid-column:1/-1;overflow-x:auto}
h2{font-size:.95rem;margin:0 0 .6rem;color:var(--mut);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%} td,th{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:right;vertical-align:middle;white-space:nowrap}
th{color:var(--mut);font-weight:600;font-size:.8rem} td:first-child,th:first-child{text-align:left}
td.err{white-space:normal;min-width:10rem;max-width:20rem;text-align:left;color:var(--bad);font-size:.85rem}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:9px;font-size:.8rem;font-weight:600;color:#fff;background:var(--mut)}
.badge.running,.badge.healthy,.badge.allow,.badge.delivering{background:var(--ok)}
.badge.failed,.badge.unhealthy,.badge.unreachable,.badge.throttle_critical,.badge.paused{background:var(--bad)}
.badge.starting,.badge.stopping,.badge.throttle_moderate,.badge.retrying,.badge.spooling,.badge.replaying{background:var(--warn)}
dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem;margin:0} dt{color:var(--mut)} dd{margin:0;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{height:8px;background:var(--line);border-radius:4px;position:relative;margin:.3rem 0 .6rem}
.bar>span{position:absolute;left:0;top:0;bottom:0;border-radius:4px;background:var(--acc)}
.bar>i{position:absolute;top:-3px;bottom:-3px;width:2px;background:var(--fg)}
svg.spark{width:120px;height:28px;display:block} svg.spark path.line{fill:none;stroke:var(--acc);stroke-width:1.5}
svg.spark path.area{fill:rgba(217,72,15,.15);stroke:none} svg.spark rect{fill:var(--bad)}
#map{width:100%;height:auto;background:#dbe9f4;border-radius:4px} #map path.land{fill:#f2efe9;stroke:#b9b3a7;stroke-width:.15}
#map circle{stroke:#7a1d00;stroke-width:.12;fill-opacity:.8} .mut{color:var(--mut)} .num{font-variant-numeric:tabular-nums}
`

const SCRIPT = `
const $ = (s, r) => (r || document).querySelector(s)
const esc = (s) => String(s == null ? '' : s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
const fmt = (n, d) => (n == null || !isFinite(n) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: d == null ? 0 : d }))
const dur = (s) => { if (s == null) return '–'; s = Math.floor(s); if (s < 60) return s + ' s'; if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s'; if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min'; return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h' }
const badge = (v) => '<span class="badge ' + esc(v) + '">' + esc(v) + '</span>'
const COLORS = ['#d9480f', '#c2255c', '#7048e8', '#1c7ed6', '#0ca678', '#f08c00']
function spark(values, kind) {
  const w = 120, h = 28, n = values.length
  if (n === 0) return '<svg class="spark" viewBox="0 0 ' + w + ' ' + h + '"></svg>'
  const max = Math.max(1e-9, ...values)
  if (kind === 'bars') {
    const bw = w / Math.max(n, 1)
    return '<svg class="spark ' + kind + '" viewBox="0 0 ' + w + ' ' + h + '" data-max="' + max + '">' + values.map((v, i) => v > 0 ? '<rect x="' + (i * bw).toFixed(1) + '" y="' + (h - (v / max) * (h - 2)).toFixed(1) + '" width="' + Math.max(1, bw - 0.5).toFixed(1) + '" height="' + ((v / max) * (h - 2)).toFixed(1) + '"/>' : '').join('') + '</svg>'
  }
  const pts = values.map((v, i) => ((n === 1 ? w : (i / (n - 1)) * w).toFixed(1) + ' ' + (h - 1 - (v / max) * (h - 3)).toFixed(1)))
  return '<svg class="spark ' + kind + '" viewBox="0 0 ' + w + ' ' + h + '" data-max="' + max + '"><path class="area" d="M0 ' + h + 'L' + pts.join('L') + 'L' + w + ' ' + h + 'Z"/><path class="line" d="M' + pts.join('L') + '"/></svg>'
}
function streams(r) {
  const samples = r.history.samples
  return r.streams.map((s) => {
    const outs = samples.map((x) => (x.sources[s.source] ? x.sources[s.source].out_per_second : 0))
    const errs = samples.map((x) => (x.sources[s.source] ? x.sources[s.source].errors : 0))
    return '<tr data-source="' + esc(s.source) + '"><td><b>' + esc(s.source) + '</b><br><span class="mut">' + esc(s.plugin) + ' · ' + esc(s.mode) + ' · ' + esc(s.priority) + '</span></td>' +
      '<td data-field="status">' + badge(s.status) + '</td>' +
      '<td class="num"><span data-field="out-rate">' + fmt(s.out_per_second, 1) + '</span>/s<br><span class="mut">in ' + fmt(s.in_per_second, 1) + '/s</span></td>' +
      '<td data-field="rate-chart">' + spark(outs, 'line') + '</td>' +
      '<td class="num"><span data-field="sent">' + fmt(s.sent) + '</span><br><span class="mut">of ' + fmt(s.fetched) + ' fetched</span></td>' +
      '<td class="num" data-field="dead-lettered">' + fmt(s.dead_lettered) + '</td>' +
      '<td class="num"><span data-field="errors">' + fmt(s.errors) + '</span></td>' +
      '<td data-field="error-chart">' + spark(errs, 'bars') + '</td>' +
      '<td class="num" data-field="last-success">' + (s.last_success_age_seconds == null ? '–' : dur(s.last_success_age_seconds) + ' ago') + '</td>' +
      '<td class="err" data-field="last-error">' + esc(s.last_error || '') + (s.last_error_at ? '<br><span class="mut">' + esc(s.last_error_at) + '</span>' : '') + '</td></tr>'
  }).join('')
}
function queue(q) {
  if (!q) return '<p class="mut">not started</p>'
  const pct = q.max_size ? (100 * q.size) / q.max_size : 0
  return '<dl><dt>queued</dt><dd data-field="queue-size">' + fmt(q.size) + ' / ' + fmt(q.max_size) + '</dd></dl><div class="bar"><span style="width:' + pct.toFixed(1) + '%"></span></div><dl>' +
    Object.entries(q.by_priority).map(([p, n]) => '<dt>' + esc(p) + '</dt><dd data-priority="' + esc(p) + '">' + fmt(n) + '</dd>').join('') +
    '<dt>oldest</dt><dd>' + (q.oldest_age_seconds == null ? '–' : fmt(q.oldest_age_seconds, 1) + ' s') + '</dd></dl>'
}
function throttle(t) {
  if (!t) return '<p class="mut">not started</p>'
  let lag = ''
  if (t.enabled && t.critical_lag) {
    const scale = Math.max(t.critical_lag * 1.2, t.consumer_lag || 0)
    lag = '<div class="bar" title="consumer lag against target and critical"><span style="width:' + Math.min(100, (100 * (t.consumer_lag || 0)) / scale).toFixed(1) + '%"></span><i style="left:' + ((100 * t.target_lag) / scale).toFixed(1) + '%"></i><i style="left:' + ((100 * t.critical_lag) / scale).toFixed(1) + '%"></i></div>'
  }
  return '<dl><dt>state</dt><dd data-field="throttle-state">' + badge(t.enabled ? t.state : 'off') + '</dd><dt>send rate</dt><dd>' + (t.send_rate == null ? '–' : fmt(t.send_rate, 1) + ' records/s') + '</dd>' +
    '<dt>consumer lag</dt><dd data-field="consumer-lag">' + fmt(t.consumer_lag) + '</dd><dt>target / critical</dt><dd>' + fmt(t.target_lag) + ' / ' + fmt(t.critical_lag) + '</dd>' +
    Object.entries(t.lag_by_group).map(([g, n]) => '<dt>group ' + esc(g) + '</dt><dd>' + fmt(n) + '</dd>').join('') + '</dl>' + lag
}
function producer(p, sink) {
  if (!p) return '<p class="mut">not started</p>'
  return '<dl><dt>sink</dt><dd>' + esc(sink) + (p.delivery_state ? ' ' + badge(p.delivery_state) : '') + '</dd><dt>sent</dt><dd data-field="producer-sent">' + fmt(p.sent) + '</dd><dt>retries</dt><dd>' + fmt(p.retries) + '</dd>' +
    '<dt>failed</dt><dd>' + fmt(p.failed) + '</dd><dt>dead letters</dt><dd data-field="producer-dead-lettered">' + fmt(p.dead_lettered) + '</dd><dt>spooled / replayed</dt><dd>' + fmt(p.spooled) + ' / ' + fmt(p.replayed) + '</dd>' +
    '<dt>spool</dt><dd>' + fmt(p.spool_batches) + ' batches, ' + fmt(p.spool_bytes) + ' bytes</dd>' + (p.connected == null ? '' : '<dt>Kafka</dt><dd>' + (p.connected ? 'connected' : 'not connected') + '</dd>') +
    (p.last_error ? '<dt>last error</dt><dd class="err">' + esc(p.last_error) + '</dd>' : '') + '</dl>'
}
function detections(points) {
  const sources = [...new Set(points.map((p) => p.source))]
  $('#dots').innerHTML = points.map((p) => '<circle r="0.9" cx="' + (p.lon + 180).toFixed(2) + '" cy="' + (90 - p.lat).toFixed(2) + '" fill="' + COLORS[sources.indexOf(p.source) % COLORS.length] + '"><title>' + esc(p.source) + ' ' + p.lat + ', ' + p.lon + (p.detected_at ? ' ' + esc(p.detected_at) : '') + '</title></circle>').join('')
  $('#map-count').textContent = points.length.toLocaleString('en-US') + ' detection' + (points.length === 1 ? '' : 's') + ' in the last hour' + (sources.length ? ' (' + sources.join(', ') + ')' : '')
}
async function tick() {
  try {
    const r = await fetch('api/status', { cache: 'no-store' }).then((x) => { if (!x.ok) throw new Error(x.status); return x.json() })
    $('#health').innerHTML = badge(r.healthy ? 'healthy' : 'unhealthy') + ' ' + badge(r.state)
    $('#meta').textContent = 'v' + r.version + ' · Node.js ' + r.node_version + ' · up ' + dur(r.uptime_seconds) + ' · sink ' + r.sink
    $('#streams tbody').innerHTML = streams(r) || '<tr><td colspan="10" class="mut">no stream</td></tr>'
    $('#queue').innerHTML = queue(r.queue)
    $('#throttle').innerHTML = throttle(r.throttle)
    $('#producer').innerHTML = producer(r.producer, r.sink)
    detections(r.detections)
    document.body.dataset.updated = r.generated_at
  } catch (e) {
    $('#health').innerHTML = badge('unreachable')
  }
}
tick()
setInterval(tick, 1000)
`

/** The page's HTML. */
export const STATUS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Firefront status</title><style>${STYLE}</style></head><body>
<header><h1>Firefront</h1><span id="health"></span><span class="meta" id="meta"></span></header>
<main>
<section class="wide"><h2>Streams</h2><table id="streams"><thead><tr><th>source</th><th>state</th><th>records/s</th><th>out, last 10 min</th><th>sent</th><th>dead letters</th><th>errors</th><th>errors, last 10 min</th><th>last success</th><th>last error</th></tr></thead><tbody></tbody></table></section>
<section><h2>Queue</h2><div id="queue"></div></section>
<section><h2>Throttle</h2><div id="throttle"></div></section>
<section><h2>Producer</h2><div id="producer"></div></section>
<section class="wide"><h2>Fire detections</h2><p class="mut" id="map-count"></p>
<svg id="map" viewBox="0 0 360 180" role="img" aria-label="detections of the last hour on a world map"><path class="land" d="${WORLD_OUTLINE_PATH}"/><g id="dots"></g></svg>
<p class="mut">Land: Natural Earth 1:110m (public domain).</p></section>
</main>
<script>${SCRIPT}</script></body></html>
`
