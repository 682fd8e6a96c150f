/** The engine module's exports (engine-wasm/src/lib.rs). */
export interface EngineExports {
  memory: WebAssembly.Memory;
  engine_reset(): void;
  engine_alloc(len: number): number;
  engine_run(ptr: number, len: number): number;
}

/** Runs one JSON request `text` on the engine's exports `e`; returns the answer's JSON text. */
export function call (e: EngineExports, text: string): string;
