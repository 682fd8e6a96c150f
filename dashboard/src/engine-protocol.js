// The projection engine's memory protocol (engine-wasm/src/lib.rs documents it), defined once:
// the dashboard's worker (engine.worker.ts) calls it, and so does the page-thread side of
// tests/dashboard/bench-engine.mjs, which serves this file as it is. Plain JavaScript for that
// reason; engine-protocol.d.ts gives its type.

/** Runs one JSON request `text` on the engine's exports `e`; returns the answer's JSON text. */
export function call (e, text) {
  e.engine_reset();
  const bytes = new TextEncoder().encode(text);
  const ptr = e.engine_alloc(bytes.length);
  new Uint8Array(e.memory.buffer, ptr, bytes.length).set(bytes);
  const out = e.engine_run(ptr, bytes.length);
  const len = new DataView(e.memory.buffer).getUint32(out, true);
  return new TextDecoder().decode(new Uint8Array(e.memory.buffer, out + 4, len));
}
