// `schannel certs list|show|export-roots`, run as a child node.exe on bin/schannel.js (pipes between
// Windows processes work under Wine). A client certificate with its key is put into CurrentUser\MY
// for the listing and removed again in `after`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { isWine, repoRoot, testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const certstore = require('../../dist/certstore/index.js');
const { issue, pfx } = require('../support/pki.cjs');

const bin = path.join(repoRoot, 'bin', 'schannel.js');
const TIMEOUT = 60_000;

function schannel(...args) {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: TIMEOUT, maxBuffer: 64 << 20, windowsHide: true });
  if (result.error) throw result.error;
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('schannel certs', () => {
  const cn = `schannel cli client ${process.pid}`;
  let info;

  before(() => {
    const p = testPki();
    const client = issue({ cn, issuer: p.intermediate, usage: 'client' });
    [info] = certstore.addCertificate({ store: 'MY', pfx: pfx(client, [], 'cli'), passphrase: 'cli' });
  });
  after(() => {
    if (info) {
      try {
        certstore.removeCertificate({ thumbprint: info.thumbprint, deleteKey: true });
      } catch (error) {
        if (error.code !== 'ERR_SCHANNEL_CERT_NOT_FOUND') throw error;
      }
    }
  });

  it('list: an aligned table with thumbprint, subject CN, issuer CN, valid to, key', { timeout: TIMEOUT }, () => {
    const { code, out, err } = schannel('certs', 'list');
    assert.equal(code, 0, err);
    const lines = out.trimEnd().split(/\r?\n/);
    assert.match(lines[0], /^THUMBPRINT\s+SUBJECT\s+ISSUER\s+VALID TO\s+KEY$/);
    const row = lines.find((line) => line.startsWith(info.thumbprint));
    assert.ok(row, out);
    assert.match(row, new RegExp(`^${info.thumbprint}\\s+${cn}\\s+schannel test intermediate\\s+${info.validTo.toISOString().slice(0, 10)}\\s+yes$`));
    for (const column of ['SUBJECT', 'ISSUER', 'VALID TO', 'KEY']) {
      const at = lines[0].indexOf(column);
      assert.ok(lines.slice(1).every((line) => line[at - 1] === ' '), `column ${column} is aligned`);
    }
  });

  it('list --store ROOT --location LocalMachine lists that store', { timeout: TIMEOUT }, () => {
    const { code, out, err } = schannel('certs', 'list', '--store', 'ROOT', '--location', 'LocalMachine');
    assert.equal(code, 0, err);
    const rows = out.trimEnd().split(/\r?\n/).length - 1;
    if (isWine) assert.ok(rows > 100, `${rows} rows`);
    else assert.ok(rows > 0);
  });

  it('show THUMBPRINT (pasted with spaces, lower case): every field and the PEM', { timeout: TIMEOUT }, () => {
    const { code, out, err } = schannel('certs', 'show', info.thumbprint.toLowerCase().match(/../g).join(' '));
    assert.equal(code, 0, err);
    assert.match(out, new RegExp(`^Subject:\\s+CN=${cn}, O=schannel tests$`, 'm'));
    assert.match(out, /^Issuer:\s+CN=schannel test intermediate, O=schannel tests$/m);
    assert.match(out, new RegExp(`^Thumbprint \\(SHA-1\\):\\s+${info.thumbprint}$`, 'm'));
    assert.match(out, new RegExp(`^Serial number:\\s+${info.serialNumber}$`, 'm'));
    assert.match(out, /^Private key:\s+yes$/m);
    assert.match(out, /^Extended key usage:\s+clientAuth \(1\.3\.6\.1\.5\.5\.7\.3\.2\)$/m);
    assert.match(out, /^Store:\s+CurrentUser\\MY$/m);
    const pem = out.slice(out.indexOf('-----BEGIN CERTIFICATE-----'));
    assert.ok(new X509Certificate(pem).raw.equals(info.raw));
  });

  it('export-roots: PEM that node:tls takes; --include-intermediates gives at least as many', { timeout: TIMEOUT }, () => {
    const { code, out, err } = schannel('certs', 'export-roots');
    assert.equal(code, 0, err);
    const blocks = out.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
    assert.equal(blocks.join(''), out, 'nothing but PEM on stdout');
    if (isWine) assert.ok(blocks.length > 100, `${blocks.length} roots`);
    tls.createSecureContext({ ca: out });
    const withIntermediates = schannel('certs', 'export-roots', '--include-intermediates');
    assert.equal(withIntermediates.code, 0, withIntermediates.err);
    assert.ok(withIntermediates.out.split('-----BEGIN').length >= blocks.length + 1);
  });

  it('failures: a missing store and a missing certificate exit 1 with their code; bad usage exits 2', { timeout: TIMEOUT }, () => {
    const missingStore = schannel('certs', 'list', '--store', `NoSuchStore${process.pid}`);
    assert.equal(missingStore.code, 1);
    assert.match(missingStore.err, /^schannel: ERR_SCHANNEL_STORE_NOT_FOUND: /);
    const missingCert = schannel('certs', 'show', '00'.repeat(20));
    assert.equal(missingCert.code, 1);
    assert.match(missingCert.err, /^schannel: ERR_SCHANNEL_CERT_NOT_FOUND: /);
    const badThumbprint = schannel('certs', 'show', 'not-a-thumbprint');
    assert.equal(badThumbprint.code, 1);
    assert.match(badThumbprint.err, /ERR_INVALID_ARG_VALUE/);
    for (const args of [['certs'], ['certs', 'frobnicate'], ['certs', 'list', '--location', 'Nowhere'], ['certs', 'show'], ['certs', 'list', '--bogus']]) {
      const { code, err } = schannel(...args);
      assert.equal(code, 2, `${args.join(' ')}: ${err}`);
      assert.match(err, /^schannel: /);
    }
  });
});
