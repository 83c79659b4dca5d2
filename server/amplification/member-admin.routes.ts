// The members area's API (admins, and reviewers within their units): the directory of members,
// members created by staff, the list and revocation of invitations, and a unit's share rules.
import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute } from '../http/api-route.ts';
import { presentUser } from '../users/users.service.ts';
import { userResponseSchema } from '../users/users.schemas.ts';
import {
  createMemberSchema,
  directoryQuerySchema,
  directoryResponseSchema,
  invitationItemSchema,
  invitationsQuerySchema,
  shareRulesResponseSchema,
} from './member-admin.schemas.ts';

const TAG = 'Members';
const STAFF = ['admin', 'reviewer'] as const;

export function memberAdminRoutes(c: Container) {
  const { admin } = c.amplification;
  return [
    defineRoute({
      method: 'get',
      path: '/members',
      summary: 'Members of your units, newest first: consent state, and figures by name only where agreed',
      tag: TAG,
      access: STAFF,
      query: directoryQuerySchema,
      response: directoryResponseSchema,
      handler: ({ actor, query }) => admin.directory(actor, query),
    }),
    defineRoute({
      method: 'post',
      path: '/members',
      summary: 'Create a member account in a unit; the member gives consent themselves at first sign-in',
      tag: TAG,
      access: STAFF,
      body: createMemberSchema,
      status: 201,
      response: userResponseSchema.extend({ consentRequired: z.literal(true) }),
      handler: async ({ actor, body }) => ({
        ...presentUser(await admin.createMember(actor, body)),
        consentRequired: true as const,
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/members/invitations',
      summary: 'Invitations of your units, newest first: open, used, expired or revoked',
      tag: TAG,
      access: STAFF,
      query: invitationsQuerySchema,
      response: z.object({ items: z.array(invitationItemSchema), nextCursor: z.string().nullable() }),
      handler: ({ actor, query }) => admin.invitations(actor, query),
    }),
    defineRoute({
      method: 'delete',
      path: '/members/invitations/:id',
      summary: 'Revoke an open invitation: its link stops working (409 once used or expired)',
      tag: TAG,
      access: STAFF,
      params: z.object({ id: z.uuid() }),
      response: invitationItemSchema,
      handler: ({ actor, params }) => admin.revokeInvitation(actor, params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/units/:id/share-rules',
      summary: 'A unit’s share rules, and the ones in force for its members (nearest unit up with rules)',
      tag: TAG,
      access: STAFF,
      params: z.object({ id: z.uuid() }),
      response: shareRulesResponseSchema,
      handler: ({ actor, params }) => admin.shareRules(actor, params.id),
    }),
  ];
}
