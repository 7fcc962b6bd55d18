import { useEffect, useRef } from 'react';
import { SettingsForm } from './SettingsForm.js';
import { useSettingsForm } from './use-settings-form.js';

/**
 * Klaxon desktop's settings, in the popover in place of the home screen. Built on settings:get /
 * settings:set: what IT set by policy is shown but disabled, with the reason next to it.
 */
export function SettingsScreen({ onClose }: { onClose(): void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const form = useSettingsForm();

  useEffect(() => headingRef.current?.focus(), []);

  // Esc leaves the settings (the home screen handles the next Esc).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <section className="settings" aria-labelledby="settings-title" data-testid="settings">
      <div className="settings-head">
        <h2 id="settings-title" ref={headingRef} tabIndex={-1}>
          Settings
        </h2>
        <button type="button" className="ghost small" onClick={onClose}>
          Back
        </button>
      </div>
      {form.draft ? (
        <SettingsForm form={form} draft={form.draft} onClose={onClose} />
      ) : (
        <p role="status">
          {form.loadError
            ? `Klaxon could not read its settings: ${form.loadError} Close and reopen Klaxon.`
            : 'Loading settings…'}
        </p>
      )}
    </section>
  );
}
