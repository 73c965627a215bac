// A beacon: the small marker beside a tip's target, a button named
// "Tip: <title>" that opens the tip (tips.js positions it; it never covers
// the field, Floating UI keeps it on one side).
import { button } from './host.js';

export function renderBeacon(root, title, onClick) {
  const beacon = button(root.ownerDocument, '?', 'wm-beacon', onClick);
  beacon.dataset.kind = 'beacon';
  beacon.setAttribute('aria-label', `Tip: ${title}`);
  beacon.setAttribute('aria-expanded', 'false');
  root.appendChild(beacon);
  return beacon;
}
