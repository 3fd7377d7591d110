// Accounts: create-user, reset-password, delete-user, list-users.
import { registerUser } from '../domain/accounts.ts';
import { deleteAccount, listAccounts, resetPassword } from '../domain/account-admin.ts';
import { ROLES, setRole } from '../domain/moderation.ts';
import { forgetDeadDeliveriesOf } from '../federation/dead-letters.ts';
import { nicknameProblem, normalizeNickname } from '../domain/nicknames.ts';
import { CliError, UsageError } from './errors.ts';
import { formatTable } from './output.ts';
import { readNewPassword } from './password.ts';
import type { Command } from './types.ts';

const PASSWORD_NOTE = 'The password is read from OSTRAKON_PASSWORD, or else from standard input (asked twice on a terminal).';

const createUser: Command = {
  name: 'create-user',
  summary: 'Create a local account (also when registration is closed)',
  usage: '<nickname> [--email <address>] [--admin]',
  details: [PASSWORD_NOTE, 'Nickname, password and e-mail follow the same rules as the registration form.', '--admin makes the account a site admin.'],
  positionals: ['nickname'],
  options: { email: { type: 'string' }, admin: { type: 'boolean' } },
  async run(session, { positionals: [nickname], values }, io) {
    // A bad nickname is reported before the password is asked for, in registration's words.
    const nicknameError = nicknameProblem(normalizeNickname(nickname!));
    if (nicknameError) throw new CliError(nicknameError);
    const password = await readNewPassword(nickname!);
    const ctx = await session.context();
    const isAdmin = values.admin === true;
    const user = await registerUser(ctx, { nickname: nickname!, password, email: String(values.email ?? '') }, { isAdmin, byOperator: true });
    io.out(`Created ${isAdmin ? 'admin ' : ''}user ${user.nickname} (id ${user.id}).`);
  },
};

const resetPasswordCommand: Command = {
  name: 'reset-password',
  summary: 'Set a new password for a user and sign them out everywhere',
  usage: '<nickname>',
  details: [PASSWORD_NOTE],
  positionals: ['nickname'],
  options: {},
  async run(session, { positionals: [nickname] }, io) {
    const password = await readNewPassword(nickname!);
    const { user, sessionsEnded } = await resetPassword(await session.context(), nickname!, password);
    io.out(`New password set for ${user.nickname}; ${sessionsEnded} signed-in session(s) ended.`);
  },
};

const deleteUser: Command = {
  name: 'delete-user',
  summary: 'Delete an account with its notices, subscriptions and sessions',
  usage: '<nickname> --yes',
  details: [
    'Without --yes nothing is deleted. The nickname is never given out again. Followers on ActivityPub',
    'servers are sent Delete of the account; notices already pushed over OpenMicroBlogging 0.1 stay',
    'on those servers: the protocol has no way to withdraw them.',
  ],
  positionals: ['nickname'],
  options: { yes: { type: 'boolean' } },
  async run(session, { positionals: [nickname], values }, io) {
    if (values.yes !== true) throw new UsageError(`This deletes ${nickname} and everything they posted; add --yes to go ahead.`);
    const ctx = await session.context({ withJobs: true }); // the Delete to their followers' servers is queued
    const deleted = await deleteAccount(ctx, nickname!);
    const deadLetters = await forgetDeadDeliveriesOf(ctx, deleted.user.id);
    io.out(
      `Deleted ${deleted.user.nickname}: ${deleted.notices} notice(s), ${deleted.sessionsEnded} session(s), ` +
        `${deleted.remoteProfilesRemoved} remote profile(s) nobody else follows, ${deadLetters} dead deliveries.`,
    );
  },
};

const listUsers: Command = {
  name: 'list-users',
  summary: 'List local accounts with their notice counts',
  usage: '[--json]',
  positionals: [],
  options: { json: { type: 'boolean' } },
  async run(session, { values }, io) {
    const users = await listAccounts(await session.context());
    if (values.json === true) {
      const rows = users.map((u) => ({ nickname: u.nickname, id: u.id, created: u.createdAt.toISOString(), admin: u.isAdmin, notices: u.notices }));
      io.out(JSON.stringify(rows, null, 2));
      return;
    }
    if (users.length === 0) return io.err('There are no local users yet.');
    const rows = users.map((u) => [u.nickname, String(u.id), u.createdAt.toISOString().slice(0, 19).replace('T', ' '), u.isAdmin ? 'yes' : 'no', String(u.notices)]);
    for (const line of formatTable(['NICKNAME', 'ID', 'CREATED (UTC)', 'ADMIN', 'NOTICES'], rows, [false, true, false, false, true])) io.out(line);
  },
};

const setRoleCommand: Command = {
  name: 'set-role',
  summary: 'Make a user an admin, a moderator, or an ordinary user',
  usage: '<nickname> admin|moderator|user',
  details: ['Admins and moderators see the moderation pages under /admin; only admins approve sign-ups, make invites and read the log.'],
  positionals: ['nickname', 'role'],
  options: {},
  async run(session, { positionals: [nickname, role] }, io) {
    if (!(ROLES as readonly string[]).includes(role!)) throw new UsageError(`The role must be one of ${ROLES.join(', ')}, not “${role}”.`);
    const user = await setRole(await session.context(), nickname!, role!);
    io.out(`${user.nickname} is now ${role === 'user' ? 'an ordinary user' : `a${role === 'admin' ? 'n' : ''} ${role}`}.`);
  },
};

/** The account commands. */
export const userCommands: readonly Command[] = [createUser, resetPasswordCommand, deleteUser, listUsers, setRoleCommand];
