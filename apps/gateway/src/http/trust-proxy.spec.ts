import Fastify from 'fastify';
import { trustProxyOption } from './trust-proxy';

/** The address Fastify reports for a request from `socket` with this X-Forwarded-For. */
async function clientIp(
  setting: string,
  forwardedFor: string,
  socket = '10.0.0.2',
): Promise<string> {
  const app = Fastify({ trustProxy: trustProxyOption(setting) });
  app.get('/', (req) => ({ ip: req.ip }));
  const res = await app.inject({
    url: '/',
    remoteAddress: socket,
    headers: { 'x-forwarded-for': forwardedFor },
  });
  await app.close();
  return res.json<{ ip: string }>().ip;
}

describe('TRUST_PROXY', () => {
  // The client forged "1.1.1.1"; the proxy at 10.0.0.2 appended the real peer 203.0.113.9.
  const chain = '1.1.1.1, 203.0.113.9';

  it.each([
    ['false', '10.0.0.2'],
    ['true', '203.0.113.9'],
    ['1', '203.0.113.9'],
    ['2', '1.1.1.1'],
    ['10.0.0.0/8', '203.0.113.9'],
    ['10.0.0.2, 192.168.0.0/16', '203.0.113.9'],
  ])('%s → %s', async (setting, expected) => {
    expect(await clientIp(setting, chain)).toBe(expected);
  });

  it('an address list trusts nothing from an untrusted peer', async () => {
    expect(await clientIp('10.0.0.0/8', chain, '198.51.100.7')).toBe('198.51.100.7');
  });
});
