import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { maskAddress, smtpTransport, transportFailure } from '../../../outbox/mail-transport';

/** A port nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('mail transport failures', () => {
  it('a refused connection is worth another attempt', async () => {
    const transport = smtpTransport(`smtp://127.0.0.1:${await closedPort()}`);
    const error = await transport.send({ messageId: '<t@x.test>', from: 'a@x.test', to: 'b@y.test', subject: 's', text: 't', html: null }).catch((e: unknown) => e);
    transport.close();
    expect(transportFailure(error)).toMatchObject({ permanent: false, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('reads SMTP replies: 5xx permanent, 4xx and refused credentials for later; addresses masked', () => {
    expect(transportFailure({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <claire.dupont@example.com>: unknown user' })).toEqual({ permanent: true, error: 'EENVELOPE 550 5.1.1 <c***@example.com>: unknown user' });
    expect(transportFailure({ code: 'EMESSAGE', responseCode: 451, response: '451 try later' }).permanent).toBe(false);
    expect(transportFailure({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }).permanent).toBe(false);
    expect(transportFailure(new Error('socket hang up')).permanent).toBe(false);
    expect(maskAddress('bob@demo.test')).toBe('b***@demo.test');
  });
});
