// The benchmark's ceiling: a bare node:http + pg server that reads the same rows as Ostrakon for the
// same pages and renders HTML of about the same size with template literals; nothing else (no
// framework, no logging, no security headers). Run by test/bench/run.ts in a process of its own:
// DATABASE_URL, PORT and PUBLIC_URL from the environment; prints "listening" when ready.
// Pages: /, /atom, /:nickname, /:nickname/all, each with ?before=<id>; a session cookie signs in
// (and, as on Ostrakon, adds each notice's favorite and repeat buttons, read in one query a page).
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const publicUrl = process.env.PUBLIC_URL ?? '';
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Row = { id: string; rendered: string; created_at: Date; nickname: string; fullname: string | null; conversation_id: string; in_reply_to: string | null };
type Viewer = { id: string; nickname: string } | undefined;

const COLUMNS = 'n.id, n.rendered, n.created_at, n.conversation_id, n.in_reply_to, p.nickname, p.fullname';
const PAGE = 20;

function page(title: string, viewer: Viewer, body: string): string {
  const nav = viewer
    ? `<li><a href="/${viewer.nickname}/all">Home</a></li><li><a href="/${viewer.nickname}">Profile</a></li><li><a href="/${viewer.nickname}/replies">Replies</a></li><li><a href="/settings/profile">Settings</a></li>`
    : '<li><a href="/main/login">Log in</a></li><li><a href="/main/register">Register</a></li>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Ostrakon</title><link rel="stylesheet" href="/css/site.css">
<link rel="search" type="application/opensearchdescription+xml" href="/opensearch/notice" title="Ostrakon notices">
<link rel="search" type="application/opensearchdescription+xml" href="/opensearch/people" title="Ostrakon people">
</head><body><a class="skip-link" href="#content">Skip to content</a>
<header class="site-header"><a class="site-name" href="/">Ostrakon</a><nav aria-label="Main"><ul><li><a href="/">Public</a></li><li><a href="/tags">Tags</a></li>${nav}</ul></nav>
<form method="get" action="/search/notice" class="nav-search" role="search" aria-label="Search this site"><label for="nav-search-q" class="visually-hidden">Search for</label>
<input type="search" id="nav-search-q" name="q" placeholder="Search notices or people"><button type="submit"><span class="visually-hidden">Search </span>Notices</button>
<button type="submit" formaction="/search/people"><span class="visually-hidden">Search </span>People</button></form></header>
<main id="content" tabindex="-1">${body}</main>
<footer class="site-footer"><p>This site runs Ostrakon, free software for federated microblogging (AGPL-3.0-or-later).</p></footer></body></html>`;
}

// What a signed-in reader's buttons need, as Ostrakon reads it: one query for the page.
type ButtonState = Map<string, { favorited: boolean; repeated: boolean }>;
async function buttonState(viewer: Viewer, rows: Row[]): Promise<ButtonState> {
  if (!viewer) return new Map();
  const { rows: states } = await pool.query(
    `SELECT n.id, EXISTS (SELECT 1 FROM favorites f WHERE f.profile_id = $1 AND f.notice_id = n.id) AS favorited,
            EXISTS (SELECT 1 FROM notices r WHERE r.repeat_of = n.id AND r.profile_id = $1) AS repeated
     FROM unnest($2::bigint[]) AS n (id)`,
    [viewer.id, rows.slice(0, PAGE).map((r) => r.id)],
  );
  return new Map(states.map((row) => [String(row.id), { favorited: row.favorited as boolean, repeated: row.repeated as boolean }]));
}

// A form token as long as Ostrakon's (32 random bytes in hex).
const TOKEN = 'f'.repeat(64);

function buttons(r: Row, state: ButtonState, path: string): string {
  const s = state.get(r.id) ?? { favorited: false, repeated: false };
  const form = (action: string, label: string, kind: string) =>
    `<form method="post" action="${action}" class="inline-form"><input type="hidden" name="_csrf" value="${TOKEN}"><input type="hidden" name="notice" value="${r.id}"><input type="hidden" name="returnto" value="${esc(path)}#notice-${r.id}"><button type="submit" class="link-button ${kind}">${label}<span class="visually-hidden"> the notice by ${esc(r.nickname)}</span></button></form>`;
  return `<div class="notice-actions">${form(s.favorited ? '/main/disfavor' : '/main/favor', s.favorited ? 'Unfavorite' : 'Favorite', 'favor')}${form(s.repeated ? '/main/unrepeat' : '/main/repeat', s.repeated ? 'Undo repeat' : 'Repeat', 'repeat')}</div>`;
}

function notices(rows: Row[], viewer: Viewer, path: string, state: ButtonState): string {
  const items = rows.slice(0, PAGE).map((r) => {
    const name = esc(r.fullname || r.nickname);
    const iso = r.created_at.toISOString();
    const context = r.in_reply_to !== null || r.conversation_id !== r.id ? ` · <a href="/conversation/${r.conversation_id}#notice-${r.id}" class="context">in context</a>` : '';
    const reply = viewer ? ` · <a href="/notice/new?inreplyto=${r.id}" class="reply">Reply<span class="visually-hidden"> to ${esc(r.nickname)}</span></a>` : '';
    return `<li class="notice" id="notice-${r.id}"><article aria-label="Notice by ${esc(r.nickname)}">
<img class="avatar" src="/avatar/default-48.png" width="48" height="48" alt="">
<p class="notice-author"><a href="/${esc(r.nickname)}" class="author">${name}</a> <span class="handle">${esc(r.nickname)}</span></p>
<p class="notice-text">${r.rendered}</p>
<p class="notice-meta"><a href="/notice/${r.id}" class="permalink"><time datetime="${iso}" title="${iso}">${iso.slice(0, 10)}</time></a>${context}${reply}</p>
${viewer ? buttons(r, state, path) : ''}</article></li>`;
  });
  const older = rows.length > PAGE ? `<nav class="pagination" aria-label="Pages"><a href="${path}?before=${rows[PAGE - 1]!.id}" rel="next">Older notices</a></nav>` : '';
  return `<ol class="notices">${items.join('\n')}</ol>${older}`;
}

async function signedIn(cookie: string | undefined): Promise<Viewer> {
  const sid = cookie?.match(/ostrakon\.sid=s%3A([^.;]+)/)?.[1];
  if (!sid) return undefined;
  const { rows } = await pool.query(
    `SELECT p.id, p.nickname FROM sessions s JOIN profiles p ON p.id = (s.sess->>'userId')::bigint WHERE s.sid = $1 AND s.expire > now()`,
    [decodeURIComponent(sid)],
  );
  return rows[0] as Viewer;
}

function atom(rows: Row[]): string {
  const entries = rows.slice(0, PAGE).map((r) => {
    const url = `${publicUrl}/notice/${r.id}`;
    const date = r.created_at.toISOString();
    return `<entry><id>${url}</id><title>${esc(r.nickname)}: ${esc(r.rendered.slice(0, 60))}</title><updated>${date}</updated><published>${date}</published><author><name>${esc(r.nickname)}</name><uri>${publicUrl}/${esc(r.nickname)}</uri></author><link rel="alternate" type="text/html" href="${url}"/><content type="html">${esc(r.rendered)}</content></entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>${publicUrl}/atom</id><title>Ostrakon public timeline</title><updated>${rows[0]?.created_at.toISOString() ?? ''}</updated><link rel="self" href="${publicUrl}/atom"/>${entries.join('')}</feed>`;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://ceiling');
  const before = /^\d+$/.test(url.searchParams.get('before') ?? '') ? Number(url.searchParams.get('before')) : null;
  const viewer = await signedIn(req.headers.cookie);
  const parts = url.pathname.split('/').filter(Boolean);
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'atom')) {
    const { rows } = await pool.query(
      `SELECT ${COLUMNS} FROM notices n JOIN profiles p ON p.id = n.profile_id WHERE n.is_local AND ($1::bigint IS NULL OR n.id < $1) ORDER BY n.id DESC LIMIT ${PAGE + 1}`,
      [before],
    );
    if (parts[0] === 'atom') return send(200, 'application/atom+xml; charset=utf-8', atom(rows as Row[]));
    const state = await buttonState(viewer, rows as Row[]);
    return send(200, 'text/html; charset=utf-8', page('Public timeline', viewer, `<h1>Public timeline</h1><section aria-label="Notices">${notices(rows as Row[], viewer, '/', state)}</section>`));
  }
  const nickname = parts[0]!;
  const home = parts[1] === 'all';
  if (parts.length > 2 || (parts.length === 2 && !home)) return send(404, 'text/plain', 'not found');
  // The profile and its header counts, then the page of notices: the same two round trips as Ostrakon.
  const { rows: found } = await pool.query(
    `SELECT p.*, notice_count AS notices, subscription_count AS subscriptions, subscriber_count AS subscribers
     FROM profiles p WHERE p.nickname = $1 AND p.is_local`,
    [nickname],
  );
  const profile = found[0];
  if (!profile) return send(404, 'text/plain', 'not found');
  const { rows } = home
    ? await pool.query(
        `SELECT ${COLUMNS} FROM (SELECT notice_id FROM home_timeline_entries WHERE user_id = $1 AND ($2::bigint IS NULL OR notice_id < $2)
                                  ORDER BY notice_id DESC LIMIT ${PAGE + 1}) h
         JOIN notices n ON n.id = h.notice_id JOIN profiles p ON p.id = n.profile_id ORDER BY h.notice_id DESC`,
        [profile.id, before],
      )
    : await pool.query(
        `SELECT ${COLUMNS} FROM notices n JOIN profiles p ON p.id = n.profile_id WHERE n.profile_id = $1 AND ($2::bigint IS NULL OR n.id < $2) ORDER BY n.id DESC LIMIT ${PAGE + 1}`,
        [profile.id, before],
      );
  const nick = esc(profile.nickname);
  const header = `<section class="profile-header" aria-labelledby="profile-name"><img class="avatar avatar-large" src="/avatar/default-96.png" width="96" height="96" alt="${nick} has no avatar">
<h1 id="profile-name">${esc(profile.fullname ?? nick)} <span class="handle">(${nick})</span></h1><p class="bio">${esc(profile.bio ?? '')}</p>
<dl class="profile-facts"><dt>Location</dt><dd>${esc(profile.location ?? '')}</dd><dt>Member since</dt><dd>${(profile.created_at as Date).toISOString().slice(0, 10)}</dd></dl>
<ul class="counts"><li><a href="/${nick}"><span class="count" data-count="notices">${profile.notices}</span> notices</a></li><li><a href="/${nick}/subscriptions"><span class="count" data-count="subscriptions">${profile.subscriptions}</span> subscriptions</a></li><li><a href="/${nick}/subscribers"><span class="count" data-count="subscribers">${profile.subscribers}</span> subscribers</a></li></ul>
<nav class="profile-tabs" aria-label="${nick}’s pages"><ul><li><a href="/${nick}">Notices</a></li><li><a href="/${nick}/all">Home timeline</a></li><li><a href="/${nick}/replies">Replies</a></li><li><a href="/${nick}/subscriptions">Subscriptions</a></li><li><a href="/${nick}/subscribers">Subscribers</a></li></ul></nav></section>`;
  const path = home ? `/${nick}/all` : `/${nick}`;
  const state = await buttonState(viewer, rows as Row[]);
  send(200, 'text/html; charset=utf-8', page(home ? `${nick} and friends` : nick, viewer, `${header}<section aria-label="Notices">${notices(rows as Row[], viewer, path, state)}</section>`));
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(error));
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
