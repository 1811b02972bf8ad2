/**
 * Upstream address policy of the gateway (SSRF): the platform's outbound policy
 * (`platform/net/outbound.ts`), under the names the gateway has always used. Link-local and cloud
 * metadata addresses are refused unless `allowMetadata`; loopback, private and unspecified addresses
 * only when an administrator allowed private upstreams on the API.
 */
export {
  classifyAddress,
  refusal,
  guardedLookup,
  guardedAgent,
  hostPortOf,
  FORBIDDEN_OUTBOUND as FORBIDDEN_UPSTREAM,
  checkOutboundUrl as checkUpstreamUrl,
  type AddressClass,
  type OutboundPolicy as UpstreamPolicy,
} from '../../platform/net/outbound.ts';
export { isAddressLiteral } from '../../platform/net/address.ts';

/**
 * What a person is told of a failed probe or proxied call: a category, never the socket error itself
 * (ECONNREFUSED against a timeout would tell an open port from a closed one).
 */
export function upstreamFailureLabel(code: string | undefined): string {
  switch (code) {
    case 'PATRIMOINE_FORBIDDEN_OUTBOUND':
      return 'adresse de l’amont interdite';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'délai dépassé';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'nom d’hôte introuvable';
    default:
      return 'amont injoignable';
  }
}
