/** Property mapping rows → wire objects (typed metadata from the row's kind). */
import type { PropertyMappingRow } from '../../../db/repositories/property-mappings.js';
import { mappingMeta } from '../../../domain/property-mappings/service.js';
import type { PropertyMappingWire } from './schemas.js';

export function serializePropertyMapping(m: PropertyMappingRow): PropertyMappingWire {
  const meta = mappingMeta(m.kind);
  return {
    pk: m.pm_uuid, managed: m.managed, name: m.name, expression: m.expression, component: meta.component,
    verbose_name: meta.verbose_name, verbose_name_plural: meta.verbose_name_plural, meta_model_name: `${meta.app}.${meta.model}`,
  };
}
