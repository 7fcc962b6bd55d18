/**
 * Desktop notifications with Electron's `Notification`. A click opens the popover on the incident.
 * Shown notifications are kept referenced until closed: a garbage-collected Notification loses
 * its click handler.
 */
import { Notification } from 'electron';
import type { DesktopNotification } from '../notifications.js';

const live = new Set<Notification>();

export function showNotification(n: DesktopNotification, onClick: (n: DesktopNotification) => void): boolean {
  if (!Notification.isSupported()) return false;
  const notification = new Notification({ title: n.title, body: n.body, silent: false });
  live.add(notification);
  notification.on('click', () => {
    onClick(n);
    live.delete(notification);
  });
  notification.on('close', () => live.delete(notification));
  notification.show();
  return true;
}
