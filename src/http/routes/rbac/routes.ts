/**
 * `/api/v3/rbac/…`: roles CRUD + used_by, the permission catalogue, assign/unassign to users and
 * roles, and the "who holds what" lists. Handlers parse, call one service, serialize.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.js';
import { ValidationFailed } from '../../../domain/errors.js';
import type { ListParamsSpec } from '../../../domain/list.js';
import * as roles from '../../../domain/rbac/roles.js';
import * as rbac from '../../../domain/rbac/service.js';
import { envelope, paginated } from '../../list/envelope.js';
import { listQuerySchema, parseListQuery } from '../../list/list-query.js';
import { trimStrings } from '../../request-strings.js';
import { actorOf, parseId } from '../../route-helpers.js';
import { errorResponses, IdParamsSchema, notFoundResponse, UsedBySchema } from '../../schemas/common.js';
import {
  ExtraObjectPermissionRequestSchemas, ExtraRoleObjectPermissionSchema, ExtraUserObjectPermissionSchema,
  PatchedPermissionAssignRequestSchema, PatchedRoleRequestSchema, PermissionAssignRequestSchema,
  PermissionAssignResultSchema, PermissionSchema, RoleAssignedObjectPermissionSchema, RoleRequestSchema, RoleSchema,
  UserAssignedObjectPermissionSchema,
} from './schemas.js';
import {
  serializeAssignedRole, serializeAssignedUser, serializeExtraObjectPermission, serializePermission, serializeRole,
} from './serialize.js';

const tags = ['rbac'];
const UuidParams = Type.Object({ uuid: Type.String({ description: 'A UUID string identifying this object.' }) });
const noContent = { 204: Type.Null({ description: 'No response body' }) };
const SMALLER_PAGE_SIZE = 10;

/** authentik's SmallerPagination: page_size defaults to 10 instead of 100. */
function withSmallerPages(query: unknown): Record<string, unknown> {
  const q = { ...(query as Record<string, unknown>) };
  const raw = typeof q.page_size === 'string' ? q.page_size.trim() : '';
  if (!/^\+?\d+$/.test(raw) || Number(raw) <= 0) q.page_size = String(SMALLER_PAGE_SIZE);
  return q;
}

export function rbacRoutes(app: FastifyInstance, deps: Deps, opts: { maxPageSize: number }): void {
  const list = (raw: unknown, spec: ListParamsSpec) => parseListQuery(raw, spec, opts.maxPageSize);

  // ---- /rbac/roles/ -------------------------------------------------------------------------
  const PaginatedRole = paginated(RoleSchema);
  app.addSchema(PaginatedRole);
  const nameHook = trimStrings({ fields: ['name'] });

  app.get('/rbac/roles/', {
    schema: {
      operationId: 'rbac_roles_list', tags, description: 'Role viewset', querystring: listQuerySchema(roles.roleListSpec),
      response: { 200: Type.Ref(PaginatedRole), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => envelope(await roles.list(deps, actorOf(req), list(req.query, roles.roleListSpec)), serializeRole));

  app.post<{ Body: { name: string } }>('/rbac/roles/', {
    preValidation: nameHook,
    schema: { operationId: 'rbac_roles_create', tags, description: 'Role viewset', body: Type.Ref(RoleRequestSchema), response: { 201: Type.Ref(RoleSchema), ...errorResponses } },
  }, async (req, reply) => reply.code(201).send(serializeRole(await roles.create(deps, actorOf(req), req.body.name))));

  const roleDetail = '/rbac/roles/:uuid/';
  app.get<{ Params: { uuid: string } }>(roleDetail, {
    schema: { operationId: 'rbac_roles_retrieve', tags, description: 'Role viewset', params: UuidParams, response: { 200: Type.Ref(RoleSchema), ...errorResponses, ...notFoundResponse } },
  }, async (req) => serializeRole(await roles.retrieve(deps, actorOf(req), req.params.uuid)));

  for (const [method, operationId, body] of [['PUT', 'rbac_roles_update', RoleRequestSchema], ['PATCH', 'rbac_roles_partial_update', PatchedRoleRequestSchema]] as const) {
    app.route<{ Params: { uuid: string }; Body: { name?: string } }>({
      method, url: roleDetail, preValidation: nameHook,
      schema: { operationId, tags, description: 'Role viewset', params: UuidParams, body: Type.Ref(body), response: { 200: Type.Ref(RoleSchema), ...errorResponses, ...notFoundResponse } },
      handler: async (req) => serializeRole(await roles.update(deps, actorOf(req), req.params.uuid, req.body.name)),
    });
  }

  app.delete<{ Params: { uuid: string } }>(roleDetail, {
    schema: { operationId: 'rbac_roles_destroy', tags, description: 'Role viewset', params: UuidParams, response: { ...noContent, ...errorResponses, ...notFoundResponse } },
  }, async (req, reply) => {
    await roles.destroy(deps, actorOf(req), req.params.uuid);
    return reply.code(204).send();
  });

  app.get<{ Params: { uuid: string } }>(`${roleDetail}used_by/`, {
    schema: { operationId: 'rbac_roles_used_by_list', tags, description: 'Get a list of all objects that use this object', params: UuidParams, response: { 200: Type.Array(Type.Ref(UsedBySchema)), ...errorResponses, ...notFoundResponse } },
  }, async (req) => roles.usedBy(deps, actorOf(req), req.params.uuid));

  // ---- /rbac/permissions/ (catalogue) ---------------------------------------------------------
  const PaginatedPermission = paginated(PermissionSchema);
  app.addSchema(PaginatedPermission);
  app.get('/rbac/permissions/', {
    schema: {
      operationId: 'rbac_permissions_list', tags, description: 'Read-only list of all permissions, filterable by model and app',
      querystring: listQuerySchema(rbac.permissionListSpec), response: { 200: Type.Ref(PaginatedPermission), ...errorResponses, ...notFoundResponse },
    },
  }, async (req) => envelope(await rbac.listPermissions(deps, actorOf(req), list(req.query, rbac.permissionListSpec)), serializePermission));

  app.get<{ Params: { id: string } }>('/rbac/permissions/:id/', {
    schema: { operationId: 'rbac_permissions_retrieve', tags, description: 'Read-only list of all permissions, filterable by model and app', params: IdParamsSchema, response: { 200: Type.Ref(PermissionSchema), ...errorResponses, ...notFoundResponse } },
  }, async (req) => {
    actorOf(req);
    return serializePermission(rbac.retrievePermission(parseId(req.params.id)));
  });

  // ---- assign / unassign ----------------------------------------------------------------------
  const assignHook = trimStrings({ fields: ['permissions', 'object_pk'], arrays: ['permissions'] });
  type AssignBody = { permissions?: string[]; model?: string; object_pk?: string };
  const requirePermissions = (b: AssignBody): rbac.AssignInput => {
    if (b.permissions === undefined) throw ValidationFailed.field('permissions', 'This field is required.');
    return { permissions: b.permissions, model: b.model, object_pk: b.object_pk };
  };
  for (const kind of ['user', 'role'] as const) {
    const base = kind === 'user' ? '/rbac/permissions/assigned_by_users/' : '/rbac/permissions/assigned_by_roles/';
    const op = kind === 'user' ? 'rbac_permissions_assigned_by_users' : 'rbac_permissions_assigned_by_roles';
    const param = kind === 'user' ? 'id' : 'uuid';
    const params = kind === 'user' ? IdParamsSchema : UuidParams;
    const spec = kind === 'user' ? rbac.assignedByUsersSpec : rbac.assignedByRolesSpec;
    const item = kind === 'user' ? UserAssignedObjectPermissionSchema : RoleAssignedObjectPermissionSchema;
    const Paginated = paginated(item);
    app.addSchema(Paginated);

    app.get(base, {
      schema: {
        operationId: `${op}_list`, tags, description: 'Get assigned object permissions for a single object',
        querystring: listQuerySchema(spec), response: { 200: Type.Ref(Paginated), ...errorResponses, ...notFoundResponse },
      },
    }, async (req) => {
      const actor = actorOf(req);
      const query = list(req.query, spec);
      if (kind === 'user') {
        return envelope(await rbac.listAssignedByUsers(deps, actor, query), (v) => serializeAssignedUser(v, rbac.userUid(deps, v.user.id)));
      }
      return envelope(await rbac.listAssignedByRoles(deps, actor, query), serializeAssignedRole);
    });

    app.post<{ Params: Record<string, string>; Body: AssignBody }>(`${base}:${param}/assign/`, {
      preValidation: assignHook,
      schema: {
        operationId: `${op}_assign`, tags,
        description: `Assign permission(s) to ${kind}. When \`object_pk\` is set, the permissions are only assigned to the specific object, otherwise they are assigned globally.`,
        params, body: Type.Ref(PermissionAssignRequestSchema),
        response: { 200: Type.Array(Type.Ref(PermissionAssignResultSchema)), ...errorResponses, ...notFoundResponse },
      },
    }, async (req) => rbac.assign(deps, actorOf(req), kind, req.params[param], requirePermissions(req.body)));

    app.patch<{ Params: Record<string, string>; Body: AssignBody }>(`${base}:${param}/unassign/`, {
      preValidation: assignHook,
      schema: {
        operationId: `${op}_unassign_partial_update`, tags,
        description: `Unassign permission(s) from ${kind}. When \`object_pk\` is set, the permissions are only removed from the specific object, otherwise they are removed globally.`,
        params, body: Type.Ref(PatchedPermissionAssignRequestSchema),
        response: { ...noContent, ...errorResponses, ...notFoundResponse },
      },
    }, async (req, reply) => {
      await rbac.unassign(deps, actorOf(req), kind, req.params[param], requirePermissions(req.body));
      return reply.code(204).send();
    });
  }

  // ---- per-holder object grants: /rbac/permissions/users/, /rbac/permissions/roles/ ---------------
  for (const kind of ['user', 'role'] as const) {
    const base = kind === 'user' ? '/rbac/permissions/users/' : '/rbac/permissions/roles/';
    const op = kind === 'user' ? 'rbac_permissions_users' : 'rbac_permissions_roles';
    const item = kind === 'user' ? ExtraUserObjectPermissionSchema : ExtraRoleObjectPermissionSchema;
    const spec = kind === 'user' ? rbac.userGrantsSpec : rbac.roleGrantsSpec;
    const putBody = kind === 'user' ? ExtraObjectPermissionRequestSchemas.user : ExtraObjectPermissionRequestSchemas.role;
    const patchBody = kind === 'user' ? ExtraObjectPermissionRequestSchemas.patchedUser : ExtraObjectPermissionRequestSchemas.patchedRole;
    const description = kind === 'user' ? "Get a users's assigned object permissions" : "Get a role's assigned object permissions";
    const Paginated = paginated(item);
    app.addSchema(Paginated);

    app.get(base, {
      schema: { operationId: `${op}_list`, tags, description, querystring: listQuerySchema(spec), response: { 200: Type.Ref(Paginated), ...errorResponses, ...notFoundResponse } },
    }, async (req) => envelope(await rbac.listHolderGrants(deps, actorOf(req), kind, list(withSmallerPages(req.query), spec)), serializeExtraObjectPermission));

    const detail = `${base}:id/`;
    app.get<{ Params: { id: string } }>(detail, {
      schema: { operationId: `${op}_retrieve`, tags, description, params: IdParamsSchema, response: { 200: Type.Ref(item), ...errorResponses, ...notFoundResponse } },
    }, async (req) => serializeExtraObjectPermission(await rbac.retrieveHolderGrant(deps, actorOf(req), kind, req.params.id)));

    for (const [method, operationId, body] of [['PUT', `${op}_update`, putBody], ['PATCH', `${op}_partial_update`, patchBody]] as const) {
      app.route<{ Params: { id: string }; Body: { object_pk?: string } }>({
        method, url: detail, preValidation: trimStrings({ fields: ['object_pk'] }),
        schema: { operationId, tags, description, params: IdParamsSchema, body: Type.Ref(body), response: { 200: Type.Ref(item), ...errorResponses, ...notFoundResponse } },
        handler: async (req) => serializeExtraObjectPermission(await rbac.updateHolderGrant(deps, actorOf(req), kind, req.params.id, req.body.object_pk)),
      });
    }

    app.delete<{ Params: { id: string } }>(detail, {
      schema: { operationId: `${op}_destroy`, tags, description, params: IdParamsSchema, response: { ...noContent, ...errorResponses, ...notFoundResponse } },
    }, async (req, reply) => {
      await rbac.destroyHolderGrant(deps, actorOf(req), kind, req.params.id);
      return reply.code(204).send();
    });
  }
}
