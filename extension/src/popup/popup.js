// The toolbar popup: the current tab's manual guides, each started on click.
// `popup.html?tabId=N` targets a given tab (tests open the popup as a page,
// where "the current tab" would be the popup itself).
import { MSG } from '../shared/messages.js';
import { setUpPicking } from './pick.js';

const list = document.getElementById('guides');
const empty = document.getElementById('empty');
const activeNote = document.getElementById('active');

async function targetTabId() {
  const fromQuery = Number(new URLSearchParams(location.search).get('tabId'));
  if (Number.isInteger(fromQuery) && fromQuery > 0) return fromQuery;
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return tab ? tab.id : null;
}

function guideButton(guide, tabId) {
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = guide.title || guide.id;
  button.appendChild(title);
  if (guide.description) {
    const description = document.createElement('span');
    description.className = 'description';
    description.textContent = guide.description;
    button.appendChild(description);
  }
  button.addEventListener('click', async () => {
    await chrome.runtime.sendMessage({ type: MSG.start, tabId, guideId: guide.id });
    window.close();
  });
  item.appendChild(button);
  return item;
}

async function show() {
  const tabId = await targetTabId();
  const answer = tabId ? await chrome.runtime.sendMessage({ type: MSG.popupList, tabId }).catch(() => null) : null;
  const guides = answer && Array.isArray(answer.guides) ? answer.guides : [];
  list.replaceChildren(...guides.map((guide) => guideButton(guide, tabId)));
  empty.hidden = guides.length > 0;
  if (answer && answer.active) {
    activeNote.textContent = `A guide is in progress (${answer.active.guide_id}, step ${answer.active.step_index + 1}).`;
    activeNote.hidden = false;
  }
}

show();
setUpPicking(targetTabId());
