// The demo's Windows side: a local HTTPS server (OpenSSL inside Node) with a CA and a leaf made on
// the spot, fetched through Schannel by `schannel get -v`, which prints the handshake report and
// the body. Runs inside node.exe (under Wine on Linux, natively on Windows).
'use strict';
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const { makeTestPki } = require('../test/support/pki.cjs');
const { main } = require('../dist/cli/main.js');

async function demo() {
  const pki = makeTestPki();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schannel-demo-'));
  const caFile = path.join(dir, 'demo-root.pem');
  fs.writeFileSync(caFile, pki.root.certPem);
  const body = 'Hello from a local HTTPS server (OpenSSL inside Node), fetched through Windows Schannel.\n';
  const server = https.createServer({ key: pki.leaf.keyPem, cert: pki.leaf.certPem + pki.intermediate.certPem }, (req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://localhost:${server.address().port}/`;
  process.stderr.write(`$ schannel get -v --ca ${caFile} ${url}\n`);
  try {
    return await main(['get', '-v', '--ca', caFile, url]);
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

demo().then((code) => {
  process.exitCode = code;
});
