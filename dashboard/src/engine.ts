// The projection engine (the Rust crate nexus-economics, compiled to wasm by
// scripts/build-engine.sh into public/engine.wasm), run in a dedicated worker (engine.worker.ts)
// so the page stays responsive however long a projection takes: one JSON request at a time
// (engine-wasm/src/lib.rs documents the protocol). Amounts travel as JSON integers: `json()`
// writes BigInts as bare digits so none is rounded.

import type { Json } from './chain';
import type { EngineReply, EngineRequest } from './engine.worker';

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (reply: EngineReply) => void>();

function engine (): Worker {
  if (!worker) {
    worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }: MessageEvent<EngineReply>) => {
      waiting.get(data.id)?.(data);
      waiting.delete(data.id);
    };
    // A worker that cannot start (its script not found, say) fails every request waiting on it;
    // the next request starts a new one.
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      for (const [id, settle] of waiting) settle({ id, failure: ev.message || 'the engine\'s worker did not start' });
      waiting.clear();
      worker?.terminate();
      worker = null;
    };
  }
  return worker;
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

/**
 * Sends one request; resolves with the answer's single field (`projection`, `sweep`, …) and the
 * engine's own time for it (in the worker, not counting the messages), or throws its error.
 */
export async function run (request: Record<string, unknown>): Promise<{ answer: Json; ms: number }> {
  const id = nextId++;
  const message: EngineRequest = { id, wasm: new URL('engine.wasm', document.baseURI).href, text: json(request) };
  const reply = await new Promise<EngineReply>((resolve) => {
    waiting.set(id, resolve);
    engine().postMessage(message);
  });
  if ('failure' in reply) throw new Error(`the engine failed: ${reply.failure}`);
  const answer = JSON.parse(reply.text);
  if (answer.error) throw new Error(`${answer.error.kind}: ${answer.error.message}`);
  return { answer: Object.values(answer)[0] as Json, ms: reply.ms };
}
