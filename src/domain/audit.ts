/**
 * Builds audit events for model changes (decisions F10) in authentik's Event shape:
 * action `model_created` / `model_updated` / `model_deleted`, context `{model: {app, model_name, pk, name}}`.
 * Source: authentik/events/signals.py and authentik/events/utils.py model_to_dict.
 */
import type { NewEvent } from '../db/repositories/events.js';
import type { Actor } from './actor.js';

export interface ModelRef {
  app: string;
  model_name: string;
  pk: string | number;
  name: string;
}

/** An event for a change to `model` made by `actor`; `extra` is merged into the context (never secrets). */
export function modelEvent(
  action: 'model_created' | 'model_updated' | 'model_deleted',
  actor: Actor | undefined,
  model: ModelRef,
  extra: Record<string, unknown> = {},
): NewEvent {
  return {
    action,
    app: 'authentik.events.signals',
    user: actor ? { pk: actor.userPk, username: actor.username, email: actor.email } : {},
    context: { model, ...extra },
    clientIp: actor?.clientIp ?? null,
  };
}

/**
 * `connectionName` as a PostgreSQL `format()` template: the first `%s` is the user pk, the second the
 * source pk. For statements that write the event together with the row they change (one statement,
 * no round trip for the name).
 */
export const CONNECTION_NAME_TEMPLATE = 'User-source connection (user=%s, source=%s)';

/** String form of a connection, as authentik's `__str__` gives it (authentik/core/models.py UserSourceConnection). */
export function connectionName(userPk: number, sourcePk: string): string {
  const values = [String(userPk), sourcePk];
  return CONNECTION_NAME_TEMPLATE.replace(/%s/g, () => values.shift() ?? '');
}
