/**
 * Registers every request channel of common/ipc.ts with `ipcMain.handle`. Each call must come
 * from a frame of Klaxon's own UI (`app://klaxon`); the sender frame can be null after navigation
 * or destruction, and then the call is refused too. Payloads are validated by the core.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_REQUEST_CHANNELS, type IpcPushChannel, type Result } from '#common/index.js';
import { isAppUrl } from '../app-protocol.js';
import type { DesktopCore } from '../desktop-core.js';

export const REFUSED_SENDER: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'Refused: this request did not come from the Klaxon window.' },
};

function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame !== undefined && isAppUrl(frame.url);
}

export function registerIpcHandlers(
  ipcMain: IpcMain,
  core: Pick<DesktopCore, 'invoke'>,
  log: (m: string) => void = () => {},
): () => void {
  for (const channel of IPC_REQUEST_CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!isTrustedSender(event)) {
        log(`refused ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
        return REFUSED_SENDER;
      }
      return core.invoke(channel, payload);
    });
  }
  return () => {
    for (const channel of IPC_REQUEST_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Forwards the core's pushes to Klaxon windows only (never to a page that is not the app). */
export function forwardPushes(core: Pick<DesktopCore, 'subscribe'>, targets: () => WebContents[]): () => void {
  return core.subscribe((channel: IpcPushChannel, payload: unknown) => {
    for (const wc of targets()) {
      if (!wc.isDestroyed() && isAppUrl(wc.getURL())) wc.send(channel, payload);
    }
  });
}
