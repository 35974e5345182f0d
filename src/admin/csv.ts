/** CSV (RFC 4180) for the admin exports, safe to open in a spreadsheet. */

/** First characters a spreadsheet reads as the start of a formula (and tab/CR, which some strip first). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One cell: null as empty, numbers as they are, text with a leading `'` when a spreadsheet
 * would run it as a formula, quoted (quotes doubled) when it holds a quote, comma or line break.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvLine(values: Array<string | number | null>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
