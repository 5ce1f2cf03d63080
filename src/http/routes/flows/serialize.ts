/** Flow rows → the wire `Flow` object. */
import type { FlowRow } from '../../../db/repositories/flows.js';
import type { FlowWire } from './schemas.js';

const DEFAULT_BACKGROUND = '/static/dist/assets/images/flow_background.jpg';

/** Flow row → wire object. Source: authentik/flows/models.py Flow.background_url, api/flows.py get_export_url. */
export function serializeFlow(f: FlowRow): FlowWire {
  let background = DEFAULT_BACKGROUND;
  if (f.background) background = f.background.includes('://') || f.background.startsWith('/static') ? f.background : `/media/${f.background}`;
  return {
    pk: f.flow_uuid, policybindingmodel_ptr_id: f.flow_uuid, name: f.name, slug: f.slug, title: f.title,
    designation: f.designation as FlowWire['designation'], background, stages: [], policies: [], cache_count: 0,
    policy_engine_mode: f.policy_engine_mode, compatibility_mode: f.compatibility_mode,
    export_url: `/api/v3/flows/instances/${encodeURIComponent(f.slug)}/export/`,
    layout: f.layout as FlowWire['layout'], denied_action: f.denied_action as FlowWire['denied_action'],
    authentication: f.authentication as FlowWire['authentication'],
  };
}
