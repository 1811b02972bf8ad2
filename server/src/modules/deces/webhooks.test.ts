import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { urlRefusal, webhookSignature } from './webhooks.ts';

const msg = (url: string, allowPrivate = false) => urlRefusal(url, allowPrivate)?.msg ?? null;

describe('webhook URLs (matchID’s validateWebhookUrl, deces-backend webhook.spec.ts)', () => {
  it('refuses what matchID refuses, with its message, and a French detail', () => {
    const cases: [string, string][] = [
      ['ftp://example.com', 'Only HTTPS protocol is allowed for security reasons'],
      ['http://example.com', 'Only HTTPS protocol is allowed for security reasons'],
      ['ws://example.com', 'Only HTTPS protocol is allowed for security reasons'],
      ['https://example.com:443', 'Custom ports are not allowed. Please use the default HTTPS port (443)'],
      ['https://example.com:8443', 'Custom ports are not allowed. Please use the default HTTPS port (443)'],
      ['https://example.com:80', 'Custom ports are not allowed. Please use the default HTTPS port (443)'],
      ['https://localhost', 'Localhost is not allowed. Please use a valid domain name.'],
      ['https://127.0.0.1', 'IP addresses are not allowed. Please use a valid domain name.'],
      ['https://192.168.1.1', 'IP addresses are not allowed. Please use a valid domain name.'],
      ['https://8.8.8.8', 'IP addresses are not allowed. Please use a valid domain name.'],
      ['https://[::1]/x', 'IP addresses are not allowed. Please use a valid domain name.'],
      ['https://example', 'Domain must have at least a name and an extension (e.g., example.com)'],
      ['https://example..com', 'Domain parts cannot be empty (e.g., example..com is invalid)'],
      ['https://example-.com', 'Domain parts cannot start or end with a hyphen'],
      ['https://-example.com', 'Domain parts cannot start or end with a hyphen'],
      ['https://example@.com', 'Domain parts can only contain letters, numbers, and hyphens'],
      ['https://user:pw@example.com/x', 'Domain parts can only contain letters, numbers, and hyphens'],
      ['https://example.com/', 'Invalid hostname format'],
      ['pas une url', 'Invalid URL format. Please provide a valid HTTPS URL'],
    ];
    for (const [url, m] of cases) {
      expect(msg(url), url).toBe(m);
      expect(urlRefusal(url)!.detail, url).toMatch(/[a-zé]/);
    }
  });

  it('accepts https URLs to a domain name on the default port', () => {
    for (const url of [
      'https://example.com',
      'https://sub.example.com',
      'https://example.co.uk',
      'https://example-domain.com',
      'https://hooks.example.fr/deces?k=1',
    ])
      expect(msg(url), url).toBeNull();
  });

  it('for an internal receiver (DECES_WEBHOOK_ALLOW_PRIVATE), asks only for http(s) without credentials', () => {
    expect(msg('http://127.0.0.1:8080/hook', true)).toBeNull();
    expect(msg('ftp://127.0.0.1/hook', true)).not.toBeNull();
    expect(msg('http://a:b@127.0.0.1/hook', true)).not.toBeNull();
  });

  it('signs a body with HMAC-SHA256 keyed by the challenge', () => {
    const body = '{"event":"completed","jobId":"x"}';
    expect(webhookSignature('c0ffee', body)).toBe(`sha256=${createHmac('sha256', 'c0ffee').update(body).digest('hex')}`);
    expect(webhookSignature('c0ffee', body)).not.toBe(webhookSignature('other', body));
  });
});
