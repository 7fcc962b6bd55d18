/**
 * Rules for every web contents Klaxon creates: no navigation away from the app, no new windows, no
 * webviews, no permissions (camera, notifications from pages, geolocation…), so a page that gets
 * into the window cannot keep the preload's bridge or reach the OS. Links the user should open go
 * through `shell:open-external` instead (its allow-list: external-links.ts).
 */
import { app, session, type WebContents } from 'electron';
import { isAppUrl } from '../app-protocol.js';

function guardWebContents(contents: WebContents, log: (m: string) => void = () => {}): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) {
      event.preventDefault();
      log(`blocked navigation to ${url}`);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    log(`blocked window.open(${url})`);
    return { action: 'deny' };
  });
}

export function installWebContentsGuards(log?: (m: string) => void): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log));
}

/** After `ready`: deny every permission request and check. */
export function denyAllPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
