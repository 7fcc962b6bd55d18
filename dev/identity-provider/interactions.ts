// Our own interaction routes (why: docs/security-design.md#interaction-routes), replacing oidc-provider's
// devInteractions: a login form with the demo accounts listed, and a consent step with Allow and
// Deny. They run on the same node:http server as the provider, in front of provider.callback().
//   GET  /interaction/:uid          login or consent page, depending on the pending prompt
//   POST /interaction/:uid/login    username + password (urlencoded)
//   POST /interaction/:uid/confirm  grant the missing scopes/claims/resource scopes
//   POST /interaction/:uid/abort    Deny/Cancel: access_denied goes back to the client
// CSRF: the interaction is bound to a signed, path-scoped cookie that oidc-provider checks in
// interactionDetails(); a cross-site POST cannot carry it (SameSite=Lax) nor know the uid.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import { checkPassword, type DemoAccount } from './accounts.js';
import {
  consentPage,
  FAVICON,
  FAVICON_PATH,
  loginPage,
  messagePage,
  send,
  STYLESHEET,
  STYLESHEET_PATH,
} from './pages.js';

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/;
const MAX_BODY = 16 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function redirectOrigin(params: Record<string, unknown>): string[] {
  const uri = typeof params.redirect_uri === 'string' ? URL.parse(params.redirect_uri) : null;
  return uri ? [uri.origin] : [];
}

/**
 * The development provider's own pages (sign-in form, consent, stylesheet, icon). Long on purpose:
 * `handle` is a router of a few lines per path, kept in one place so every page this provider
 * serves, and its CSP, can be checked at a glance.
 */
export function createInteractionRoutes(provider: Provider, accounts: DemoAccount[]) {
  const byId = new Map(accounts.map((a) => [a.username, a]));

  async function clientName(clientId: unknown): Promise<string> {
    const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
    return client?.clientName ?? (typeof clientId === 'string' ? clientId : 'the application');
  }

  /** Returns true when the request was handled here. */
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://idp.invalid');
    if (url.pathname === STYLESHEET_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      res
        .writeHead(200, {
          'content-type': 'text/css; charset=utf-8',
          'cache-control': 'public, max-age=300',
          'x-content-type-options': 'nosniff',
        })
        .end(STYLESHEET);
      return true;
    }
    // /favicon.ico too: a browser that did not read a page's icon link still gets no 404.
    if (
      (url.pathname === FAVICON_PATH || url.pathname === '/favicon.ico') &&
      (req.method === 'GET' || req.method === 'HEAD')
    ) {
      res
        .writeHead(200, {
          'content-type': 'image/svg+xml',
          'cache-control': 'public, max-age=300',
          'x-content-type-options': 'nosniff',
        })
        .end(FAVICON);
      return true;
    }
    const m = ROUTE.exec(url.pathname);
    if (!m) return false;
    const [, uid, action] = m;
    const base = `/interaction/${uid}`;
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
      const { prompt, params } = details;
      const targets = redirectOrigin(params);
      const name = await clientName(params.client_id);

      if (req.method === 'GET' && !action) {
        if (prompt.name === 'login') {
          send(
            res,
            200,
            loginPage({ action: `${base}/login`, abortAction: `${base}/abort`, clientName: name, accounts }),
            targets,
          );
        } else if (prompt.name === 'consent') {
          const account = byId.get(details.session?.accountId ?? '');
          if (!account) throw new errors.SessionNotFound('no signed-in account');
          const scopes = String(params.scope ?? '')
            .split(' ')
            .filter(Boolean);
          send(
            res,
            200,
            consentPage({
              allowAction: `${base}/confirm`,
              denyAction: `${base}/abort`,
              clientName: name,
              account,
              scopes,
              resource: typeof params.resource === 'string' ? params.resource : undefined,
            }),
            targets,
          );
        } else {
          send(
            res,
            400,
            messagePage(
              'Unsupported step',
              `This identity provider cannot handle the "${prompt.name}" step.`,
              'Go back to Klaxon and start signing in again.',
            ),
          );
        }
        return true;
      }
      if (req.method !== 'POST' || !action) {
        res.writeHead(405, { allow: action ? 'POST' : 'GET' }).end();
        return true;
      }

      let result: InteractionResults;
      if (action === 'login') {
        if (prompt.name !== 'login') throw new errors.SessionNotFound('login is not the pending step');
        const form = await readForm(req);
        const username = form.get('username') ?? '';
        const account = checkPassword(accounts, username, form.get('password') ?? '');
        if (!account) {
          send(
            res,
            401,
            loginPage({
              action: `${base}/login`,
              abortAction: `${base}/abort`,
              clientName: name,
              accounts,
              username,
              error:
                'Wrong username or password. Check both and try again (for the demo accounts below, the password is the username).',
            }),
            targets,
          );
          return true;
        }
        result = { login: { accountId: account.username } };
      } else if (action === 'confirm') {
        if (prompt.name !== 'consent' || !details.session)
          throw new errors.SessionNotFound('consent is not the pending step');
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: String(params.client_id) });
        if (!grant) throw new errors.SessionNotFound('grant not found');
        const d = prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
          missingResourceScopes?: Record<string, string[]>;
        };
        if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
        if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {}))
          grant.addResourceScope(indicator, scopes.join(' '));
        const grantId = await grant.save();
        result = { consent: details.grantId ? {} : { grantId } };
      } else {
        result = { error: 'access_denied', error_description: 'The user denied the request at the identity provider.' };
      }
      // interactionFinished answers 303 to /auth/:uid; the provider then redirects to the client.
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: action === 'confirm' });
      return true;
    } catch (e) {
      if (res.headersSent) throw e;
      const expired = e instanceof errors.SessionNotFound || (e instanceof Error && e.name === 'SessionNotFound');
      send(
        res,
        expired ? 400 : 500,
        messagePage(
          expired ? 'Sign-in expired' : 'Sign-in failed',
          expired
            ? 'This sign-in attempt has expired or was already completed.'
            : 'The identity provider hit an unexpected error.',
          'Go back to Klaxon and start signing in again.',
        ),
      );
      return true;
    }
  };
}
