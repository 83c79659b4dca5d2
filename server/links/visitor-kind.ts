// Who is following a link: a person, or a bot / link-preview fetcher. Previews are fetched
// every time a link is pasted into Facebook, Messenger or Zalo, so counting them as people
// would inflate every member's reach.
import { isbot } from 'isbot';

// Fetchers isbot does not know by name, or that we want to be sure of whatever its version.
const PREVIEW_FETCHERS =
  /facebookexternalhit|facebookcatalog|facebot|meta-externalagent|meta-externalfetcher|zalo[-_ ]?(link[-_ ]?preview|bot|crawler|fetcher)|zalobot/i;

export function isBotVisitor(userAgent: string): boolean {
  if (userAgent.trim() === '') return true;
  return PREVIEW_FETCHERS.test(userAgent) || isbot(userAgent);
}
