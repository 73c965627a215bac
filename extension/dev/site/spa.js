// A single-page app: routes change with pushState, the view re-renders its
// save button on every keystroke-like "refresh" (to detach the target).
const view = document.getElementById('view');
function renderSettings() {
  view.replaceChildren();
  const save = document.createElement('button');
  save.id = 'save';
  save.textContent = 'Save settings';
  view.appendChild(save);
}
document.getElementById('go-settings').addEventListener('click', () => {
  history.pushState({}, '', '/site/spa/settings');
  setTimeout(renderSettings, 300);
});
window.rerender = renderSettings;
