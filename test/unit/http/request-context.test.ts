import assert from 'node:assert/strict';
import { loggedUrl } from '../../../server/http/middleware/request-context.ts';

describe('request log lines', () => {
  it('redact the OAuth code and state of a callback, and leave other URLs as they are', () => {
    assert.equal(
      loggedUrl('/admin/channels/connect/facebook/callback?code=AQ123&state=s3cr3t'),
      '/admin/channels/connect/facebook/callback?code=redacted&state=redacted',
    );
    assert.equal(
      loggedUrl('/admin/channels/connect/zalo/callback?code=z&oa_id=42&state=s'),
      '/admin/channels/connect/zalo/callback?code=redacted&oa_id=42&state=redacted',
    );
    assert.equal(loggedUrl('/posts?limit=10&cursor=abc'), '/posts?limit=10&cursor=abc');
    assert.equal(loggedUrl('/admin/channels'), '/admin/channels');
  });
});
