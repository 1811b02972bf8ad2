import { useEffect, useRef } from 'react';
import { fieldLabel } from '@patrimoine/contracts/field-labels';
import { ApiError } from '../api/client';

/**
 * Errors in view (issue 11, DSFR error summary pattern): a form's errors are summed up at its top, each
 * naming its field as the form labels it, and the person is taken to them — focus and scroll on the
 * first field in error, else on the summary — however far the form is from where they clicked.
 * Every form shows its submission's error with `<FormErrors error={mutation.error} />` inside the `<form>`.
 */

const INVALID_GROUPS = [
  '.fr-input-group--error',
  '.fr-select-group--error',
  '.fr-fieldset--error',
  '.fr-checkbox-group--error',
  '.fr-radio-group--error',
  '.fr-upload-group--error',
  '.fr-toggle--error',
].join(', ');
const CONTROLS = 'input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

/** Moves the focus to an element and brings it to the middle of the screen. */
export function bringIntoView(el: HTMLElement | null | undefined) {
  if (!el) return;
  el.focus({ preventScroll: true });
  el.scrollIntoView({ block: 'center' });
}

/** The first control of a container (a form that has just opened): focused and scrolled to. */
export function focusFirstControl(container: HTMLElement | null | undefined) {
  bringIntoView(container?.querySelector<HTMLElement>(CONTROLS) ?? container);
}

/** The control of the first field shown in error inside `scope`, if any. */
function firstInvalidControl(scope: ParentNode): HTMLElement | null {
  const aria = scope.querySelector<HTMLElement>('[aria-invalid="true"]');
  const group = scope.querySelector<HTMLElement>(INVALID_GROUPS);
  const control = group?.querySelector<HTMLElement>(CONTROLS) ?? null;
  if (aria && control) return aria.compareDocumentPosition(control) & Node.DOCUMENT_POSITION_FOLLOWING ? aria : control;
  return aria ?? control;
}

/** The control whose error message (under the field) reads `message`. */
function controlWithMessage(scope: ParentNode, message: string): HTMLElement | null {
  for (const m of scope.querySelectorAll<HTMLElement>('.fr-error-text, .fr-message--error')) {
    if (m.textContent?.trim() !== message.trim()) continue;
    const group = m.closest<HTMLElement>(`${INVALID_GROUPS}, .fr-input-group, .fr-select-group, .fr-fieldset`);
    const control = group?.querySelector<HTMLElement>(CONTROLS);
    if (control) return control;
  }
  return null;
}

export interface FormErrorsProps {
  /** The error of the submission (an `ApiError` with `errors[]`, or any error). */
  error: unknown;
  /** Errors found before sending (field → message), shown the same way. */
  local?: Record<string, string>;
  /** Labels of this form's fields when they differ from the shared ones (`spec.url` → « URL de la documentation »). */
  labels?: Record<string, string>;
  /** Title of the alert when the error concerns no field. */
  title?: string;
}

export function FormErrors({ error, local, labels, title = 'Une erreur est survenue' }: FormErrorsProps) {
  const ref = useRef<HTMLDivElement>(null);
  const apiErr = error instanceof ApiError ? error : null;
  const fields = [
    ...Object.entries(local ?? {}).map(([field, message]) => ({ field, message, label: undefined as string | undefined })),
    ...(apiErr?.errors ?? []).map((e) => ({ ...e, label: (e as { label?: string }).label })),
  ].map((e) => ({ ...e, label: labels?.[e.field] ?? labels?.[e.field.replace(/^body\./, '')] ?? e.label ?? fieldLabel(e.field) }));
  const shown = Boolean(error) || fields.length > 0;
  const localKey = JSON.stringify(local ?? {});

  // Each new error (each failed submission) takes the person to it.
  useEffect(() => {
    if (!shown) return;
    const frame = requestAnimationFrame(() => {
      const form = ref.current?.closest('form') ?? ref.current?.parentElement;
      bringIntoView((form && firstInvalidControl(form)) ?? ref.current);
    });
    return () => cancelAnimationFrame(frame);
  }, [error, localKey, shown]);

  if (!shown) return null;
  const heading = fields.length
    ? fields.length === 1
      ? 'Le formulaire contient une erreur'
      : `Le formulaire contient ${fields.length} erreurs`
    : apiErr
      ? apiErr.title
      : title;
  const description =
    apiErr && !fields.length ? (apiErr.detail ?? apiErr.title) : !apiErr && error ? (error instanceof Error ? error.message : String(error)) : null;
  const focusField = (message: string) => {
    const form = ref.current?.closest('form') ?? ref.current?.parentElement;
    if (form) bringIntoView(controlWithMessage(form, message));
  };
  return (
    <div ref={ref} tabIndex={-1} role="alert" className="fr-alert fr-alert--error fr-mb-3w">
      <h2 className="fr-alert__title">{heading}</h2>
      {description && <p>{description}</p>}
      {fields.length > 0 && (
        <ul>
          {fields.map((e, i) => (
            <li key={`${e.field}-${i}`}>
              <a
                href={`#${encodeURIComponent(e.field)}`}
                onClick={(ev) => {
                  ev.preventDefault();
                  focusField(e.message);
                }}
              >
                {e.label}
              </a>{' '}
              : {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
