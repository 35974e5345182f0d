/**
 * How deeply a request's JSON may nest objects and arrays. No body this service reads goes
 * deeper than 3 levels; a body nested thousands deep parses fine but then overflows the stack of
 * every recursive walker after the parser (class-transformer, class-validator), a 500.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Whether the JSON text opens more than `limit` objects or arrays inside one another. One pass
 * over the characters, no recursion and no allocation, stopping as soon as the limit is passed.
 * Brackets inside strings do not count. It does not check the text is valid JSON: the parser
 * that runs next does.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth -= 1;
    }
  }
  return false;
}
