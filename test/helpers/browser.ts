/**
 * A tiny browser for redirect exchanges: fetch with manual redirects and a cookie jar per origin
 * (cookie paths and attributes beyond expiry are ignored; enough for these tests).
 */
export interface Hop { url: string; status: number; location?: string }

export class TestBrowser {
  readonly jar = new Map<string, Map<string, string>>();

  cookies(origin: string): Map<string, string> {
    let m = this.jar.get(origin);
    if (!m) this.jar.set(origin, (m = new Map()));
    return m;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  clear(origin: string): void {
    this.jar.delete(origin);
  }

  /** One request; stores cookies; does not follow redirects. */
  async request(url: string, o: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const jar = this.jar.get(u.origin);
    if (jar && jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (o.form) {
      body = new URLSearchParams(o.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(url, { method: o.method ?? (o.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      if (expired || value === '') this.cookies(u.origin).delete(name);
      else this.cookies(u.origin).set(name, value);
    }
    return res;
  }

  /** Requests `url` and follows redirects (GET) up to `max` hops. @returns the final response and the hops taken. */
  async follow(
    url: string,
    o: { method?: string; form?: Record<string, string>; max?: number; stopBefore?: (url: URL) => boolean } = {},
  ): Promise<{ res: Response; url: string; hops: Hop[]; stoppedAt?: string }> {
    const hops: Hop[] = [];
    let res = await this.request(url, o);
    let current = url;
    for (let i = 0; i < (o.max ?? 20); i += 1) {
      const location = res.headers.get('location');
      hops.push({ url: current, status: res.status, location: location ?? undefined });
      if (res.status < 300 || res.status >= 400 || !location) break;
      await res.arrayBuffer();
      const next = new URL(location, current);
      if (o.stopBefore?.(next)) return { res, url: current, hops, stoppedAt: next.href };
      current = next.href;
      res = await this.request(current);
    }
    return { res, url: current, hops };
  }
}
