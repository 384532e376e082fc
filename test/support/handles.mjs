// Garbage collection for tests that count live handles with debugStats().
//
// Under --test-isolation=none every file shares one process, so an earlier file's dropped objects may
// still hold handles that a later collection frees. A test that compares counts with a snapshot must
// take the snapshot after those are gone, or a collection in the middle of the test moves the
// baseline under it.
import { setImmediate as turn } from 'node:timers/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { debugStats } = require('../..');
const gc = globalThis.gc;

/** Why a test that needs global.gc skips when it is missing (false when it is there). */
export const noGc = gc ? false : 'global.gc is not exposed: run node.exe with --expose-gc (scripts/test.mjs does)';

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sameStats = (a, b) => Object.keys(b).every((key) => a[key] === b[key]);

/** Collects garbage and lets Node-API finalizers run (they run after the collection, on later turns). */
export async function collectGarbage(rounds = 3) {
  if (!gc) return;
  for (let i = 0; i < rounds; i++) {
    gc();
    await turn();
    await delay(10);
  }
}

/** Polls collections until debugStats() equals `expected` (or gives up); returns the last snapshot. */
export async function collectUntil(expected, rounds = 30) {
  let stats = debugStats();
  for (let i = 0; i < rounds && !sameStats(stats, expected); i++) {
    await collectGarbage(1);
    stats = debugStats();
  }
  return stats;
}

/**
 * debugStats() once collections stop changing it: the baseline for a test that must not see other
 * files' garbage freed in its middle. Without global.gc it is the snapshot as it is.
 */
export async function settledStats(rounds = 10) {
  let stats = debugStats();
  for (let i = 0; gc && i < rounds; i++) {
    await collectGarbage(1);
    const next = debugStats();
    if (sameStats(next, stats)) return next;
    stats = next;
  }
  return stats;
}

/**
 * Polls debugStats() without collecting garbage until it equals `expected` or `ms` have passed;
 * returns the last snapshot. For checks that the sockets' own 'close' work (not the collector)
 * released everything: that work runs a few turns after the close, later on a loaded machine.
 */
export async function statsAfterClose(expected, ms = 3000) {
  const deadline = performance.now() + ms;
  let stats = debugStats();
  while (!sameStats(stats, expected) && performance.now() < deadline) {
    await delay(10);
    stats = debugStats();
  }
  return stats;
}
