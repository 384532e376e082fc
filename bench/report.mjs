// The benchmark's table: one row per figure, schannel beside its reference (node:tls, or the native
// loop for figure 2), their ratio (schannel / reference) and the target where the issue sets one.
const MiB = 1024 * 1024;
const size = (bytes) => (bytes >= MiB ? `${bytes / MiB} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`);

function row(figure, label, unit, schannel, reference, { referenceName = 'node:tls', target = null, met = null, ratio } = {}) {
  return { figure, label, unit, schannel, reference, referenceName, ratio: ratio !== undefined ? ratio : schannel / reference, target, met };
}

export function tableRows(results) {
  const rows = [];
  const t = results.throughput;
  if (t) {
    for (const r of t.rows) {
      rows.push(row(1, `${r.direction === 'upload' ? 'client->server' : 'server->client'}, ${size(r.chunkBytes)} writes`, 'MB/s',
        r.schannel.MBps, r['node:tls'].MBps, { target: '>= 1.0x', met: r.ratio >= 1.0 }));
    }
  }
  const l = results.recordLoop;
  if (l) {
    for (const r of l.rows) {
      rows.push(row(2, `package path vs native loop, ${size(r.chunkBytes)} writes`, 'MB/s', r.packageMBps, r.nativeMBps,
        { referenceName: 'native loop', target: r.chunkBytes >= 16 * 1024 ? '>= 0.9x' : null, met: r.chunkBytes >= 16 * 1024 ? r.ratio >= 0.9 : null }));
    }
  }
  const h = results.handshakes;
  if (h) {
    for (const r of h.rows) {
      const full = r.mode === 'full';
      rows.push(row(3, `${r.mode} handshakes, ${r.concurrency === 1 ? 'one at a time' : `${r.concurrency} at once`}` +
        `${full ? '' : ` (resumed: schannel ${r.schannel.serverResumed}/${r.count}, node:tls ${r['node:tls'].serverResumed}/${r.count})`}`, '/s',
      r.schannel.perSecond, r['node:tls'].perSecond, full ? { target: '>= 1.0x', met: r.ratio >= 1.0 } : {}));
    }
    for (const key of Object.keys(h.resumedOverFull.schannel)) {
      const s = h.resumedOverFull.schannel[key];
      const n = h.resumedOverFull['node:tls'][key];
      rows.push(row(3, `resumed / full, ${key === 'x1' ? 'one at a time' : `${key.slice(1)} at once`}`, 'x', s, n,
        { target: 'schannel >= 3x', met: s >= 3 }));
    }
  }
  const e = results.eventLoop;
  if (e) {
    rows.push(row(4, `event-loop delay p50, ${e.count} handshakes in flight`, 'ms', e.schannel.p50ms, e['node:tls'].p50ms));
    rows.push(row(4, `event-loop delay p99, ${e.count} handshakes in flight`, 'ms', e.schannel.p99ms, e['node:tls'].p99ms,
      { target: 'schannel < 20 ms', met: e.schannel.p99ms < 20 }));
    rows.push(row(4, '  ... p99, node:tls with one shared SecureContext', 'ms', e.schannel.p99ms, e['node:tls+ctx'].p99ms,
      { referenceName: 'node:tls+ctx' }));
  }
  const m = results.memory;
  if (m) {
    const kib = (b) => b / 1024;
    const he = (r) => kib(r.heapBytes + r.externalBytes);
    rows.push(row(5, `memory per idle connection (${m.count}): heap`, 'KiB', kib(m.schannel.heapBytes), kib(m['node:tls'].heapBytes)));
    rows.push(row(5, `memory per idle connection (${m.count}): external`, 'KiB', kib(m.schannel.externalBytes), kib(m['node:tls'].externalBytes),
      { ratio: m['node:tls'].externalBytes >= 64 ? m.schannel.externalBytes / m['node:tls'].externalBytes : null }));
    rows.push(row(5, `memory per idle connection (${m.count}): heap + external`, 'KiB', he(m.schannel), he(m['node:tls']),
      { target: '<= 1.0x', met: he(m.schannel) <= he(m['node:tls']) }));
    rows.push(row(5, `memory per idle connection (${m.count}): rss (native incl.)`, 'KiB', kib(m.schannel.rssBytes), kib(m['node:tls'].rssBytes),
      { target: '<= 1.0x', met: m.schannel.rssBytes <= m['node:tls'].rssBytes }));
    rows.push(row(5, '  ... heap + external, node:tls with one shared SecureContext', 'KiB', he(m.schannel), he(m['node:tls+ctx']), { referenceName: 'node:tls+ctx' }));
    rows.push(row(5, '  ... rss, node:tls with one shared SecureContext', 'KiB', kib(m.schannel.rssBytes), kib(m['node:tls+ctx'].rssBytes), { referenceName: 'node:tls+ctx' }));
  }
  const r = results.latency;
  if (r) {
    rows.push(row(6, `1-byte round trip p50 (${r.count})`, 'us', r.schannel.p50us, r['node:tls'].p50us));
    rows.push(row(6, `1-byte round trip p99 (${r.count})`, 'us', r.schannel.p99us, r['node:tls'].p99us));
  }
  return rows;
}

const number = (v) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export function renderTable(environment, rows) {
  const gib = (environment.machine.memoryBytes / 1024 ** 3).toFixed(1);
  const lines = [
    '',
    `schannel benchmark, ${environment.date}${environment.quick ? ' (--quick: scaled down, smoke only)' : ''}`,
    `machine: ${environment.machine.cpu}, ${environment.machine.cores} cores, ${gib} GiB (${environment.machine.hostOs})`,
    `runtime: node ${environment.runtime.node} ${environment.runtime.platform}, Windows ${environment.runtime.windows}` +
      `${environment.runtime.wine ? `, under ${environment.runtime.wine}` : ''}; peer: node:tls (OpenSSL ${environment.runtime.openssl}), TLS 1.2` +
      `${environment.commit ? `; commit ${environment.commit}` : ''}; ${environment.durationSeconds.toFixed(0)} s`,
    '',
  ];
  const header = ['#', 'figure', 'unit', 'schannel', 'reference', 'ratio', 'target', ''];
  const body = rows.map((r) => [
    String(r.figure),
    r.label,
    r.unit,
    number(r.schannel),
    `${number(r.reference)}${r.referenceName === 'node:tls' ? '' : ` (${r.referenceName})`}`,
    r.ratio === null || r.ratio === undefined ? '-' : `${number(r.ratio)}x`,
    r.target ?? '',
    r.met === null ? '' : r.met ? 'met' : 'NOT MET',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const right = new Set([3, 4, 5]);
  const format = (cells) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  lines.push(format(header), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) lines.push(format(b));
  lines.push('', 'ratio = schannel / reference (reference: node:tls unless named). Higher is better for MB/s and /s, lower for ms, us and KiB.');
  return `${lines.join('\n')}\n`;
}
