// The options page's author mode: an author token, a guide file, Preview and
// Stop preview. The worker does the work (background/preview.js); this page
// only reads the file and shows the answer: every error and warning with its
// JSON path, or which pages the preview will show on.
import { STORAGE } from '../shared/keys.js';
import { MSG } from '../shared/messages.js';

const form = document.getElementById('preview');
const state = document.getElementById('previewState');
const problems = document.getElementById('previewProblems');
const stopButton = document.getElementById('stopPreview');

function problemItem(kind, { path, message }) {
  const item = document.createElement('li');
  item.className = kind;
  const where = document.createElement('code');
  where.textContent = path;
  item.append(`${kind === 'error' ? 'Error' : 'Warning'} at `, where, `: ${message}`);
  return item;
}

function showProblems(errors = [], warnings = []) {
  problems.replaceChildren(
    ...errors.map((problem) => problemItem('error', problem)),
    ...warnings.map((problem) => problemItem('warning', problem)),
  );
}

function showPreview(preview, tabs) {
  stopButton.hidden = !preview;
  if (!preview) return;
  const where = preview.include.join(', ');
  const shown = tabs ? ` Shown in ${tabs} open tab${tabs === 1 ? '' : 's'}.` : '';
  state.textContent = `Previewing “${preview.title || preview.id}” on pages matching ${where}.${shown}`;
}

async function preview(event) {
  event.preventDefault();
  const token = form.elements.authorToken.value.trim();
  await chrome.storage.local.set({ [STORAGE.authorToken]: token });
  const file = form.elements.guideFile.files[0];
  if (!file) {
    state.textContent = 'Choose a guide file first.';
    return;
  }
  state.textContent = `Checking ${file.name}…`;
  showProblems();
  const answer = await chrome.runtime.sendMessage({ type: MSG.previewLoad, text: await file.text(), fileName: file.name })
    .catch((error) => ({ ok: false, errors: [{ path: '$', message: String(error.message || error) }] }));
  if (answer.error) answer.errors = [{ path: '$', message: answer.error }];
  showProblems(answer.errors, answer.warnings);
  if (answer.ok) showPreview(answer.preview, answer.tabs);
  else state.textContent = `${file.name}: ${answer.errors.length} error(s); nothing is previewed.`;
}

async function stop() {
  await chrome.runtime.sendMessage({ type: MSG.previewStop });
  state.textContent = 'Preview stopped.';
  stopButton.hidden = true;
}

async function load() {
  const stored = await chrome.storage.local.get(STORAGE.authorToken);
  form.elements.authorToken.value = stored[STORAGE.authorToken] || '';
  const answer = await chrome.runtime.sendMessage({ type: MSG.previewStatus }).catch(() => null);
  showPreview(answer && answer.preview);
}

form.addEventListener('submit', preview);
stopButton.addEventListener('click', stop);
// The preview ends with its run, in whatever tab that happens.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && STORAGE.preview in changes && !changes[STORAGE.preview].newValue) {
    stopButton.hidden = true;
    if (state.textContent.startsWith('Previewing')) state.textContent = 'The preview ended.';
  }
});
load();
