/**
 * What "reads the same" means across an upgrade: every field the release answered is answered
 * again with the same value (new fields may be added: the API's fields are additive), arrays keep
 * their length and order.
 */

/** One difference: where (a path into the body, e.g. `dailyStats[3].total_participants`), what the release said, what is said now. */
export interface Difference {
  at: string;
  was: unknown;
  now: unknown;
}

export function differences(was: unknown, now: unknown, at = ''): Difference[] {
  if (Array.isArray(was)) {
    if (!Array.isArray(now)) return [{ at, was, now }];
    const out: Difference[] = [];
    if (was.length !== now.length) out.push({ at: `${at}.length`, was: was.length, now: now.length });
    for (let i = 0; i < Math.min(was.length, now.length); i += 1) out.push(...differences(was[i], now[i], `${at}[${i}]`));
    return out;
  }
  if (was !== null && typeof was === 'object') {
    if (now === null || typeof now !== 'object' || Array.isArray(now)) return [{ at, was, now }];
    const out: Difference[] = [];
    for (const [key, value] of Object.entries(was)) {
      const where = at ? `${at}.${key}` : key;
      if (!(key in now)) out.push({ at: where, was: value, now: undefined });
      else out.push(...differences(value, (now as Record<string, unknown>)[key], where));
    }
    return out;
  }
  return Object.is(was, now) ? [] : [{ at, was, now }];
}

/** RFC 4180 text as one object per record, keyed by the header's names (so a new column is an added field). */
export function parseCsv(text: string): Array<Record<string, string>> {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  if (cell !== '' || record.length > 0) records.push([...record, cell]);
  const [header = [], ...rows] = records;
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}
