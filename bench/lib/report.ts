/** The bench's output: a plain-text table for stdout, and the JSON written under bench/results. */

export interface Row {
  scenario: string;
  reqPerSec?: number;
  /** Shown after req/s, e.g. "1,234 cycles/s". */
  throughputNote?: string;
  p50?: number;
  p99?: number;
  errors?: number;
  rssMb?: number;
  /** The server's CPU time per response, in microseconds. */
  cpuUs?: number;
  notes?: string;
}

const num = (value: number | undefined, digits = 0): string =>
  value === undefined || Number.isNaN(value) ? '-' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MB', 'CPU us/req', 'notes'];
  // The last column, notes, is left unpadded.
  const notes = header.length - 1;
  const cells = rows.map((row) => [
    row.scenario,
    row.throughputNote ?? num(row.reqPerSec),
    num(row.p50, 1),
    num(row.p99, 1),
    num(row.errors),
    num(row.rssMb, 0),
    num(row.cpuUs),
    row.notes ?? '',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => (i === notes ? 0 : line[i].length))));
  const render = (line: string[]): string =>
    line
      .map((cell, i) => (i === notes ? cell : i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w, i) => '-'.repeat(i === notes ? 5 : w)).join('  ');
  return [render(header), rule, ...cells.map(render)].join('\n');
}

export interface Mark {
  name: string;
  target: string;
  measured: string;
  /** undefined: not applicable here (said why in `measured`). */
  pass: boolean | undefined;
}

export function formatMarks(title: string, marks: Mark[]): string {
  const width = Math.max(...marks.map((m) => m.name.length));
  const targetWidth = Math.max(...marks.map((m) => m.target.length));
  const lines = marks.map((m) => `  ${m.pass === undefined ? ' n/a' : m.pass ? 'PASS' : 'FAIL'}  ${m.name.padEnd(width)}  ${m.target.padEnd(targetWidth)}  ${m.measured}`);
  return [title, ...lines].join('\n');
}

export const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined || b === 0 ? undefined : a / b);

export const x = (value: number | undefined, digits = 2): string => (value === undefined ? '-' : `${value.toFixed(digits)}x`);
