import type { Ref } from 'react';
import { counter } from '../../model/page-form.js';
import { AlertIcon } from '../icons.js';

type CountedTextFieldProps = {
  id: string;
  label: string;
  value: string;
  max: number;
  placeholder: string;
  error: string | null;
  /** Read-only while a Send's outcome is unknown; the note with id `page-locked-note` says why. */
  locked: boolean;
  onChange(value: string): void;
} & ({ multiline?: false; inputRef: Ref<HTMLInputElement> } | { multiline: true; inputRef: Ref<HTMLTextAreaElement> });

/** A page text field with its "37/120" counter and its error, both tied to the field for screen readers. */
export function CountedTextField(props: CountedTextFieldProps) {
  const { id, label, value, max, placeholder, error, locked, onChange } = props;
  const count = counter(value, max);
  const common = {
    id,
    value,
    placeholder,
    readOnly: locked,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': `${id}-count${error ? ` ${id}-error` : ''}${locked ? ' page-locked-note' : ''}`,
  };
  return (
    <div className="field">
      <div className="label-row">
        <label htmlFor={id}>{label}</label>
        <span id={`${id}-count`} className={error ? 'counter over' : 'counter'} aria-label={`${count} characters`}>
          {count}
        </span>
      </div>
      {props.multiline ? (
        <textarea ref={props.inputRef} rows={4} {...common} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          ref={props.inputRef}
          type="text"
          autoComplete="off"
          {...common}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          <AlertIcon /> {error}
        </p>
      )}
    </div>
  );
}
