// Formatting and parsing with exact integer arithmetic: amounts are u128 on chain and arrive as
// decimal strings (docs/rpc.md), so they are handled as BigInt and never as floating point.

/** Decimals of each payment asset: NXV in planck (12), USDN and the pricing unit in micro-units (6). */
export const DECIMALS: Record<string, number> = { NXV: 12, USDN: 6, PRICING: 6 };

/** Parts per billion in one whole (Perbill). */
export const PPB = 1_000_000_000;

/** `raw` smallest units of an asset with `decimals` decimals, as text with at most `shown` decimals (rounded down). */
export function units (raw: string | bigint, decimals: number, shown = 4): string {
  const v = BigInt(raw);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const one = 10n ** BigInt(decimals);
  const whole = (abs / one).toLocaleString('en-US');
  const frac = (abs % one).toString().padStart(decimals, '0').slice(0, shown).replace(/0+$/, '');
  if (abs !== 0n && abs < one && frac === '') return `${neg ? '−' : ''}<${units(1n, shown, shown)}`;
  return `${neg ? '−' : ''}${whole}${frac ? '.' + frac : ''}`;
}

/** An amount of `asset` with its symbol, e.g. `12.5 USDN`. */
export function amount (raw: string | bigint, asset: string, shown = 4): string {
  return `${units(raw, DECIMALS[asset] ?? 0, shown)} ${asset}`;
}

/** Parts per billion as a percentage text, e.g. 150000000 → `15%`, 12345678 → `1.234567%`. */
export function percent (ppb: number | string | bigint, shown = 6): string {
  return `${units(BigInt(ppb) * 100n, 9, shown)}%`;
}

/** A share `part / whole` in percent with two decimals (for display only). */
export function share (part: bigint, whole: bigint): string {
  if (whole === 0n) return '—';
  return percent((part * BigInt(PPB)) / whole, 2);
}

/**
 * Parses a percentage typed by a person (`15`, `12.5`, `0.0000001`) into parts per billion,
 * exactly. Returns an error message instead when it is not a number from 0 to 100 with at most
 * seven decimals (the precision of a Perbill).
 */
export function parsePercent (text: string): { ppb: number } | { error: string } {
  const t = text.trim();
  const m = /^(\d{1,3})(?:\.(\d{1,7}))?$/.exec(t);
  if (!m) return { error: `“${text}” is not a percentage (a number from 0 to 100, at most 7 decimals)` };
  const ppb = Number(m[1]) * 10_000_000 + Number((m[2] ?? '').padEnd(7, '0'));
  if (ppb > PPB) return { error: `${t}% is above 100%` };
  return { ppb };
}

/** Parses a non-negative integer of at most `max`, or says why not. */
export function parseCount (text: string, name: string, max: bigint): { value: bigint } | { error: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: `${name}: “${text}” is not a whole number` };
  const value = BigInt(t);
  if (value > max) return { error: `${name}: ${t} is above the maximum ${max}` };
  return { value };
}

/** A short account: first and last six characters. */
export function shortAccount (a: string): string {
  return a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-6)}` : a;
}

/** Escapes text for HTML. */
export function esc (s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
