'use strict';
const D = JSON.parse(document.getElementById('tdxtop-data').textContent);
const SVG = 'http://www.w3.org/2000/svg';
const COL = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  for (const c of kids) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function sv(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = String(text);
  return e;
}
function ns(v) {
  if (v === null || v === undefined) return '-';
  if (v < 10000) return Math.round(v) + 'ns';
  if (v < 1e7) return (v / 1e3).toFixed(1) + 'us';
  if (v < 1e10) return (v / 1e6).toFixed(1) + 'ms';
  return (v / 1e9).toFixed(1) + 's';
}
/*
 * a name as shown: what changes how text after it is shown (the set of
 * tdxtop_cp_unsafe(): controls, bidi marks, overrides and isolates, line
 * separators, BOM) becomes U+FFFD
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
function disp(s) { return String(s).replace(UNSAFE, '\ufffd'); }
function keyOf(r) { return r.vm + ' ' + r.pid + ' ' + r.kind + ' ' + (r.label || ''); }
function nameOf(r) { return (r.label || r.kind) + ' - ' + disp(r.vm) + ' (' + r.pid + ')'; }
const page = document.getElementById('page');
function section(title) { const s = el('section'); s.append(el('h2', {}, title)); page.append(s); return s; }
/* a chart: an svg with a title, axes and axis labels; plots start at x = L */
const L = 56;
function chart(parent, title, w, h, xlabel, ylabel) {
  const d = el('div', {class: 'chart'});
  d.append(el('h3', {}, title));
  const s = sv('svg', {width: w, height: h, role: 'img'});
  s.append(sv('title', {}, title));
  s.append(sv('line', {class: 'axis', x1: L, y1: h - 28, x2: w - 6, y2: h - 28}));
  s.append(sv('line', {class: 'axis', x1: L, y1: 6, x2: L, y2: h - 28}));
  s.append(sv('text', {class: 'axis-label', x: (w + L) / 2, y: h - 2, 'text-anchor': 'middle'}, xlabel));
  s.append(sv('text', {class: 'axis-label', x: 10, y: (h - 28) / 2, 'text-anchor': 'middle', transform: 'rotate(-90 10 ' + (h - 28) / 2 + ')'}, ylabel));
  d.append(s); parent.append(d); return s;
}
/* x on a log axis of ns between 2^a and 2^b */
function logx(a, b, w) { return v => L + (Math.log2(Math.max(v, 1)) - a) / (b - a) * (w - L - 8); }
function logTicks(s, a, b, w, h) {
  const x = logx(a, b, w);
  for (let p = 0; p <= 12; p++) {
    const v = Math.pow(10, p), l2 = Math.log2(v);
    if (l2 < a || l2 > b) continue;
    s.append(sv('line', {class: 'axis', x1: x(v), y1: h - 28, x2: x(v), y2: h - 24}));
    s.append(sv('text', {class: 'tick', x: x(v), y: h - 14, 'text-anchor': x(v) > w - 30 ? 'end' : 'middle'}, ns(v)));
  }
}
/* histograms of one metric of one key, one per run, overlaid: shares of samples */
function histChart(parent, title, sets) {
  const w = 330, h = 150;
  let a = 64, b = 0, top = 0;
  for (const st of sets) {
    if (!st || !st.buckets || !st.n) continue;
    for (const [lo, hi, c] of st.buckets) {
      a = Math.min(a, Math.floor(Math.log2(Math.max(lo, 1))));
      b = Math.max(b, Math.ceil(Math.log2(hi === null ? lo * 2 : hi)));
      top = Math.max(top, c / st.n);
    }
  }
  const s = chart(parent, title, w, h, 'ns (log)', 'share');
  if (!top) { s.append(sv('text', {x: 60, y: 60}, 'no samples')); return; }
  if (b <= a) b = a + 1;
  const x = logx(a, b, w), y = f => h - 28 - f / top * (h - 40);
  sets.forEach((st, i) => {
    if (!st || !st.buckets || !st.n) return;
    for (const [lo, hi, c] of st.buckets) {
      const x0 = x(lo), x1 = x(hi === null ? lo * 2 : hi);
      const r = sv('rect', {x: x0, y: y(c / st.n), width: Math.max(x1 - x0, 1), height: h - 28 - y(c / st.n), fill: COL[i], 'fill-opacity': sets.length > 1 ? 0.55 : 0.85, 'data-lo': lo, 'data-count': c});
      r.append(sv('title', {}, '[' + ns(lo) + ', ' + ns(hi) + '): ' + c));
      s.append(r);
    }
  });
  logTicks(s, a, b, w, h);
}
/* a line chart over the intervals of a run: series [{name, values}] */
function lineChart(parent, title, xs, series, ylabel, fmt) {
  const w = 520, h = 170;
  let top = 0;
  for (const se of series) for (const v of se.values) if (v !== null) top = Math.max(top, v);
  const s = chart(parent, title, w, h, 'seconds into the run', ylabel);
  const x0 = xs.length ? xs[0] : 0, x1 = xs.length ? xs[xs.length - 1] : 1;
  const x = t => L + (x1 > x0 ? (t - x0) / (x1 - x0) : 0.5) * (w - L - 8);
  const y = v => h - 28 - (top ? v / top : 0) * (h - 40);
  s.append(sv('text', {class: 'tick', x: L - 2, y: 14, 'text-anchor': 'end'}, fmt ? fmt(top) : top.toPrecision(3)));
  s.append(sv('text', {class: 'tick', x: L - 2, y: h - 28, 'text-anchor': 'end'}, '0'));
  timeTicks(s, x0, x1, w, h);
  series.forEach((se, i) => {
    const pts = [];
    se.values.forEach((v, k) => { if (v !== null) pts.push(x(xs[k]) + ',' + y(v)); });
    if (pts.length) s.append(sv('polyline', {points: pts.join(' '), fill: 'none', stroke: COL[i % COL.length], 'stroke-width': 1.5}));
  });
  const lg = el('div', {class: 'legend'});
  series.forEach((se, i) => { lg.append(el('span', {style: 'background:' + COL[i % COL.length]}), se.name); });
  parent.lastChild.append(lg);
}
function timeTicks(s, x0, x1, w, h) {
  s.append(sv('text', {class: 'tick', x: L, y: h - 14, 'text-anchor': 'middle'}, x0.toFixed(0)));
  s.append(sv('text', {class: 'tick', x: w - 6, y: h - 14, 'text-anchor': 'end'}, x1.toFixed(0)));
}
/* a table cell: its value in data-v, its text cut at 40 characters (whole in title) */
function cell(v, text, left) {
  const a = {'data-v': v === null || v === undefined ? '' : String(v)};
  let t = text === undefined ? String(v) : String(text);
  if (left) a.class = 'l';
  if ([...t].length > 40) { a.title = t; t = [...t].slice(0, 39).join('') + '\u2026'; }
  return el('td', a, t);
}
/* the sum of two metrics' histograms (bucket bounds are shared) */
function addHist(a, b) {
  if (!b || !b.buckets) return a;
  const m = {};
  for (const x of [a, b]) if (x) for (const [lo, hi, c] of x.buckets) m[lo] = [lo, hi, (m[lo] ? m[lo][2] : 0) + c];
  return {n: (a ? a.n : 0) + b.n, buckets: Object.values(m).sort((p, q) => p[0] - q[0])};
}
function exitRows(o) { return (o.rows || []).filter(r => r.kind === 'exit'); }
function runTime(run, k) { const t0 = Date.parse(run.intervals[0].time) / 1000 - run.intervals[0].interval_s; return Date.parse(run.intervals[k].time) / 1000 - t0; }

const runs = D.runs;
const names = runs.map((r, i) => (runs.length > 1 ? (i ? 'new: ' : 'base: ') : '') + disp(r.file));
document.getElementById('summary').append(names.join('  |  ') + '  -  ' +
  runs.map(r => r.intervals.length + ' intervals, ' + r.merged.interval_s.toFixed(1) + ' s, ' + r.merged.events + ' events').join('  |  ') + '  -  tdxtop ' + D.version);

/* the verdicts of diff */
if (runs.length > 1) {
  const s = section('Verdicts (tdxtop diff)');
  if (D.diff && D.diff.error !== undefined) {
    s.append(el('p', {id: 'diff-error'}, 'no verdict: ' + D.diff.error));
  } else if (D.diff) {
    s.append(el('p', {class: 'muted'}, 'threshold ' + D.diff.threshold_pct + '%, alpha ' + D.diff.alpha + ', ' + D.diff.comparisons + ' comparisons; base ' + D.diff.base.samples + ' samples, new ' + D.diff.new.samples));
    const t = el('table', {id: 'verdicts'});
    t.append(el('tr', {}, el('th', {class: 'l'}, 'VM'), el('th', {class: 'l'}, 'key'), el('th', {class: 'l'}, 'metric'), el('th', {}, 'base'), el('th', {}, 'new'), el('th', {}, 'change %'), el('th', {}, '95% CI'), el('th', {}, 'p (Holm)'), el('th', {class: 'l'}, 'verdict')));
    const order = {REGRESSION: 0, new: 1, improvement: 2, gone: 3, 'within threshold': 4, changed: 5};
    const rows = D.diff.rows.slice().sort((p, q) => (order[p.verdict] ?? 9) - (order[q.verdict] ?? 9));
    const quiet = el('tbody', {class: 'quiet', hidden: ''});
    for (const r of rows) {
      const tr = el('tr', {class: r.verdict});
      tr.append(cell(r.vm, r.vm === null ? '*' : disp(r.vm), true), cell(r.label, r.label, true), cell(r.metric, r.metric, true), cell(r.base, r.base === null ? '-' : r.base.toPrecision(4)), cell(r.new, r.new === null ? '-' : r.new.toPrecision(4)), cell(r.change_pct, r.change_pct === null ? '-' : r.change_pct.toFixed(1) + (r.change_of === 'all_exits' ? ' of all exits' : '')), cell(r.ci_pct.join(' '), r.ci_pct[0] === null ? '-' : r.ci_pct[0].toFixed(1) + ' .. ' + r.ci_pct[1].toFixed(1)), cell(r.p_holm, r.p_holm === null ? '-' : r.p_holm.toPrecision(2)), cell(r.verdict, r.verdict, true));
      (r.verdict === '~' || r.verdict === 'few samples' ? quiet : t).append(tr);
    }
    t.append(quiet);
    s.append(t);
    if (quiet.childNodes.length) {
      const b = el('button', {type: 'button'}, 'show the ' + quiet.childNodes.length + ' comparisons without a significant change');
      b.addEventListener('click', () => { quiet.hidden = !quiet.hidden; });
      s.append(b);
    }
  } else {
    s.append(el('p', {id: 'diff-error'}, 'no verdict: ' + D.diff_error));
  }
}

/* the keys, busiest first: a table, then their histograms */
{
  const s = section('Exits by VM and reason (whole run)');
  const t = el('table', {id: 'keys'});
  const hdr = el('tr', {}, el('th', {class: 'l'}, 'run'), el('th', {class: 'l'}, 'VM'), el('th', {}, 'pid'), el('th', {class: 'l'}, 'reason'), el('th', {}, 'count'));
  for (const m of ['guest', 'host', 'restore']) hdr.append(el('th', {}, m + ' p50'), el('th', {}, m + ' p99'));
  t.append(hdr);
  runs.forEach((run, i) => {
    for (const r of run.merged.rows) {
      const tr = el('tr', {'data-run': i});
      tr.append(cell(i, names[i], true), cell(r.vm, disp(r.vm), true), cell(r.pid), cell(r.label || r.kind, r.label || r.kind, true), cell(r.count));
      for (const m of ['guest_ns', 'host_ns', 'restore_ns']) {
        const st = r[m] || r.cost_ns && m === 'restore_ns' && r.cost_ns;
        tr.append(cell(st ? st.p50 : null, st ? ns(st.p50) : '-'), cell(st ? st.p99 : null, st ? ns(st.p99) : '-'));
      }
      t.append(tr);
    }
  });
  s.append(t);
  const hs = section('Histograms of guest, host and restore time per key (log axis)');
  if (runs.length > 1) hs.append(el('div', {class: 'legend'}, el('span', {style: 'background:' + COL[0]}), names[0], el('span', {style: 'background:' + COL[1]}), names[1]));
  /* one run: a key per VM and reason; two: per reason over all VMs, as diff's '*' */
  const keyed = run => { const m = {};
    for (const r of exitRows(run.merged)) {
      const k = runs.length > 1 ? r.label : keyOf(r);
      const g = m[k] || (m[k] = {name: runs.length > 1 ? r.label + ' - all VMs' : nameOf(r), label: r.label, count: 0});
      g.count += r.count;
      for (const x of ['guest_ns', 'host_ns', 'restore_ns']) g[x] = addHist(g[x], r[x]);
    }
    return m; };
  const per = runs.map(keyed), keys = [], seen = {};
  for (const m of per) for (const k in m) if (!seen[k]) { seen[k] = 1; keys.push(k); }
  const total = k => per.reduce((t, m) => t + (m[k] ? m[k].count : 0), 0);
  keys.sort((p, q) => total(q) - total(p));
  for (const key of keys.slice(0, 24)) {
    const k = per.map(m => m[key]).find(x => x);
    const box = el('div', {class: 'key'});
    box.append(el('b', {}, k.name));
    if (D.diff && D.diff.rows) {
      const v = D.diff.rows.filter(r => r.label === k.label && r.vm === null && r.verdict !== '~');
      for (const r of v) box.append(' ', el('span', {class: r.verdict}, r.metric + ': ' + r.verdict + (r.change_pct === null ? '' : ' (' + r.change_pct.toFixed(1) + '%' + (r.change_of === 'all_exits' ? ' of all exits' : '') + ')')));
    }
    const g = el('div', {class: 'grid'});
    for (const m of ['guest', 'host', 'restore']) {
      const sets = per.map(p => p[key] ? p[key][m + '_ns'] : null);
      histChart(g, m + ' time', sets);
    }
    box.append(g);
    hs.append(box);
  }
  if (keys.length > 24) hs.append(el('p', {class: 'muted'}, (keys.length - 24) + ' quieter keys not drawn'));
}

/* over time, per run */
runs.forEach((run, i) => {
  const s = section('Over time: ' + names[i]);
  const xs = run.intervals.map((iv, k) => runTime(run, k));
  /* heatmap of host time: interval x power of two of ns */
  const w = 720, h = 230, cols = run.intervals.map(iv => {
    const c = {};
    for (const r of exitRows(iv)) for (const [lo, , n] of (r.host_ns && r.host_ns.buckets) || []) {
      const p = Math.floor(Math.log2(Math.max(lo, 1))); c[p] = (c[p] || 0) + n; }
    return c; });
  let a = 64, b = 0, top = 0;
  for (const c of cols) for (const p in c) { a = Math.min(a, +p); b = Math.max(b, +p); top = Math.max(top, c[p]); }
  const hm = chart(s, 'Heatmap of host time between exits (interval x power of two)', w, h, 'seconds into the run', 'host time (log)');
  hm.setAttribute('id', 'heatmap-' + i);
  if (top) {
    const cw = (w - L - 8) / cols.length, ch = (h - 40) / (b - a + 1);
    cols.forEach((c, k) => { for (const p in c) {
      const f = Math.log1p(c[p]) / Math.log1p(top);
      const r = sv('rect', {x: L + k * cw, y: h - 28 - (p - a + 1) * ch, width: Math.max(cw, 1), height: ch, fill: 'rgb(' + Math.round(255 - 220 * f) + ',' + Math.round(255 - 160 * f) + ',255)', 'data-interval': k, 'data-lo': Math.pow(2, p), 'data-count': c[p]});
      r.append(sv('title', {}, xs[k].toFixed(1) + ' s, ' + ns(Math.pow(2, p)) + '-' + ns(Math.pow(2, +p + 1)) + ': ' + c[p]));
      hm.append(r); } });
    for (let p = a; p <= b + 1; p += Math.max(1, Math.ceil((b - a + 1) / 6)))
      hm.append(sv('text', {class: 'tick', x: L - 2, y: h - 28 - (p - a) * ch, 'text-anchor': 'end'}, ns(Math.pow(2, p))));
    timeTicks(hm, xs[0], xs[xs.length - 1], w, h);
  } else hm.append(sv('text', {x: 60, y: 60}, 'no host time samples'));
  /* exit rates of the busiest reasons */
  const tot = {};
  for (const iv of run.intervals) for (const r of exitRows(iv)) tot[r.label] = (tot[r.label] || 0) + r.count;
  const labels = Object.keys(tot).sort((p, q) => tot[q] - tot[p]).slice(0, 6);
  lineChart(s, 'Exit rates by reason', xs, labels.map(l => ({name: l, values: run.intervals.map(iv => exitRows(iv).filter(r => r.label === l).reduce((t, r) => t + r.count, 0) / iv.interval_s)})), 'exits/s');
  lineChart(s, 'Drops per interval', xs, [{name: 'drops (all losses)', values: run.intervals.map(iv => Object.values(iv.drops).reduce((t, v) => t + v, 0))}, {name: 'outliers capped + lost', values: run.intervals.map(iv => iv.outlier_capture ? iv.outlier_capture.capped + iv.outlier_capture.lost : null)}], 'count');
  lineChart(s, "tdxtop's own cost", xs, [{name: 'user space, % of a CPU', values: run.intervals.map(iv => iv.self ? iv.self.user_cpu_pct : null)}, {name: 'BPF, % of a CPU', values: run.intervals.map(iv => iv.self ? iv.self.bpf_cpu_pct : null)}], '% CPU', v => v.toFixed(2) + '%');
  /* outliers */
  const out = [].concat(...run.intervals.map(iv => iv.outliers || []));
  const os = el('div');
  os.append(el('h3', {}, 'Outliers' + (run.merged.outlier_capture ? ' (' + run.merged.outlier_capture.spec + '): ' + out.length + ' captured, ' + run.merged.outlier_capture.capped + ' capped, ' + run.merged.outlier_capture.lost + ' lost' : ': capture was off (tdxtop record --outliers)')));
  if (out.length) {
    const t = el('table', {id: 'outliers-' + i});
    t.append(el('tr', {}, el('th', {class: 'l'}, 'time (UTC)'), el('th', {class: 'l'}, 'VM'), el('th', {}, 'vCPU'), el('th', {class: 'l'}, 'reason'), el('th', {}, 'status'), el('th', {}, 'exit qual'), el('th', {}, 'guest'), el('th', {}, 'host'), el('th', {}, 'restore')));
    for (const o of out.slice(0, 500)) {
      const over = m => o.over.includes(m) ? ' *' : '';
      t.append(el('tr', {}, cell(o.time, o.time, true), cell(o.vm, disp(o.vm), true), cell(o.vcpu), cell(o.label, o.label, true), cell(o.status_raw, '0x' + BigInt(o.status_raw).toString(16)), cell(o.exit_qual, '0x' + BigInt(o.exit_qual).toString(16)), cell(o.guest_ns, ns(o.guest_ns) + over('guest')), cell(o.host_ns, ns(o.host_ns) + over('host')), cell(o.restore_ns, ns(o.restore_ns) + over('restore'))));
    }
    os.append(t);
    if (out.length > 500) os.append(el('p', {class: 'muted'}, 'the first 500 of ' + out.length + ' shown; all are in the page data and in report -j'));
  }
  s.append(os);
});
document.body.setAttribute('data-rendered', 'yes');
