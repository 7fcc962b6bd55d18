/**
 * The preload (bundled to CommonJS: sandboxed preloads cannot use ESM). Exposes exactly one object,
 * `window.klaxon`, implementing KlaxonBridge for the channel names of common/ipc.ts. No Electron
 * object and no IpcRendererEvent ever reaches the page: the event's `sender` is ipcRenderer itself,
 * which would let page scripts send on any channel.
 *
 * The channel names are repeated here as literals, checked against the contract by the compiler in
 * both directions, so the preload imports only types and stays a few kilobytes (no zod, no schemas).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { IpcPushChannel, IpcRequestChannel, KlaxonBridge } from '#common/ipc.js';

export const PRELOAD_REQUEST_CHANNELS = [
  'state:get',
  'config:get',
  'auth:sign-in',
  'auth:cancel',
  'auth:sign-out',
  'oncall:get',
  'pages:create',
  'pages:mine',
  'unsent:list',
  'unsent:retry',
  'unsent:discard',
  'pages:escalate',
  'incidents:ack',
  'settings:get',
  'settings:set',
  'shell:open-external',
  'window:hide',
  'errors:report',
] as const satisfies readonly IpcRequestChannel[];
export const PRELOAD_PUSH_CHANNELS = [
  'state:changed',
  'page:updated',
  'unsent:changed',
  'navigate:incident',
] as const satisfies readonly IpcPushChannel[];

// A channel added to the contract but not here fails to compile.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : { missing: Exclude<All, Listed> };
const everyRequest: Missing<IpcRequestChannel, (typeof PRELOAD_REQUEST_CHANNELS)[number]> = true;
const everyPush: Missing<IpcPushChannel, (typeof PRELOAD_PUSH_CHANNELS)[number]> = true;
void everyRequest;
void everyPush;

const requests = new Set<string>(PRELOAD_REQUEST_CHANNELS);
const pushes = new Set<string>(PRELOAD_PUSH_CHANNELS);

export const klaxonBridge: KlaxonBridge = {
  invoke: ((channel: string, ...payload: unknown[]) => {
    if (!requests.has(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'invalid_request', message: `Unknown request "${channel}".`, field: 'channel' },
      });
    }
    return ipcRenderer.invoke(channel, payload[0]);
  }) as KlaxonBridge['invoke'],
  on: ((channel: string, listener: (payload: unknown) => void) => {
    if (!pushes.has(channel)) throw new Error(`Unknown Klaxon event "${channel}".`);
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload); // drop the event object
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  }) as KlaxonBridge['on'],
};

contextBridge.exposeInMainWorld('klaxon', klaxonBridge);
