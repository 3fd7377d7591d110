// Sending email: through the SMTP server in SMTP_URL (nodemailer), or, with none set, into the log
// at info level, so that a site without mail still starts and its operator can read the links.
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { isSendableAddress } from '../domain/email-addresses.ts';

/** One plain-text email to one recipient. */
export type MailMessage = { to: string; subject: string; text: string };

/** What became of a message: sent (or logged), or refused for good by the mail server. */
export type MailOutcome = 'sent' | 'rejected';

export type Mailer = {
  /** Sends a message; throws on failures worth retrying (network, 4xx), answers 'rejected' for permanent ones (5xx, a bad address). */
  send(message: MailMessage): Promise<MailOutcome>;
  close(): void;
};

// Header values are one line: any control character (CR and LF above all) becomes a space, so
// nothing a person typed can start another header or the body.
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

/** The message with a subject that is one line and a recipient that is one plain address; undefined when the address is not one. */
export function sanitizeMessage(message: MailMessage): MailMessage | undefined {
  if (!isSendableAddress(message.to)) return undefined;
  return { to: message.to, subject: oneLine(message.subject).slice(0, 200), text: message.text.replace(/\r\n?/g, '\n') };
}

function isPermanent(error: unknown): boolean {
  return (error as { permanent?: unknown } | undefined)?.permanent === true;
}

/** The mailer this configuration asks for. */
export function createMailer(config: Config, logger: Logger): Mailer {
  const log = logger.child({ component: 'mail' });
  if (!config.smtpUrl) {
    return {
      async send(message) {
        const safe = sanitizeMessage(message);
        if (!safe) return 'rejected';
        log.info({ mail: safe }, `email to ${safe.to} not sent (no SMTP_URL is set); its text follows:\n${safe.text}`);
        return 'sent';
      },
      close() {},
    };
  }
  // nodemailer (7 MB of a process's memory) is loaded for the first message: web processes send none.
  const smtpUrl = config.smtpUrl;
  let transport: Promise<Transporter> | undefined;
  const transportOf = () => (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl, { from: config.mailFrom })));
  return {
    async send(message) {
      const safe = sanitizeMessage(message);
      if (!safe) {
        log.warn({ to: message.to }, 'email not sent: not a plain address');
        return 'rejected';
      }
      try {
        // A recipient object, not a string: nodemailer parses strings as address lists.
        await (await transportOf()).sendMail({ to: { name: '', address: safe.to }, subject: safe.subject, text: safe.text, disableFileAccess: true, disableUrlAccess: true });
        return 'sent';
      } catch (error) {
        if (!isPermanent(error)) throw error; // retried by the job queue, backing off
        log.warn({ err: error, to: safe.to }, 'email refused for good by the mail server');
        return 'rejected';
      }
    },
    close() {
      void transport?.then((t) => t.close());
    },
  };
}
