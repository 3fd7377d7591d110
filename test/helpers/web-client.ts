// A browser-like HTTP client: keeps cookies, picks up the CSRF token from pages, never follows redirects.

export type Page = { status: number; text: string; headers: Headers; location: string | null };

const CSRF_FIELD = /name="_csrf" value="([^"]*)"/;

export class WebClient {
  readonly baseUrl: string;
  private cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  /** The session cookie's value, if any. */
  get sessionId(): string | undefined {
    return this.cookies.get('ostrakon.sid');
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (/Expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private async send(path: string, init: RequestInit): Promise<Page> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(new URL(path, this.baseUrl), { ...init, headers, redirect: 'manual' });
    this.remember(response);
    const text = await response.text();
    const token = CSRF_FIELD.exec(text)?.[1];
    if (token) this.csrfToken = token;
    return { status: response.status, text, headers: response.headers, location: response.headers.get('location') };
  }

  /** GET a page. */
  get(path: string): Promise<Page> {
    return this.send(path, { method: 'GET' });
  }

  /** POST a form, adding the CSRF token last seen unless `_csrf` is given (null sends none). */
  async post(path: string, fields: Record<string, string | string[] | null> = {}): Promise<Page> {
    if (this.csrfToken === undefined && !('_csrf' in fields)) await this.get('/main/login');
    const body = new URLSearchParams();
    if (!('_csrf' in fields)) body.append('_csrf', this.csrfToken ?? '');
    for (const [name, value] of Object.entries(fields)) {
      if (value === null) continue;
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
    }
    return this.send(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** POST a multipart form; `_csrf` (the token last seen) is added first unless the form has one or `withToken` is false. */
  postMultipart(path: string, form: FormData, withToken = true): Promise<Page> {
    const body = new FormData();
    if (withToken && !form.has('_csrf')) body.append('_csrf', this.csrfToken ?? '');
    for (const [name, value] of form.entries()) body.append(name, value);
    return this.send(path, { method: 'POST', body });
  }

  /** POST raw bytes with a content type. */
  postRaw(path: string, body: string | Uint8Array, contentType: string): Promise<Page> {
    return this.send(path, { method: 'POST', body, headers: { 'content-type': contentType } });
  }
}

/** Registers a user through the form and returns a signed-in client. */
export async function registeredClient(baseUrl: string, nickname: string, password = 'correct horse battery'): Promise<WebClient> {
  const client = new WebClient(baseUrl);
  await client.get('/main/register');
  const page = await client.post('/main/register', { nickname, password, email: '' });
  if (page.status !== 303) throw new Error(`registering ${nickname} answered ${page.status}: ${textOf(page.text).slice(0, 300)}`);
  await client.get(page.location!); // pick up the new session's CSRF token
  return client;
}

/** The visible text of an HTML page, roughly, for assertions and failure messages. */
export function textOf(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, '')
    .replace(/<\/?(a|span|time|strong|em|b|i|abbr)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The ids of the notices listed on a page, in order. */
export function noticeIds(html: string): number[] {
  return [...html.matchAll(/<li class="notice" id="notice-(\d+)">/g)].map((m) => Number(m[1]));
}
