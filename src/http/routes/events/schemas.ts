/** Audit event wire objects (`/events/events/`), in authentik 2024.8's key order. */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCreateSchema } from '../../schemas/common.js';

const JsonObject = Type.Object({}, { additionalProperties: true });

export const EventSchema = Type.Object({
  pk: Type.String({ format: 'uuid', readOnly: true, description: 'Event primary key.' }),
  user: JsonObject,
  action: Type.String({ description: 'Event action, e.g. model_created (authentik EventActions).' }),
  app: Type.String({ description: 'Component that emitted the event.' }),
  context: JsonObject,
  client_ip: Type.Union([Type.String(), Type.Null()]),
  created: Type.String({ format: 'date-time', readOnly: true }),
  expires: Type.String({ format: 'date-time' }),
  brand: JsonObject,
}, { $id: 'Event', description: 'Event Serializer' });
export type EventWire = Static<typeof EventSchema>;

export { TypeCreateSchema };
export const eventSchemas = [EventSchema];
