// Which post states allow which actions. A post in the wrong state gets 409 with its state named.
import type { PostStatus } from '../db/schema.ts';
import { ConflictError } from '../errors.ts';

export function assertStatus(
  post: { status: PostStatus },
  allowed: readonly PostStatus[],
  action: string,
): void {
  if (!allowed.includes(post.status)) {
    throw new ConflictError(
      `Cannot ${action} a post that is ${post.status} (allowed from: ${allowed.join(', ')})`,
      'wrong_state',
      {
        status: post.status,
        allowed,
      },
    );
  }
}

export function assertVersion(post: { version: number }, version: number | undefined): void {
  if (version !== undefined && version !== post.version) {
    throw new ConflictError(
      `The post changed since you opened it (now version ${post.version})`,
      'stale_version',
      { version: post.version },
    );
  }
}
