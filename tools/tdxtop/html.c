// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tdxtop report --html: one self-contained page (no network, no external
 * script, style or font).  The data is report -j's own output, embedded
 * verbatim as JSON (per interval and merged, with histogram buckets), plus
 * diff -j's with two recordings; the page's script draws it as SVG.  Every
 * number shown is read from that data, and names reach the page only as
 * text nodes, never as markup.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "tdxtop.h"

static const char page_head[] =
"<!DOCTYPE html>\n"
"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
"script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
"<title>tdxtop report</title>\n"
"<style>\n"
"body{font:13px/1.4 sans-serif;margin:16px 24px;color:#222;background:#fff}\n"
"h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px;"
"border-bottom:1px solid #ccc}h3{font-size:13px;margin:10px 0 2px}\n"
"table{border-collapse:collapse;font-size:12px}td,th{padding:2px 6px;"
"border-bottom:1px solid #eee;text-align:right;white-space:nowrap}\n"
"th{background:#f4f4f4}td.l,th.l{text-align:left}.grid{display:flex;flex-wrap:wrap;"
"gap:6px 18px}\n"
".key{margin:12px 0;padding:4px 0;border-top:1px dashed #ddd}.muted{color:#777}\n"
".REGRESSION{color:#b00;font-weight:bold}.improvement{color:#070}\n"
"svg text{font:10px sans-serif;fill:#333}svg .axis{stroke:#888;stroke-width:1}\n"
".legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}\n"
"</style></head><body>\n"
"<h1>tdxtop report</h1>\n"
"<div id=\"summary\" class=\"muted\"></div>\n"
"<div id=\"page\"><noscript>This report draws its charts with JavaScript; "
"the data is in the script element tdxtop-data.</noscript></div>\n"
"<script type=\"application/json\" id=\"tdxtop-data\">\n";

/* The page's script: draws D (the data above) into #page */
static const char page_script[] =
"</script>\n<script>\n"
"'use strict';\n"
"const D = JSON.parse(document.getElementById('tdxtop-data').textContent);\n"
"const SVG = 'http://www.w3.org/2000/svg';\n"
"const COL = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];\n"
"function el(tag, attrs, ...kids) {\n"
"  const e = document.createElement(tag);\n"
"  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);\n"
"  for (const c of kids) e.append(c instanceof Node ? c : document.createTextNode(String(c)));\n"
"  return e;\n"
"}\n"
"function sv(tag, attrs, text) {\n"
"  const e = document.createElementNS(SVG, tag);\n"
"  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);\n"
"  if (text !== undefined) e.textContent = String(text);\n"
"  return e;\n"
"}\n"
"function ns(v) {\n"
"  if (v === null || v === undefined) return '-';\n"
"  if (v < 10000) return Math.round(v) + 'ns';\n"
"  if (v < 1e7) return (v / 1e3).toFixed(1) + 'us';\n"
"  if (v < 1e10) return (v / 1e6).toFixed(1) + 'ms';\n"
"  return (v / 1e9).toFixed(1) + 's';\n"
"}\n"
"function keyOf(r) { return r.vm + ' ' + r.pid + ' ' + r.kind + ' ' + (r.label || ''); }\n"
"function nameOf(r) { return (r.label || r.kind) + ' - ' + r.vm + ' (' + r.pid + ')'; }\n"
"const page = document.getElementById('page');\n"
"function section(title) { const s = el('section'); s.append(el('h2', {}, title));"
" page.append(s); return s; }\n"
"/* a chart: an svg with a title, axes and axis labels; plots start at x = L */\n"
"const L = 56;\n"
"function chart(parent, title, w, h, xlabel, ylabel) {\n"
"  const d = el('div', {class: 'chart'});\n"
"  d.append(el('h3', {}, title));\n"
"  const s = sv('svg', {width: w, height: h, role: 'img'});\n"
"  s.append(sv('title', {}, title));\n"
"  s.append(sv('line', {class: 'axis', x1: L, y1: h - 28, x2: w - 6, y2: h - 28}));\n"
"  s.append(sv('line', {class: 'axis', x1: L, y1: 6, x2: L, y2: h - 28}));\n"
"  s.append(sv('text', {class: 'axis-label', x: (w + L) / 2, y: h - 2, "
"'text-anchor': 'middle'}, xlabel));\n"
"  s.append(sv('text', {class: 'axis-label', x: 10, y: (h - 28) / 2, 'text-anchor': 'middle',"
" transform: 'rotate(-90 10 ' + (h - 28) / 2 + ')'}, ylabel));\n"
"  d.append(s); parent.append(d); return s;\n"
"}\n"
"/* x on a log axis of ns between 2^a and 2^b */\n"
"function logx(a, b, w) { return v => L + (Math.log2(Math.max(v, 1)) - a) / (b - a) * (w - L - 8); }\n"
"function logTicks(s, a, b, w, h) {\n"
"  const x = logx(a, b, w);\n"
"  for (let p = 0; p <= 12; p++) {\n"
"    const v = Math.pow(10, p), l2 = Math.log2(v);\n"
"    if (l2 < a || l2 > b) continue;\n"
"    s.append(sv('line', {class: 'axis', x1: x(v), y1: h - 28, x2: x(v), y2: h - 24}));\n"
"    s.append(sv('text', {class: 'tick', x: x(v), y: h - 14, 'text-anchor':"
" x(v) > w - 30 ? 'end' : 'middle'}, ns(v)));\n"
"  }\n"
"}\n"
"/* histograms of one metric of one key, one per run, overlaid: shares of samples */\n"
"function histChart(parent, title, sets) {\n"
"  const w = 330, h = 150;\n"
"  let a = 64, b = 0, top = 0;\n"
"  for (const st of sets) {\n"
"    if (!st || !st.buckets || !st.n) continue;\n"
"    for (const [lo, hi, c] of st.buckets) {\n"
"      a = Math.min(a, Math.floor(Math.log2(Math.max(lo, 1))));\n"
"      b = Math.max(b, Math.ceil(Math.log2(hi === null ? lo * 2 : hi)));\n"
"      top = Math.max(top, c / st.n);\n"
"    }\n"
"  }\n"
"  const s = chart(parent, title, w, h, 'ns (log)', 'share');\n"
"  if (!top) { s.append(sv('text', {x: 60, y: 60}, 'no samples')); return; }\n"
"  if (b <= a) b = a + 1;\n"
"  const x = logx(a, b, w), y = f => h - 28 - f / top * (h - 40);\n"
"  sets.forEach((st, i) => {\n"
"    if (!st || !st.buckets || !st.n) return;\n"
"    for (const [lo, hi, c] of st.buckets) {\n"
"      const x0 = x(lo), x1 = x(hi === null ? lo * 2 : hi);\n"
"      const r = sv('rect', {x: x0, y: y(c / st.n), width: Math.max(x1 - x0, 1),"
" height: h - 28 - y(c / st.n), fill: COL[i], 'fill-opacity': sets.length > 1 ? 0.55 : 0.85,"
" 'data-lo': lo, 'data-count': c});\n"
"      r.append(sv('title', {}, '[' + ns(lo) + ', ' + ns(hi) + '): ' + c));\n"
"      s.append(r);\n"
"    }\n"
"  });\n"
"  logTicks(s, a, b, w, h);\n"
"}\n"
"/* a line chart over the intervals of a run: series [{name, values}] */\n"
"function lineChart(parent, title, xs, series, ylabel, fmt) {\n"
"  const w = 520, h = 170;\n"
"  let top = 0;\n"
"  for (const se of series) for (const v of se.values) if (v !== null) top = Math.max(top, v);\n"
"  const s = chart(parent, title, w, h, 'seconds into the run', ylabel);\n"
"  const x0 = xs.length ? xs[0] : 0, x1 = xs.length ? xs[xs.length - 1] : 1;\n"
"  const x = t => L + (x1 > x0 ? (t - x0) / (x1 - x0) : 0.5) * (w - L - 8);\n"
"  const y = v => h - 28 - (top ? v / top : 0) * (h - 40);\n"
"  s.append(sv('text', {class: 'tick', x: L - 2, y: 14, 'text-anchor': 'end'}, fmt ? fmt(top) : top.toPrecision(3)));\n"
"  s.append(sv('text', {class: 'tick', x: L - 2, y: h - 28, 'text-anchor': 'end'}, '0'));\n"
"  timeTicks(s, x0, x1, w, h);\n"
"  series.forEach((se, i) => {\n"
"    const pts = [];\n"
"    se.values.forEach((v, k) => { if (v !== null) pts.push(x(xs[k]) + ',' + y(v)); });\n"
"    if (pts.length) s.append(sv('polyline', {points: pts.join(' '), fill: 'none',"
" stroke: COL[i % COL.length], 'stroke-width': 1.5}));\n"
"  });\n"
"  const lg = el('div', {class: 'legend'});\n"
"  series.forEach((se, i) => { lg.append(el('span', {style: 'background:' + COL[i % COL.length]}),"
" se.name); });\n"
"  parent.lastChild.append(lg);\n"
"}\n"
"function timeTicks(s, x0, x1, w, h) {\n"
"  s.append(sv('text', {class: 'tick', x: L, y: h - 14, 'text-anchor': 'middle'}, x0.toFixed(0)));\n"
"  s.append(sv('text', {class: 'tick', x: w - 6, y: h - 14, 'text-anchor': 'end'}, x1.toFixed(0)));\n"
"}\n"
"function cell(v, text, left) {\n"
"  const a = {'data-v': v === null || v === undefined ? '' : String(v)};\n"
"  if (left) a.class = 'l';\n"
"  return el('td', a, text === undefined ? String(v) : text);\n"
"}\n"
"/* the sum of two metrics' histograms (bucket bounds are shared) */\n"
"function addHist(a, b) {\n"
"  if (!b || !b.buckets) return a;\n"
"  const m = {};\n"
"  for (const x of [a, b]) if (x) for (const [lo, hi, c] of x.buckets) m[lo] = [lo, hi, (m[lo] ? m[lo][2] : 0) + c];\n"
"  return {n: (a ? a.n : 0) + b.n, buckets: Object.values(m).sort((p, q) => p[0] - q[0])};\n"
"}\n"
"function exitRows(o) { return (o.rows || []).filter(r => r.kind === 'exit'); }\n"
"function runTime(run, k) { const t0 = Date.parse(run.intervals[0].time) / 1000 -"
" run.intervals[0].interval_s; return Date.parse(run.intervals[k].time) / 1000 - t0; }\n"
"\n"
"const runs = D.runs;\n"
"const names = runs.map((r, i) => runs.length > 1 ? (i ? 'new: ' : 'base: ') + r.file : r.file);\n"
"document.getElementById('summary').append(names.join('  |  ') + '  -  ' +\n"
"  runs.map(r => r.intervals.length + ' intervals, ' + r.merged.interval_s.toFixed(1) +"
" ' s, ' + r.merged.events + ' events').join('  |  ') + '  -  tdxtop ' + D.version);\n"
"\n"
"/* the verdicts of diff */\n"
"if (runs.length > 1) {\n"
"  const s = section('Verdicts (tdxtop diff)');\n"
"  if (D.diff) {\n"
"    s.append(el('p', {class: 'muted'}, 'threshold ' + D.diff.threshold_pct + '%, alpha ' +"
" D.diff.alpha + ', ' + D.diff.comparisons + ' comparisons; base ' + D.diff.base.samples +"
" ' samples, new ' + D.diff.new.samples));\n"
"    const t = el('table', {id: 'verdicts'});\n"
"    t.append(el('tr', {}, el('th', {class: 'l'}, 'VM'), el('th', {class: 'l'}, 'key'),"
" el('th', {class: 'l'}, 'metric'), el('th', {}, 'base'), el('th', {}, 'new'),"
" el('th', {}, 'change %'), el('th', {}, '95% CI'), el('th', {}, 'p (Holm)'),"
" el('th', {class: 'l'}, 'verdict')));\n"
"    const order = {REGRESSION: 0, improvement: 1, 'within threshold': 2, changed: 3};\n"
"    const rows = D.diff.rows.slice().sort((p, q) => (order[p.verdict] ?? 9) - (order[q.verdict] ?? 9));\n"
"    const quiet = el('tbody', {class: 'quiet', hidden: ''});\n"
"    for (const r of rows) {\n"
"      const tr = el('tr', {class: r.verdict});\n"
"      tr.append(cell(r.vm, r.vm === null ? '*' : r.vm, true), cell(r.label, r.label, true),"
" cell(r.metric, r.metric, true), cell(r.base, r.base === null ? '-' : r.base.toPrecision(4)),"
" cell(r.new, r.new === null ? '-' : r.new.toPrecision(4)),"
" cell(r.change_pct, r.change_pct === null ? '-' : r.change_pct.toFixed(1)),"
" cell(r.ci_pct.join(' '), r.ci_pct[0] === null ? '-' : r.ci_pct[0].toFixed(1) + ' .. ' +"
" r.ci_pct[1].toFixed(1)), cell(r.p_holm, r.p_holm === null ? '-' : r.p_holm.toPrecision(2)),"
" cell(r.verdict, r.verdict, true));\n"
"      (r.verdict === '~' || r.verdict === 'few samples' ? quiet : t).append(tr);\n"
"    }\n"
"    t.append(quiet);\n"
"    s.append(t);\n"
"    if (quiet.childNodes.length) {\n"
"      const b = el('button', {type: 'button'}, 'show the ' + quiet.childNodes.length +"
" ' comparisons without a significant change');\n"
"      b.addEventListener('click', () => { quiet.hidden = !quiet.hidden; });\n"
"      s.append(b);\n"
"    }\n"
"  } else {\n"
"    s.append(el('p', {id: 'diff-error'}, 'no verdict: ' + D.diff_error));\n"
"  }\n"
"}\n"
"\n"
"/* the keys, busiest first: a table, then their histograms */\n"
"{\n"
"  const s = section('Exits by VM and reason (whole run)');\n"
"  const t = el('table', {id: 'keys'});\n"
"  const hdr = el('tr', {}, el('th', {class: 'l'}, 'run'), el('th', {class: 'l'}, 'VM'),"
" el('th', {}, 'pid'), el('th', {class: 'l'}, 'reason'), el('th', {}, 'count'));\n"
"  for (const m of ['guest', 'host', 'restore']) hdr.append(el('th', {}, m + ' p50'),"
" el('th', {}, m + ' p99'));\n"
"  t.append(hdr);\n"
"  runs.forEach((run, i) => {\n"
"    for (const r of run.merged.rows) {\n"
"      const tr = el('tr', {'data-run': i});\n"
"      tr.append(cell(i, names[i], true), cell(r.vm, r.vm, true), cell(r.pid),"
" cell(r.label || r.kind, r.label || r.kind, true), cell(r.count));\n"
"      for (const m of ['guest_ns', 'host_ns', 'restore_ns']) {\n"
"        const st = r[m] || r.cost_ns && m === 'restore_ns' && r.cost_ns;\n"
"        tr.append(cell(st ? st.p50 : null, st ? ns(st.p50) : '-'),"
" cell(st ? st.p99 : null, st ? ns(st.p99) : '-'));\n"
"      }\n"
"      t.append(tr);\n"
"    }\n"
"  });\n"
"  s.append(t);\n"
"  const hs = section('Histograms of guest, host and restore time per key (log axis)');\n"
"  if (runs.length > 1) hs.append(el('div', {class: 'legend'}, el('span', {style: 'background:'"
" + COL[0]}), names[0], el('span', {style: 'background:' + COL[1]}), names[1]));\n"
"  /* one run: a key per VM and reason; two: per reason over all VMs, as diff's '*' */\n"
"  const keyed = run => { const m = {};\n"
"    for (const r of exitRows(run.merged)) {\n"
"      const k = runs.length > 1 ? r.label : keyOf(r);\n"
"      const g = m[k] || (m[k] = {name: runs.length > 1 ? r.label + ' - all VMs' : nameOf(r),"
" label: r.label, count: 0});\n"
"      g.count += r.count;\n"
"      for (const x of ['guest_ns', 'host_ns', 'restore_ns']) g[x] = addHist(g[x], r[x]);\n"
"    }\n"
"    return m; };\n"
"  const per = runs.map(keyed), keys = [], seen = {};\n"
"  for (const m of per) for (const k in m) if (!seen[k]) { seen[k] = 1; keys.push(k); }\n"
"  const total = k => per.reduce((t, m) => t + (m[k] ? m[k].count : 0), 0);\n"
"  keys.sort((p, q) => total(q) - total(p));\n"
"  for (const key of keys.slice(0, 24)) {\n"
"    const k = per.map(m => m[key]).find(x => x);\n"
"    const box = el('div', {class: 'key'});\n"
"    box.append(el('b', {}, k.name));\n"
"    if (D.diff) {\n"
"      const v = D.diff.rows.filter(r => r.label === k.label && r.vm === null &&"
" r.verdict !== '~');\n"
"      for (const r of v) box.append(' ', el('span', {class: r.verdict},"
" r.metric + ': ' + r.verdict + (r.change_pct === null ? '' : ' (' +"
" r.change_pct.toFixed(1) + '%)')));\n"
"    }\n"
"    const g = el('div', {class: 'grid'});\n"
"    for (const m of ['guest', 'host', 'restore']) {\n"
"      const sets = per.map(p => p[key] ? p[key][m + '_ns'] : null);\n"
"      histChart(g, m + ' time', sets);\n"
"    }\n"
"    box.append(g);\n"
"    hs.append(box);\n"
"  }\n"
"  if (keys.length > 24) hs.append(el('p', {class: 'muted'}, (keys.length - 24) +"
" ' quieter keys not drawn'));\n"
"}\n"
"\n"
"/* over time, per run */\n"
"runs.forEach((run, i) => {\n"
"  const s = section('Over time: ' + names[i]);\n"
"  const xs = run.intervals.map((iv, k) => runTime(run, k));\n"
"  /* heatmap of host time: interval x power of two of ns */\n"
"  const w = 720, h = 230, cols = run.intervals.map(iv => {\n"
"    const c = {};\n"
"    for (const r of exitRows(iv)) for (const [lo, hi, n] of (r.host_ns && r.host_ns.buckets) || []) {\n"
"      const p = Math.floor(Math.log2(Math.max(lo, 1))); c[p] = (c[p] || 0) + n; }\n"
"    return c; });\n"
"  let a = 64, b = 0, top = 0;\n"
"  for (const c of cols) for (const p in c) { a = Math.min(a, +p); b = Math.max(b, +p); top ="
" Math.max(top, c[p]); }\n"
"  const hm = chart(s, 'Heatmap of host time between exits (interval x power of two)', w, h,"
" 'seconds into the run', 'host time (log)');\n"
"  hm.setAttribute('id', 'heatmap-' + i);\n"
"  if (top) {\n"
"    const cw = (w - L - 8) / cols.length, ch = (h - 40) / (b - a + 1);\n"
"    cols.forEach((c, k) => { for (const p in c) {\n"
"      const f = Math.log1p(c[p]) / Math.log1p(top);\n"
"      const r = sv('rect', {x: L + k * cw, y: h - 28 - (p - a + 1) * ch, width: Math.max(cw, 1),"
" height: ch, fill: 'rgb(' + Math.round(255 - 220 * f) + ',' + Math.round(255 - 160 * f) + ',255)',"
" 'data-interval': k, 'data-lo': Math.pow(2, p), 'data-count': c[p]});\n"
"      r.append(sv('title', {}, xs[k].toFixed(1) + ' s, ' + ns(Math.pow(2, p)) + '-' +"
" ns(Math.pow(2, +p + 1)) + ': ' + c[p]));\n"
"      hm.append(r); } });\n"
"    for (let p = a; p <= b + 1; p += Math.max(1, Math.ceil((b - a + 1) / 6)))\n"
"      hm.append(sv('text', {class: 'tick', x: L - 2, y: h - 28 - (p - a) * ch, 'text-anchor': 'end'},"
" ns(Math.pow(2, p))));\n"
"    timeTicks(hm, xs[0], xs[xs.length - 1], w, h);\n"
"  } else hm.append(sv('text', {x: 60, y: 60}, 'no host time samples'));\n"
"  /* exit rates of the busiest reasons */\n"
"  const tot = {};\n"
"  for (const iv of run.intervals) for (const r of exitRows(iv)) tot[r.label] = (tot[r.label] || 0) + r.count;\n"
"  const labels = Object.keys(tot).sort((p, q) => tot[q] - tot[p]).slice(0, 6);\n"
"  lineChart(s, 'Exit rates by reason', xs, labels.map(l => ({name: l, values: run.intervals.map(iv =>"
" exitRows(iv).filter(r => r.label === l).reduce((t, r) => t + r.count, 0) / iv.interval_s)})),"
" 'exits/s');\n"
"  lineChart(s, 'Drops per interval', xs, [{name: 'drops (all losses)', values:"
" run.intervals.map(iv => Object.values(iv.drops).reduce((t, v) => t + v, 0))},"
" {name: 'outliers capped + lost', values: run.intervals.map(iv => iv.outlier_capture ?"
" iv.outlier_capture.capped + iv.outlier_capture.lost : null)}], 'count');\n"
"  lineChart(s, \"tdxtop's own cost\", xs, [{name: 'user space, % of a CPU', values:"
" run.intervals.map(iv => iv.self ? iv.self.user_cpu_pct : null)},"
" {name: 'BPF, % of a CPU', values: run.intervals.map(iv => iv.self ? iv.self.bpf_cpu_pct : null)}],"
" '% CPU', v => v.toFixed(2) + '%');\n"
"  /* outliers */\n"
"  const out = [].concat(...run.intervals.map(iv => iv.outliers || []));\n"
"  const os = el('div');\n"
"  os.append(el('h3', {}, 'Outliers' + (run.merged.outlier_capture ? ' (' +"
" run.merged.outlier_capture.spec + '): ' + out.length + ' captured, ' +"
" run.merged.outlier_capture.capped + ' capped, ' + run.merged.outlier_capture.lost + ' lost' :"
" ': capture was off (tdxtop record --outliers)')));\n"
"  if (out.length) {\n"
"    const t = el('table', {id: 'outliers-' + i});\n"
"    t.append(el('tr', {}, el('th', {class: 'l'}, 'time (UTC)'), el('th', {class: 'l'}, 'VM'),"
" el('th', {}, 'vCPU'), el('th', {class: 'l'}, 'reason'), el('th', {}, 'status'),"
" el('th', {}, 'exit qual'), el('th', {}, 'guest'), el('th', {}, 'host'), el('th', {}, 'restore')));\n"
"    for (const o of out.slice(0, 500)) {\n"
"      const over = m => o.over.includes(m) ? ' *' : '';\n"
"      t.append(el('tr', {}, cell(o.time, o.time, true), cell(o.vm, o.vm, true), cell(o.vcpu),"
" cell(o.label, o.label, true), cell(o.status_raw, '0x' + BigInt(o.status_raw).toString(16)),"
" cell(o.exit_qual, '0x' + BigInt(o.exit_qual).toString(16)),"
" cell(o.guest_ns, ns(o.guest_ns) + over('guest')), cell(o.host_ns, ns(o.host_ns) + over('host')),"
" cell(o.restore_ns, ns(o.restore_ns) + over('restore'))));\n"
"    }\n"
"    os.append(t);\n"
"    if (out.length > 500) os.append(el('p', {class: 'muted'}, 'the first 500 of ' + out.length +"
" ' shown; all are in the page data and in report -j'));\n"
"  }\n"
"  s.append(os);\n"
"});\n"
"document.body.setAttribute('data-rendered', 'yes');\n"
"</script>\n</body></html>\n";

/*
 * JSON text inside a script element: "</" would end the element and "<!--"
 * change how it is parsed.  "<" occurs in JSON only inside strings, where
 * "<\/" and "\u003c!" are the same text ("\/" is JSON's escape of "/").
 */
static int put_json(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '<' && i + 1 < n && (s[i + 1] == '/' || s[i + 1] == '!')) {
			if (fputs(s[i + 1] == '/' ? "<\\/" : "\\u003c!", f) < 0)
				return -EIO;
			i++;
			continue;
		}
		if (fputc(s[i], f) == EOF)
			return -EIO;
	}
	return 0;
}

int tdxtop_html_write(FILE *f, const struct tdxtop_html_run *runs, int nr,
		      const char *version, const char *diff_json, const char *diff_error)
{
	static struct tdxtop_jw w;
	int i, e = 0;

	fputs(page_head, f);
	fputs("{\"version\":", f);
	tdxtop_jw_init(&w, f, false);
	tdxtop_jw_str(&w, version);
	tdxtop_jw_done(&w);
	fputs(",\"runs\":[", f);
	for (i = 0; !e && i < nr; i++) {
		fprintf(f, "%s{\"file\":", i ? "," : "");
		tdxtop_jw_init(&w, f, false);
		tdxtop_jw_str(&w, runs[i].file);
		tdxtop_jw_done(&w);
		fputs(",\"merged\":", f);
		e = put_json(f, runs[i].merged, runs[i].merged_len);
		fputs(",\"intervals\":[", f);
		if (!e)
			e = put_json(f, runs[i].intervals, runs[i].intervals_len);
		fputs("]}", f);
	}
	fputs("],\"diff\":", f);
	if (!e && diff_json)
		e = put_json(f, diff_json, strlen(diff_json));
	else
		fputs("null", f);
	fputs(",\"diff_error\":", f);
	tdxtop_jw_init(&w, f, false);
	if (diff_error)
		tdxtop_jw_str(&w, diff_error);
	else
		tdxtop_jw_null(&w);
	tdxtop_jw_done(&w);
	fputs("}\n", f);
	fputs(page_script, f);
	if (e || ferror(f))
		return -EIO;
	return 0;
}
