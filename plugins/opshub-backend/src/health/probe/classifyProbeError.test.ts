import { classifyProbeError } from './classifyProbeError';
import { BlockedAddressError } from './guardedConnector';

/** fetch's shape: a TypeError whose cause is the network error. */
function fetchFailed(cause: unknown) {
  return new TypeError('fetch failed', { cause });
}
function coded(code: string, message = `failed ${code}`) {
  return Object.assign(new Error(message), { code });
}

describe('classifyProbeError', () => {
  it.each([
    [new BlockedAddressError('10.0.0.1 is private'), 'blocked'],
    [coded('ENOTFOUND'), 'dns'],
    [coded('EAI_AGAIN'), 'dns'],
    [coded('ECONNREFUSED'), 'connect'],
    [coded('ECONNRESET'), 'connect'],
    [coded('EHOSTUNREACH'), 'connect'],
    [coded('UND_ERR_SOCKET'), 'connect'],
    [coded('UND_ERR_CONNECT_TIMEOUT'), 'timeout'],
    [coded('UND_ERR_HEADERS_TIMEOUT'), 'timeout'],
    [coded('CERT_HAS_EXPIRED'), 'tls'],
    [coded('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls'],
    [coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls'],
    [coded('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    [coded('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls'],
  ])('classifies %s', (cause, errorClass) => {
    expect(classifyProbeError(fetchFailed(cause), 'host.test').errorClass).toBe(
      errorClass,
    );
  });

  it('builds messages from codes and the host, never from error text', () => {
    const leaky = new TypeError(
      'Request cannot be constructed from a URL that includes credentials: http://user:s3cret@host.test/',
    );
    const result = classifyProbeError(leaky, 'host.test');
    expect(result).toEqual({
      errorClass: 'connect',
      message: 'connection to host.test failed (TypeError)',
    });
    expect(
      classifyProbeError(
        fetchFailed(coded('ECONNRESET', 'socket hang up token=abc')),
        'host.test:8080',
      ).message,
    ).toBe('connection to host.test:8080 failed (ECONNRESET)');
    expect(
      classifyProbeError(fetchFailed(coded('ENOTFOUND')), 'nowhere.test')
        .message,
    ).toBe('nowhere.test did not resolve (ENOTFOUND)');
  });

  it('gives the rule of a blocked address as the message', () => {
    expect(
      classifyProbeError(
        fetchFailed(new BlockedAddressError('127.0.0.1 is loopback (...)')),
        'x',
      ),
    ).toEqual({
      errorClass: 'blocked',
      message: '127.0.0.1 is loopback (...)',
    });
  });
});
