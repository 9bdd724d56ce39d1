// node-oidc-provider (panva) configured as the benchmark peer for scenarios 1, 2 and 5.
//
// Configured to do the same work as our provider for those scenarios:
//  - one confidential client, client_secret_basic, grants client_credentials + refresh_token;
//  - access tokens are JWTs signed ES256 (resource indicators with accessTokenFormat "jwt"),
//    as ours (RFC 9068), not the opaque default;
//  - refresh tokens rotate on every use (rotateRefreshToken: true);
//  - signing keys RS256 + ES256 published at /jwks, discovery at /.well-known/openid-configuration.
// Storage is the library's default in-process adapter (what it ships with), over a store of
// 1,000,000 entries instead of its 1,000: a refresh run rotates more tokens than 1,000 and the
// LRU evicted the minted tokens the measured window had not used yet (every refresh failed).
//
// Usage: node server.mjs --port P --client-id ID --client-secret S [--mint N --mint-out FILE]
// --mint N creates N refresh-token families (as a code exchange with offline_access would)
// and writes their values as a JSON array to FILE before listening.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';

// Given as the provider's adapter (a factory): oidc-provider 9 gives its default in-memory
// adapter a store of its own, so replacing the module's global store (setStorage) changed
// nothing and the 1,000-entry LRU still evicted the minted tokens during the warm-up.
const store = new LRU({ maxSize: 1_000_000 });
const adapter = (model) => new MemoryAdapter(model, store);

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, cur, i, all) => {
    if (cur.startsWith('--')) acc.push([cur.slice(2), all[i + 1]]);
    return acc;
  }, []),
);
const port = Number(args.port || 3000);
const clientId = args['client-id'] || 'bench';
const clientSecret = args['client-secret'] || randomBytes(32).toString('base64url');
const mint = Number(args.mint || 0);
const issuer = `http://127.0.0.1:${port}`;
const RESOURCE = 'urn:bench:api';
const ID_TOKEN_IN_REFRESH = args['refresh-scope'] ? args['refresh-scope'].split(' ').includes('openid') : true;

function jwk(type, opts, alg) {
  const { privateKey } = generateKeyPairSync(type, opts);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg}-${randomBytes(4).toString('hex')}` };
}

const accounts = new Map();
function account(id) {
  return {
    accountId: id,
    async claims() {
      return { sub: id, given_name: 'Camille', family_name: 'Martin', email: 'camille.martin@example.fr', email_verified: true };
    },
  };
}

const provider = new Provider(issuer, {
  adapter,
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1:9/cb'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'openid profile email offline_access api',
  }],
  jwks: { keys: [jwk('rsa', { modulusLength: 2048 }, 'RS256'), jwk('ec', { namedCurve: 'P-256' }, 'ES256')] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'api'],
  claims: { openid: ['sub'], profile: ['given_name', 'family_name'], email: ['email', 'email_verified'] },
  async findAccount(ctx, id) {
    if (!accounts.has(id)) accounts.set(id, account(id));
    return accounts.get(id);
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: RESOURCE,
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 600, ClientCredentials: 600, IdToken: 600, RefreshToken: 30 * 24 * 3600,
    Grant: 30 * 24 * 3600, Session: 8 * 3600, Interaction: 3600, AuthorizationCode: 60,
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

async function mintRefreshTokens(n) {
  const client = await provider.Client.find(clientId);
  const scope = ID_TOKEN_IN_REFRESH ? 'openid offline_access api' : 'offline_access api';
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const accountId = `account-${i}`;
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope(ID_TOKEN_IN_REFRESH ? 'openid offline_access' : 'offline_access');
    grant.addResourceScope(RESOURCE, 'api');
    const grantId = await grant.save();
    const rt = new provider.RefreshToken({
      accountId, client, grantId, gty: 'authorization_code', scope, resource: RESOURCE,
      authTime: Math.floor(Date.now() / 1000), acr: 'eidas1', amr: ['pwd'],
    });
    out.push(await rt.save());
  }
  return out;
}

if (mint > 0) {
  const tokens = await mintRefreshTokens(mint);
  writeFileSync(args['mint-out'], JSON.stringify(tokens));
}
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`peer listening ${issuer} (oidc-provider, node ${process.version})`);
});
server.keepAliveTimeout = 30000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
