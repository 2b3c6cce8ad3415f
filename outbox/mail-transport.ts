import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/** One message as the transport sends it. */
export interface OutgoingMail {
  /** Globally unique, the same on every attempt (`Message-ID`), so a receiver can spot a duplicate. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

/** Where mail goes: an SMTP server, or .eml files in a folder (development and demo). */
export interface MailTransport {
  /** For the start-up banner: `SMTP smtp.example.com:587` or the folder. */
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** A refusal the transport reported: `permanent` for a 5xx reply, which no retry will change. */
export interface TransportFailure {
  permanent: boolean;
  /** Safe to store and log: addresses masked. */
  error: string;
}

const options = (mail: OutgoingMail): Mail.Options => ({
  messageId: mail.messageId,
  from: mail.from,
  to: mail.to,
  subject: mail.subject,
  text: mail.text,
  ...(mail.html ? { html: mail.html } : {}),
});

/**
 * nodemailer over SMTP (SMTP_URL: `smtp://user:pass@host:587`, `smtps://...` for TLS from the start).
 * One connection per message: a relay takes our volume easily, and a broken connection never holds
 * the next message. Timeouts stay well under the lane's lease.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 30_000 });
  const parsed = new URL(url);
  return {
    description: `SMTP ${parsed.hostname}:${parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587)}`,
    async send(mail) {
      await transporter.sendMail(options(mail));
    },
    close: () => transporter.close(),
  };
}

/**
 * Without SMTP each message becomes an .eml file (the MIME nodemailer would have sent), which any mail
 * client opens. Written under a temporary name and renamed, so a reader never sees half a file.
 */
export function emlTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const folder = resolve(dir);
  return {
    description: `.eml files in ${folder}`,
    async send(mail) {
      const info = (await transporter.sendMail(options(mail))) as { message: Buffer };
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.messageId.replace(/[^A-Za-z0-9-]/g, '_')}.eml`;
      const partial = join(folder, `.${name}.partial`);
      const write = () => writeFile(partial, info.message, { mode: 0o600 });
      // The folder is made when a write finds it missing (first message, or removed since), not before each one.
      await write().catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await mkdir(folder, { recursive: true });
        await write();
      });
      await rename(partial, join(folder, name));
    },
    close: () => transporter.close(),
  };
}

/** SMTP when SMTP_URL is set, else .eml files under MAIL_DIR. */
export function mailTransport(settings: { smtpUrl: string | undefined; mailDir: string }): MailTransport {
  return settings.smtpUrl ? smtpTransport(settings.smtpUrl) : emlTransport(settings.mailDir);
}

/** `a***@example.com`: enough to tell messages apart in a log, not a full address. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

const ADDRESS = /[^\s<>"'(),;:@]+@[^\s<>"'(),;:]+/g;

/**
 * Reads a nodemailer error: an SMTP reply 5xx is permanent (the server refuses this message for good),
 * a 4xx, a lost connection, a timeout or refused credentials (our configuration, fixed by an operator)
 * are worth another attempt. Servers quote the recipient in their replies: addresses are masked.
 */
export function transportFailure(error: unknown): TransportFailure {
  const e = (error ?? {}) as { responseCode?: unknown; code?: unknown; response?: unknown; message?: unknown };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const text = String(typeof e.response === 'string' ? e.response : (e.message ?? 'unknown error'));
  const described = `${typeof e.code === 'string' ? `${e.code} ` : ''}${text}`.replace(ADDRESS, (a) => maskAddress(a)).replace(/\s+/g, ' ').slice(0, 500);
  return { permanent: code !== undefined && code >= 500 && code < 600 && e.code !== 'EAUTH', error: described };
}
