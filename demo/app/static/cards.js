// <acme-approval-card>: a design-system component with an OPEN shadow root.
// Its Approve button lives inside the shadow root and renders a moment late.
class AcmeApprovalCard extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const sheet = document.createElement('link');
    sheet.rel = 'stylesheet';
    sheet.href = '/acme/static/card.css';
    const box = document.createElement('div');
    box.className = 'box';
    const title = document.createElement('strong');
    title.textContent = `${this.getAttribute('merchant')} · ${this.getAttribute('amount')}`;
    const text = document.createElement('p');
    text.textContent = 'Card transaction waiting for your approval.';
    const status = document.createElement('p');
    status.className = 'status';
    status.setAttribute('role', 'status');
    box.append(title, text, status);
    root.append(sheet, box);
    setTimeout(() => box.insertBefore(this.approveButton(status), status), 600);
  }

  approveButton(status) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'approve';
    button.dataset.testid = 'approve-card';
    button.textContent = 'Approve';
    button.addEventListener('click', () => { status.textContent = 'Approved.'; });
    return button;
  }
}
customElements.define('acme-approval-card', AcmeApprovalCard);
