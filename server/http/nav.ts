// The app shell's navigation as data: one list of sections, each with the roles that may use
// it, so a new page is one entry here (plus its label in locales/<lang>/nav.json).
import type { RequestHandler } from 'express';
import type { UserRole } from '../db/schema.ts';

export type NavGroup = 'work' | 'content' | 'admin';

export interface NavSection {
  /** Stable name, also the `data-section` attribute the browser tests look for. */
  id: string;
  href: string;
  /** i18n key of the label. */
  label: string;
  group: NavGroup;
  roles: readonly UserRole[];
  /** Other path prefixes that belong to this section (href itself always does, except "/"). */
  also?: readonly string[];
}

const STAFF = ['admin', 'editor', 'reviewer'] as const;
const ALL = ['admin', 'editor', 'reviewer', 'member'] as const;

/** Work first (what people do every day), then the material they work with, then administration. */
export const NAV_SECTIONS: readonly NavSection[] = [
  { id: 'home', href: '/', label: 'nav.home', group: 'work', roles: ALL },
  // A member's day: the posts to share, and their own shares, reach and settings.
  { id: 'feed', href: '/feed', label: 'members.nav', group: 'work', roles: ['member'], also: ['/s'] },
  {
    id: 'member-settings',
    href: '/members/settings',
    label: 'members.settingsNav',
    group: 'work',
    roles: ['member'],
    also: ['/members/consent'],
  },
  { id: 'compose', href: '/compose', label: 'nav.compose', group: 'work', roles: ['editor', 'admin'] },
  { id: 'review', href: '/review', label: 'nav.review', group: 'work', roles: ['reviewer', 'admin'] },
  { id: 'calendar', href: '/calendar', label: 'nav.calendar', group: 'work', roles: STAFF },
  { id: 'posts', href: '/posts', label: 'nav.posts', group: 'work', roles: STAFF },
  // What came back: the overview, campaigns and the monthly report (/stats/...).
  { id: 'stats', href: '/stats', label: 'dashboard.nav', group: 'work', roles: STAFF },
  { id: 'media', href: '/media', label: 'nav.media', group: 'content', roles: STAFF },
  { id: 'templates', href: '/templates', label: 'nav.templates', group: 'content', roles: STAFF },
  // The members area: a unit's members, invitations, staff-made members and share rules; and
  // participation per unit. Reviewers see their own unit and the units below it.
  {
    id: 'members',
    href: '/members',
    label: 'member-admin.nav',
    group: 'admin',
    roles: ['admin', 'reviewer'],
    also: ['/members/invitations', '/members/new', '/members/rules'],
  },
  {
    id: 'participation',
    href: '/members/participation',
    label: 'member-admin.participationNav',
    group: 'admin',
    roles: ['admin', 'reviewer'],
  },
  { id: 'channels', href: '/admin/channels', label: 'nav.channels', group: 'admin', roles: ['admin'] },
  { id: 'users', href: '/admin/users', label: 'nav.users', group: 'admin', roles: ['admin'] },
  { id: 'units', href: '/admin/units', label: 'nav.units', group: 'admin', roles: ['admin'] },
];

const GROUP_ORDER: readonly NavGroup[] = ['work', 'content', 'admin'];

function owns(prefix: string, path: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

/** The section a path belongs to: the longest matching prefix, "/" only for the home page itself. */
export function currentSection(path: string, sections: readonly NavSection[] = NAV_SECTIONS) {
  let best: { id: string; length: number } | undefined;
  for (const section of sections) {
    const prefixes = [...(section.href === '/' ? [] : [section.href]), ...(section.also ?? [])];
    if (section.href === '/' && path === '/') return section.id;
    for (const prefix of prefixes) {
      if (owns(prefix, path) && prefix.length > (best?.length ?? -1))
        best = { id: section.id, length: prefix.length };
    }
  }
  return best?.id;
}

export interface NavItem {
  id: string;
  href: string;
  label: string;
  current: boolean;
}

export interface NavView {
  groups: { id: NavGroup; label: string; items: NavItem[] }[];
  current: string | undefined;
}

/** The sections a role may use, grouped, with the one the path belongs to marked. */
export function navFor(
  role: UserRole,
  path: string,
  sections: readonly NavSection[] = NAV_SECTIONS,
): NavView {
  const visible = sections.filter((s) => s.roles.includes(role));
  const current = currentSection(path, visible);
  const groups = GROUP_ORDER.map((group) => ({
    id: group,
    label: `nav.group_${group}`,
    items: visible
      .filter((s) => s.group === group)
      .map((s) => ({ id: s.id, href: s.href, label: s.label, current: s.id === current })),
  })).filter((g) => g.items.length > 0);
  return { groups, current };
}

/**
 * Puts `nav` in res.locals for signed-in page views, so every page — the error page too —
 * gets the same shell without each route passing it.
 */
export function navigation(): RequestHandler {
  return (req, res, next) => {
    if (req.actor && !req.path.startsWith('/api/') && !req.path.startsWith('/assets/')) {
      res.locals.nav = {
        ...navFor(req.actor.role, req.path),
        user: { name: req.actor.name, role: req.actor.role },
      };
    }
    next();
  };
}
