import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

/** What the server answers to the next message: accept it, refuse it for now (451) or for good (550). */
export type SmtpVerdict = 'accept' | 'temporary' | 'permanent';

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  /** Every message accepted, parsed by mailparser (not by our code). */
  received: ParsedMail[];
  /** Verdicts for the next messages, in order; accept once they run out. */
  verdicts: SmtpVerdict[];
  /** Messages offered (accepted or refused). */
  offered: number;
  /** Resolves with the next message accepted. */
  next(): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** A real SMTP server in-process (smtp-server), plain text on loopback, no authentication. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const waiting: Array<(mail: ParsedMail) => void> = [];
  const state: TestSmtpServer = {
    url: '',
    received: [],
    verdicts: [],
    offered: 0,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream: SMTPServerDataStream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        state.offered += 1;
        const verdict = state.verdicts.shift() ?? 'accept';
        if (verdict !== 'accept') {
          const error = Object.assign(new Error(verdict === 'temporary' ? 'Try again later' : 'Mailbox unavailable'), { responseCode: verdict === 'temporary' ? 451 : 550 });
          callback(error);
          return;
        }
        simpleParser(Buffer.concat(chunks)).then((mail) => {
          state.received.push(mail);
          waiting.shift()?.(mail);
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return state;
}
