// HTTP over Schannel: SchannelAgent under node:https (get, request, keep-alive), and
// createFetchDispatcher() under node.exe's global fetch (HTTP/1.1 and, with allowH2, HTTP/2),
// against node.exe's own https and http2 servers.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import https from 'node:https';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { SchannelAgent, createFetchDispatcher } = schannel;

const T = { timeout: 30_000 };
const p = testPki();
const ca = [p.root.certPem];
const goodCert = { key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem, maxVersion: 'TLSv1.2' };

/** An https server answering `METHOD URL body` as JSON, counting TLS connections. */
async function startHttps(tlsOptions = goodCert) {
  const state = { connections: 0, servernames: [], requests: [] };
  const server = https.createServer(tlsOptions, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      state.requests.push({ method: req.method, url: req.url, body, port: req.socket.remotePort });
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'x-served-by': 'node-https' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body, httpVersion: req.httpVersion }));
    });
  });
  server.on('secureConnection', (socket) => {
    state.connections++;
    state.servernames.push(socket.servername);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    state,
    port: server.address().port,
    stop: () => { server.closeAllConnections(); return new Promise((resolve) => server.close(resolve)); },
  };
}

/** https.request as a promise: { res, body, req }. */
function request(url, options, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ res, body: text, req }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('SchannelAgent with node:https', () => {
  let good;
  before(async () => { good = await startHttps(); });
  after(() => good?.stop());

  it('https.get: status, headers and body; the connection went over Schannel with SNI', T, async () => {
    const agent = new SchannelAgent({ ca });
    try {
      const { res, body, req } = await new Promise((resolve, reject) => {
        const req = https.get(`https://localhost:${good.port}/hello?x=1`, { agent }, (res) => {
          let text = '';
          res.on('data', (d) => { text += d; });
          res.on('end', () => resolve({ res, body: text, req }));
        });
        req.on('error', reject);
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-served-by'], 'node-https');
      assert.equal(res.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(body), { method: 'GET', url: '/hello?x=1', body: '', httpVersion: '1.1' });
      assert.ok(req.socket instanceof schannel.SchannelSocket, 'the agent made a SchannelSocket');
      assert.equal(req.socket.authorized, true);
      assert.equal(good.state.servernames.at(-1), 'localhost');
    } finally {
      agent.destroy();
    }
  });

  it('keep-alive: two requests reuse one connection (the server saw one TLS connection)', T, async () => {
    const server = await startHttps();
    const agent = new SchannelAgent({ ca, keepAlive: true });
    try {
      const first = await request(`https://localhost:${server.port}/one`, { agent });
      const second = await request(`https://localhost:${server.port}/two`, { agent });
      assert.equal(first.res.statusCode, 200);
      assert.equal(second.res.statusCode, 200);
      assert.equal(server.state.connections, 1);
      assert.equal(second.req.reusedSocket, true);
      assert.deepEqual(server.state.requests.map((r) => r.url), ['/one', '/two']);
      assert.equal(server.state.requests[0].port, server.state.requests[1].port, 'same client port');
    } finally {
      agent.destroy();
      await server.stop();
    }
  });

  it('https.request POST with a body (fixed length and chunked)', T, async () => {
    const agent = new SchannelAgent({ ca });
    try {
      const payload = JSON.stringify({ hello: 'schannel', n: [1, 2, 3] });
      const fixed = await request(`https://localhost:${good.port}/items`, {
        agent, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      }, payload);
      assert.equal(fixed.res.statusCode, 201);
      assert.deepEqual(JSON.parse(fixed.body), { method: 'POST', url: '/items', body: payload, httpVersion: '1.1' });

      const big = 'z'.repeat(200_000);
      const chunked = await new Promise((resolve, reject) => {
        const req = https.request(`https://localhost:${good.port}/big`, { agent, method: 'POST' }, (res) => {
          let text = '';
          res.on('data', (d) => { text += d; });
          res.on('end', () => resolve(JSON.parse(text)));
        });
        req.on('error', reject);
        req.write(big.slice(0, 100_000));
        req.end(big.slice(100_000));
      });
      assert.equal(chunked.body.length, big.length);
      assert.equal(chunked.body, big);
    } finally {
      agent.destroy();
    }
  });

  it('an IP URL sends no SNI and is checked against the iPAddress SANs', T, async () => {
    const agent = new SchannelAgent({ ca });
    try {
      const { res, req } = await request(`https://127.0.0.1:${good.port}/ip`, { agent });
      assert.equal(res.statusCode, 200);
      assert.equal(req.socket.authorized, true);
      assert.equal(good.state.servernames.at(-1), false);
    } finally {
      agent.destroy();
    }
  });

  it('a certificate error is the request’s error, with Node’s code and Windows’ status', T, async () => {
    const wrong = await startHttps({ key: p.wrongHost.keyPem, cert: p.wrongHost.certPem + p.intermediate.certPem, maxVersion: 'TLSv1.2' });
    const agent = new SchannelAgent({ ca });
    try {
      await assert.rejects(request(`https://localhost:${wrong.port}/`, { agent }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', statusName: 'CERT_E_CN_NO_MATCH' });
      assert.equal(wrong.state.requests.length, 0, 'no request reached the server');
      const loose = new SchannelAgent({ ca, rejectUnauthorized: false });
      const { res, req } = await request(`https://localhost:${wrong.port}/`, { agent: loose });
      loose.destroy();
      assert.equal(res.statusCode, 200);
      assert.equal(req.socket.authorizationError, 'ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      agent.destroy();
      await wrong.stop();
    }
  });
});

describe('createFetchDispatcher with global fetch', () => {
  let good;
  before(async () => { good = await startHttps(); });
  after(() => good?.stop());

  it('GET: status, headers, JSON body', T, async () => {
    const dispatcher = createFetchDispatcher({ ca });
    try {
      const res = await fetch(`https://localhost:${good.port}/fetched`, { dispatcher });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-served-by'), 'node-https');
      assert.deepEqual(await res.json(), { method: 'GET', url: '/fetched', body: '', httpVersion: '1.1' });
      assert.equal(good.state.servernames.at(-1), 'localhost');
    } finally {
      await dispatcher.close();
    }
  });

  it('POST with a body', T, async () => {
    const dispatcher = createFetchDispatcher({ ca });
    try {
      const res = await fetch(`https://localhost:${good.port}/post`, { dispatcher, method: 'POST', body: 'fetched body', headers: { 'content-type': 'text/plain' } });
      assert.equal(res.status, 201);
      assert.deepEqual(await res.json(), { method: 'POST', url: '/post', body: 'fetched body', httpVersion: '1.1' });
    } finally {
      await dispatcher.close();
    }
  });

  it('a certificate error rejects the fetch; the cause carries the code', T, async () => {
    const expired = await startHttps({ key: p.expired.keyPem, cert: p.expired.certPem + p.intermediate.certPem, maxVersion: 'TLSv1.2' });
    const dispatcher = createFetchDispatcher({ ca });
    const systemRoots = createFetchDispatcher();
    try {
      const error = await fetch(`https://localhost:${expired.port}/`, { dispatcher }).then(() => null, (e) => e);
      assert.ok(error instanceof TypeError, String(error));
      assert.equal(error.cause?.code, 'CERT_HAS_EXPIRED');
      assert.equal(error.cause?.statusName, 'CERT_E_EXPIRED');
      assert.equal(expired.state.requests.length, 0);
      const untrusted = await fetch(`https://localhost:${good.port}/`, { dispatcher: systemRoots }).then(() => null, (e) => e);
      assert.equal(untrusted?.cause?.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'the test root is not a system root');
    } finally {
      await dispatcher.close();
      await systemRoots.close();
      await expired.stop();
    }
  });
});

describe('createFetchDispatcher({ allowH2: true }) with node:http2', () => {
  let server;
  let port;
  const sessions = [];
  before(async () => {
    server = http2.createSecureServer({ ...goodCert, allowHTTP1: true }, (req, res) => {
      res.setHeader('x-alpn', req.socket?.alpnProtocol ?? req.stream?.session?.alpnProtocol ?? '');
      res.end(`version ${req.httpVersion}`);
    });
    server.on('session', (s) => sessions.push(s));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  });
  after(async () => {
    for (const s of sessions) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('negotiates h2 through ALPN and speaks HTTP/2; without allowH2 the same server answers HTTP/1.1', T, async () => {
    const h2 = createFetchDispatcher({ ca, allowH2: true });
    const h1 = createFetchDispatcher({ ca });
    try {
      const res = await fetch(`https://localhost:${port}/`, { dispatcher: h2 });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'version 2.0');
      assert.equal(res.headers.get('x-alpn'), 'h2');
      const again = await fetch(`https://localhost:${port}/second`, { dispatcher: h2 });
      assert.equal(await again.text(), 'version 2.0');
      assert.equal(sessions.length, 1, 'both requests on one HTTP/2 session');

      const old = await fetch(`https://localhost:${port}/`, { dispatcher: h1 });
      assert.equal(await old.text(), 'version 1.1');
    } finally {
      await h2.close();
      await h1.close();
    }
  });
});
