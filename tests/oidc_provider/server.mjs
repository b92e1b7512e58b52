// An OpenID Connect provider on loopback for the test suite, built on the certified
// `oidc-provider` package. Never for production: accounts need no password.
//
// Configuration comes as JSON in OIDC_TEST_CONFIG:
//   { "port": 0, "clients": [...], "accounts": { "login": { claims } } }
// It prints "listening <issuer>" once ready. Test-only control endpoints (loopback only):
//   POST /__test__/accounts   {"login": "...", "claims": {...}}  adds or replaces an account
//   POST /__test__/misbehave  {"mode": "" | "wrong-issuer" | "bad-signature" | "expired"}
// A misbehaving provider rewrites the ID token of its token endpoint's answer: with another
// issuer or an expiry in the past (signed with its own key), or signed with a key that it
// does not publish (same key id), so the site's checks meet what a broken or forged provider
// would send, through the whole real flow (login page, code, PKCE, token endpoint).

import http from 'node:http';
import { randomUUID } from 'node:crypto';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const accounts = new Map(Object.entries(config.accounts || {}));
let mode = '';

const kid = 'test-key-1';
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
const { privateKey: strangerKey } = await jose.generateKeyPair('RS256', { extractable: true });

const server = http.createServer();
await new Promise((resolve) => { server.listen(config.port || 0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients || [],
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomUUID()] },
  // Entra's claims: oid and tid with the subject, name and preferred_username in profile.
  claims: {
    openid: ['sub', 'oid', 'tid', 'groups', 'roles'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  // The claims in the ID token itself, as Entra sends them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        // Sign out at once: the form posts itself (no person to press a button in tests).
        ctx.body = `<!doctype html><html><head><title>Signing out</title></head><body>
          ${form}<p>Signing you out of the test provider.</p>
          <button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
          </body></html>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const claims = accounts.get(id);
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
  <body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function reply(res, status, type, body) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

// The login page: a username, a password (any), one button; then straight back to the site.
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    return reply(res, 200, 'text/html', page('Test provider sign-in', `
      <form method="post" action="/interaction/${escape(uid)}/login">
        <p><label for="username">Username</label> <input id="username" name="login" required></p>
        <p><label for="password">Password</label>
           <input id="password" name="password" type="password" required></p>
        <button type="submit">Sign in</button>
      </form>`));
  }
  if (action !== 'login') return reply(res, 404, 'text/plain', 'not found');
  const form = new URLSearchParams(await readBody(req));
  const login = form.get('login') || '';
  if (!accounts.has(login)) {
    return reply(res, 200, 'text/html', page('Test provider sign-in',
      `<p role="alert">No account ${escape(login)}.</p>`));
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res,
    { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

async function control(req, res, what) {
  const body = JSON.parse((await readBody(req)) || '{}');
  if (what === 'accounts') accounts.set(body.login, body.claims || {});
  else if (what === 'misbehave') mode = body.mode || '';
  else return reply(res, 404, 'text/plain', 'not found');
  return reply(res, 200, 'application/json', '{"ok": true}');
}

async function rewriteIdToken(idToken) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey;
  if (mode === 'wrong-issuer') claims.iss = 'http://127.0.0.1:1/another-provider';
  if (mode === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
  if (mode === 'bad-signature') key = strangerKey;
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
}

provider.use(async (ctx, next) => {
  await next();
  if (mode && ctx.path === '/token' && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await rewriteIdToken(ctx.body.id_token) };
  }
});

const callback = provider.callback();
server.on('request', async (req, res) => {
  try {
    const match = req.url.match(/^\/interaction\/([^/?]+)(?:\/(\w+))?/);
    if (match) return await interaction(req, res, match[1], match[2]);
    const test = req.url.match(/^\/__test__\/(\w+)/);
    if (test && req.method === 'POST') return await control(req, res, test[1]);
    return callback(req, res);
  } catch (error) {
    console.error(error);
    return reply(res, 500, 'text/plain', String(error));
  }
});

process.on('SIGTERM', () => { server.close(); process.exit(0); });
console.log(`listening ${issuer}`);
