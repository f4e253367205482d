// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Reads tdxtop's HdrHistogram interval log with an independent decoder
// (hdr-histogram-js) and compares every histogram with what tdxtop report -j
// says of the same interval, row and metric: the count exactly, p50, p90,
// p99 and p99.9 in the same tdxtop bucket.
// Usage: node hlog-check.js LOG REPORT.json  -> one JSON summary line
'use strict';
const fs = require('fs');
const hdr = require('hdr-histogram-js');

const [logFile, reportFile] = process.argv.slice(2);
// tdxtop's bucket of a value (bpf/tdx_enter.h): 1 ns below 32, then 16 per power of two
function bucket(v) {
  if (v < 32) return v;
  let msb = 4;
  while (2 ** (msb + 1) <= v) msb++;
  if (msb > 39) return 591;
  return (msb - 3) * 16 + Math.floor(v / 2 ** (msb - 4)) - 16;
}
const sane = s => s.replace(/[^A-Za-z0-9._+-]/g, '_');
const want = new Map();
fs.readFileSync(reportFile, 'utf8').trim().split('\n').forEach((line, i) => {
  for (const row of JSON.parse(line).rows) {
    for (const m of ['guest', 'host', 'restore', 'cost']) {
      const x = row[m + '_ns'];
      if (!x || !x.n) continue;
      const metric = m === 'cost' ? 'restore' : m;
      const tag = `${sane(row.vm)}:${row.pid}/${row.label.replace(/[, ]/g, '_')}/${metric}`;
      want.set(`${i} ${tag}`, x);
    }
  }
});
const reader = new hdr.HistogramLogReader(fs.readFileSync(logFile, 'utf8'));
const out = { histograms: 0, compared: 0, count_mismatch: 0, pct_mismatch: 0, unexpected: 0 };
let h, base = null;
while ((h = reader.nextIntervalHistogram()) !== null) {
  out.histograms++;
  if (base === null) base = reader.baseTimeSec;
  const i = Math.round(h.startTimeStampMsec / 1000 - base);
  const x = want.get(`${i} ${h.tag}`);
  if (!x) { out.unexpected++; continue; }
  want.delete(`${i} ${h.tag}`);
  out.compared++;
  if (h.totalCount !== x.n) out.count_mismatch++;
  for (const [q, k] of [[50, 'p50'], [90, 'p90'], [99, 'p99'], [99.9, 'p999']])
    if (bucket(h.getValueAtPercentile(q)) !== bucket(x[k])) out.pct_mismatch++;
}
out.missing = want.size;
console.log(JSON.stringify(out));
