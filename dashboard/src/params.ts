// Fee parameters as people type them: the seven fields governance sets, read as percentages and
// checked against the hard bounds the runtime enforces, so a proposal the runtime would refuse
// is stopped with the bound before anything is sent. The simulator and the replay share it.

import type { FeeParameters } from './chain';
import { parsePercent, percent, PPB } from './format';

export const FIELDS = [
  ['takeRate', 'Take rate'],
  ['treasuryShare', 'Treasury share'],
  ['buybackShare', 'Buyback/rebates share'],
  ['validatorsShare', 'Validators share'],
  ['reserveShare', 'Reserve share'],
  ['nxvDiscount', 'NXV discount'],
  ['maxDiscount', 'Maximum discount']
] as const;
export type Field = typeof FIELDS[number][0];
/** Fee parameters in parts per billion, as `nexus_simulate`, `nexus_replay` and `nexus_feePath` take them. */
export type Params = Record<Field, number>;
/** Fee parameters as typed (percent text). */
export type ParamsText = Record<Field, string>;

/** The parameters in force. */
export function today (f: FeeParameters): Params {
  return Object.fromEntries(FIELDS.map(([k]) => [k, f[k]])) as Params;
}

/** A ratio as the form shows it: a percentage without the sign. */
export function pctText (ppb: number): string {
  return percent(ppb, 7).replace('%', '');
}

/** The parameters in force, as the form shows them. */
export function todayText (f: FeeParameters): ParamsText {
  const now = today(f);
  return Object.fromEntries(FIELDS.map(([k]) => [k, pctText(now[k])])) as ParamsText;
}

/** Checks typed parameters against the runtime's hard bounds; the parameters or every problem. */
export function checkParams (text: ParamsText, f: FeeParameters): { params: Params } | { errors: string[] } {
  const errors: string[] = [];
  const params = {} as Params;
  for (const [k, label] of FIELDS) {
    const p = parsePercent(text[k]);
    if ('error' in p) errors.push(`${label}: ${p.error}`);
    else params[k] = p.ppb;
  }
  if (errors.length) return { errors };
  const sum = params.treasuryShare + params.buybackShare + params.validatorsShare + params.reserveShare;
  if (sum !== PPB) {
    errors.push(`Treasury, buyback, validators and reserve shares sum to ${percent(sum, 7)}: they must sum to exactly 100%.`);
  }
  if (params.takeRate > f.maxTakeRate) {
    errors.push(`Take rate ${percent(params.takeRate, 7)} is above its bound of ${percent(f.maxTakeRate)} (providers must keep more than half of every payment).`);
  }
  if (params.maxDiscount > f.maxCombinedDiscount) {
    errors.push(`Maximum discount ${percent(params.maxDiscount, 7)} is above its bound of ${percent(f.maxCombinedDiscount)}.`);
  }
  if (params.nxvDiscount > params.maxDiscount) {
    errors.push(`NXV discount ${percent(params.nxvDiscount, 7)} is above the maximum discount ${percent(params.maxDiscount, 7)}.`);
  }
  return errors.length ? { errors } : { params };
}

/** The form's rows: one input per field with today's value beside it. */
export function paramsForm (text: ParamsText, f: FeeParameters, prefix: string): string {
  return `<table>${FIELDS.map(([k, label]) => `<tr><th><label for="${prefix}-${k}">${label}</label></th><td><input id="${prefix}-${k}" name="${k}" data-testid="${prefix}-${k}" value="${text[k].replace(/"/g, '&quot;')}" size="12"> %</td><td class="note">today ${percent(f[k])}</td></tr>`).join('')}</table>`;
}

/** Reads the form drawn by `paramsForm` under `el`. */
export function readForm (el: HTMLElement, prefix: string): ParamsText {
  return Object.fromEntries(FIELDS.map(([k]) => [k, (el.querySelector(`#${prefix}-${k}`) as HTMLInputElement).value])) as ParamsText;
}
