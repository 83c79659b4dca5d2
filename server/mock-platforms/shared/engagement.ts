// Engagement simulation: every published post, article or member share gathers views,
// reactions, comments, shares and clicks over simulated time. The numbers are a pure function
// of (seed, object key, audience, elapsed time), so they are reproducible, never go down, and
// need no timers: fast growth in the first hours that levels off (1 - e^(-t/tau)).
import { between, createRng, hashKey } from './prng.ts';

export interface ReactionCounts {
  like: number;
  love: number;
  haha: number;
  wow: number;
  sad: number;
  angry: number;
}

export interface Engagement {
  views: number;
  uniqueViews: number;
  reactions: ReactionCounts;
  reactionsTotal: number;
  comments: number;
  shares: number;
  linkClicks: number;
  otherClicks: number;
  photoViews: number;
  clicks: number;
}

export interface EngagementSubject {
  /** Stable id of the object (post id, share id, article id). */
  key: string;
  /** When it became visible (simulated epoch ms); before that, everything is zero. */
  startMs: number;
  /** Audience size: page followers, OA followers, or a member's friends. */
  audience: number;
  hasImage: boolean;
  hasLink: boolean;
}

const REACTION_TYPES = ['like', 'love', 'haha', 'wow', 'sad', 'angry'] as const;

export function engagementAt(seed: number, subject: EngagementSubject, nowMs: number): Engagement {
  const rng = createRng(hashKey(seed, subject.key));
  // Parameters drawn once per object, in a fixed order, so they never change between calls.
  const reachShare = between(rng, 0.15, 0.6) * (subject.hasImage ? 1.8 : 1);
  const tauHours = between(rng, 1.5, 8);
  const viewsPerViewer = between(rng, 1.1, 1.7);
  const reactionRate = between(rng, 0.04, 0.12) * (subject.hasImage ? 1.3 : 1);
  const commentRate = between(rng, 0.005, 0.02);
  const shareRate = between(rng, 0.004, 0.015);
  const linkClickRate = subject.hasLink ? between(rng, 0.02, 0.06) : 0;
  const otherClickRate = between(rng, 0.01, 0.03);
  const photoViewRate = subject.hasImage ? between(rng, 0.05, 0.15) : 0;
  const weights = REACTION_TYPES.map((type) => (type === 'like' ? 6 : type === 'love' ? 2 : 0.5) * rng());
  const weightSum = weights.reduce((a, b) => a + b, 0) || 1;

  const reachCap = (20 + subject.audience) * reachShare;
  const hours = Math.max(0, nowMs - subject.startMs) / 3_600_000;
  const progress = 1 - Math.exp(-hours / tauHours);
  const reached = reachCap * progress;

  const uniqueViews = Math.floor(reached);
  const reactions = {} as ReactionCounts;
  REACTION_TYPES.forEach((type, i) => {
    reactions[type] = Math.floor((reached * reactionRate * (weights[i] ?? 0)) / weightSum);
  });
  const linkClicks = Math.floor(reached * linkClickRate);
  const otherClicks = Math.floor(reached * otherClickRate);
  const photoViews = Math.floor(reached * photoViewRate);
  return {
    uniqueViews,
    views: Math.floor(reached * viewsPerViewer),
    reactions,
    reactionsTotal: REACTION_TYPES.reduce((sum, type) => sum + reactions[type], 0),
    comments: Math.floor(reached * commentRate),
    shares: Math.floor(reached * shareRate),
    linkClicks,
    otherClicks,
    photoViews,
    clicks: linkClicks + otherClicks + photoViews,
  };
}
