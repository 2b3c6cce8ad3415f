/**
 * The browser session cookie. Over HTTPS (production) it is `__Host-session`, Secure; on a developer's
 * plain-HTTP loopback the prefix is impossible, so it is `session` without Secure.
 */
export class SessionCookie {
  readonly name: string;
  constructor(private readonly secure: boolean) {
    this.name = secure ? '__Host-session' : 'session';
  }

  serialize(secret: string, maxAgeSeconds: number): string {
    return `${this.name}=${secret}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${this.secure ? '; Secure' : ''}`;
  }

  clear(): string {
    return `${this.name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${this.secure ? '; Secure' : ''}`;
  }

  /** The cookie's value in a `Cookie` header, if present. */
  read(cookieHeader: string | undefined): string | undefined {
    if (!cookieHeader) return undefined;
    for (const part of cookieHeader.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.name) return part.slice(eq + 1).trim() || undefined;
    }
    return undefined;
  }
}
