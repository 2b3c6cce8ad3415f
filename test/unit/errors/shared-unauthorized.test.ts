import { unauthorized } from '../../../errors/app-error';
import { errorReply } from '../../../http/reply';

// Every unauthenticated request throws one of these, so they are shared and their reply rendered once:
// sharing must never carry one request's details, or one docs address, into another's answer.
describe('the shared 401 errors', () => {
  it('are one frozen error per reason, with the challenge RFC 6750 asks for', () => {
    const noSession = unauthorized('NO_SESSION');
    expect(unauthorized('NO_SESSION')).toBe(noSession);
    expect(Object.isFrozen(noSession) && Object.isFrozen(noSession.extra) && Object.isFrozen(noSession.extra.headers)).toBe(true);
    expect(() => {
      (noSession.extra as { detail?: string }).detail = 'a request of its own';
    }).toThrow(TypeError);
    expect(noSession.extra.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(unauthorized('SESSION_EXPIRED').extra.headers).toEqual({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  });

  it('are not shared when they carry a detail for the log', () => {
    const withDetail = unauthorized('INVALID_SIGNATURE', 'TIMESTAMP_OUT_OF_TOLERANCE');
    expect(withDetail).not.toBe(unauthorized('INVALID_SIGNATURE'));
    expect(withDetail.extra.detail).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    expect(unauthorized('INVALID_SIGNATURE').extra.detail).toBeUndefined();
  });

  it('answer with one reply per docs address, rendered once', () => {
    const error = unauthorized('INVALID_BEARER_TOKEN');
    const first = errorReply(error, 'https://api.example.test/docs');
    expect(errorReply(error, 'https://api.example.test/docs')).toBe(first);
    expect(first.status).toBe(401);
    expect(JSON.parse(String(first.body))).toEqual({
      errors: [{ code: 'unauthorized', message: 'INVALID_BEARER_TOKEN', doc_url: 'https://api.example.test/docs/errors/unauthorized' }],
    });
    const elsewhere = errorReply(error, 'https://other.example.test/docs');
    expect(JSON.parse(String(elsewhere.body)).errors[0].doc_url).toBe('https://other.example.test/docs/errors/unauthorized');
    expect(first.headers['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
  });
});
