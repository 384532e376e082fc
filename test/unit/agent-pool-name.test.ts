// SchannelAgent pools sockets by getName(): node's https.Agent builds it from node:tls's options
// only, so this package's own (a store certificate, revocation, security level, a chooser) must be
// added, or a request asking for another client certificate would get a socket made with the first.
import { describe, expect, it } from 'vitest';
import { Agent } from 'node:https';
import { SchannelAgent } from '../../lib/http/agent';

const base = { host: 'intranet.test', port: 443 };

describe('SchannelAgent.getName', () => {
  const agent = new SchannelAgent();

  it('is https.Agent\'s name when no option of this package is given', () => {
    expect(agent.getName({ ...base, ca: 'x' } as never)).toBe(new Agent().getName({ ...base, ca: 'x' } as never));
  });

  it('tells apart requests that differ only in an option of this package', () => {
    const names = [
      { certificate: { store: 'MY', thumbprint: 'A'.repeat(40) } },
      { certificate: { store: 'MY', thumbprint: 'B'.repeat(40) } },
      { revocation: 'strict' },
      { securityLevel: 0 },
      { clientCertificate: 'auto' },
      { clientCertificate: () => null },
      { clientCertificate: () => null },
    ].map((own) => agent.getName({ ...base, ...own } as never));
    expect(new Set(names).size).toBe(names.length);
  });

  it('tells requests with different secureContexts apart, and gives one context one name', () => {
    const first = {};
    const second = {};
    const withFirst = agent.getName({ ...base, secureContext: first } as never);
    expect(agent.getName({ ...base, secureContext: second } as never)).not.toBe(withFirst);
    expect(agent.getName({ ...base, secureContext: first } as never)).toBe(withFirst);
    expect(withFirst).not.toBe(agent.getName(base as never));
  });

  it('gives the same name for the same options', () => {
    const chooser = () => null;
    const a = agent.getName({ ...base, certificate: { thumbprint: 'AB', store: 'MY' }, clientCertificate: chooser } as never);
    const b = agent.getName({ ...base, certificate: { store: 'MY', thumbprint: 'AB' }, clientCertificate: chooser } as never);
    expect(a).toBe(b);
  });
});
