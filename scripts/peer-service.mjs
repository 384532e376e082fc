#!/usr/bin/env node
// A small Linux-side control service that lets Windows-side tests (node.exe under Wine) run Linux
// programs as TLS peers: `openssl s_server` / `s_client`, Linux `node`, one-shot `openssl req/x509/pkcs12`.
// Why: a Windows process under Wine cannot usefully spawn a Linux binary (libuv aborts in
// AssignProcessToJobObject; through cmd.exe the arguments and stdio are lost), while loopback is shared
// between Wine and the host. So the tests ask this service over HTTP on 127.0.0.1.
//
// CLI (runs under the Linux node; only Node built-ins):
//   node scripts/peer-service.mjs [options] -- CMD ARGS...
//       starts the service, runs CMD with SCHANNEL_PEER_URL and SCHANNEL_PEER_TOKEN in its environment
//       (stdio inherited), stops the service and every process it started, exits with CMD's code.
//       e.g. node scripts/peer-service.mjs -- scripts/wine-node --test --test-reporter=tap test/wine/x.test.mjs
//   node scripts/peer-service.mjs [options]
//       runs until SIGINT/SIGTERM, POST /shutdown, its parent's death, or --max-lifetime; prints one JSON
//       line {url, port, token, pid} on stdout (and writes it to --port-file).
//   options: --port-file=FILE  --max-lifetime=SECONDS (default 3600)  --allow=CMD,CMD (extra programs)
//
// Library:
//   import { startPeerService, PeerClient } from './peer-service.mjs'
//   const svc = await startPeerService();   // { url, port, token, env, close() } (Linux side)
//   const peer = PeerClient.fromEnv();      // Windows side: uses SCHANNEL_PEER_URL / SCHANNEL_PEER_TOKEN
//
// HTTP API (JSON bodies; header x-peer-token: TOKEN on every request; 127.0.0.1 only):
//   POST /run          {cmd, args?, cwd?, stdin?, env?, timeoutMs?=30000, encoding?}
//                      -> {code, signal, timedOut, stdout, stderr}            runs to completion
//   POST /start        {cmd, args?, cwd?, stdin?, env?, timeoutMs?=60000, ready?, readyTimeoutMs?=10000, encoding?}
//                      -> {id, pid, port, running, stdout, stderr, ...}
//                      `ready` is a regular expression waited for in stdout+stderr before answering; its
//                      first group, if any, is returned as `port`; ready: 'listen' waits until `port` is in
//                      LISTEN state. `{port}` anywhere in args is replaced by a free port (returned as `port`).
//                      For `openssl s_server` `ready` defaults to the "ACCEPT host:PORT" line, so
//                      `-accept 127.0.0.1:0` gives the port back; with -quiet (which hides that line) the
//                      :0 becomes {port} and readiness is 'listen'.
//   GET  /proc/ID?waitMs=&until=REGEX&encoding=   state and output so far; waits up to waitMs for REGEX
//                      in the output (or the exit)
//   POST /proc/ID/stdin {data, encoding?='utf8'|'base64', end?}
//   POST /proc/ID/stop  {signal?='SIGTERM', waitMs?=5000} -> final state (SIGKILL after waitMs)
//   POST /stop-all      GET /health      POST /shutdown
// `cmd` is "openssl" (the host's), "node" (this Linux node) or one of --allow; anything else is refused.
// Arguments and cwd of the form `X:\...` (a Windows path) are translated to the Unix path (Z: is /,
// other letters through the Wine prefix's dosdevices) unless translatePaths is false.
// Every process has a bounded lifetime (timeoutMs, at most 10 minutes) and is killed with the service.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_OUTPUT = 8 * 1024 * 1024; // per stream and process; beyond it output is dropped (truncated: true)
const MAX_PROCS = 64;
const MAX_BODY = 16 * 1024 * 1024;
const SSERVER_READY = '^ACCEPT\\s+\\S*:(\\d+)\\s*$';

// ------------------------------------------------------------------------------------------------
// Linux side: the service

function whichSync(cmd) {
  try { return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf8' }).trim() || null; } catch { return null; }
}

/** `Z:\a\b` -> `/a/b`; other drive letters through WINEPREFIX/dosdevices; anything else unchanged. */
export function toUnixPath(arg, winePrefix = process.env.SCHANNEL_WINEPREFIX || process.env.WINEPREFIX) {
  const m = /^([A-Za-z]):([\\/].*)?$/.exec(arg);
  if (!m) return arg;
  const rest = (m[2] ?? '').replace(/\\/g, '/');
  const letter = m[1].toLowerCase();
  if (letter === 'z') return rest || '/';
  if (!winePrefix) return arg;
  const link = path.join(winePrefix, 'dosdevices', `${letter}:`);
  try {
    const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
    return path.join(target, rest || '/');
  } catch { return arg; }
}

/** A port on 127.0.0.1 that was free a moment ago (the kernel's pick). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** Whether something listens on TCP `port` (any address), from /proc/net/tcp{,6}: no connection made,
 *  so a server with -naccept 1 is not used up by the check. */
function isListening(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(f, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(hex) && cols[3] === '0A') return true; // 0A = LISTEN
    }
  }
  return false;
}

class Proc {
  constructor(id, child, timeoutMs) {
    this.id = id;
    this.child = child;
    this.pid = child.pid;
    this.out = []; this.err = []; this.outLen = 0; this.errLen = 0;
    this.truncated = false;
    this.code = null; this.signal = null; this.running = true; this.timedOut = false;
    this.error = null; this.port = null;
    this.waiters = new Set();
    const take = (which) => (chunk) => {
      const len = which === 'out' ? this.outLen : this.errLen;
      if (len + chunk.length > MAX_OUTPUT) { this.truncated = true; chunk = chunk.subarray(0, Math.max(0, MAX_OUTPUT - len)); }
      if (!chunk.length) return;
      this[which].push(chunk);
      if (which === 'out') this.outLen += chunk.length; else this.errLen += chunk.length;
      this.notify();
    };
    child.stdout.on('data', take('out'));
    child.stderr.on('data', take('err'));
    child.stdin.on('error', () => {}); // EPIPE when the process has gone: not our business
    child.on('error', (e) => { this.error = e.message; this.finish(null, null); });
    // 'close': exited AND its stdout/stderr drained, so the final output is complete.
    child.on('close', (code, signal) => this.finish(code, signal));
    this.timer = setTimeout(() => { this.timedOut = true; this.kill('SIGKILL'); }, timeoutMs);
    this.timer.unref();
  }
  finish(code, signal) {
    if (!this.running) return;
    this.running = false; this.code = code; this.signal = signal;
    clearTimeout(this.timer);
    this.notify();
  }
  notify() { for (const w of [...this.waiters]) w(); }
  text(which, encoding) { return Buffer.concat(this[which]).toString(encoding === 'base64' ? 'base64' : 'utf8'); }
  outputText() { return Buffer.concat([...this.out, ...this.err]).toString('latin1'); }
  /** Resolves when pred() is true or the process has exited, or after ms. */
  waitFor(pred, ms, pollMs = 0) {
    return new Promise((resolve) => {
      const check = () => {
        if (pred() || !this.running) { done(); return true; }
        return false;
      };
      const done = () => { clearTimeout(t); clearInterval(poll); this.waiters.delete(check); resolve(); };
      const t = setTimeout(done, ms);
      // pollMs: also re-check on a timer, for conditions that are not about the output.
      const poll = pollMs ? setInterval(check, pollMs) : null;
      this.waiters.add(check);
      check();
    });
  }
  kill(signal = 'SIGTERM') {
    if (!this.running) return;
    // Its own process group (detached: true), so helpers it started go too.
    try { process.kill(-this.pid, signal); } catch { try { this.child.kill(signal); } catch {} }
  }
  state(encoding) {
    return {
      id: this.id, pid: this.pid, port: this.port, running: this.running, code: this.code, signal: this.signal,
      timedOut: this.timedOut, truncated: this.truncated, error: this.error,
      stdout: this.text('out', encoding), stderr: this.text('err', encoding),
    };
  }
}

/**
 * Starts the service on 127.0.0.1 (port 0: the kernel picks one).
 * @returns {Promise<{url: string, port: number, token: string, env: Record<string,string>, close: () => Promise<void>, closed: Promise<void>}>}
 */
export async function startPeerService({ maxLifetimeMs = 3600_000, allow = [], token = crypto.randomBytes(16).toString('hex'), log = () => {} } = {}) {
  const programs = new Map();
  const openssl = whichSync('openssl');
  if (openssl) programs.set('openssl', openssl);
  programs.set('node', process.execPath);
  for (const a of allow) { const p = whichSync(a); if (p) programs.set(path.basename(a), p); }

  const procs = new Map();
  let nextId = 1;

  async function launch(body, defaultTimeout) {
    const cmd = programs.get(String(body.cmd ?? ''));
    if (!cmd) throw httpError(400, `cmd must be one of ${[...programs.keys()].join(', ')}`);
    if ([...procs.values()].filter((p) => p.running).length >= MAX_PROCS) throw httpError(429, 'too many processes running');
    const translate = body.translatePaths !== false;
    let args = (body.args ?? []).map((a) => (translate ? toUnixPath(String(a)) : String(a)));
    const port = args.some((a) => a.includes('{port}')) ? await freePort() : null;
    if (port) args = args.map((a) => a.replaceAll('{port}', String(port)));
    const cwd = body.cwd ? (translate ? toUnixPath(String(body.cwd)) : String(body.cwd)) : process.cwd();
    const timeoutMs = Math.min(Number(body.timeoutMs ?? defaultTimeout) || defaultTimeout, MAX_TIMEOUT_MS);
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...(body.env ?? {}) }, stdio: 'pipe', detached: true });
    const proc = new Proc(String(nextId++), child, timeoutMs);
    proc.port = port;
    procs.set(proc.id, proc);
    if (body.stdin != null) child.stdin.write(Buffer.from(String(body.stdin), body.stdinEncoding === 'base64' ? 'base64' : 'utf8'));
    log(`[peer] #${proc.id} pid ${proc.pid}: ${path.basename(cmd)} ${args.join(' ')}`);
    return proc;
  }

  const routes = {
    'GET /health': async () => ({ ok: true, pid: process.pid, programs: Object.fromEntries(programs), running: [...procs.values()].filter((p) => p.running).length }),
    'POST /run': async (body) => {
      const proc = await launch(body, 30_000);
      proc.child.stdin.end();
      await proc.waitFor(() => false, MAX_TIMEOUT_MS + 1000);
      procs.delete(proc.id);
      const s = proc.state(body.encoding);
      return { code: s.code, signal: s.signal, timedOut: s.timedOut, truncated: s.truncated, error: s.error, stdout: s.stdout, stderr: s.stderr };
    },
    'POST /start': async (body) => {
      const args = (body.args ?? []).map(String);
      const sServer = body.cmd === 'openssl' && args[0] === 's_server';
      if (sServer && args.includes('-quiet')) {
        // -quiet also hides the "ACCEPT host:port" line: pick the port here instead.
        const i = args.indexOf('-accept');
        if (i >= 0 && /(^|:)0$/.test(args[i + 1] ?? '')) args[i + 1] = args[i + 1].replace(/0$/, '{port}');
        body = { ...body, args };
      }
      const proc = await launch(body, 60_000);
      if (body.stdinEnd) proc.child.stdin.end();
      let ready = body.ready;
      if (ready === undefined && sServer) ready = proc.port ? 'listen' : SSERVER_READY;
      if (ready === 'listen') {
        if (!proc.port) throw httpError(400, "ready: 'listen' needs a {port} placeholder in args");
        await proc.waitFor(() => isListening(proc.port), Math.min(Number(body.readyTimeoutMs ?? 10_000), MAX_TIMEOUT_MS), 50);
        if (!isListening(proc.port)) {
          proc.kill('SIGKILL');
          await proc.waitFor(() => false, 2000);
          throw httpError(500, `not listening on ${proc.port}${proc.running ? ' in time' : `; exited with ${proc.code ?? proc.signal}`}`, proc.state(body.encoding));
        }
      } else if (ready) {
        const re = new RegExp(ready, 'm');
        let m = null;
        await proc.waitFor(() => (m = re.exec(proc.outputText())) !== null, Math.min(Number(body.readyTimeoutMs ?? 10_000), MAX_TIMEOUT_MS));
        if (!m) {
          proc.kill('SIGKILL');
          await proc.waitFor(() => false, 2000);
          throw httpError(500, `not ready (/${ready}/ not seen${proc.running ? ' in time' : `; exited with ${proc.code ?? proc.signal}`})`, proc.state(body.encoding));
        }
        if (m[1] !== undefined) proc.port = Number(m[1]);
      }
      return proc.state(body.encoding);
    },
    'POST /stop-all': async () => {
      const all = [...procs.values()];
      all.forEach((p) => p.kill('SIGKILL'));
      await Promise.all(all.map((p) => p.waitFor(() => false, 5000)));
      procs.clear();
      return { stopped: all.length };
    },
    'POST /shutdown': async () => { setImmediate(() => close()); return { ok: true }; },
  };

  async function procRoute(method, rest, body, query) {
    const [id, action] = rest;
    const proc = procs.get(id);
    if (!proc) throw httpError(404, `no process ${id}`);
    if (method === 'GET' && !action) {
      const waitMs = Math.min(Number(query.get('waitMs') ?? 0), MAX_TIMEOUT_MS);
      const until = query.get('until');
      if (waitMs > 0) {
        const re = until ? new RegExp(until, 'm') : null;
        await proc.waitFor(() => (re ? re.test(proc.outputText()) : false), waitMs);
      }
      return proc.state(query.get('encoding'));
    }
    if (method === 'POST' && action === 'stdin') {
      if (body.data != null) await new Promise((res) => proc.child.stdin.write(Buffer.from(String(body.data), body.encoding === 'base64' ? 'base64' : 'utf8'), () => res()));
      if (body.end) proc.child.stdin.end();
      return { ok: true, running: proc.running };
    }
    if (method === 'POST' && action === 'stop') {
      proc.kill(body.signal ?? 'SIGTERM');
      await proc.waitFor(() => false, Number(body.waitMs ?? 5000));
      if (proc.running) { proc.kill('SIGKILL'); await proc.waitFor(() => false, 5000); }
      procs.delete(id);
      return proc.state(body.encoding);
    }
    throw httpError(404, 'unknown action');
  }

  const server = http.createServer(async (req, res) => {
    const send = (status, obj) => {
      const data = JSON.stringify(obj);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
      res.end(data);
    };
    try {
      if (req.headers['x-peer-token'] !== token) throw httpError(403, 'bad or missing x-peer-token');
      const url = new URL(req.url, 'http://127.0.0.1');
      let size = 0; const chunks = [];
      for await (const c of req) { size += c.length; if (size > MAX_BODY) throw httpError(413, 'body too large'); chunks.push(c); }
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const parts = url.pathname.split('/').filter(Boolean);
      let result;
      if (parts[0] === 'proc') result = await procRoute(req.method, parts.slice(1), body, url.searchParams);
      else {
        const route = routes[`${req.method} ${url.pathname}`];
        if (!route) throw httpError(404, `no route ${req.method} ${url.pathname}`);
        result = await route(body);
      }
      send(200, result);
    } catch (err) {
      send(err.status ?? 500, { ...(err.detail ?? {}), error: err.message });
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
  const port = server.address().port;
  const url = `http://127.0.0.1:${port}`;
  log(`[peer] listening on ${url}`);

  // Children must not outlive us, however we end.
  const killAll = () => { for (const p of procs.values()) p.kill('SIGKILL'); };
  process.on('exit', killAll);
  const lifetime = setTimeout(() => { log('[peer] max lifetime reached'); close(); }, maxLifetimeMs);
  lifetime.unref();

  let closing = null;
  let resolveClosed;
  const whenClosed = new Promise((r) => { resolveClosed = r; });
  function close() {
    closing ??= (async () => {
      clearTimeout(lifetime);
      const all = [...procs.values()];
      all.forEach((p) => p.kill('SIGKILL'));
      await Promise.all(all.map((p) => p.waitFor(() => false, 3000)));
      procs.clear();
      process.off('exit', killAll);
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
      log('[peer] stopped');
      resolveClosed();
    })();
    return closing;
  }
  return { url, port, token, env: { SCHANNEL_PEER_URL: url, SCHANNEL_PEER_TOKEN: token }, close, closed: whenClosed };
}

function httpError(status, message, detail) {
  const e = new Error(message);
  e.status = status; e.detail = detail;
  return e;
}

// ------------------------------------------------------------------------------------------------
// Windows side (or any side): a client, on the global fetch only

export class PeerClient {
  constructor({ url, token }) {
    if (!url) throw new Error('PeerClient: no service URL (SCHANNEL_PEER_URL is not set: run under scripts/peer-service.mjs)');
    this.url = url.replace(/\/$/, ''); this.token = token ?? '';
  }
  static fromEnv(env = process.env) { return new PeerClient({ url: env.SCHANNEL_PEER_URL, token: env.SCHANNEL_PEER_TOKEN }); }
  static available(env = process.env) { return !!env.SCHANNEL_PEER_URL; }
  async request(method, p, body) {
    const res = await fetch(this.url + p, {
      method, headers: { 'content-type': 'application/json', 'x-peer-token': this.token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) { const e = new Error(`peer-service ${method} ${p}: ${json.error}`); e.response = json; throw e; }
    return json;
  }
  run(cmd, args = [], opts = {}) { return this.request('POST', '/run', { cmd, args, ...opts }); }
  /** Starts a long-lived peer; returns a handle with port, read(), write(), stop(). */
  async start(cmd, args = [], opts = {}) {
    const s = await this.request('POST', '/start', { cmd, args, ...opts });
    const client = this;
    return {
      ...s,
      state: (q = {}) => client.request('GET', `/proc/${s.id}?${new URLSearchParams(q)}`),
      waitFor: (until, waitMs = 10_000) => client.request('GET', `/proc/${s.id}?${new URLSearchParams({ until: until instanceof RegExp ? until.source : until, waitMs: String(waitMs) })}`),
      write: (data, end = false) => client.request('POST', `/proc/${s.id}/stdin`, { data, end }),
      end: () => client.request('POST', `/proc/${s.id}/stdin`, { end: true }),
      stop: (signal = 'SIGTERM') => client.request('POST', `/proc/${s.id}/stop`, { signal }),
    };
  }
  stopAll() { return this.request('POST', '/stop-all', {}); }
  health() { return this.request('GET', '/health'); }
}

// ------------------------------------------------------------------------------------------------
// CLI

async function main(argv) {
  const dd = argv.indexOf('--');
  const opts = dd >= 0 ? argv.slice(0, dd) : argv;
  const command = dd >= 0 ? argv.slice(dd + 1) : null;
  let portFile = null; let maxLifetime = 3600; const allow = [];
  for (const a of opts) {
    if (a.startsWith('--port-file=')) portFile = a.slice(12);
    else if (a.startsWith('--max-lifetime=')) maxLifetime = Number(a.slice(15));
    else if (a.startsWith('--allow=')) allow.push(...a.slice(8).split(',').filter(Boolean));
    else if (a === '--help' || a === '-h') {
      process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0].replace(/^#!.*\n/, '').replace(/^\/\/ ?/gm, '') + '\n');
      return 0;
    } else throw new Error(`unknown argument ${a}`);
  }
  const verbose = !!process.env.SCHANNEL_PEER_VERBOSE;
  const svc = await startPeerService({ maxLifetimeMs: maxLifetime * 1000, allow, log: verbose ? (l) => process.stderr.write(l + '\n') : () => {} });
  const info = { url: svc.url, port: svc.port, token: svc.token, pid: process.pid };
  if (portFile) { fs.writeFileSync(portFile + '.tmp', JSON.stringify(info) + '\n', { mode: 0o600 }); fs.renameSync(portFile + '.tmp', portFile); }

  if (command) {
    if (!command.length) throw new Error('nothing after --');
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...svc.env } });
    const forward = (sig) => () => child.kill(sig);
    process.on('SIGINT', forward('SIGINT')); process.on('SIGTERM', forward('SIGTERM'));
    const [code, signal] = await new Promise((resolve) => {
      child.on('error', (e) => { process.stderr.write(`peer-service: ${command[0]}: ${e.message}\n`); resolve([127, null]); });
      child.on('exit', (c, s) => resolve([c, s]));
    });
    await svc.close();
    if (portFile) fs.rmSync(portFile, { force: true });
    return signal ? 128 + (os.constants.signals[signal] ?? 1) : code;
  }

  process.stdout.write(JSON.stringify(info) + '\n');
  const stop = async () => { await svc.close(); if (portFile) fs.rmSync(portFile, { force: true }); process.exit(0); };
  process.on('SIGINT', stop); process.on('SIGTERM', stop);
  // Bounded lifetime: end with our parent (it became someone else's child, e.g. init) or at max lifetime.
  const ppid = process.ppid;
  setInterval(() => { if (process.ppid !== ppid) stop(); }, 1000).unref();
  await svc.closed; // via POST /shutdown or the lifetime timer
  if (portFile) fs.rmSync(portFile, { force: true });
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code ?? 0), (err) => {
    process.stderr.write(`peer-service: ${err.message}\n`);
    process.exit(2);
  });
}
