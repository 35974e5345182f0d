/** A date as ISO 8601 text, null as null: how every answer writes an optional time. */
export const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
