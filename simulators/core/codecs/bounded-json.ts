/** Deepest nesting a request body may have: real requests use a handful of levels. */
export const MAX_JSON_DEPTH = 64;

export class JsonTooDeep extends Error {
  constructor(readonly limit: number) {
    super(`JSON nested deeper than ${limit} levels`);
  }
}

/**
 * JSON.parse with a nesting limit, checked in one pass over the text before parsing: a body
 * nested 200,000 deep parses, but every recursive step after it (validation, storing, answering
 * with JSON.stringify) overflows the stack. Throws JsonTooDeep, or JSON.parse's SyntaxError.
 */
export function parseJsonBounded(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) throw new JsonTooDeep(maxDepth);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return JSON.parse(text);
}
