/** User views → wire objects, in authentik's key order. */
import type { UserGroupRecord } from '../../../db/repositories/core-users.js';
import type { UserSelfView, UserView } from '../../../domain/users/service.js';
import type { UserSelfWire, UserWire } from './schemas.js';

/** A direct group as `UserGroup`. */
export function serializeUserGroup(g: UserGroupRecord) {
  return {
    pk: g.group_uuid, num_pk: g.num_pk, name: g.name, is_superuser: g.is_superuser, parent: g.parent_uuid,
    parent_name: g.parent_name, attributes: g.attributes ?? {},
  };
}

/** `User`: `groups` lists direct group uuids; `groups_obj` is null when the caller asked `include_groups=false`. */
export function serializeUser(v: UserView): UserWire {
  const u = v.user;
  return {
    pk: u.id,
    username: u.username,
    name: u.name,
    is_active: u.is_active,
    last_login: u.last_login,
    is_superuser: u.is_superuser,
    groups: v.groups.map((g) => g.group_uuid),
    groups_obj: v.groupsObj ? v.groups.map(serializeUserGroup) : null,
    email: u.email,
    avatar: v.avatar,
    attributes: u.attributes ?? {},
    uid: v.uid,
    path: u.path,
    type: u.type,
    uuid: u.uuid,
  };
}

/** `UserSelf` for `me/`. */
export function serializeUserSelf(v: UserSelfView): UserSelfWire {
  const u = v.user;
  return {
    pk: u.id,
    username: u.username,
    name: u.name,
    is_active: u.is_active,
    is_superuser: u.is_superuser,
    groups: v.groups,
    email: u.email,
    avatar: v.avatar,
    uid: v.uid,
    settings: v.settings,
    type: u.type,
    system_permissions: v.systemPermissions,
  };
}
