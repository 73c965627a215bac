// Approvals: a single-page section. Sidebar links change the route with
// history.pushState (no page load); the inbox's tabs are hash routes
// (#/pending, #/approved). Views render after a short "fetch" delay, as real
// SPAs do, so a guide's target appears late after each route change.
const view = document.getElementById('view');
const FETCH_DELAY_MS = 250;
const PENDING = [
  { who: 'Sam Okafor', what: 'Conference travel, Berlin', amount: '€ 1,208.00' },
  { who: 'Lee Tanaka', what: 'Team lunch', amount: '€ 142.60' },
];
const APPROVED = [{ who: 'Ana Costa', what: 'Printer toner', amount: '€ 64.00' }];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function currentRoute() {
  return location.pathname.replace(/\/+$/, '').split('/').pop();
}

function inboxTab() {
  return location.hash === '#/approved' ? 'approved' : 'pending';
}

function renderInbox() {
  const tab = inboxTab();
  const tabs = el('nav', { class: 'tabs', 'aria-label': 'Inbox' },
    el('a', { href: '#/pending', id: 'tab-pending', 'aria-selected': String(tab === 'pending') }, 'Pending'),
    el('a', { href: '#/approved', id: 'tab-approved', 'aria-selected': String(tab === 'approved') }, 'Approved'));
  const rows = (tab === 'pending' ? PENDING : APPROVED).map((item, index) => el('tr', {},
    el('td', {}, item.who), el('td', {}, item.what), el('td', { class: 'amount' }, item.amount),
    el('td', {}, tab === 'pending'
      ? el('button', { class: 'btn primary approve-row', type: 'button', 'data-testid': `approve-${index}` }, 'Approve')
      : el('span', { class: 'badge ok' }, 'Approved'))));
  const table = el('table', { id: 'inbox-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Employee'), el('th', {}, 'Report'), el('th', { class: 'amount' }, 'Amount'), el('th', {}, ''))),
    el('tbody', {}, ...rows));
  return [el('h1', {}, 'Approvals inbox'), el('p', { class: 'subtitle' }, 'Reports your team sent you.'), tabs, table];
}

function renderTeam() {
  const people = [['Sam Okafor', '€ 2,310'], ['Lee Tanaka', '€ 880'], ['Ana Costa', '€ 412']];
  return [el('h1', { id: 'team-title' }, 'Team spend'),
    el('p', { class: 'subtitle' }, 'This quarter, per person.'),
    el('ul', { class: 'feed', id: 'team-list' }, ...people.map(([who, total]) =>
      el('li', {}, el('strong', {}, who), el('span', { class: 'when' }, total)))),
    el('button', { class: 'btn primary', type: 'button', id: 'export-team', 'data-testid': 'export-team' }, 'Export team spend')];
}

function renderPolicies() {
  return [el('h1', {}, 'Policies'),
    el('div', { class: 'card' }, el('p', {}, 'Meals up to € 30 per person; travel booked through the portal.'),
      el('button', { class: 'btn', type: 'button', id: 'acknowledge-policy' }, 'I have read the policy'))];
}

const VIEWS = { inbox: renderInbox, team: renderTeam, policies: renderPolicies };
let pending = null;

function render() {
  const route = VIEWS[currentRoute()] ? currentRoute() : 'inbox';
  for (const link of document.querySelectorAll('[data-route]')) {
    if (link.getAttribute('href').endsWith('/' + route)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  view.replaceChildren(el('p', { class: 'loading' }, 'Loading…'));
  clearTimeout(pending);
  pending = setTimeout(() => view.replaceChildren(...VIEWS[route]()), FETCH_DELAY_MS);
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('[data-route]');
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  history.pushState({}, '', link.getAttribute('href'));
  render();
});
window.addEventListener('popstate', render);
window.addEventListener('hashchange', render);
render();
