// The projection engine (the Rust crate nexus-economics, compiled to wasm by
// scripts/build-engine.sh into public/engine.wasm): loaded once, then called with one JSON
// request at a time through its linear memory (engine-wasm/src/lib.rs documents the protocol).
// Amounts travel as JSON integers: `json()` writes BigInts as bare digits so none is rounded.

import type { Json } from './chain';

interface Exports {
  memory: WebAssembly.Memory;
  engine_reset(): void;
  engine_alloc(len: number): number;
  engine_run(ptr: number, len: number): number;
}

let loading: Promise<Exports> | null = null;

function load (): Promise<Exports> {
  loading ??= (async () => {
    const url = new URL('engine.wasm', document.baseURI);
    const { instance } = await WebAssembly.instantiateStreaming(fetch(url), {});
    return instance.exports as unknown as Exports;
  })();
  return loading;
}

/** JSON text with BigInts as integers (JSON.stringify refuses them). */
export function json (v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(json).join(',')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${json(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Sends one request; resolves with the answer's single field (`projection`, `sweep`, …) or throws its error. */
export async function run (request: Record<string, unknown>): Promise<{ answer: Json; ms: number }> {
  const e = await load();
  const t0 = performance.now();
  e.engine_reset();
  const bytes = new TextEncoder().encode(json(request));
  const ptr = e.engine_alloc(bytes.length);
  new Uint8Array(e.memory.buffer, ptr, bytes.length).set(bytes);
  const out = e.engine_run(ptr, bytes.length);
  const len = new DataView(e.memory.buffer).getUint32(out, true);
  const text = new TextDecoder().decode(new Uint8Array(e.memory.buffer, out + 4, len));
  const ms = performance.now() - t0;
  const answer = JSON.parse(text);
  if (answer.error) throw new Error(`${answer.error.kind}: ${answer.error.message}`);
  return { answer: Object.values(answer)[0] as Json, ms };
}
