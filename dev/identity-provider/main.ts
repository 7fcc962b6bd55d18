// `npm run dev:idp`: the development identity provider on 127.0.0.1:8788 (override with
// --port <n> / --host <h> or KLAXON_IDP_PORT / KLAXON_IDP_HOST), with the demo web client
// `klaxon-web` registered for the Klaxon server on 127.0.0.1:8787.
import { parseArgs } from 'node:util';
import { startIdentityProvider } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'web-redirect': { type: 'string', multiple: true },
    resource: { type: 'string' },
  },
});

const port = Number(values.port ?? process.env.KLAXON_IDP_PORT ?? 8788);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(
    `Invalid port "${values.port ?? process.env.KLAXON_IDP_PORT}": use a number from 0 to 65535, e.g. --port 8788.`,
  );
  process.exit(2);
}
const host = values.host ?? process.env.KLAXON_IDP_HOST ?? '127.0.0.1';
const webRedirects = values['web-redirect'] ?? ['http://127.0.0.1:8787/auth/callback'];

try {
  const idp = await startIdentityProvider({
    host,
    port,
    ...(values.resource ? { resource: values.resource } : {}),
    webClients: [{ clientId: 'klaxon-web', clientSecret: 'demo-web-secret', redirectUris: webRedirects }],
  });
  const width = Math.max(...idp.accounts.map((a) => a.username.length));
  console.log(`Klaxon development identity provider
  issuer:    ${idp.issuer}
  discovery: ${idp.issuer}/.well-known/openid-configuration
  resource:  ${idp.resource} (access-token audience)
  clients:   klaxon-desktop (public, native, loopback any port, PKCE)
             klaxon-web (secret "demo-web-secret", redirect ${webRedirects.join(', ')})
  accounts (password = username):
${idp.accounts.map((a) => `    ${a.username.padEnd(width)}  ${a.name.padEnd(15)} groups: ${a.groups.join(', ') || '(none)'}`).join('\n')}
Press Ctrl+C to stop.`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the identity provider...`);
    idp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (e) {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    console.error(`Port ${port} on ${host} is already in use. Stop the other process or pass --port <n>.`);
  else console.error(`The identity provider could not start: ${(e as Error).message}`);
  process.exit(1);
}
