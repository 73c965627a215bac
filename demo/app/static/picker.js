// The picker fixture page's own handlers: they write down everything the
// page sees, so a test can assert that a pick's click never reached it.
const log = document.getElementById('page-log');

function note(what) {
  const item = document.createElement('li');
  item.textContent = what;
  log.append(item);
}

function nameOf(element) {
  return element.textContent.trim() || element.closest('li') && `swatch ${[...element.closest('ul').children].indexOf(element.closest('li')) + 1}`;
}

for (const element of document.querySelectorAll('button, [data-testid=colour-swatches] span')) {
  element.addEventListener('click', () => note(`click: ${nameOf(element)}`));
}
document.addEventListener('pointerdown', () => note('pointerdown'));
document.addEventListener('mousedown', () => note('mousedown'));
document.querySelector('form').addEventListener('submit', (event) => {
  event.preventDefault();
  note('submit');
});

// A web component with a *closed* shadow root: from outside there is no
// element.shadowRoot, and events seem to come from the host.
class AcmePayButton extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'closed' });
    const pay = document.createElement('button');
    pay.type = 'button';
    pay.className = 'pay';
    pay.textContent = 'Pay now';
    pay.addEventListener('click', () => note('click: Pay now'));
    root.append(pay);
  }
}
customElements.define('acme-pay-button', AcmePayButton);
