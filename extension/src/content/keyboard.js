// Keyboard: Esc dismisses; ArrowRight / ArrowLeft go next / back where the
// step allows it, and never while the employee types in a field of the page;
// FOCUS_SHORTCUT moves focus into the step and back (a step does not always
// take focus by itself: focus.js).

/** Moves focus into the step, and back to the page. Layout-independent (event.code). */
export const FOCUS_SHORTCUT = Object.freeze({ label: 'Alt+Shift+G', code: 'KeyG' });

function isFocusShortcut(event) {
  return event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey && event.code === FOCUS_SHORTCUT.code;
}

function isEditable(element) {
  if (!element) return false;
  const tag = element.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || element.isContentEditable === true;
}

/** The focused element, looking through open shadow roots. */
export function deepActiveElement(doc = document) {
  let active = doc.activeElement;
  while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** While the author picks an element (picker.js), Esc cancels the pick, not the guide. */
function pickerIsOpen(doc) {
  return Boolean(doc.querySelector('[data-waymark="picker"]'));
}

/**
 * @param {{onEscape: (inTooltip: boolean) => void, onNext?: () => void, onBack?: () => void,
 *          onFocusShortcut?: () => void, host?: Element}} keys
 *   `host`: keys pressed inside it are the tooltip's, not the page's (an Esc
 *   there must not also close the page's modal the tooltip lives in).
 * @returns {() => void} teardown
 */
export function bindKeys(win, keys) {
  const listener = (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    const ours = Boolean(keys.host) && event.composedPath().includes(keys.host);
    if (event.key === 'Escape') {
      if (pickerIsOpen(win.document)) return;
      if (ours) event.stopPropagation();
      keys.onEscape(ours);
      return;
    }
    if (keys.onFocusShortcut && isFocusShortcut(event)) {
      event.preventDefault();
      event.stopPropagation();
      keys.onFocusShortcut();
      return;
    }
    const arrow = event.key === 'ArrowRight' ? keys.onNext : event.key === 'ArrowLeft' ? keys.onBack : null;
    if (!arrow || isEditable(deepActiveElement(win.document))) return;
    event.preventDefault();
    arrow();
  };
  win.addEventListener('keydown', listener, true);
  return () => win.removeEventListener('keydown', listener, true);
}
