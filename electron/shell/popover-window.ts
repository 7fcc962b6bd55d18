/**
 * The Klaxon window: a frameless popover anchored to the tray icon that hides when it loses focus
 * (macOS, Windows), or a normal window on Linux, where panels often never report tray clicks.
 * Hardened web preferences: sandboxed, context-isolated, no Node.js in any frame, no webviews, so
 * the UI reaches the main process only through the preload's `window.klaxon`.
 */
import { BrowserWindow, screen, type Rectangle } from 'electron';
import { APP_ENTRY_URL } from '../app-protocol.js';
import { popoverPosition, windowModeFor } from '../popover-window.js';

const POPOVER_SIZE = { width: 400, height: 560 };

/**
 * Creates the hardened window. The options are one literal inside `new BrowserWindow(...)` on
 * purpose: Electronegativity reads them statically, and a helper function would hide them from it.
 */
export function createKlaxonWindow(platform: NodeJS.Platform, preloadPath: string): BrowserWindow {
  const popover = windowModeFor(platform) === 'popover';
  return new BrowserWindow({
    ...POPOVER_SIZE,
    show: false,
    frame: !popover,
    resizable: !popover,
    movable: !popover,
    minimizable: !popover,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: popover,
    alwaysOnTop: popover,
    title: 'Klaxon',
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

export class PopoverWindow {
  readonly window: BrowserWindow;
  readonly mode: 'popover' | 'window';

  constructor(
    private readonly opts: { platform: NodeJS.Platform; preloadPath: string; trayBounds(): Rectangle | null },
  ) {
    this.mode = windowModeFor(opts.platform);
    this.window = createKlaxonWindow(opts.platform, opts.preloadPath);
    if (this.mode === 'popover') this.window.on('blur', () => this.hide());
    // Closing the window hides it: Klaxon lives in the tray until the user quits.
    this.window.on('close', (event) => {
      if (!this.quitting) {
        event.preventDefault();
        this.hide();
      }
    });
    void this.window.loadURL(APP_ENTRY_URL);
  }

  private quitting = false;

  allowClose(): void {
    this.quitting = true;
  }

  isVisible(): boolean {
    return this.window.isVisible();
  }

  show(): void {
    if (this.mode === 'popover') {
      const tray = this.opts.trayBounds() ?? { x: 0, y: 0, width: 0, height: 0 };
      const display = screen.getDisplayMatching(
        tray.width ? tray : (screen.getCursorScreenPoint() as unknown as Rectangle),
      );
      const { x, y } = popoverPosition(tray, POPOVER_SIZE, display.workArea);
      this.window.setPosition(x, y, false);
    }
    this.window.show();
    this.window.focus();
  }

  hide(): void {
    if (!this.window.isDestroyed()) this.window.hide();
  }

  toggle(): void {
    if (this.isVisible()) this.hide();
    else this.show();
  }
}
