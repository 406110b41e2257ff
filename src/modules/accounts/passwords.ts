import { Worker } from 'node:worker_threads';
import { DomainError } from '../../web/errors';

/**
 * The one place passwords are hashed and checked, so that how it is done (cost, where the work runs)
 * is decided here for sign-in, registration, user creation and password changes alike.
 *
 * bcrypt is deliberately slow (about a quarter of a second at cost 12). On the main thread every
 * hash would hold up every other request, so the work runs in one worker thread with a short queue:
 * a flood of sign-ins waits there, or is refused with PasswordWorkBusy (503) once the queue is
 * full, while pages keep being served. One worker, because the machine's other core serves pages.
 */

/** Hashes and checks waiting for the worker (the running one included) before new ones are refused. */
export const PASSWORD_QUEUE_LIMIT = 8;

/** The password worker's queue is full: try again in a moment. A 503 with a message, never a 500. */
export class PasswordWorkBusy extends DomainError {
  constructor() {
    super(503, 'errors.passwordsBusy');
  }
}

type Job = { op: 'hash'; plain: string; rounds: number } | { op: 'compare'; plain: string; hash: string };
interface Pending {
  resolve(value: string | boolean): void;
  reject(err: Error): void;
}

// Plain JavaScript evaluated in the worker, so the same code runs under ts-jest (src/*.ts) and from
// the compiled build (dist/): there is no worker file to locate. bcryptjs is loaded by its resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', ({ id, job }) => {
  try {
    const value = job.op === 'hash' ? bcrypt.hashSync(job.plain, job.rounds) : bcrypt.compareSync(job.plain, job.hash);
    parentPort.postMessage({ id, value });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(err: Error) {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function theWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath: require.resolve('bcryptjs') } });
  w.on('message', (msg: { id: number; value?: string | boolean; error?: string }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error !== undefined) p.reject(new Error(msg.error));
    else p.resolve(msg.value!);
    // An idle worker must not keep the process (or jest) alive; a busy one must, until it answers.
    if (pending.size === 0) w.unref();
  });
  w.on('error', (err) => {
    if (worker === w) worker = null;
    failAll(err);
  });
  w.on('exit', () => {
    if (worker === w) worker = null;
    failAll(new Error('password worker stopped'));
  });
  w.unref();
  worker = w;
  return w;
}

function run<T extends string | boolean>(job: Job): Promise<T> {
  if (pending.size >= PASSWORD_QUEUE_LIMIT) return Promise.reject(new PasswordWorkBusy());
  const w = theWorker();
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: string | boolean) => void, reject });
    w.ref();
    w.postMessage({ id, job });
  });
}

/** Stops the worker (the app's close() and the server's shutdown); the next hash starts a new one. */
export async function closePasswordWorker(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await w.terminate();
}

export function hashPassword(plain: string, rounds: number): Promise<string> {
  return run<string>({ op: 'hash', plain, rounds });
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return run<boolean>({ op: 'compare', plain, hash });
}

// Compared against when the username is unknown, so that a wrong username takes as long as a wrong
// password: the same cost as real hashes (config.bcryptRounds), computed once per cost, on first use.
const dummyHashes = new Map<number, Promise<string>>();

export function dummyHash(rounds: number): Promise<string> {
  let hash = dummyHashes.get(rounds);
  if (!hash) {
    hash = hashPassword(`streetfund-no-such-user-${Math.random()}`, rounds);
    dummyHashes.set(rounds, hash);
    // A refused or failed computation is not remembered: the next unknown user tries again.
    hash.catch(() => dummyHashes.delete(rounds));
  }
  return hash;
}

/** Checks a password against a user's hash, or against a dummy hash of the same cost when there is no such user. */
export async function verifyPasswordOrDummy(plain: string, hash: string | undefined, rounds: number): Promise<boolean> {
  if (hash !== undefined) return verifyPassword(plain, hash);
  await verifyPassword(plain, await dummyHash(rounds));
  return false;
}
