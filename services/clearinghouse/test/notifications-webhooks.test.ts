/**
 * Webhook deliveries: Standard Webhooks signatures that a receiver verifies (and that fail on any
 * change, a wrong secret or a stale timestamp), endpoints that cannot be turned against the
 * service's own network, and retries that back off but never give up.
 */
import { Webhook } from 'standardwebhooks';
import {
  DEFAULT_RETRY,
  endpointProblem,
  isPublicAddress,
  isTransientStatus,
  isWebhookSecret,
  newWebhookSecret,
  retryDelayMs,
  signWebhook,
  STRICT_ENDPOINTS,
  verifyWebhook,
} from '../src/domain/notifications';

const AT = new Date('2026-11-22T12:00:00.250Z');
const body = JSON.stringify({ type: 'notification.issued', data: { vulnerabilityId: 'v1' } });

describe('Standard Webhooks signatures', () => {
  const secret = newWebhookSecret();

  it('signs what the reference implementation verifies, and verifies it ourselves', () => {
    expect(isWebhookSecret(secret)).toBe(true);
    const headers = signWebhook(secret, 'msg_1', AT, body);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(AT.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // The package's own verify checks the timestamp against the real clock: sign at the real now for it.
    const live = signWebhook(secret, 'msg_2', new Date(), body);
    expect(new Webhook(secret).verify(body, { ...live })).toEqual(JSON.parse(body));
    expect(verifyWebhook(secret, { ...headers }, body, AT)).toEqual({ ok: true });
  });

  it('refuses a changed body, another id, a wrong secret, a stale or future timestamp, missing headers', () => {
    const headers = signWebhook(secret, 'msg_1', AT, body);
    expect(verifyWebhook(secret, { ...headers }, body.replace('v1', 'v2'), AT)).toMatchObject({ ok: false, reason: 'no signature matches' });
    expect(verifyWebhook(secret, { ...headers, 'webhook-id': 'msg_9' }, body, AT)).toMatchObject({ ok: false });
    expect(verifyWebhook(newWebhookSecret(), { ...headers }, body, AT)).toMatchObject({ ok: false, reason: 'no signature matches' });
    expect(verifyWebhook(secret, { ...headers }, body, new Date(AT.getTime() + 6 * 60_000))).toMatchObject({ ok: false, reason: /tolerance/ });
    expect(verifyWebhook(secret, { ...headers }, body, new Date(AT.getTime() - 6 * 60_000))).toMatchObject({ ok: false, reason: /tolerance/ });
    expect(verifyWebhook(secret, { 'webhook-id': 'msg_1' }, body, AT)).toMatchObject({ ok: false, reason: /missing/ });
    expect(verifyWebhook(secret, { ...headers, 'webhook-timestamp': '1e9' }, body, AT)).toMatchObject({ ok: false, reason: /Unix seconds/ });
  });

  it('accepts any one matching signature among several (secret rotation)', () => {
    const headers = signWebhook(secret, 'msg_1', AT, body);
    const other = signWebhook(newWebhookSecret(), 'msg_1', AT, body)['webhook-signature'];
    expect(verifyWebhook(secret, { ...headers, 'webhook-signature': `${other} ${headers['webhook-signature']}` }, body, AT)).toEqual({ ok: true });
  });

  it.each(['', 'secret', 'whsec_', 'whsec_' + Buffer.alloc(8).toString('base64')])('refuses %j as a secret', (s) => {
    expect(isWebhookSecret(s)).toBe(false);
  });
});

describe('webhook endpoints are guarded against server-side request forgery', () => {
  it.each([
    'http://hooks.example.com/x',
    'https://127.0.0.1/x',
    'https://localhost/x',
    'https://intranet/x',
    'https://svc.internal/x',
    'https://10.1.2.3/x',
    'https://172.16.0.1/x',
    'https://192.168.1.1/x',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/x',
    'https://0.0.0.0/x',
    'https://[::1]/x',
    'https://[fd00::1]/x',
    'https://[fe80::1]/x',
    'https://[::ffff:127.0.0.1]/x',
    'https://[::ffff:10.0.0.1]/x',
    'https://[64:ff9b::a00:1]/x',
    'https://2130706433/x',
    'https://0x7f.1/x',
    'https://user:pass@hooks.example.com/x',
    'ftp://hooks.example.com/x',
    'not a url',
    'https://hooks.example.com/' + 'x'.repeat(3_000),
  ])('refuses %s', (url) => {
    expect(endpointProblem(url, STRICT_ENDPOINTS)).toEqual(expect.any(String));
  });

  it.each(['https://hooks.example.com/rampart', 'https://8.8.8.8/x', 'https://[2001:4860:4860::8888]/x', 'https://hooks.example.com:8443/a?b=c'])('accepts %s', (url) => {
    expect(endpointProblem(url, STRICT_ENDPOINTS)).toBeUndefined();
  });

  it('allows loopback over http only when configured to (tests)', () => {
    expect(endpointProblem('http://127.0.0.1:8080/hook', { allowHttp: true, allowPrivate: true })).toBeUndefined();
    expect(endpointProblem('http://127.0.0.1:8080/hook', { allowHttp: true, allowPrivate: false })).toMatch(/non-public/);
  });

  it.each([
    ['8.8.8.8', true],
    ['2001:4860:4860::8888', true],
    ['127.0.0.1', false],
    ['10.0.0.1', false],
    ['169.254.169.254', false],
    ['::1', false],
    ['::ffff:192.168.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['fe80::1%eth0', false],
    ['224.0.0.1', false],
    ['not-an-ip', false],
  ])('after DNS, %s is public: %s', (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });
});

describe('retries', () => {
  it('back off exponentially within jitter, never sooner than half, and stay at the cap forever', () => {
    const delays = [1, 2, 3, 4].map((n) => [retryDelayMs(n, DEFAULT_RETRY, 0), retryDelayMs(n, DEFAULT_RETRY, 1)]);
    expect(delays).toEqual([
      [500, 1_000],
      [1_000, 2_000],
      [2_000, 4_000],
      [4_000, 8_000],
    ]);
    for (const attempt of [20, 1_000, Number.MAX_SAFE_INTEGER]) {
      const d = retryDelayMs(attempt, DEFAULT_RETRY, 0.5);
      expect(d).toBeGreaterThanOrEqual(DEFAULT_RETRY.maxDelayMs / 2);
      expect(d).toBeLessThanOrEqual(DEFAULT_RETRY.maxDelayMs);
    }
    expect(retryDelayMs(1, DEFAULT_RETRY, Number.NaN)).toBe(500);
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [408, true],
    [400, false],
    [404, false],
    [410, false],
  ])('HTTP %i is transient: %s', (status, transient) => {
    expect(isTransientStatus(status)).toBe(transient);
  });
});
