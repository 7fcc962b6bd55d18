/**
 * A recording fake of the `electron` module (there is no Electron binary on the build machines).
 * Every call the adapters make is recorded in `calls`; objects keep their last state so tests can
 * assert what a user would see (tray image and tooltip, badge, window options, handlers).
 */
type Listener = (...args: unknown[]) => unknown;

export const calls: { api: string; args: unknown[] }[] = [];
const rec = (api: string, ...args: unknown[]) => {
  calls.push({ api, args });
};
export const callsTo = (api: string) => calls.filter((c) => c.api === api).map((c) => c.args);

class Emitter {
  listeners = new Map<string, Listener[]>();
  on(event: string, l: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    return this;
  }
  once(event: string, l: Listener) {
    return this.on(event, l);
  }
  removeListener(event: string, l: Listener) {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((x) => x !== l),
    );
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const l of this.listeners.get(event) ?? []) l(...args);
    return true;
  }
}

export interface FakeImage {
  path: string;
  template: boolean;
  setTemplateImage(v: boolean): void;
}
const image = (p: string): FakeImage => ({
  path: p,
  template: false,
  setTemplateImage(v) {
    this.template = v;
  },
});

class FakeWebContents extends Emitter {
  url = '';
  destroyed = false;
  sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
    rec('webContents.send', channel, payload);
  }
  getURL() {
    return this.url;
  }
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
    rec('webContents.setWindowOpenHandler');
  }
}

export class BrowserWindow extends Emitter {
  static instances: BrowserWindow[] = [];
  options: Record<string, unknown>;
  webContents = new FakeWebContents();
  visible = false;
  destroyed = false;
  position: [number, number] = [0, 0];
  overlay: { image: FakeImage | null; description: string } | null = null;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    BrowserWindow.instances.push(this);
    rec('new BrowserWindow', options);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string) {
    this.webContents.url = url;
    rec('BrowserWindow.loadURL', url);
  }
  setPosition(x: number, y: number) {
    this.position = [x, y];
    rec('BrowserWindow.setPosition', x, y);
  }
  show() {
    this.visible = true;
    rec('BrowserWindow.show');
  }
  hide() {
    this.visible = false;
    rec('BrowserWindow.hide');
  }
  focus() {
    rec('BrowserWindow.focus');
  }
  isVisible() {
    return this.visible;
  }
  isDestroyed() {
    return this.destroyed;
  }
  setOverlayIcon(img: FakeImage | null, description: string) {
    this.overlay = { image: img, description };
    rec('BrowserWindow.setOverlayIcon', img?.path ?? null, description);
  }
}

export class Tray extends Emitter {
  static instances: Tray[] = [];
  image: FakeImage;
  tooltip = '';
  title = '';
  menu: { items: Record<string, unknown>[] } | null = null;
  bounds = { x: 1000, y: 0, width: 22, height: 22 };
  constructor(img: FakeImage) {
    super();
    this.image = img;
    Tray.instances.push(this);
    rec('new Tray', img.path);
  }
  setImage(img: FakeImage) {
    this.image = img;
    rec('Tray.setImage', img.path, img.template);
  }
  setToolTip(t: string) {
    this.tooltip = t;
    rec('Tray.setToolTip', t);
  }
  setTitle(t: string) {
    this.title = t;
    rec('Tray.setTitle', t);
  }
  setContextMenu(m: { items: Record<string, unknown>[] }) {
    this.menu = m;
    rec(
      'Tray.setContextMenu',
      m.items.map((i) => i.label ?? i.type),
    );
  }
  getBounds() {
    return this.bounds;
  }
  destroy() {
    rec('Tray.destroy');
  }
}

export const Menu = { buildFromTemplate: (items: Record<string, unknown>[]) => ({ items }) };
export const nativeImage = { createFromPath: (p: string) => image(p) };
export const nativeTheme = Object.assign(new Emitter(), { shouldUseDarkColors: false });

class FakeApp extends Emitter {
  isPackaged = false;
  gotLock = true;
  userData = '/tmp/klaxon-fake-userdata';
  badgeCount = 0;
  ready = Promise.resolve();
  dock = {
    badge: '',
    setBadge: (t: string) => {
      this.dock.badge = t;
      rec('app.dock.setBadge', t);
    },
    hide: () => rec('app.dock.hide'),
  };
  requestSingleInstanceLock() {
    rec('app.requestSingleInstanceLock');
    return this.gotLock;
  }
  quit() {
    rec('app.quit');
  }
  enableSandbox() {
    rec('app.enableSandbox');
  }
  whenReady() {
    rec('app.whenReady');
    return this.ready;
  }
  getPath(name: string) {
    return name === 'userData' ? this.userData : `/tmp/${name}`;
  }
  getAppPath() {
    return '/app';
  }
  getVersion() {
    return '0.1.0';
  }
  setBadgeCount(n: number) {
    this.badgeCount = n;
    rec('app.setBadgeCount', n);
    return true;
  }
  setLoginItemSettings(s: unknown) {
    rec('app.setLoginItemSettings', s);
  }
}
export const app = new FakeApp();

export const ipcMain = {
  handlers: new Map<string, Listener>(),
  handle(channel: string, h: Listener) {
    this.handlers.set(channel, h);
    rec('ipcMain.handle', channel);
  },
  removeHandler(channel: string) {
    this.handlers.delete(channel);
    rec('ipcMain.removeHandler', channel);
  },
};

export const ipcRenderer = Object.assign(new Emitter(), {
  invoke: async (channel: string, payload: unknown) => {
    rec('ipcRenderer.invoke', channel, payload);
    return { ok: true, value: `echo:${channel}` };
  },
});

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown) {
    this.exposed.set(key, api);
    rec('contextBridge.exposeInMainWorld', key);
  },
};

export const shell = {
  openExternal: async (url: string) => {
    rec('shell.openExternal', url);
  },
};

export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  isEncryptionAvailable() {
    return this.available;
  },
  encryptString(s: string) {
    if (!this.available) throw new Error('Encryption is not available.');
    return Buffer.from(`enc(${Buffer.from(s).toString('hex')})`);
  },
  decryptString(b: Buffer) {
    const m = /^enc\(([0-9a-f]*)\)$/.exec(b.toString());
    if (!m) throw new Error('decrypt failed');
    return Buffer.from(m[1]!, 'hex').toString();
  },
  getSelectedStorageBackend() {
    return this.backend;
  },
};

export class Notification extends Emitter {
  static supported = true;
  static instances: Notification[] = [];
  static isSupported() {
    return Notification.supported;
  }
  constructor(public options: { title: string; body: string }) {
    super();
    Notification.instances.push(this);
    rec('new Notification', options);
  }
  show() {
    rec('Notification.show', this.options.title);
  }
}

export const dialog = {
  /** The button the person clicks in the next message box (an index into its `buttons`). */
  response: 0,
  async showMessageBox(...args: unknown[]) {
    // Electron's signature: (options) or (parentWindow, options).
    const options = args.length > 1 ? args[1] : args[0];
    rec('dialog.showMessageBox', options, args.length > 1 ? 'window-modal' : 'app-modal');
    return { response: this.response, checkboxChecked: false };
  },
};

export const globalShortcut = {
  registered: new Map<string, Listener>(),
  register(acc: string, cb: Listener) {
    this.registered.set(acc, cb);
    rec('globalShortcut.register', acc);
    return true;
  },
  unregisterAll() {
    this.registered.clear();
    rec('globalShortcut.unregisterAll');
  },
};

export const session = {
  defaultSession: {
    permissionRequestHandler: null as null | Listener,
    permissionCheckHandler: null as null | Listener,
    setPermissionRequestHandler(h: Listener) {
      this.permissionRequestHandler = h;
      rec('session.setPermissionRequestHandler');
    },
    setPermissionCheckHandler(h: Listener) {
      this.permissionCheckHandler = h;
      rec('session.setPermissionCheckHandler');
    },
  },
};

export const protocol = {
  handlers: new Map<string, (req: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(s: unknown) {
    rec('protocol.registerSchemesAsPrivileged', s);
  },
  handle(scheme: string, h: (req: Request) => Promise<Response>) {
    this.handlers.set(scheme, h);
    rec('protocol.handle', scheme);
  },
};

export const screen = {
  getCursorScreenPoint: () => ({ x: 0, y: 0 }),
  getDisplayMatching: () => ({ workArea: { x: 0, y: 24, width: 1440, height: 876 } }),
};

export const powerMonitor = new Emitter();
export const net = {
  online: true,
  isOnline() {
    return this.online;
  },
};

export function resetFake(): void {
  calls.length = 0;
  BrowserWindow.instances.length = 0;
  Tray.instances.length = 0;
  Notification.instances.length = 0;
  ipcMain.handlers.clear();
  contextBridge.exposed.clear();
  app.listeners.clear();
  ipcRenderer.listeners.clear();
  powerMonitor.listeners.clear();
  nativeTheme.listeners.clear();
  globalShortcut.registered.clear();
  protocol.handlers.clear();
  app.gotLock = true;
  dialog.response = 0;
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
}

const electron = {
  app,
  BrowserWindow,
  Tray,
  Menu,
  nativeImage,
  nativeTheme,
  ipcMain,
  ipcRenderer,
  contextBridge,
  shell,
  dialog,
  safeStorage,
  Notification,
  globalShortcut,
  session,
  protocol,
  screen,
  powerMonitor,
  net,
};
export default electron;
