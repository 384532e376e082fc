// The fuzzer: mutated handshake flights and records into initializeSecurityContext,
// acceptSecurityContext, decryptMessage/decryptRecords and the TlsEngine, client and server side.
//
//   node fuzz/run.mjs [--cases N] [--seed S] [--target all|accept|initialize|decrypt|engine]
//                     [--time-limit SECONDS] [--batch N] [--budget MS] [--inject crash@I,hang@J]
//
// Runs inside Windows node.exe (natively, or under Wine through scripts/fuzz.mjs). The parent
// records a corpus once and runs the cases in child processes, one batch each, so a crash kills a
// child, not the run: the child reports every finished case, the parent re-runs the case after the
// last one alone (writing its input to fuzz/findings/ first) and goes on. A case is deterministic in
// (seed, index) and its base input. Findings: a crash, a hang (a case over its time budget, or a
// child silent for 5 budgets), an error that is not a typed one, a status outside the documented
// set, plaintext that was never sent, feed() throwing. Exit code 1 when there is any finding.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeCredentials, makeIdentity, recordCorpus, schannel } from './corpus.mjs';
import { caseSeed, mutate, prng } from './mutators.mjs';

const { TlsEngine, SchannelError, SecBufferType, SecStatus, initializeSecurityContext, acceptSecurityContext, decryptMessage, decryptRecords } = schannel;
const here = dirname(fileURLToPath(import.meta.url));
export const TARGETS = ['accept', 'initialize', 'decrypt', 'engine'];
const EMPTY = Buffer.alloc(0);
const CLIENT_REQ = ['CONFIDENTIALITY', 'REPLAY_DETECT', 'SEQUENCE_DETECT', 'STREAM', 'ALLOCATE_MEMORY', 'EXTENDED_ERROR', 'USE_SUPPLIED_CREDS', 'MANUAL_CRED_VALIDATION'];
const SERVER_REQ = ['CONFIDENTIALITY', 'REPLAY_DETECT', 'SEQUENCE_DETECT', 'STREAM', 'ALLOCATE_MEMORY', 'EXTENDED_ERROR'];
// The statuses the functions document as returned (failures are thrown).
const HANDSHAKE_RETURNS = new Set(['SEC_E_OK', 'SEC_I_CONTINUE_NEEDED', 'SEC_I_COMPLETE_NEEDED', 'SEC_I_COMPLETE_AND_CONTINUE', 'SEC_I_INCOMPLETE_CREDENTIALS', 'SEC_E_INCOMPLETE_MESSAGE']);
const DECRYPT_RETURNS = new Set(['SEC_E_OK', 'SEC_E_INCOMPLETE_MESSAGE', 'SEC_I_RENEGOTIATE', 'SEC_I_CONTEXT_EXPIRED']);
const ENGINE_STATES = new Set(['handshaking', 'open', 'closed', 'failed']);
// Corpus lists by handshake stage: what the receiver of flight N gets.
const STAGE_CORPUS = ['clientHellos', 'serverFlights', 'clientFinished', 'serverFinished'];
const MAX_CALLS = 32; // calls per case before "no progress" is a finding

/** A finding inside a case: thrown through the case and recorded with its input. */
class Finding extends Error {
  constructor(kind, detail) {
    super(detail);
    this.kind = kind;
  }
}

/** The code of a typed error; anything else is an 'untyped' finding. */
function errorCode(error) {
  if (error instanceof Finding) throw error;
  if (error instanceof SchannelError && typeof error.code === 'string') {
    if (error.code.startsWith('ERR_SCHANNEL_STATUS_')) throw new Finding('unknown-status', `${error.code}: ${error.message}`);
    if (error.code.startsWith('SEC_') && typeof error.status !== 'number') throw new Finding('untyped', `${error.code} without a status`);
    return error.code;
  }
  if (error instanceof TypeError && typeof error.code === 'string' && error.code.startsWith('ERR_')) return error.code;
  throw new Finding('untyped', `${error?.constructor?.name ?? typeof error}: ${error?.stack ?? error}`);
}

function checkStatus(set, result, what) {
  if (!set.has(result.statusName)) throw new Finding('status', `${what} returned ${result.statusName} (0x${result.status.toString(16)})`);
}

/** Splits `data` into 1 to 3 pieces at random points. */
function pieces(data, r) {
  const count = r.chance(0.6) ? 1 : r.chance(0.75) ? 2 : 3;
  const cuts = Array.from({ length: count - 1 }, () => r.below(data.length + 1)).sort((a, b) => a - b);
  return [0, ...cuts].map((from, i) => data.subarray(from, i + 1 < count ? cuts[i] : data.length));
}

/** Carries the context of every call so the case can delete it whatever happens. */
class Contexts {
  list = [];
  add(context) { if (context && !this.list.includes(context)) this.list.push(context); return context; }
  dispose() { for (const c of this.list) c.dispose(); this.list = []; }
}

// ------------------------------------------------------------------------------------------------
// State a child keeps between cases: credentials, the corpus, live pairs.

function engines(state) {
  const client = new TlsEngine({ role: 'client', credential: state.credentials.client, targetName: 'localhost' });
  const server = new TlsEngine({ role: 'server', credential: state.credentials.server });
  return { client, server };
}

/** A fresh pair stepped up to `stage`: returns the receiver of flight `stage` and that flight. */
function livePair(state, stage) {
  const pair = engines(state);
  state.counters.handshakes++;
  pair.client.start();
  let sender = pair.client, receiver = pair.server;
  let flight = sender.takeOutgoing();
  for (let s = 0; s < stage; s++) {
    receiver.feed(flight);
    [sender, receiver] = [receiver, sender];
    flight = sender.takeOutgoing();
  }
  if (flight.length === 0) throw new Error(`live handshake produced no flight ${stage} (${pair.client.state}/${pair.server.state})`);
  return { ...pair, receiver, flight, destroy: () => { pair.client.destroy(); pair.server.destroy(); } };
}

/** An established pair, kept while the cases leave it healthy. */
function openPair(state) {
  if (!state.open) {
    const pair = livePair(state, 3);
    pair.receiver.feed(pair.flight);
    if (pair.client.state !== 'open' || pair.server.state !== 'open') throw new Error('live pair did not open');
    state.open = pair;
    state.counters.reestablished++;
  }
  return state.open;
}

function dropOpenPair(state) {
  state.open?.destroy();
  state.open = null;
}

/** The flight for stage `stage`: mutated, from the live pair (most) or from the corpus. */
function mutatedFlight(state, r, stage, live) {
  const list = state.corpus[STAGE_CORPUS[stage]];
  const base = r.chance(stage === 0 ? 0.4 : 0.7) ? live : r.pick(list);
  return { base, ...mutate(base, r, r.pick(list)) };
}

// ------------------------------------------------------------------------------------------------
// The targets. Each gets (state, r, c) and fills c: input, pieces, steps, code.

/** Raw SSPI handshake calls on `pieces`, as the loop of the documentation makes them. */
function drive(role, state, context, chunks, c, contexts) {
  const call = role === 'client' ? initializeSecurityContext : acceptSecurityContext;
  const base = role === 'client'
    ? { credential: state.credentials.client, targetName: 'localhost', contextReq: CLIENT_REQ }
    : { credential: state.credentials.server, contextReq: SERVER_REQ };
  let buffer = EMPTY;
  let calls = 0;
  for (const chunk of chunks) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    while (buffer.length > 0) {
      if (++calls > MAX_CALLS) throw new Finding('no-progress', `${MAX_CALLS} calls without finishing (${buffer.length} bytes left)`);
      let result;
      try {
        result = call({ ...base, context, input: [{ type: SecBufferType.TOKEN, data: buffer }, { type: SecBufferType.EMPTY }] });
      } catch (error) {
        contexts.add(error.context);
        throw error;
      }
      context = contexts.add(result.context) ?? context;
      checkStatus(HANDSHAKE_RETURNS, result, role === 'client' ? 'InitializeSecurityContext' : 'AcceptSecurityContext');
      if (!Buffer.isBuffer(result.token)) throw new Finding('shape', 'token is not a Buffer');
      c.code = `returned ${result.statusName}`;
      if (result.status === SecStatus.SEC_E_INCOMPLETE_MESSAGE) {
        if (typeof result.missing !== 'number') throw new Finding('shape', 'SEC_E_INCOMPLETE_MESSAGE without missing');
        break;
      }
      if (result.extra && result.extra.length >= buffer.length && result.status === SecStatus.SEC_I_CONTINUE_NEEDED && result.token.length === 0) {
        throw new Finding('no-progress', `SEC_I_CONTINUE_NEEDED consumed nothing of ${buffer.length} bytes`);
      }
      buffer = result.extra ?? EMPTY;
      if (result.status !== SecStatus.SEC_I_CONTINUE_NEEDED) return;
    }
  }
}

/** Handshake target for one side: a fresh or live context of `role` fed a mutated flight. */
function handshakeCase(role, state, r, c) {
  const stage = role === 'server' ? r.pick([0, 0, 2]) : r.pick([1, 1, 3]);
  const contexts = new Contexts();
  const live = livePair(state, stage);
  try {
    const flight = mutatedFlight(state, r, stage, live.flight);
    Object.assign(c, { stage, steps: flight.steps, input: flight.data, pieces: pieces(flight.data, r) });
    state.beforeCall?.(c);
    drive(role, state, stage === 0 ? null : live.receiver.context, c.pieces, c, contexts);
  } finally {
    contexts.dispose();
    live.destroy();
  }
}

/** Decrypts `chunks` on `context` with decryptMessage one record at a time or decryptRecords. */
function decryptAll(context, chunks, mode) {
  const plaintext = [];
  let buffer = EMPTY;
  let status = 'SEC_E_OK';
  let calls = 0;
  for (const chunk of chunks) {
    buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
    while (buffer.length > 0) {
      if (++calls > MAX_CALLS * 4) throw new Finding('no-progress', `decrypt: ${calls} calls (${buffer.length} bytes left)`);
      const result = mode === 'message' ? decryptMessage(context, buffer) : decryptRecords(context, buffer, { inPlace: mode === 'in-place' });
      checkStatus(DECRYPT_RETURNS, result, mode === 'message' ? 'decryptMessage' : 'decryptRecords');
      status = result.statusName;
      if (!Buffer.isBuffer(result.data)) throw new Finding('shape', 'data is not a Buffer');
      plaintext.push(Buffer.from(result.data));
      if (result.status === SecStatus.SEC_E_INCOMPLETE_MESSAGE) break;
      if (result.consumed <= 0 && result.status === SecStatus.SEC_E_OK) throw new Finding('no-progress', `${mode}: SEC_E_OK consumed nothing`);
      buffer = mode === 'message' ? result.extra ?? EMPTY : buffer.subarray(result.consumed);
      if (result.closed || result.renegotiate) return { plaintext: Buffer.concat(plaintext), status, stopped: true };
    }
  }
  return { plaintext: Buffer.concat(plaintext), status, left: buffer.length };
}

/** What `sender` encrypts for one case: 1-3 writes of assorted sizes, sometimes a close_notify. */
function sendRecords(sender, r) {
  const plain = [];
  const wire = [];
  for (let n = r.between(1, 3); n > 0; n--) {
    const data = Buffer.alloc(r.pick([1, 17, 1000, 16384, 20000]), r.next() & 0xff);
    sender.write(data);
    plain.push(data);
    wire.push(sender.takeOutgoing());
  }
  const close = r.chance(0.05);
  if (close) {
    sender.shutdown();
    wire.push(sender.takeOutgoing());
  }
  return { plain: Buffer.concat(plain), wire: Buffer.concat(wire), close };
}

/** Plaintext out of a mutated stream must be a prefix of what was sent (the MAC holds). */
function checkIntegrity(got, sent) {
  if (got.length > sent.length || !got.equals(sent.subarray(0, got.length))) {
    throw new Finding('integrity', `decrypted ${got.length} bytes that were not sent`);
  }
}

function decryptCase(state, r, c) {
  const pair = openPair(state);
  const toClient = r.chance(0.5);
  const [sender, receiver] = toClient ? [pair.server, pair.client] : [pair.client, pair.server];
  const sent = sendRecords(sender, r);
  const mutated = mutate(sent.wire, r, r.pick(state.corpus.records));
  const mode = r.pick(['message', 'records', 'in-place']);
  Object.assign(c, { stage: `${toClient ? 'to-client' : 'to-server'} ${mode}`, steps: mutated.steps, input: mutated.data, pieces: pieces(mutated.data, r) });
  state.beforeCall?.(c);
  let healthy = false;
  try {
    const out = decryptAll(receiver.context, c.pieces, mode);
    c.code = `returned ${out.status}`;
    checkIntegrity(out.plaintext, sent.plain);
    healthy = !sent.close && !out.stopped && out.left === 0 && out.plaintext.length === sent.plain.length;
  } finally {
    if (!healthy) dropOpenPair(state);
  }
}

/** Engine target: a fresh/live engine fed a mutated flight, or an open one fed mutated records. */
function engineCase(state, r, c) {
  const handshake = r.chance(0.6);
  let receiver, sent = null, destroy;
  if (handshake) {
    const stage = r.below(4);
    const live = livePair(state, stage);
    destroy = live.destroy;
    receiver = live.receiver;
    const flight = mutatedFlight(state, r, stage, live.flight);
    Object.assign(c, { stage: `${receiver.role} stage ${stage}`, steps: flight.steps, input: flight.data });
  } else {
    const pair = openPair(state);
    state.open = null; // the engine is used up by this case either way
    destroy = pair.destroy;
    const toClient = r.chance(0.5);
    receiver = toClient ? pair.client : pair.server;
    sent = sendRecords(toClient ? pair.server : pair.client, r);
    const mutated = mutate(sent.wire, r, r.pick(state.corpus.records));
    Object.assign(c, { stage: `${receiver.role} open`, steps: mutated.steps, input: mutated.data });
  }
  c.pieces = pieces(c.input, r);
  state.beforeCall?.(c);
  try {
    const plaintext = [];
    let fed = 0;
    for (const piece of c.pieces) {
      try {
        receiver.feed(piece);
      } catch (error) {
        throw new Finding('feed-threw', `feed() threw ${error?.code ?? ''} ${error?.stack ?? error}`);
      }
      fed += piece.length;
      // A server engine stays idle until its first non-empty feed.
      if (!ENGINE_STATES.has(receiver.state) && !(receiver.state === 'idle' && fed === 0)) throw new Finding('state', `engine state ${receiver.state}`);
      if (!Buffer.isBuffer(receiver.takeOutgoing())) throw new Finding('shape', 'takeOutgoing() is not a Buffer');
      plaintext.push(...receiver.takePlaintext());
    }
    const events = receiver.takeEvents();
    if (receiver.state === 'failed') {
      c.code = `engine failed ${errorCode(receiver.error)}`;
      c.failed = true;
      if (!events.some((e) => e.type === 'error' && e.error === receiver.error)) throw new Finding('state', 'failed without an error event');
    } else {
      if (receiver.error !== null) throw new Finding('state', `state ${receiver.state} with an error`);
      c.code = `engine ${receiver.state}`;
    }
    if (sent) checkIntegrity(Buffer.concat(plaintext), sent.plain);
  } finally {
    destroy();
  }
}

const targets = {
  accept: (state, r, c) => handshakeCase('server', state, r, c),
  initialize: (state, r, c) => handshakeCase('client', state, r, c),
  decrypt: decryptCase,
  engine: engineCase,
};

/** Runs one case; returns its record (code, time, finding). */
function runCase(state, seed, index, target) {
  const r = prng(caseSeed(seed, index));
  const c = { index, target, code: '(empty input: no call)', input: null };
  const started = performance.now();
  try {
    if (state.inject.includes(`crash@${index}`)) process.abort(); // --inject: proves the harness sees it
    if (state.inject.includes(`hang@${index}`)) for (;;);
    targets[target](state, r, c);
  } catch (error) {
    try {
      c.code = `thrown ${errorCode(error)}${error.functionName ? ` by ${error.functionName}` : ''}`;
      c.failed = true;
    } catch (finding) {
      c.finding = { kind: finding.kind, detail: finding.message };
    }
  }
  c.ms = performance.now() - started;
  if (!c.finding && c.ms > state.budget) c.finding = { kind: 'hang', detail: `case took ${c.ms.toFixed(0)} ms (budget ${state.budget} ms)` };
  return c;
}

const targetOf = (target, index) => (target === 'all' ? TARGETS[index % TARGETS.length] : target);

/** The record of a finding: everything needed to replay it, input as hex. */
function findingRecord(seed, c, finding = c.finding) {
  return { ...finding, seed, index: c.index, target: c.target, stage: c.stage, steps: c.steps, input: c.input?.toString('hex') ?? null, pieces: c.pieces?.map((p) => p.length) };
}

// ------------------------------------------------------------------------------------------------
// Child: one batch of cases. Prints "ready", one JSON line per finished case, then "done <json>".

async function child(opts) {
  const saved = JSON.parse(readFileSync(opts.corpus, 'utf8'));
  const identity = { pfx: Buffer.from(saved.pfx, 'base64'), passphrase: saved.passphrase };
  const corpus = Object.fromEntries(Object.entries(saved.corpus).map(([k, v]) => [k, v.map((h) => Buffer.from(h, 'base64'))]));
  const state = { corpus, credentials: makeCredentials(identity), budget: opts.budget, inject: opts.inject?.split(',') ?? [], open: null, counters: { handshakes: 0, reestablished: 0 } };
  const out = (line) => writeSync(1, `${line}\n`); // synchronous: nothing is lost to a crash
  out('ready');
  for (let index = opts.from; index < opts.to && Date.now() < opts.deadline; index++) {
    const target = targetOf(opts.target, index);
    const pending = opts.recordInputs ? join(opts.findingsDir, `${opts.seed}-${index}.pending.json`) : null;
    if (pending) {
      // Replaying a suspect case: its input goes to disk before the call that may kill us.
      const preview = { index, target, note: 'written before the case ran: the case crashed or hung' };
      state.beforeCall = (c) => writeFileSync(pending, JSON.stringify(findingRecord(opts.seed, c, preview), null, 1));
    }
    const c = runCase(state, opts.seed, index, target);
    if (pending) rmSync(pending, { force: true });
    out(JSON.stringify({ target, code: c.code, ms: c.ms, failed: c.failed, finding: c.finding && findingRecord(opts.seed, c) }));
  }
  dropOpenPair(state);
  for (const credential of Object.values(state.credentials)) credential.dispose();
  out(`done ${JSON.stringify({ counters: state.counters, live: schannel.debugStats() })}`);
}

// ------------------------------------------------------------------------------------------------
// Parent: corpus, batches in children, crash and hang handling, summary.

/** Adds one finished case to the totals. */
function tally(total, c) {
  const t = (total.perTarget[c.target] ??= { cases: 0, errors: 0, findings: 0, ms: 0, maxMs: 0 });
  total.cases++;
  t.cases++;
  t.ms += c.ms;
  t.maxMs = Math.max(t.maxMs, c.ms);
  if (c.failed) t.errors++;
  if (c.finding) {
    t.findings++;
    total.findings.push(c.finding);
  } else {
    total.codes[c.code] = (total.codes[c.code] ?? 0) + 1;
  }
}

/** Runs cases [from, to) in a child; tallies each as it is reported. */
function runChild(opts, total, from, to, extra = []) {
  const args = [fileURLToPath(import.meta.url), '--child', '--corpus', opts.corpusFile, '--seed', opts.seed, '--target', opts.target,
    '--from', from, '--to', to, '--budget', opts.budget, '--deadline', opts.deadline, '--findings-dir', opts.findingsDir,
    ...(opts.inject ? ['--inject', opts.inject] : []), ...extra].map(String);
  total.children++;
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let next = from, ready = false, done = null, pending = '', stderr = '', timedOut = false;
    let watchdog;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => { timedOut = true; proc.kill(); }, ready ? opts.budget * 5 : 120_000);
    };
    arm();
    proc.stdout.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line === 'ready') ready = true;
        else if (line.startsWith('done ')) done = JSON.parse(line.slice(5));
        else if (line.startsWith('{')) {
          tally(total, JSON.parse(line));
          next++;
        }
      }
      arm();
    });
    proc.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
    proc.on('close', (code, signal) => {
      clearTimeout(watchdog);
      if (done) {
        for (const [key, n] of Object.entries(done.counters)) total.counters[key] = (total.counters[key] ?? 0) + n;
        total.liveContexts = Math.max(total.liveContexts, done.live.contexts);
      }
      resolve({ done, next, timedOut, exit: signal ?? code, stderr, ready });
    });
  });
}

/** Re-runs case `index` alone with its input written first; returns the finding to record. */
async function replay(opts, index, kind, firstRun) {
  const again = await runChild(opts, { cases: 0, perTarget: {}, codes: {}, findings: [], counters: {}, children: 0 }, index, index + 1, ['--record-inputs']);
  const pendingFile = join(opts.findingsDir, `${opts.seed}-${index}.pending.json`);
  let record = { kind, seed: opts.seed, index, target: targetOf(opts.target, index) };
  try {
    record = { ...JSON.parse(readFileSync(pendingFile, 'utf8')), kind };
    rmSync(pendingFile);
  } catch { /* the replay did not stop in the case */ }
  const alone = again.done ? 'does NOT reproduce alone (depends on the cases before it in its batch)' : `reproduces alone (exit ${again.exit}${again.timedOut ? ', hung' : ''})`;
  record.detail = `${kind === 'crash' ? `child exited ${firstRun.exit}` : `child silent for ${opts.budget * 5} ms`}; ${alone}`;
  record.stderr = firstRun.stderr.trim().slice(-2000);
  return record;
}

export async function fuzz(options = {}) {
  const opts = {
    cases: 100_000, seed: 1, target: 'all', timeLimit: Infinity, batch: 5000, budget: 2000,
    findingsDir: join(here, 'findings'), log: (line) => console.log(line), ...options,
  };
  if (opts.target !== 'all' && !TARGETS.includes(opts.target)) throw new Error(`unknown target ${opts.target} (${TARGETS.join(', ')}, all)`);
  const started = Date.now();
  opts.deadline = Number.isFinite(opts.timeLimit) ? started + opts.timeLimit * 1000 : 8.64e15;
  mkdirSync(opts.findingsDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'schannel-fuzz-'));
  try {
    const identity = makeIdentity();
    const credentials = makeCredentials(identity);
    const corpus = await recordCorpus(credentials, identity);
    credentials.client.dispose();
    credentials.server.dispose();
    opts.corpusFile = join(work, 'corpus.json');
    const encoded = Object.fromEntries(Object.entries(corpus).map(([k, v]) => [k, v.map((b) => b.toString('base64'))]));
    writeFileSync(opts.corpusFile, JSON.stringify({ pfx: identity.pfx.toString('base64'), passphrase: identity.passphrase, corpus: encoded }));
    opts.log(`fuzz: seed ${opts.seed}, ${opts.cases} cases, target ${opts.target}, corpus ${Object.entries(corpus).map(([k, v]) => `${k} ${v.length}`).join(', ')}`);

    const total = { cases: 0, perTarget: {}, codes: {}, findings: [], counters: {}, liveContexts: 0, children: 0 };
    for (let from = 0; from < opts.cases && Date.now() < opts.deadline;) {
      const run = await runChild(opts, total, from, Math.min(opts.cases, from + opts.batch));
      if (!run.ready) throw new Error(`fuzz child did not start (exit ${run.exit}): ${run.stderr}`);
      if (!run.done) {
        // Crashed or hung in the case after the last one it reported.
        const kind = run.timedOut ? 'hang' : 'crash';
        opts.log(`fuzz: ${kind} in case ${run.next} (exit ${run.exit}); replaying it alone`);
        total.findings.push(await replay(opts, run.next, kind, run));
        total.cases++;
        run.next++;
      }
      from = run.next;
      opts.log(`fuzz: ${total.cases} cases, ${((Date.now() - started) / 1000).toFixed(0)} s, ${total.findings.length} findings`);
    }
    total.seconds = (Date.now() - started) / 1000;
    for (const f of total.findings) {
      writeFileSync(join(opts.findingsDir, `${f.seed}-${f.index}-${f.kind}.json`), JSON.stringify(f, null, 1));
    }
    return total;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function formatSummary(total) {
  const lines = [];
  const pad = (v, n) => String(v).padStart(n);
  lines.push('', 'target        cases   typed errors   findings   ms/case   max ms');
  for (const [name, t] of Object.entries(total.perTarget)) {
    lines.push(`${name.padEnd(10)} ${pad(t.cases, 8)} ${pad(t.errors, 14)} ${pad(t.findings, 10)} ${pad((t.ms / t.cases).toFixed(2), 9)} ${pad(t.maxMs.toFixed(0), 8)}`);
  }
  lines.push(`total      ${pad(total.cases, 8)} in ${total.seconds.toFixed(1)} s: ${(total.cases / total.seconds).toFixed(0)} cases/s ` +
    `(${total.children} child processes, ${total.counters.handshakes ?? 0} live handshakes, ${total.counters.reestablished ?? 0} open pairs made)`);
  lines.push(`security contexts still alive at the end of a batch: at most ${total.liveContexts}`);
  lines.push('', 'outcome (last status of each case)                     count');
  for (const [code, n] of Object.entries(total.codes).sort((a, b) => b[1] - a[1])) lines.push(`${code.padEnd(52)} ${pad(n, 8)}`);
  lines.push('', `findings: ${total.findings.length}`);
  for (const f of total.findings) lines.push(`  ${f.kind} seed ${f.seed} case ${f.index} ${f.target} ${f.stage ?? ''} [${f.steps?.join('+') ?? ''}]: ${f.detail}`);
  if (total.findings.length > 0) lines.push('  inputs: fuzz/findings/<seed>-<case>-<kind>.json (input as hex, piece lengths, mutators)');
  return lines.join('\n');
}

function parseArgs(argv) {
  const opts = {};
  const names = { '--cases': 'cases', '--seed': 'seed', '--target': 'target', '--time-limit': 'timeLimit', '--batch': 'batch', '--budget': 'budget',
    '--corpus': 'corpus', '--from': 'from', '--to': 'to', '--deadline': 'deadline', '--findings-dir': 'findingsDir', '--inject': 'inject' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--child' || flag === '--record-inputs') { opts[flag === '--child' ? 'child' : 'recordInputs'] = true; continue; }
    const key = names[flag];
    if (!key) throw new Error(`unknown option ${argv[i]}`);
    const value = inline ?? argv[++i];
    opts[key] = ['target', 'corpus', 'findingsDir', 'inject'].includes(key) ? value : Number(value);
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) {
    await child(opts);
  } else {
    const total = await fuzz(opts);
    console.log(formatSummary(total));
    process.exitCode = total.findings.length === 0 ? 0 : 1;
  }
}
