import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/logger.ts';

describe('logger', () => {
  it('censors credentials, passwords and raw bodies wherever they appear in a log entry', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const parseError = Object.assign(new Error('bad body'), { body: 'nickname=a&password=hunter2-body' });
    logger.info({
      req: { headers: { cookie: 'ostrakon.sid=s3ss10n', authorization: 'OAuth oauth_signature="s1gnature"' } },
      res: { headers: { 'set-cookie': 'ostrakon.sid=n3w-s3ss10n' } },
      form: { password: 'hunter2-form' },
      password: 'hunter2-top',
      err: parseError,
    });
    logger.error({ err: Object.assign(new Error('query failed'), { bindings: ['hunter2-binding'] }) }, 'failed');
    const output = lines.join('');
    for (const secret of ['s3ss10n', 's1gnature', 'n3w-s3ss10n', 'hunter2']) assert.ok(!output.includes(secret), `${secret} was logged: ${output}`);
    assert.match(output, /\[redacted\]/);
    assert.match(output, /bad body/, 'the rest of the entry is kept');
  });

  it('writes nothing below LOG_LEVEL', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    logger.info('quiet');
    logger.warn('loud');
    assert.equal(lines.length, 1);
    assert.equal(JSON.parse(lines[0]!).msg, 'loud');
  });
});
