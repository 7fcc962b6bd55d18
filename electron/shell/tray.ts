/**
 * The tray icon, a view of the one ClientState (Mattermost's AppState → tray pattern): image,
 * tooltip, macOS title and menu all come from the pure `trayView`. Redrawn on state change, on a
 * theme change and every few seconds (for "updated 5 s ago").
 */
import { Menu, Tray, nativeImage, nativeTheme, type MenuItemConstructorOptions } from 'electron';
import path from 'node:path';
import type { ClientState } from '#common/index.js';
import { trayView, type TrayMenuItem, type TrayView } from '../tray.js';

export interface TrayControllerOptions {
  assetsDir: string;
  platform: NodeJS.Platform;
  state(): ClientState;
  subscribe(listener: () => void): () => void;
  onOpen(): void;
  onMenu(id: TrayMenuItem['id']): void;
  /** Also told about each new view (badge, test recorder). */
  onView?(view: TrayView): void;
  refreshEveryMs?: number;
}

export class TrayController {
  readonly tray: Tray;
  private last: { file: string; tooltip: string; title: string; menu: string } | null = null;
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;
  lastView: TrayView | null = null;

  constructor(private readonly opts: TrayControllerOptions) {
    const first = this.view();
    this.tray = new Tray(this.image(first));
    // Windows and macOS report clicks; on Linux the menu (with "Open Klaxon") is the way in.
    this.tray.on('click', () => opts.onOpen());
    this.render();
    this.unsubscribe = opts.subscribe(() => this.render());
    nativeTheme.on('updated', () => this.render());
    this.timer = setInterval(() => this.render(), opts.refreshEveryMs ?? 5_000);
    this.timer.unref?.();
  }

  private view(): TrayView {
    return trayView(this.opts.state(), {
      platform: this.opts.platform,
      theme: nativeTheme.shouldUseDarkColors ? 'dark' : 'light',
      now: new Date(),
    });
  }

  private image(v: TrayView) {
    const img = nativeImage.createFromPath(path.join(this.opts.assetsDir, 'tray', v.image.file));
    if (v.image.template) img.setTemplateImage(true);
    return img;
  }

  render(): void {
    const v = this.view();
    this.lastView = v;
    const menuKey = JSON.stringify(v.menu);
    if (this.last?.file !== v.image.file) this.tray.setImage(this.image(v));
    if (this.last?.tooltip !== v.tooltip) this.tray.setToolTip(v.tooltip);
    if (this.opts.platform === 'darwin' && this.last?.title !== v.trayTitle) this.tray.setTitle(v.trayTitle);
    if (this.last?.menu !== menuKey)
      this.tray.setContextMenu(Menu.buildFromTemplate(v.menu.map((m) => this.menuItem(m))));
    this.last = { file: v.image.file, tooltip: v.tooltip, title: v.trayTitle, menu: menuKey };
    this.opts.onView?.(v);
  }

  private menuItem(m: TrayMenuItem): MenuItemConstructorOptions {
    if (m.id === 'separator') return { type: 'separator' };
    return { id: m.id, label: m.label, enabled: m.enabled, click: () => this.opts.onMenu(m.id) };
  }

  destroy(): void {
    this.unsubscribe();
    clearInterval(this.timer);
    this.tray.destroy();
  }
}
