/** Group views → wire objects, in authentik's key order. */
import type { GroupView } from '../../../domain/groups/service.js';
import type { GroupWire } from './schemas.js';

export function serializeGroup(v: GroupView): GroupWire {
  const g = v.group;
  return {
    pk: g.group_uuid,
    num_pk: g.num_pk,
    name: g.name,
    is_superuser: g.is_superuser,
    parent: g.parent_uuid,
    parent_name: g.parent_name,
    users: v.users,
    users_obj: v.members
      ? v.members.map(({ member: m, uid }) => ({
        pk: m.id, username: m.username, name: m.name, is_active: m.is_active, last_login: m.last_login,
        email: m.email, attributes: m.attributes ?? {}, uid,
      }))
      : null,
    attributes: g.attributes ?? {},
    roles: v.roles.map((r) => r.role_uuid),
    roles_obj: v.roles.map((r) => ({ pk: r.role_uuid, name: r.name })),
  };
}
