import { IkootaClaims } from './jwt-claims';

interface Entry {
  claims: IkootaClaims;
  /** The token's `exp` (Unix seconds); Infinity for a token without one. */
  exp: number;
}

/**
 * The claims of bearer tokens whose signature and claims already checked out, by the exact token
 * string. A client sends the same JWT with every request (join, token, heartbeat, my-calls), and
 * verifying it (HMAC, base64 and JSON decoding, claim checks) is one of the larger costs on the
 * token path. A token never changes, so its verdict holds until its `exp`, which is checked here
 * the way jsonwebtoken checks it; an expired entry is dropped and the token verified again, which
 * then refuses it with the usual answer. Only accepted tokens are kept, at most `limit` of them,
 * oldest out first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limit = 10_000) {}

  get(token: string, nowMs = Date.now()): IkootaClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (Math.floor(nowMs / 1000) >= entry.exp) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: IkootaClaims, exp: unknown): void {
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { claims, exp: typeof exp === 'number' ? exp : Infinity });
  }
}
