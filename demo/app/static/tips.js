// The tips fixture page: a VAT field in an open shadow root, an approval code
// in a closed one, a project field
// the page re-renders (a new element each time, as frameworks do), a field it
// hides and shows, a submit that only counts, and ?many=N more fields.
class AcmeVatField extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const input = document.createElement('input');
    input.className = 'vat';
    input.id = 'vat';
    input.setAttribute('aria-label', 'VAT number');
    input.autocomplete = 'off';
    root.append(input);
  }
}
customElements.define('acme-vat-field', AcmeVatField);

// A *closed* shadow root: from outside, the input inside cannot be reached at all.
class AcmeApprovalCode extends HTMLElement {
  connectedCallback() {
    if (this.closedRoot) return;
    this.closedRoot = true;
    const root = this.attachShadow({ mode: 'closed' });
    const input = document.createElement('input');
    input.className = 'code';
    input.setAttribute('aria-label', 'Approval code');
    input.autocomplete = 'off';
    input.style.display = 'block';
    input.style.width = '100%';
    input.style.boxSizing = 'border-box';
    root.append(input);
  }
}
customElements.define('acme-approval-code', AcmeApprovalCode);

const page = {
  renders: 0,
  submits: 0,
  renderProject() {
    const slot = document.getElementById('project-slot');
    const label = document.createElement('label');
    label.htmlFor = 'project';
    label.textContent = 'Project code';
    const input = document.createElement('input');
    input.id = 'project';
    input.name = 'project';
    input.autocomplete = 'off';
    slot.replaceChildren(label, input);
    page.renders += 1;
  },
};
window.acmeTips = page;
page.renderProject();
document.getElementById('rerender').addEventListener('click', () => page.renderProject());

const extra = document.getElementById('extra-field');
document.getElementById('toggle-extra').addEventListener('click', (event) => {
  const hide = extra.style.display !== 'none'; // not the hidden attribute: .field's display: flex beats it
  extra.style.display = hide ? 'none' : '';
  event.target.textContent = hide ? 'Show passengers' : 'Hide passengers';
});

document.getElementById('claim-form').addEventListener('submit', (event) => {
  event.preventDefault(); // the fixture stays on the page; what counts is that the submit arrived
  page.submits += 1;
  document.getElementById('claim-status').textContent = `Submitted ${page.submits}`;
});

const many = Number(new URLSearchParams(location.search).get('many') || 0);
const holder = document.getElementById('many-fields');
for (let n = 1; n <= Math.min(many, 500); n += 1) {
  const field = document.createElement('div');
  field.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = `f-${n}`;
  label.textContent = `Field ${n}`;
  const input = document.createElement('input');
  input.id = `f-${n}`;
  input.autocomplete = 'off';
  field.append(label, input);
  holder.append(field);
}
