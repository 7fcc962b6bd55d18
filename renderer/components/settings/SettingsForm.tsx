import type { EditableKey, NotifyChoice, SettingsDraft } from '../../model/settings-form.js';
import { AlertIcon } from '../icons.js';
import { Checkbox, FieldError, fieldId, Locked, TextField } from './SettingFields.js';
import type { SettingsForm as Form } from './use-settings-form.js';

const NOTIFY_CHOICES: { value: NotifyChoice; label: string }[] = [
  { value: 'default', label: 'Default: on if you are in SRE (you can acknowledge), off otherwise' },
  { value: 'on', label: 'On' },
  { value: 'off', label: 'Off' },
];

/** The editable settings; a value IT set by policy is shown disabled, with the reason next to it. */
export function SettingsForm({ form, draft, onClose }: { form: Form; draft: SettingsDraft; onClose(): void }) {
  const { errors, locked, formError, saved, saving, change, save } = form;
  const describedBy = (k: EditableKey, hint?: string) =>
    [hint, locked[k] ? `${fieldId(k)}-locked` : null, errors[k] ? `${fieldId(k)}-error` : null]
      .filter(Boolean)
      .join(' ') || undefined;
  const field = <K extends Exclude<EditableKey, 'notifyNewIncidents'>>(k: K) => ({
    k,
    reason: locked[k],
    error: errors[k],
    onChange: (v: SettingsDraft[K]) => change(k, v),
  });

  return (
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
        {...field('notifyOwnPages')}
        label="Notify me when my pages are delivered or acknowledged"
        checked={draft.notifyOwnPages}
        describedBy={describedBy('notifyOwnPages')}
      />
      <Checkbox
        {...field('startAtLogin')}
        label="Start Klaxon when I log in"
        checked={draft.startAtLogin}
        describedBy={describedBy('startAtLogin')}
      />

      <TextField
        {...field('globalShortcut')}
        label="Shortcut that opens Klaxon"
        value={draft.globalShortcut}
        describedBy={describedBy('globalShortcut', 'settings-globalShortcut-hint')}
      >
        <p id="settings-globalShortcut-hint" className="muted small-text">
          For example CommandOrControl+Shift+K (Ctrl on Windows and Linux, ⌘ on macOS).
        </p>
      </TextField>
      <TextField
        {...field('serverUrl')}
        label="Klaxon server URL"
        value={draft.serverUrl}
        describedBy={describedBy('serverUrl', 'settings-serverUrl-hint')}
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
  );
}
