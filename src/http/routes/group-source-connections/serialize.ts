import type { GroupConnectionView } from '../../../domain/group-source-connections/service.js';
import { serializeSource } from '../sources/serialize.js';

/** Group connection → wire object with the nested *base* source view (spec §8.1). Key order as authentik. */
export function serializeGroupConnection(v: GroupConnectionView) {
  return { pk: v.row.id, group: v.row.group_id, source: serializeSource(v.source, 'base'), identifier: v.row.identifier, created: v.row.created };
}
