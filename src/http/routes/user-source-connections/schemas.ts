/** Connection wire objects (spec §5.1, §6; decisions W2, F1). */
import { Type, type Static } from '@sinclair/typebox';
import { SourceSchema } from '../sources/schemas.js';

export const UserSourceConnectionSchema = Type.Object({
  pk: Type.Integer({ readOnly: true, description: 'Connection primary key.' }),
  user: Type.Integer({ readOnly: true, description: 'Owning user pk.' }),
  source: Type.Ref(SourceSchema, { readOnly: true }),
  created: Type.String({ format: 'date-time', readOnly: true, description: 'Creation time, UTC.' }),
}, { $id: 'UserSourceConnection', description: 'User source connection' });
export type UserSourceConnectionWire = Static<typeof UserSourceConnectionSchema>;

/** PUT/PATCH body on `/all/{id}/`: any JSON object; every key is ignored (decisions W3). */
export const AnyObjectBodySchema = Type.Object({}, { additionalProperties: true });

export const connectionSchemas = [UserSourceConnectionSchema];
