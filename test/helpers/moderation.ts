// Roles for tests: turn a registered account into an admin or a moderator.
import type { TestServer } from './server.ts';
import { registeredClient } from './web-client.ts';
import type { WebClient } from './web-client.ts';

/** Registers an account through the form and gives it a role directly in the database. */
export async function staffClient(server: TestServer, nickname: string, role: 'admin' | 'moderator'): Promise<WebClient> {
  const client = await registeredClient(server.url, nickname);
  const id = (await server.runtime.ctx.db('profiles').where({ nickname, is_local: true }).first('id')).id;
  await server.runtime.ctx.db('users').where({ id }).update({ is_admin: role === 'admin', is_moderator: role === 'moderator' });
  return client;
}

/** The id of a local profile. */
export async function profileId(server: TestServer, nickname: string): Promise<number> {
  return Number((await server.runtime.ctx.db('profiles').where({ nickname, is_local: true }).first('id')).id);
}

/** The id of the newest notice of a local profile. */
export async function latestNoticeId(server: TestServer, nickname: string): Promise<number> {
  const id = await profileId(server, nickname);
  return Number((await server.runtime.ctx.db('notices').where({ profile_id: id }).orderBy('id', 'desc').first('id')).id);
}

/** How many entries the moderation log has. */
export async function logCount(server: TestServer): Promise<number> {
  return Number((await server.runtime.ctx.db('moderation_log').count({ n: '*' }))[0]!.n);
}
