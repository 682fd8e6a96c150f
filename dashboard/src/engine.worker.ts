// The projection engine's own thread: a dedicated worker holds the wasm instance (public/
// engine.wasm, see engine.ts) and answers one request at a time, so that a long projection or
// sweep never blocks the page. It speaks the engine's memory protocol (engine-wasm/src/lib.rs
// documents it) and times the call itself, so the figure the page prints is the engine's alone.

import { call, type EngineExports } from './engine-protocol.js';

/** A request from the page: the engine's JSON text, with the wasm module's address. */
export interface EngineRequest { id: number; wasm: string; text: string }
/** The answer: the engine's JSON text and how long the call took, or why it could not run. */
export type EngineReply = { id: number; text: string; ms: number } | { id: number; failure: string };

let loading: Promise<EngineExports> | null = null;

function load (wasm: string): Promise<EngineExports> {
  loading ??= WebAssembly.instantiateStreaming(fetch(wasm), {})
    .then(({ instance }) => instance.exports as unknown as EngineExports)
    .catch((err) => { loading = null; throw err; }); // the next request tries again
  return loading;
}

const scope = self as unknown as { onmessage: ((ev: MessageEvent<EngineRequest>) => void) | null; postMessage(reply: EngineReply): void };

// Messages are handled in order: each awaits the same instance, and a call runs to its end
// before the next message is taken.
scope.onmessage = async ({ data: { id, wasm, text } }) => {
  try {
    const e = await load(wasm);
    const t0 = performance.now();
    const answer = call(e, text);
    scope.postMessage({ id, text: answer, ms: performance.now() - t0 });
  } catch (err) {
    // A module that does not load, or a trap (out of memory, say): the page shows it by name.
    scope.postMessage({ id, failure: `${(err as Error).name}: ${(err as Error).message}` });
  }
};
