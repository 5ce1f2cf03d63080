/**
 * Request body parsing as DRF does it: JSON only (plus what a route registers itself); an empty
 * body is "no data"; malformed JSON → 400 `JSON parse error - …`; other media types → 415.
 * `__proto__` / `constructor.prototype` keys are dropped (secure-json-parse).
 */
import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { JsonParseError } from './error-handler.js';

export function registerBodyParsers(app: FastifyInstance, bodyLimitBytes: number): void {
  app.removeContentTypeParser(['application/json']);
  const parse = (_req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' }));
    } catch (e) {
      done(new JsonParseError((e as Error).message), undefined);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: bodyLimitBytes }, parse);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]*\+json$/i, { parseAs: 'string', bodyLimit: bodyLimitBytes }, parse);
  // No content parser for text/plain: DRF answers 415 for it.
  app.removeContentTypeParser(['text/plain']);
}
