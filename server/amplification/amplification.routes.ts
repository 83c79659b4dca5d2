// The members' API: consent, invitations, settings, export, the feed, share intents, own shares,
// push subscriptions, share rules, and reach by unit and member.
import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute } from '../http/api-route.ts';
import { presentUser } from '../users/users.service.ts';
import { userResponseSchema } from '../users/users.schemas.ts';
import {
  acceptConsentSchema,
  consentResponseSchema,
  feedItemSchema,
  feedQuerySchema,
  invitationResponseSchema,
  invitationSchema,
  memberSettingsSchema,
  pushSubscriptionSchema,
  shareIntentSchema,
  shareItemSchema,
  shareRulesSchema,
  statsQuerySchema,
} from './amplification.schemas.ts';
import { presentProfile } from './members.service.ts';

const TAG = 'Members';
const ratioFigures = {
  unitId: z.string(),
  name: z.string(),
  members: z.number(),
  activeMembers: z.number(),
  shares: z.number(),
  clicks: z.number(),
  sharesPerMember: z.number(),
  clicksPerShare: z.number(),
  firstShareMinutesP50: z.number().nullable(),
};

export function amplificationRoutes(c: Container) {
  const { members, feed, memberStats } = c.amplification;
  return [
    defineRoute({
      method: 'get',
      path: '/me/consent',
      summary: 'The current members’ consent text, and whether you still have to accept it',
      tag: TAG,
      access: 'signed-in',
      response: consentResponseSchema,
      handler: ({ actor, req }) => members.consentStatus(actor, req.language),
    }),
    defineRoute({
      method: 'post',
      path: '/me/consent',
      summary: 'Accept the current consent text (recorded with its version and the time)',
      tag: TAG,
      access: ['member'],
      body: acceptConsentSchema,
      response: consentResponseSchema,
      handler: async ({ actor, body, req }) => {
        await members.acceptConsent(actor, body.version);
        return members.consentStatus(actor, req.language);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/me/consent',
      summary: 'Opt out: the feed and notifications stop, push subscriptions are deleted',
      tag: TAG,
      access: ['member'],
      response: z.object({ withdrawn: z.literal(true), pushSubscriptionsDeleted: z.number() }),
      handler: async ({ actor }) => ({ withdrawn: true as const, ...(await members.withdrawConsent(actor)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/me/export',
      summary: 'Everything Loa stores about you, as JSON',
      tag: TAG,
      access: 'signed-in',
      handler: ({ actor }) => members.exportData(actor),
    }),
    defineRoute({
      method: 'patch',
      path: '/me',
      summary: 'Your own settings: name, language; members also digest and listedInStats',
      tag: TAG,
      access: 'signed-in',
      body: memberSettingsSchema,
      response: userResponseSchema.extend({
        member: z
          .object({
            listedInStats: z.boolean(),
            digest: z.enum(['instant', 'daily']),
            consentVersion: z.number().nullable(),
            consentedAt: z.string().nullable(),
            consentCurrent: z.boolean(),
          })
          .nullable(),
      }),
      handler: async ({ actor, body }) => {
        const user = await c.users.updateOwn(actor, { name: body.name, language: body.language });
        const wantsMemberSettings = body.digest !== undefined || body.listedInStats !== undefined;
        const profile =
          actor.role === 'member'
            ? wantsMemberSettings
              ? await members.updateSettings(actor, {
                  digest: body.digest,
                  listedInStats: body.listedInStats,
                })
              : await members.profile(actor)
            : wantsMemberSettings
              ? await members.updateSettings(actor, {})
              : undefined;
        return {
          ...presentUser(user),
          member: profile ? presentProfile(profile, members.consent.version) : null,
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/members/invitations',
      summary: 'An invitation link with which one person creates their member account in a unit',
      tag: TAG,
      access: ['admin', 'reviewer'],
      body: invitationSchema,
      status: 201,
      response: invitationResponseSchema,
      handler: async ({ actor, body }) => {
        const made = await members.createInvitation(actor, body);
        return { id: made.id, url: made.url, expiresAt: made.expiresAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/feed',
      summary: 'Your share feed: posts published to your unit or the units above it, newest first',
      tag: TAG,
      access: ['member'],
      query: feedQuerySchema,
      response: z.object({ items: z.array(feedItemSchema), nextCursor: z.string().nullable() }),
      handler: ({ actor, query }) => feed.feedJson(actor, query),
    }),
    defineRoute({
      method: 'post',
      path: '/feed/:postId/share-intent',
      summary: 'You shared a post through another app (Web Share or copy): records it, returns your link',
      tag: TAG,
      access: ['member'],
      params: z.object({ postId: z.uuid() }),
      body: shareIntentSchema,
      status: 201,
      response: z.object({
        shareId: z.string(),
        platform: z.string(),
        status: z.string(),
        url: z.string(),
        at: z.string(),
      }),
      handler: ({ actor, params, body }) => feed.shareIntent(actor, params.postId, body.platform),
    }),
    defineRoute({
      method: 'get',
      path: '/me/shares',
      summary: 'Your shares, each with the clicks on your own link',
      tag: TAG,
      access: ['member'],
      response: z.object({ items: z.array(shareItemSchema) }),
      handler: async ({ actor }) => ({ items: await feed.myShares(actor) }),
    }),
    defineRoute({
      method: 'post',
      path: '/me/push-subscriptions',
      summary: 'Register this browser for Web Push notifications (a PushSubscription as JSON)',
      tag: TAG,
      access: ['member'],
      body: pushSubscriptionSchema,
      status: 201,
      response: z.object({ id: z.string(), endpoint: z.string() }),
      handler: async ({ actor, body }) => {
        const row = await members.addPushSubscription(actor, body);
        return { id: row.id, endpoint: row.endpoint };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/me/push-key',
      summary: 'The VAPID public key a browser subscribes to Web Push with',
      tag: TAG,
      access: ['member'],
      response: z.object({ publicKey: z.string() }),
      handler: async () => ({ publicKey: c.amplification.push.publicKey() }),
    }),
    defineRoute({
      method: 'patch',
      path: '/units/:id/share-rules',
      summary: 'A unit’s members’ guard rails: shares per member per day, and share hours (local)',
      tag: TAG,
      access: ['admin'],
      params: z.object({ id: z.uuid() }),
      body: shareRulesSchema,
      response: z.object({
        unitId: z.string(),
        dailyCap: z.number().nullable(),
        hoursFrom: z.number().nullable(),
        hoursTo: z.number().nullable(),
      }),
      handler: async ({ actor, params, body }) => {
        const row = await feed.setRules(actor, params.id, body);
        return { unitId: row.unitId, dailyCap: row.dailyCap, hoursFrom: row.hoursFrom, hoursTo: row.hoursTo };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/stats/units',
      summary: 'Members’ participation per child unit (source: loa)',
      tag: 'Engagement',
      access: ['admin', 'reviewer'],
      query: statsQuerySchema,
      response: z.object({
        unitId: z.string().nullable(),
        items: z.array(z.object(ratioFigures)),
        unitsWithoutShares: z.array(z.object({ unitId: z.string(), name: z.string() })),
        source: z.literal('loa'),
        fetchedAt: z.string(),
      }),
      handler: ({ actor, query }) => memberStats.units(actor, query),
    }),
    defineRoute({
      method: 'get',
      path: '/stats/members',
      summary: 'Members’ shares and reach: by name only where the member agreed, otherwise per unit',
      tag: 'Engagement',
      access: ['admin', 'reviewer'],
      query: statsQuerySchema,
      response: z.object({
        items: z.array(
          z.object({
            userId: z.string(),
            name: z.string(),
            unit: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
            shares: z.number(),
            clicks: z.number(),
            reach: z.number(),
          }),
        ),
        unlisted: z.array(
          z.object({
            unit: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
            members: z.number(),
            shares: z.number(),
            clicks: z.number(),
            reach: z.number(),
          }),
        ),
        source: z.literal('loa'),
        fetchedAt: z.string(),
      }),
      handler: ({ actor, query }) => memberStats.members(actor, query),
    }),
  ];
}
