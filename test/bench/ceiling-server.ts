// The benchmark's ceiling: a bare node:http + pg server that reads and renders the same public
// timeline rows as Ostrakon, with one query and a string template. Run by test/bench/timelines.ts
// in a process of its own: DATABASE_URL and PORT from the environment; prints "listening" when ready.
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const server = http.createServer(async (_req, res) => {
  const { rows } = await pool.query(
    `SELECT n.id, n.rendered, n.created_at, p.nickname FROM notices n JOIN profiles p ON p.id = n.profile_id
     WHERE n.is_local ORDER BY n.id DESC LIMIT 21`,
  );
  const items = rows
    .slice(0, 20)
    .map((r) => `<li><a href="/${escape(r.nickname)}">${escape(r.nickname)}</a> <p>${r.rendered}</p> <time>${(r.created_at as Date).toISOString()}</time></li>`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html><head><title>Public</title></head><body><ol>${items.join('')}</ol></body></html>`);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
