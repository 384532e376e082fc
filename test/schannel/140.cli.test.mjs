// The `schannel` command (bin/schannel.js), run as a child node.exe against local https servers in
// this process: `get` (body, -v report, -o, --insecure), `probe` (report and exit status), failures
// as one line with the code, --debug stacks, usage errors, and NODE_DEBUG=schannel traces.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, tempDir, testPki, writePem } from '../support/peers.mjs';

const T = { timeout: 30_000 };
const p = testPki();
const BODY = 'hello from the https server\nsecond line\n';

/** Runs `node bin/schannel.js ...args`; resolves to { code, stdout, stderr }. */
function cli(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin', 'schannel.js'), ...args], {
      cwd: repoRoot, env: { ...process.env, NODE_DEBUG: '', ...env }, timeout: 25_000, windowsHide: true,
    }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : `${error.code ?? error.signal}`) : 0, stdout, stderr });
    });
  });
}

async function startHttps(certs) {
  const server = https.createServer({ key: certs[0].keyPem, cert: certs.map((c) => c.certPem).join(''), maxVersion: 'TLSv1.2' }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'cli' });
    res.end(BODY);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const stackLine = /^\s+at .+/m;

describe('schannel get', () => {
  let good;
  let expired;
  let url;
  let caFile;
  before(async () => {
    good = await startHttps([p.leaf, p.intermediate]);
    expired = await startHttps([p.expired, p.intermediate]);
    url = `https://localhost:${good.address().port}/index.txt`;
    caFile = writePem('cli-ca', p.root.certPem);
  });
  after(() => {
    good?.close();
    expired?.close();
  });

  it('get URL --ca FILE prints the body and exits 0', T, async () => {
    const r = await cli(['get', url, '--ca', caFile]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, BODY);
  });

  it('-v prints the report to stderr: protocol, cipher, chain subjects, verdict, timing, response headers', T, async () => {
    const r = await cli(['get', url, '--ca', caFile, '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, BODY, 'the body stays on stdout');
    const e = r.stderr;
    assert.match(e, /^\* connected to localhost:\d+ \(127\.0\.0\.1 port \d+\) over Schannel$/m);
    assert.match(e, /^\* protocol: TLSv1\.2$/m);
    // The IANA name, then OpenSSL's where it differs (TLS 1.3 names are the same in both).
    assert.match(e, /^\* cipher: +(TLS_AES_128_GCM_SHA256|TLS_AES_256_GCM_SHA384|TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 \(ECDHE-RSA-AES128-GCM-SHA256\)|TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 \(ECDHE-RSA-AES256-GCM-SHA384\))$/m);
    assert.match(e, /^\* SNI: +localhost$/m);
    assert.match(e, /^ {2}0 subject: CN=localhost, O=schannel tests$/m);
    assert.match(e, /^ {2}1 subject: CN=schannel test intermediate, O=schannel tests$/m);
    assert.match(e, /^\* verdict: +trusted\b/m);
    assert.match(e, /^\* timing: +tcp [\d.]+ ms, tls handshake [\d.]+ ms, validation [\d.]+ ms( \(began during the handshake\))?, total [\d.]+ ms$/m);
    assert.match(e, /^< HTTP\/1\.1 200 OK$/m);
    assert.match(e, /^< x-test: cli$/m);
  });

  it('-o FILE writes the body to FILE, nothing to stdout, exit 0', T, async () => {
    const out = path.join(tempDir(), 'cli-output.txt');
    const r = await cli(['get', url, '--ca', caFile, '-o', out]);
    assert.equal(fs.readFileSync(out, 'utf8'), BODY);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });

  it('--insecure against an untrusted server works, and -v says NOT trusted with the code', T, async () => {
    const r = await cli(['get', url, '--insecure', '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, BODY);
    assert.match(r.stderr, /^\* verdict: +NOT trusted: UNABLE_TO_GET_ISSUER_CERT_LOCALLY$/m);
    const k = await cli(['get', url, '-k']);
    assert.equal(k.code, 0);
    assert.equal(k.stdout, BODY);
  });

  it('an untrusted server without --insecure: one "schannel: CODE" line (and a hint), exit 1, no stack', T, async () => {
    for (const [args, code] of [[['get', url], 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'], [['get', `https://localhost:${expired.address().port}/`, '--ca', caFile], 'CERT_HAS_EXPIRED']]) {
      const r = await cli(args);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split(/\r?\n/);
      assert.ok(lines[0].startsWith(`schannel: ${code}: `), lines[0]);
      assert.equal(lines.filter((l) => l.startsWith('schannel: ')).length, 1);
      assert.ok(lines.slice(1).every((l) => l.startsWith('  try: ')), r.stderr);
      assert.doesNotMatch(r.stderr, stackLine);
    }
  });

  it('--debug adds the stack', T, async () => {
    const r = await cli(['get', url, '--debug']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^schannel: UNABLE_TO_GET_ISSUER_CERT_LOCALLY: /);
    assert.match(r.stderr, stackLine);
  });

  it('NODE_DEBUG=schannel prints trace lines to stderr (handshake statuses, the secure line)', T, async () => {
    const r = await cli(['get', url, '--ca', caFile], { NODE_DEBUG: 'schannel' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, BODY);
    assert.match(r.stderr, /^SCHANNEL \d+: client handshake SEC_I_CONTINUE_NEEDED /m);
    assert.match(r.stderr, /^SCHANNEL \d+: client handshake SEC_E_OK /m);
    assert.match(r.stderr, /^SCHANNEL \d+: client secure: TLSv1\.2 /m);
  });
});

describe('schannel probe', () => {
  let good;
  let expired;
  let caFile;
  before(async () => {
    good = await startHttps([p.leaf, p.intermediate]);
    expired = await startHttps([p.expired, p.intermediate]);
    caFile = writePem('cli-probe-ca', p.root.certPem);
  });
  after(() => {
    good?.close();
    expired?.close();
  });

  it('probe 127.0.0.1:PORT --ca FILE: the report on stdout, exit 0 when trusted', T, async () => {
    const port = good.address().port;
    const r = await cli(['probe', `127.0.0.1:${port}`, '--ca', caFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^\\* connected to 127\\.0\\.0\\.1:${port} `, 'm'));
    assert.match(r.stdout, /^\* protocol: TLSv1\.2$/m);
    assert.match(r.stdout, /^\* ALPN: +http\/1\.1$/m);
    assert.match(r.stdout, /^\* SNI: +none$/m, 'an IP address sends no SNI');
    assert.match(r.stdout, /^ {2}0 subject: CN=localhost/m);
    assert.match(r.stdout, /^ {4}sha256: +[0-9A-F:]{95}$/m);
    assert.match(r.stdout, /^\* verdict: +trusted\b/m);
  });

  it('exit 1 when not trusted (no --ca; an expired leaf), the verdict names the code', T, async () => {
    const untrusted = await cli(['probe', `127.0.0.1:${good.address().port}`]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /^\* verdict: +NOT trusted: UNABLE_TO_GET_ISSUER_CERT_LOCALLY$/m);
    const old = await cli(['probe', `localhost:${expired.address().port}`, '--ca', caFile]);
    assert.equal(old.code, 1);
    assert.match(old.stdout, /^\* verdict: +NOT trusted: CERT_HAS_EXPIRED$/m);
  });
});

describe('schannel usage', () => {
  it('usage errors exit 2 with a "schannel: " line; --help exits 0', T, async () => {
    const cases = [
      [['get'], /^schannel: get takes one URL/],
      [['get', 'http://localhost/'], /^schannel: only https:\/\/ URLs/],
      [['get', 'not a url'], /^schannel: not a URL/],
      [['frobnicate'], /^schannel: unknown command "frobnicate"/],
      [['get', '--bogus', 'https://localhost/'], /^schannel: Unknown option '--bogus'/],
      [['probe'], /^schannel: probe takes one HOST\[:PORT\]/],
      [['get', 'https://localhost/', '--ca', path.join(tempDir(), 'no-such-file.pem')], /^schannel: cannot read --ca /],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, stackLine);
    }
    const none = await cli([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /^usage: schannel <command>/);
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: schannel <command>/);
  });
});
