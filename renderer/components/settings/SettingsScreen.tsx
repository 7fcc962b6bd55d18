import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { EffectiveSettings } from '#common/index.js';
import {
  checkSettings,
  draftFrom,
  placeSettingsError,
  settingsPatch,
  type EditableKey,
  type NotifyChoice,
  type SettingsDraft,
  type SettingsErrors,
} from '../../model/settings-form.js';
import { useApi } from '../api-context.js';
import { AlertIcon, LockIcon } from '../icons.js';

const NOTIFY_CHOICES: { value: NotifyChoice; label: string }[] = [
  { value: 'default', label: 'Default: on if you are in SRE (you can acknowledge), off otherwise' },
  { value: 'on', label: 'On' },
  { value: 'off', label: 'Off' },
];
const FIELD_ORDER: EditableKey[] = [
  'notifyNewIncidents',
  'notifyOwnPages',
  'startAtLogin',
  'globalShortcut',
  'serverUrl',
];
const fieldId = (k: EditableKey) => `settings-${k}`;

/**
 * Klaxon desktop's settings, in the popover in place of the home screen. Built on settings:get /
 * settings:set: what IT set by policy is shown but disabled, with the reason next to it.
 */
export function SettingsScreen({ onClose }: { onClose(): void }) {
  const api = useApi();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [settings, setSettings] = useState<EffectiveSettings | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    headingRef.current?.focus();
    let alive = true;
    void api.getSettings?.().then((r) => {
      if (!alive) return;
      if (r.ok) {
        setSettings(r.value);
        setDraft(draftFrom(r.value));
      } else setLoadError(r.error.message);
    });
    return () => {
      alive = false;
    };
  }, [api]);

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

  const change = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => {
    setDraft((d) => (d ? { ...d, [key]: value } : d));
    setSaved(null);
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const save = async () => {
    if (!settings || !draft || !api.setSettings || saving) return;
    setFormError(null);
    setSaved(null);
    const found = checkSettings(draft, settings.locked);
    setErrors(found);
    const first = FIELD_ORDER.find((k) => found[k]);
    if (first) return document.getElementById(fieldId(first))?.focus();
    const patch = settingsPatch(draft, settings);
    if (Object.keys(patch).length === 0) return setSaved('Nothing to save: no setting was changed.');
    setSaving(true);
    const r = await api.setSettings(patch);
    setSaving(false);
    if (r.ok) {
      setSettings(r.value);
      setDraft(draftFrom(r.value));
      setSaved('Settings saved.');
      return;
    }
    const placed = placeSettingsError(r.error);
    if (placed.field) {
      setErrors({ [placed.field]: placed.message });
      document.getElementById(fieldId(placed.field))?.focus();
    } else setFormError(`Settings not saved: ${placed.message}`);
  };

  const locked = settings?.locked ?? {};
  const describedBy = (k: EditableKey, hint?: string) =>
    [hint, locked[k] ? `${fieldId(k)}-locked` : null, errors[k] ? `${fieldId(k)}-error` : null]
      .filter(Boolean)
      .join(' ') || undefined;

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
      {!draft ? (
        <p role="status">
          {loadError
            ? `Klaxon could not read its settings: ${loadError} Close and reopen Klaxon.`
            : 'Loading settings…'}
        </p>
      ) : (
        <form
          className="settings-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <fieldset
            className="settings-group"
            disabled={Boolean(locked.notifyNewIncidents)}
            aria-describedby={describedBy('notifyNewIncidents')}
          >
            <legend>Notify me of new unacknowledged incidents</legend>
            {NOTIFY_CHOICES.map((c) => (
              <label key={c.value} className="choice">
                <input
                  type="radio"
                  name="notifyNewIncidents"
                  id={c.value === draft.notifyNewIncidents ? fieldId('notifyNewIncidents') : undefined}
                  value={c.value}
                  checked={draft.notifyNewIncidents === c.value}
                  onChange={() => change('notifyNewIncidents', c.value)}
                />
                {c.label}
              </label>
            ))}
            <Locked k="notifyNewIncidents" reason={locked.notifyNewIncidents} />
            <FieldError k="notifyNewIncidents" error={errors.notifyNewIncidents} />
          </fieldset>

          <Checkbox
            k="notifyOwnPages"
            label="Notify me when my pages are delivered or acknowledged"
            checked={draft.notifyOwnPages}
            reason={locked.notifyOwnPages}
            error={errors.notifyOwnPages}
            describedBy={describedBy('notifyOwnPages')}
            onChange={(v) => change('notifyOwnPages', v)}
          />
          <Checkbox
            k="startAtLogin"
            label="Start Klaxon when I log in"
            checked={draft.startAtLogin}
            reason={locked.startAtLogin}
            error={errors.startAtLogin}
            describedBy={describedBy('startAtLogin')}
            onChange={(v) => change('startAtLogin', v)}
          />

          <TextField
            k="globalShortcut"
            label="Shortcut that opens Klaxon"
            value={draft.globalShortcut}
            reason={locked.globalShortcut}
            error={errors.globalShortcut}
            describedBy={describedBy('globalShortcut', 'settings-globalShortcut-hint')}
            onChange={(v) => change('globalShortcut', v)}
          >
            <p id="settings-globalShortcut-hint" className="muted small-text">
              For example CommandOrControl+Shift+K (Ctrl on Windows and Linux, ⌘ on macOS).
            </p>
          </TextField>
          <TextField
            k="serverUrl"
            label="Klaxon server URL"
            value={draft.serverUrl}
            reason={locked.serverUrl}
            error={errors.serverUrl}
            describedBy={describedBy('serverUrl', 'settings-serverUrl-hint')}
            onChange={(v) => change('serverUrl', v)}
          >
            <p id="settings-serverUrl-hint" className="muted small-text">
              Changing it signs you out: you sign in again on the new server.
            </p>
          </TextField>

          {formError && (
            <p className="field-error" role="alert">
              <AlertIcon /> {formError}
            </p>
          )}
          <p role="status" className="settings-saved" data-testid="settings-saved">
            {saved}
          </p>
          <div className="settings-actions">
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function Locked({ k, reason }: { k: EditableKey; reason: string | undefined }) {
  if (!reason) return null;
  return (
    <p id={`${fieldId(k)}-locked`} className="locked-reason" data-testid={`locked-${k}`}>
      <LockIcon /> {reason}
    </p>
  );
}

function FieldError({ k, error }: { k: EditableKey; error: string | undefined }) {
  if (!error) return null;
  return (
    <p id={`${fieldId(k)}-error`} className="field-error" role="alert">
      <AlertIcon /> {error}
    </p>
  );
}

interface CheckboxProps {
  k: EditableKey;
  label: string;
  checked: boolean;
  reason: string | undefined;
  error: string | undefined;
  describedBy: string | undefined;
  onChange(v: boolean): void;
}

function Checkbox({ k, label, checked, reason, error, describedBy, onChange }: CheckboxProps) {
  return (
    <div className="field">
      <label className="choice">
        <input
          type="checkbox"
          id={fieldId(k)}
          checked={checked}
          disabled={Boolean(reason)}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.checked)}
        />
        {label}
      </label>
      <Locked k={k} reason={reason} />
      <FieldError k={k} error={error} />
    </div>
  );
}

interface TextFieldProps {
  k: EditableKey;
  label: string;
  value: string;
  reason: string | undefined;
  error: string | undefined;
  describedBy: string | undefined;
  children?: ReactNode;
  onChange(v: string): void;
}

function TextField({ k, label, value, reason, error, describedBy, children, onChange }: TextFieldProps) {
  return (
    <div className="field">
      <label htmlFor={fieldId(k)}>{label}</label>
      <input
        id={fieldId(k)}
        type="text"
        autoComplete="off"
        spellCheck={false}
        value={value}
        disabled={Boolean(reason)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)}
      />
      {children}
      <Locked k={k} reason={reason} />
      <FieldError k={k} error={error} />
    </div>
  );
}
