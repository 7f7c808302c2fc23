import { CoreError } from './errors.js';

/**
 * Page tokens are opaque to callers: base64url of `o:<offset>`. Decoding
 * checks the shape, so a forged or truncated token is INVALID_ARGUMENT
 * rather than a silently wrong page.
 */
export function encodePageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodePageToken(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^o:(\d{1,9})$/.exec(text);
  if (!match?.[1]) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `pageToken: expected a token from a previous page, got "${token}"`,
    );
  }
  return Number(match[1]);
}
