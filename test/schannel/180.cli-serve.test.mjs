// `schannel serve`: the static HTTPS server of the command line, started as a child node.exe on a
// free port, fetched with node.exe's https (OpenSSL) and with `schannel get` (Schannel on both ends).
// Also: path traversal refused, 404/405, one log line per request, usage errors as one line, and
// SIGINT/SIGTERM closing it.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NET_TIMEOUT, repoRoot, tempDir, testPki, writePem } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const { pfx } = require('../support/pki.cjs');

const bin = path.join(repoRoot, 'bin', 'schannel.js');
const p = testPki();
const PASSPHRASE = 'serve test';
/** Root and intermediate: Wine's Schannel server sends the leaf alone. */
const ca = [p.root.certPem, p.intermediate.certPem];
const CHILD_TIMEOUT = 30_000;

/** A site under this run's scratch directory, with a secret next to (outside) it. */
function makeSite() {
  const base = fs.mkdtempSync(path.join(tempDir(), 'serve-'));
  const site = path.join(base, 'site');
  const files = {
    'index.html': '<!doctype html><title>home</title><p>home page</p>\n',
    'style.css': 'body { color: #123; }\n',
    'app.js': 'console.log("served");\n',
    'data.json': '{"served":true}\n',
    'notes.txt': 'plain text\n',
    'sub/index.html': '<p>sub index</p>\n',
    'sub/deeper/file.txt': 'deep file\n',
    'with space.txt': 'a name with a space\n',
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(site, name)), { recursive: true });
    fs.writeFileSync(path.join(site, name), text);
  }
  const blob = randomBytes(300_000);
  fs.writeFileSync(path.join(site, 'blob.bin'), blob);
  fs.mkdirSync(path.join(site, 'empty-dir'));
  fs.writeFileSync(path.join(base, 'secret.txt'), 'SECRET outside the served directory\n');
  const pfxFile = path.join(base, 'server.pfx');
  fs.writeFileSync(pfxFile, pfx(p.leaf, [p.intermediate], PASSPHRASE));
  return { base, site, files, blob, pfxFile };
}

/** Runs bin/schannel.js in a child node.exe to completion: { code, stdout, stderr }. */
function runCli(args, timeout = CHILD_TIMEOUT) {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout, encoding: 'buffer', maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr: stderr.toString() });
    });
  });
}

/** `schannel serve` in a child node.exe; resolves once it prints its URL. */
function startServe(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const handle = { child, stdout: '', stderr: '', exited: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))) };
    const timer = setTimeout(() => reject(new Error(`serve did not start in ${CHILD_TIMEOUT} ms:\n${handle.stdout}${handle.stderr}`)), CHILD_TIMEOUT);
    child.stdout.on('data', (chunk) => {
      handle.stdout += chunk;
      const m = /^listening on (https:\/\/([^\s]+):(\d+))$/m.exec(handle.stdout);
      if (m && !handle.url) {
        clearTimeout(timer);
        Object.assign(handle, { url: m[1], port: Number(m[3]) });
        resolve(handle);
      }
    });
    child.stderr.on('data', (chunk) => { handle.stderr += chunk; });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code} before listening:\n${handle.stdout}${handle.stderr}`));
    });
  });
}

/** One request with node.exe's https; the raw path is sent as written (no client-side normalising). */
function request(port, rawPath, { method = 'GET', trust = ca } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: rawPath, method, ca: trust, servername: 'localhost', agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits until the server's log has a line matching `re`. */
async function logLine(handle, re, ms = 5000) {
  for (let waited = 0; waited < ms; waited += 25) {
    if (re.test(handle.stdout)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.match(handle.stdout, re);
}

describe('schannel serve (child node.exe)', () => {
  let site;
  let server;
  let caFile;
  before(async () => {
    site = makeSite();
    caFile = writePem('serve-ca', ...ca);
    server = await startServe(['--pfx', site.pfxFile, '--passphrase', PASSPHRASE, '--port', '0', '--host', '127.0.0.1', '--dir', site.site]);
  }, { timeout: CHILD_TIMEOUT });
  after(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill();
      await server.exited;
    }
  });

  it('prints the real port and serves index.html for /', { timeout: NET_TIMEOUT }, async () => {
    assert.ok(server.port > 0);
    assert.equal(server.url, `https://127.0.0.1:${server.port}`);
    const res = await request(server.port, '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.body.toString(), site.files['index.html']);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(site.files['index.html']));
  });

  it('the certificate is the PFX leaf, validated by node:tls against root + intermediate', { timeout: NET_TIMEOUT }, async () => {
    await assert.rejects(request(server.port, '/', { trust: [] }), (error) => /certificate/i.test(error.message));
    const res = await request(server.port, '/notes.txt');
    assert.equal(res.status, 200);
  });

  it('content types by extension', { timeout: NET_TIMEOUT }, async () => {
    const expected = {
      '/style.css': 'text/css; charset=utf-8',
      '/app.js': 'text/javascript; charset=utf-8',
      '/data.json': 'application/json',
      '/notes.txt': 'text/plain; charset=utf-8',
      '/blob.bin': 'application/octet-stream',
    };
    for (const [file, type] of Object.entries(expected)) {
      const res = await request(server.port, file);
      assert.equal(res.status, 200, file);
      assert.equal(res.headers['content-type'], type, file);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    const blob = await request(server.port, '/blob.bin');
    assert.ok(blob.body.equals(site.blob), 'the binary file, byte for byte');
    assert.equal((await request(server.port, '/with%20space.txt')).body.toString(), site.files['with space.txt']);
  });

  it('directories: a redirect to the slash, then index.html; no index is 404', { timeout: NET_TIMEOUT }, async () => {
    const redirect = await request(server.port, '/sub');
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.location, '/sub/');
    const index = await request(server.port, '/sub/');
    assert.equal(index.status, 200);
    assert.equal(index.body.toString(), site.files['sub/index.html']);
    assert.equal((await request(server.port, '/sub/deeper/file.txt')).body.toString(), site.files['sub/deeper/file.txt']);
    assert.equal((await request(server.port, '/empty-dir/')).status, 404);
  });

  it('404 for a missing file, 405 for a method other than GET/HEAD; HEAD has headers and no body', { timeout: NET_TIMEOUT }, async () => {
    const missing = await request(server.port, '/no-such-file.html');
    assert.equal(missing.status, 404);
    assert.equal((await request(server.port, '/notes.txt/child')).status, 404);
    const post = await request(server.port, '/notes.txt', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    const head = await request(server.port, '/blob.bin', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), site.blob.length);
    assert.equal(head.body.length, 0);
  });

  it('refuses path traversal: nothing outside --dir is ever served', { timeout: NET_TIMEOUT }, async () => {
    const secret = 'SECRET outside the served directory';
    // Encoded separators make `..` segments only after decoding: refused outright.
    for (const raw of ['/..%2fsecret.txt', '/sub/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/sub/..%5c..%5csecret.txt', '/%2e%2e%2fsecret.txt']) {
      const res = await request(server.port, raw);
      assert.equal(res.status, 403, raw);
      assert.ok(!res.body.toString().includes(secret), raw);
    }
    // Plain and dot-encoded `..` segments are resolved by the URL rules, inside the root: not found.
    for (const raw of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/.%2e/.%2e/secret.txt']) {
      const res = await request(server.port, raw);
      assert.equal(res.status, 404, raw);
      assert.ok(!res.body.toString().includes(secret), raw);
    }
    assert.equal((await request(server.port, '/%00')).status, 400);
    assert.equal((await request(server.port, '/%E0%A4%A')).status, 400, 'a malformed escape');
  });

  it('logs one line per request: method, path, status', { timeout: NET_TIMEOUT }, async () => {
    await request(server.port, '/data.json?log-check');
    await logLine(server, /^\S+ 127\.0\.0\.1 GET \/data\.json\?log-check 200 \d+$/m);
    await request(server.port, '/log-check-missing');
    await logLine(server, /^\S+ 127\.0\.0\.1 GET \/log-check-missing 404 \d+$/m);
    const lines = server.stdout.split('\n').filter((l) => / GET \/data\.json\?log-check /.test(l));
    assert.equal(lines.length, 1);
  });

  it('`schannel get` (Schannel client) fetches from it: text to stdout, binary with -o', { timeout: NET_TIMEOUT * 2 }, async () => {
    const text = await runCli(['get', '--ca', caFile, `https://localhost:${server.port}/notes.txt`]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.toString(), site.files['notes.txt']);
    const out = path.join(site.base, 'fetched.bin');
    const binary = await runCli(['get', '--ca', caFile, '-o', out, `https://127.0.0.1:${server.port}/blob.bin`]);
    assert.equal(binary.code, 0, binary.stderr);
    assert.ok(fs.readFileSync(out).equals(site.blob));
  });

  it('is killed cleanly, and the port is free afterwards', { timeout: NET_TIMEOUT }, async () => {
    server.child.kill();
    await server.exited;
    const refused = await new Promise((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(false); });
      socket.once('error', (error) => resolve(error.code));
    });
    assert.equal(refused, 'ECONNREFUSED');
  });
});

describe('schannel serve: usage and failures, one line each', () => {
  let site;
  before(() => { site = makeSite(); });

  it('without --pfx: usage error, exit 2', { timeout: CHILD_TIMEOUT }, async () => {
    const r = await runCli(['serve', '--port', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^schannel: serve needs --pfx FILE/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('--cert-thumbprint: a certificate from CurrentUser\\MY serves; an unknown one is one typed line', { timeout: CHILD_TIMEOUT * 3 }, async () => {
    const schannel = require('../..');
    const [added] = schannel.addCertificate({ store: 'MY', pfx: pfx(p.leaf, [], PASSPHRASE), passphrase: PASSPHRASE }).filter((c) => c.hasPrivateKey);
    try {
      const server = await startServe(['--cert-thumbprint', added.thumbprint, '--port', '0', '--host', '127.0.0.1', '--dir', makeSite().site]);
      try {
        const response = await request(server.port, '/index.html');
        assert.equal(response.status, 200);
      } finally {
        server.child.kill();
        await server.exited;
      }
    } finally {
      schannel.removeCertificate({ store: 'MY', thumbprint: added.thumbprint });
    }
    const missing = await runCli(['serve', '--cert-thumbprint', 'ab'.repeat(20), '--port', '0']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^schannel: ERR_SCHANNEL_CERT_NOT_FOUND: /);
    const both = await runCli(['serve', '--pfx', 'x.pfx', '--cert-thumbprint', 'ab'.repeat(20)]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^schannel: give --pfx FILE or --cert-thumbprint T, not both/);
    const alone = await runCli(['serve', '--cert-store', 'MY']);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /^schannel: --cert-store and --cert-location go with --cert-thumbprint/);
  });

  it('an unreadable --pfx, a missing --dir, a bad --port: usage errors', { timeout: CHILD_TIMEOUT * 2 }, async () => {
    const noFile = await runCli(['serve', '--pfx', path.join(site.base, 'nope.pfx')]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /^schannel: cannot read --pfx /);
    const noDir = await runCli(['serve', '--pfx', site.pfxFile, '--passphrase', PASSPHRASE, '--dir', path.join(site.base, 'no-such-dir')]);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /^schannel: cannot serve --dir /);
    const badPort = await runCli(['serve', '--pfx', site.pfxFile, '--port', 'eighty']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /^schannel: --port must be a number/);
  });

  it('a wrong passphrase: one failure line, exit 1', { timeout: CHILD_TIMEOUT }, async () => {
    const r = await runCli(['serve', '--pfx', site.pfxFile, '--passphrase', 'wrong', '--port', '0', '--dir', site.site]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^schannel: \S+: /);
    assert.equal(r.stderr.replace(/\n {2}try: .*$/m, '').trim().split('\n').length, 1, r.stderr);
  });
});

// Wine delivers no signal to a Windows process (kill is TerminateProcess), and emitting one in this
// process would reach node:test's own handlers; so a child node.exe runs main() and emits the
// signal to itself when told to on stdin.
const signalChild = `
const { PassThrough } = require('node:stream');
const { main } = require(${JSON.stringify(path.join(repoRoot, 'dist', 'cli', 'main.js'))});
const out = new PassThrough();
out.on('data', (c) => process.stdout.write(c));
main(JSON.parse(process.argv[1]), { out, err: process.stderr }).then((code) => {
  process.stdout.write('main returned ' + code + '\\n');
  process.stdin.destroy();
});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line) => { const signal = line.trim(); process.emit(signal, signal); });
`;

describe('schannel serve: SIGINT/SIGTERM close it', () => {
  const children = [];
  after(() => { for (const c of children) if (c.exitCode === null) c.kill(); });

  for (const signal of ['SIGINT', 'SIGTERM']) {
    it(`${signal}: main() returns 0, the process exits by itself, the port stops accepting`, { timeout: NET_TIMEOUT }, async () => {
      const site = makeSite();
      const args = ['serve', '--pfx', site.pfxFile, '--passphrase', PASSPHRASE, '--port', '0', '--host', '127.0.0.1', '--dir', site.site];
      const child = spawn(process.execPath, ['-e', signalChild, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      children.push(child);
      let printed = '';
      child.stdout.on('data', (c) => { printed += c; });
      child.stderr.on('data', (c) => { printed += c; });
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      for (let waited = 0; !/listening on/.test(printed) && child.exitCode === null && waited < 15_000; waited += 25) await new Promise((r) => setTimeout(r, 25));
      const port = Number(/listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(printed)?.[1]);
      assert.ok(port > 0, printed);
      assert.equal((await request(port, '/notes.txt')).body.toString(), site.files['notes.txt']);
      child.stdin.write(`${signal}\n`);
      assert.equal(await exited, 0, printed);
      assert.match(printed, new RegExp(`^${signal}: closing$`, 'm'));
      assert.match(printed, /^main returned 0$/m);
      await assert.rejects(request(port, '/'), (error) => error.code === 'ECONNREFUSED');
    });
  }
});
