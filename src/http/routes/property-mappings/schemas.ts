/**
 * Property mapping wire objects: the base `PropertyMapping` (for `/propertymappings/all/`) and one
 * `<Kind>SourcePropertyMapping` family per source kind. All share one shape.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const LABELS = { oauth: 'OAuth', saml: 'SAML', plex: 'Plex', ldap: 'LDAP', kerberos: 'Kerberos', scim: 'SCIM' } as const;

function mappingSchema($id: string, description: string) {
  return Type.Object({
    pk: Type.String({ format: 'uuid', readOnly: true, description: 'Property mapping primary key.' }),
    managed: Type.Union([Type.String(), Type.Null()], { description: 'Objects that are managed by authentik. These objects are created and updated automatically.' }),
    name: Type.String(),
    expression: Type.String({ description: 'Python expression, stored verbatim; Fedlink never runs it.' }),
    component: Type.String({ readOnly: true, description: 'Web component used to edit this object.' }),
    verbose_name: Type.String({ readOnly: true }),
    verbose_name_plural: Type.String({ readOnly: true }),
    meta_model_name: Type.String({ readOnly: true, description: '<app_label>.<model_name>' }),
  }, { $id, description });
}

export const PropertyMappingSchema = mappingSchema('PropertyMapping', 'PropertyMapping Serializer');
export type PropertyMappingWire = Static<typeof PropertyMappingSchema>;

const requestFields = {
  managed: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
  name: Type.String({ minLength: 1 }),
  expression: Type.String({ minLength: 1 }),
};

/** Schemas of one source kind: response, request (POST/PUT) and patched request (PATCH). */
export interface KindSchemas { item: TSchema; request: TSchema; patched: TSchema }

export const kindSchemas: Record<keyof typeof LABELS, KindSchemas> = Object.fromEntries(
  Object.entries(LABELS).map(([kind, label]) => {
    const name = `${label}SourcePropertyMapping`;
    return [kind, {
      item: mappingSchema(name, `${label}SourcePropertyMapping Serializer`),
      request: Type.Object(requestFields, { $id: `${name}Request`, description: `${label}SourcePropertyMapping Serializer` }),
      patched: Type.Object({
        managed: requestFields.managed, name: Type.Optional(requestFields.name), expression: Type.Optional(requestFields.expression),
      }, { $id: `Patched${name}Request`, description: `${label}SourcePropertyMapping Serializer` }),
    }];
  }),
) as unknown as Record<keyof typeof LABELS, KindSchemas>;

export const propertyMappingSchemas = [PropertyMappingSchema, ...Object.values(kindSchemas).flatMap((k) => [k.item, k.request, k.patched])];
