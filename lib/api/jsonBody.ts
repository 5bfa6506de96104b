import { bodyNotJson } from './apiErrors.js';

/**
 * Reads a whole (already size-limited) body and parses it as one JSON
 * value. Resolves to undefined when the body is empty or only whitespace.
 */
export async function readJsonBody(
  chunks: AsyncIterable<Uint8Array>,
): Promise<unknown> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  const text = Buffer.concat(parts).toString('utf8');
  if (text.trim() === '') return undefined;

  // The reason carries the JSON parser's message but not Elasticsearch's
  // `[line:column]` prefix, which a client can only read, not act on.
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw bodyNotJson(error instanceof Error ? error.message : String(error));
  }
}
