// Validation tips: a field's value checked against the tip's `validate`
// ({pattern, required, message}) when the field loses focus, and on every
// input once it has failed. It warns beside the field; it never blocks the
// page's own submit, never changes the value, and the value goes nowhere
// (the events say only that the field failed or passed).
import { typedValue } from './advance.js';
import { element } from './host.js';

/** The value a check reads: a form field's value, a checkbox's only when ticked, a rich-text editor's text. */
export function fieldValue(field) {
  if (field.type === 'checkbox' || field.type === 'radio') return field.checked ? field.value || 'on' : '';
  return typedValue(field);
}

/**
 * Whether `value` passes: an empty value fails only when `required`; a
 * non-empty one must match `pattern` (JavaScript's RegExp, as the service
 * checks it on publishing). An invalid pattern that slipped through checks nothing.
 */
export function passes(validate, value) {
  const text = value == null ? '' : String(value);
  if (text.trim() === '') return !validate.required;
  if (typeof validate.pattern !== 'string' || validate.pattern === '') return true;
  try {
    return new RegExp(validate.pattern).test(text);
  } catch {
    return true;
  }
}

/**
 * The field's state after a check: 'untouched' | 'passing' | 'failing', and
 * the event the change is worth: validation_failed when it starts failing,
 * validation_passed when a failing field passes, else null.
 */
export function afterCheck(state, ok) {
  if (!ok) return { state: 'failing', event: state === 'failing' ? null : 'validation_failed' };
  return { state: 'passing', event: state === 'failing' ? 'validation_passed' : null };
}

/** Which checks an event of the field triggers: blur always, input and change only once it failed. */
export function checksOn(type, state) {
  return type === 'focusout' || ((type === 'input' || type === 'change') && state === 'failing');
}

/** The message beside the field (`data-kind=validation`, `role=alert`). */
export function renderValidation(root, message) {
  const node = element(root.ownerDocument, 'div', 'wm-validation', message || 'Check this value.');
  node.dataset.kind = 'validation';
  node.setAttribute('role', 'alert');
  root.appendChild(node);
  return node;
}
