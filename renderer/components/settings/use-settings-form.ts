import { useEffect, useState } from 'react';
import type { EffectiveSettings } from '#common/index.js';
import {
  draftFrom,
  placeSettingsError,
  planSave,
  type EditableKey,
  type SettingsDraft,
  type SettingsErrors,
} from '../../model/settings-form.js';
import { useApi } from '../api-context.js';
import { fieldId } from './SettingFields.js';

const focusField = (k: EditableKey) => document.getElementById(fieldId(k))?.focus();

/**
 * The settings screen's data: the effective settings from `settings:get`, the person's draft, and
 * Save (checks and patch in model/settings-form.ts; the desktop core checks again on `settings:set`).
 */
export function useSettingsForm() {
  const api = useApi();
  const [settings, setSettings] = useState<EffectiveSettings | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const show = (s: EffectiveSettings) => {
    setSettings(s);
    setDraft(draftFrom(s));
  };

  useEffect(() => {
    let alive = true;
    void api.getSettings?.().then((r) => {
      if (!alive) return;
      if (r.ok) show(r.value);
      else setLoadError(r.error.message);
    });
    return () => {
      alive = false;
    };
  }, [api]);

  const change = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => {
    setDraft((d) => (d ? { ...d, [key]: value } : d));
    setSaved(null);
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const save = async () => {
    if (!settings || !draft || !api.setSettings || saving) return;
    setFormError(null);
    setSaved(null);
    const plan = planSave(draft, settings);
    setErrors(plan.kind === 'invalid' ? plan.errors : {});
    if (plan.kind === 'invalid') return focusField(plan.first);
    if (plan.kind === 'unchanged') return setSaved('Nothing to save: no setting was changed.');
    setSaving(true);
    const r = await api.setSettings(plan.patch);
    setSaving(false);
    if (r.ok) {
      show(r.value);
      setSaved('Settings saved.');
      return;
    }
    const placed = placeSettingsError(r.error);
    if (placed.field) {
      setErrors({ [placed.field]: placed.message });
      focusField(placed.field);
    } else setFormError(`Settings not saved: ${placed.message}`);
  };

  return { draft, loadError, errors, formError, saved, saving, locked: settings?.locked ?? {}, change, save };
}

export type SettingsForm = ReturnType<typeof useSettingsForm>;
