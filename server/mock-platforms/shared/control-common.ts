// The /_mock routes both mocks share: faults, the clock, people and their shares, reset.
// Platform-specific routes (pages, OAs, posts ledger, webhooks) live beside each mock.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { MockClock } from './clock.ts';
import { faultSchema, type FaultRegistry } from './faults.ts';
import { controlError, isoTime, parseControl } from './http.ts';
import type { MemberShare, MemberStore, MemberUser } from './members.ts';

export interface CommonControlDeps {
  faults: FaultRegistry;
  clock: MockClock;
  members: MemberStore;
  userTokenLifetimeMs(): number;
  /** Authenticates the person with the platform's own token rules; answers the error itself. */
  authenticateMember(req: Request, res: Response): MemberUser | undefined;
  onShare?(share: MemberShare): void;
  reset(): void;
}

const userSchema = z.object({
  name: z.string().trim().min(1).max(200),
  friends: z.coerce.number().int().min(0).max(5_000_000).default(200),
});
const shareSchema = z.object({
  link: z.url({ protocol: /^https?$/ }),
  message: z.string().max(63_206).optional(),
});
const advanceSchema = z.object({
  seconds: z.coerce
    .number()
    .min(0)
    .max(10 * 365 * 86_400),
});

export function commonControlRouter(deps: CommonControlDeps): Router {
  const router = Router();

  router.post('/faults', (req, res) => {
    const spec = parseControl(faultSchema, req.body, res);
    if (!spec) return;
    res.status(201).json(deps.faults.add(spec));
  });
  router.get('/faults', (_req, res) => {
    res.json({ items: deps.faults.list() });
  });
  router.delete('/faults', (_req, res) => {
    deps.faults.clear();
    res.json({ success: true });
  });

  router.get('/clock', (_req, res) => {
    res.json({
      now: isoTime(deps.clock.now()),
      now_ms: deps.clock.now(),
      offset_seconds: deps.clock.offsetMs() / 1000,
    });
  });
  router.post('/clock/advance', (req, res) => {
    const input = parseControl(advanceSchema, req.body, res);
    if (!input) return;
    deps.clock.advance(input.seconds);
    res.json({
      now: isoTime(deps.clock.now()),
      now_ms: deps.clock.now(),
      offset_seconds: deps.clock.offsetMs() / 1000,
    });
  });

  router.post('/users', (req, res) => {
    const input = parseControl(userSchema, req.body, res);
    if (!input) return;
    const user = deps.members.addUser(input, deps.clock.now(), deps.userTokenLifetimeMs());
    res
      .status(201)
      .json({ id: user.id, name: user.name, friends: user.friends, access_token: user.accessToken });
  });

  router.post('/users/:userId/shares', (req, res) => {
    const user = deps.members.users.get(req.params.userId);
    if (!user) return controlError(res, 404, `no user ${req.params.userId}`);
    const actor = deps.authenticateMember(req, res);
    if (!actor) return;
    if (actor.id !== user.id) return controlError(res, 403, 'the token belongs to another user');
    const input = parseControl(shareSchema, req.body, res);
    if (!input) return;
    const share = deps.members.addShare(user, input, deps.clock.now());
    deps.onShare?.(share);
    res.status(201).json({ id: share.id });
  });

  router.get('/shares', (req, res) => {
    const userId = typeof req.query.user_id === 'string' ? req.query.user_id : undefined;
    const now = deps.clock.now();
    const items = deps.members.shares
      .filter((share) => userId === undefined || share.userId === userId)
      .map((share) => deps.members.presentShare(share, now));
    res.json({ items });
  });

  router.post('/reset', (_req, res) => {
    deps.reset();
    res.json({ success: true });
  });

  return router;
}
