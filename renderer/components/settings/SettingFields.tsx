import type { ReactNode } from 'react';
import type { EditableKey } from '../../model/settings-form.js';
import { AlertIcon, LockIcon } from '../icons.js';

/** The id of a setting's control; its lock reason and error hang off it (`-locked`, `-error`). */
export const fieldId = (k: EditableKey) => `settings-${k}`;

/** Why IT's policy fixes this setting, next to it. */
export function Locked({ k, reason }: { k: EditableKey; reason: string | undefined }) {
  if (!reason) return null;
  return (
    <p id={`${fieldId(k)}-locked`} className="locked-reason" data-testid={`locked-${k}`}>
      <LockIcon /> {reason}
    </p>
  );
}

export function FieldError({ k, error }: { k: EditableKey; error: string | undefined }) {
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

export function Checkbox({ k, label, checked, reason, error, describedBy, onChange }: CheckboxProps) {
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

export function TextField({ k, label, value, reason, error, describedBy, children, onChange }: TextFieldProps) {
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
