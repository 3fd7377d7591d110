// A real SMTP server inside the test process, on a loopback port: what the site sends arrives here,
// parsed, with the envelope the client gave (the recipients the server was really asked to deliver to).
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { envelopeTo: string[]; envelopeFrom: string; raw: string; parsed: ParsedMail; to: string; subject: string; text: string };

export type TestSmtpServer = {
  /** smtp://127.0.0.1:port, for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** Waits for a message matching `match` that no earlier call took, and takes it. */
  next(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Messages to this recipient so far. */
  to(address: string): ReceivedMail[];
  stop(): Promise<void>;
};

/** Starts the server; every message is accepted. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'], // plain SMTP on loopback
    logger: false,
    async onData(stream, session, callback) {
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = await simpleParser(raw);
        const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
        received.push({
          envelopeTo: session.envelope.rcptTo.map((a) => a.address),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw,
          parsed,
          to,
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
        });
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async next(match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const mail = received.find((m) => !taken.has(m) && match(m));
        if (mail) {
          taken.add(mail);
          return mail;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no matching email within ${timeoutMs} ms; received: ${received.map((m) => `${m.envelopeTo.join(',')}: ${m.subject}`).join(' | ')}`);
    },
    to(address) {
      return received.filter((m) => m.envelopeTo.includes(address));
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link to this site's `path` prefix in an email's text, as a path (for a WebClient). */
export function linkIn(mail: ReceivedMail, prefix: string): string {
  const match = new RegExp(`https?://[^\\s/]+(${prefix.replace(/[/]/g, '\\/')}[^\\s]*)`).exec(mail.text);
  if (!match) throw new Error(`no ${prefix} link in: ${mail.text}`);
  return match[1]!;
}
