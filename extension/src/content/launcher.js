// The help panel's launcher: a button named Help in a corner of the page
// (`launcher` in the options page or the policy: a corner, or off).
import { button } from './host.js';

export function renderLauncher(root, corner, onClick) {
  const launcher = button(root.ownerDocument, 'Help', `wm-launcher wm-${corner}`, onClick);
  launcher.dataset.kind = 'launcher';
  launcher.setAttribute('aria-haspopup', 'dialog');
  launcher.setAttribute('aria-expanded', 'false');
  root.appendChild(launcher);
  return launcher;
}
