/** The status page: one HTML file that polls `/api/metrics` and `/health` every second. */
export const STATUS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Firefront status</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;color:#222}
h1{font-size:1.3rem} table{border-collapse:collapse;margin:1rem 0} td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left} .bad{color:#b00} .ok{color:#070}
</style></head><body>
<h1>Firefront <span id="health"></span></h1>
<div id="summary"></div>
<table id="streams"><thead><tr><th>source</th><th>status</th><th>fetched</th><th>sent</th><th>dead-lettered</th><th>spooled</th><th>dropped</th><th>rejected</th><th>last error</th></tr></thead><tbody></tbody></table>
<script>
const el = (id) => document.getElementById(id)
const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c])
async function tick() {
  try {
    const [m, h] = await Promise.all([fetch('/api/metrics').then((r) => r.json()), fetch('/health').then((r) => r.json())])
    el('health').innerHTML = h.healthy ? '<span class="ok">healthy</span>' : '<span class="bad">unhealthy</span>'
    const q = m.queue || {}
    const p = m.producer || {}
    const t = m.throttling || {}
    el('summary').textContent = 'queue ' + (q.size ?? 0) + '/' + (q.max_size ?? 0) + ' · sent ' + (p.total_sent ?? 0) + ' · failed ' + (p.total_failed ?? 0) + ' · throttle ' + (t.current_state ?? '-')
    el('streams').tBodies[0].innerHTML = Object.values(m.streams || {}).map((s) => {
      const r = s.records || {}
      return '<tr><td>' + esc(s.source_id) + '</td><td>' + esc(s.status) + '</td><td>' + r.fetched + '</td><td>' + r.sent + '</td><td>' + r.dead_lettered + '</td><td>' + r.spooled + '</td><td>' + r.dropped + '</td><td>' + r.rejected + '</td><td class="bad">' + esc(s.last_error ?? '') + '</td></tr>'
    }).join('')
  } catch (e) { el('health').innerHTML = '<span class="bad">unreachable</span>' }
}
tick(); setInterval(tick, 1000)
</script></body></html>
`
