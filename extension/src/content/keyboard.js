// Keyboard: Esc dismisses; ArrowRight / ArrowLeft go next / back where the
// step allows it, and never while the employee types in a field of the page.

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
 * @param {{onEscape: () => void, onNext?: () => void, onBack?: () => void}} keys
 * @returns {() => void} teardown
 */
export function bindKeys(win, keys) {
  const listener = (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.key === 'Escape') {
      if (!pickerIsOpen(win.document)) keys.onEscape();
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
