// The navigation's sections by role and the current section of a path.
import assert from 'node:assert/strict';
import { currentSection, navFor, type NavSection } from '../../../server/http/nav.ts';

describe('navigation', () => {
  it('finds the section a path belongs to by whole path segments', () => {
    assert.equal(currentSection('/'), 'home');
    assert.equal(currentSection('/posts'), 'posts');
    assert.equal(currentSection('/posts/0b6c1c7e-8a9d-4a57-9a36-8f0e1f4f0e11/retraction'), 'posts');
    assert.equal(currentSection('/templates/new'), 'templates');
    assert.equal(currentSection('/admin/units'), 'units');
    assert.equal(currentSection('/postscript'), undefined, 'a prefix that is not a whole segment');
    assert.equal(currentSection('/account'), undefined);
  });

  it('prefers the longest prefix, so a new section can own a sub-path of another', () => {
    const sections: NavSection[] = [
      { id: 'posts', href: '/posts', label: 'p', group: 'work', roles: ['editor'] },
      { id: 'feed', href: '/feed', label: 'f', group: 'work', roles: ['member'], also: ['/posts/shared'] },
    ];
    assert.equal(currentSection('/posts/shared/1', sections), 'feed');
    assert.equal(currentSection('/posts/1', sections), 'posts');
  });

  it('shows a role only its sections, grouped, with the current one marked', () => {
    const editor = navFor('editor', '/media');
    assert.deepEqual(
      editor.groups.map((g) => [g.id, g.items.map((i) => i.id)]),
      [
        ['work', ['home', 'compose', 'calendar', 'posts', 'stats']],
        ['content', ['media', 'templates']],
      ],
    );
    assert.deepEqual(
      editor.groups.flatMap((g) => g.items.filter((i) => i.current).map((i) => i.id)),
      ['media'],
    );
    assert.deepEqual(
      navFor('admin', '/').groups.map((g) => g.id),
      ['work', 'content', 'admin'],
    );
    assert.equal(navFor('editor', '/admin/users').current, undefined, 'a page outside the role’s sections');
    assert.deepEqual(
      navFor('member', '/').groups.flatMap((g) => g.items.map((i) => i.id)),
      ['home', 'feed', 'member-settings'],
    );
  });
});
