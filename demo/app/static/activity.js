// Activity feed: renders late (as if fetched), then re-renders every few
// seconds with fresh nodes (the old <li> elements are replaced, not updated).
// Query parameters, for tests and benchmarks:
//   ?delay=MS     first render after MS ms (default 1500); ?delay=manual: never by itself
//   ?rerender=MS  re-render every MS ms after the first (default 4000; 0: never)
// window.acmeActivity.render() renders now and records performance.now() in lastRenderAt.
const feed = document.getElementById('feed');
const params = new URLSearchParams(location.search);
const delay = params.get('delay') ?? '1500';
const rerenderEvery = Number(params.get('rerender') ?? '4000');
const ITEMS = [
  ['Report paid', 'Client visit, Lyon', '2 min ago'],
  ['Receipt missing', 'Conference travel, Berlin', '1 h ago'],
  ['Report approved', 'Team offsite supplies', 'yesterday'],
];
let renders = 0;

function item([what, report, when], index) {
  const li = document.createElement('li');
  li.dataset.render = String(renders);
  const strong = document.createElement('strong');
  strong.textContent = what;
  const name = document.createElement('span');
  name.textContent = report;
  const time = document.createElement('span');
  time.className = 'when';
  time.textContent = when;
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'btn view-report';
  open.dataset.testid = `view-report-${index}`;
  open.textContent = 'View';
  li.append(strong, name, time, open);
  return li;
}

function render() {
  renders += 1;
  feed.replaceChildren(...ITEMS.map(item));
  window.acmeActivity.lastRenderAt = performance.now();
  window.acmeActivity.renders = renders;
}

window.acmeActivity = { render, lastRenderAt: null, renders: 0 };
document.getElementById('refresh-feed').addEventListener('click', render);
if (delay !== 'manual') {
  setTimeout(() => {
    render();
    if (rerenderEvery > 0) setInterval(render, rerenderEvery);
  }, Number(delay));
}
