// A custom element with an open shadow root holding a button; renders late.
class ShadowCard extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: 'open' });
    setTimeout(() => {
      const button = document.createElement('button');
      button.className = 'approve';
      button.textContent = 'Approve';
      root.appendChild(button);
    }, 700);
  }
}
customElements.define('shadow-card', ShadowCard);
