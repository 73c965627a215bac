// Surveys: a pulse survey (kind "survey", style modal or toast) and a
// guide's exit survey, asked when the person closes the guide. One question:
// scale values or choices are buttons named by their numbers or labels; an
// optional free-text box (at most 500 characters) is a labelled field.
// Without a free-text box one click answers; with one, Send sends the pick
// and the text. Skip (or Close, or Esc) leaves it unanswered. Events:
// survey_shown, survey_answered {answer: {choice}|{value}, text?} (an exit
// survey's "Other" is {text} alone),
// survey_dismissed {reason: close_button|escape|other (Skip)|replaced}.
import { makeEvent } from '../shared/events.js';
import { button, element } from './host.js';
import { impression } from './nudge.js';
import { openSurface } from './outreach.js';

export const MAX_TEXT = 500;

/** The answer buttons: [{label, answer}] for a scale ({value: n}) or choices ({choice: i}). */
export function answerOptions(question) {
  const scale = question.scale;
  if (scale && Number.isInteger(scale.min) && Number.isInteger(scale.max) && scale.max - scale.min <= 10) {
    const options = [];
    for (let n = scale.min; n <= scale.max; n += 1) options.push({ label: String(n), answer: { value: n } });
    return options;
  }
  return (question.choices || []).map((label, index) => ({ label, answer: { choice: index } }));
}

/** A labelled free-text field of at most MAX_TEXT characters. */
function textBox(doc, labelText, id) {
  const label = element(doc, 'label', 'wm-label', labelText);
  const field = element(doc, 'textarea', 'wm-text');
  field.maxLength = MAX_TEXT;
  field.rows = 2;
  field.id = id;
  label.htmlFor = id;
  return { label, field };
}

/** The scale's end labels, under its first and last values (outside the buttons' names). */
function scaleEnds(doc, scale) {
  const ends = element(doc, 'div', 'wm-ends');
  ends.append(element(doc, 'span', '', scale.min_label || ''), element(doc, 'span', '', scale.max_label || ''));
  return ends;
}

/**
 * Asks one question through `ctx` (main.js: root, report, done).
 * @param {{id: string, title: string, style: string, question: object, run: object,
 *          step?: object, stepIndex?: number, preview?: boolean, until?: string}} ask
 *   `question`: {question, scale | choices, text?, other?}; `run`: the events'
 *   envelope (a showing of its own, or the exit survey's guide run).
 * @returns {{end: (reason: string) => void}}
 */
export function askSurvey(ctx, ask) {
  const q = ask.question || {};
  const where = { step: ask.step, stepIndex: ask.stepIndex };
  const event = (type, extra) => makeEvent(type, ask.run, { ...where, url: location.href, now: Date.now(), extra });
  const report = (message) => ctx.report({ id: ask.id, survey: true, preview: ask.preview, ...message });
  let surface = null;
  let picked = null;
  let timer = null;

  function finish(outcome, events) {
    if (!surface) return;
    clearTimeout(timer);
    surface.destroy();
    surface = null;
    report({ outcome, events, end: true });
    ctx.done();
  }
  const skip = (reason = 'other') => finish(reason === 'replaced' ? null : 'dismissed', [event('survey_dismissed', { reason })]);
  // An exit survey's "Other" is text alone (no `answer`).
  const answer = (chosen, text) =>
    finish('answered', [event('survey_answered', { ...(chosen ? { answer: chosen } : {}), ...(text ? { text: text.slice(0, MAX_TEXT) } : {}) })]);

  surface = openSurface(ctx.root, { kind: 'survey', style: ask.style, title: ask.title, onClose: skip });
  const doc = surface.dialog.ownerDocument;
  const prompt = element(doc, 'p', 'wm-question', q.question || '');
  prompt.id = `${surface.dialog.getAttribute('aria-labelledby')}-q`;
  surface.dialog.setAttribute('aria-describedby', prompt.id);
  // Choices are read as a list, scale values as a row.
  const row = element(doc, 'div', q.scale ? 'wm-options' : 'wm-options wm-choices');
  surface.content.append(prompt, row);

  // The free-text box: the pulse survey's follow-up, or an exit survey's "Other".
  const box = q.text || q.other === true ? textBox(doc, q.text || 'Other reason', `${prompt.id}-t`) : null;
  const send = box && button(doc, 'Send', 'wm-button wm-primary', () => answer(picked, box.field.value.trim()));
  if (send) send.disabled = true;
  const buttons = answerOptions(q).map((option) =>
    button(doc, option.label, 'wm-button wm-option', (click) => {
      // One click answers, unless there is a follow-up to send with it.
      if (!q.text) return answer(option.answer);
      picked = option.answer;
      buttons.forEach((other) => other.setAttribute('aria-pressed', String(other === click.currentTarget)));
      send.disabled = false;
    }),
  );
  if (q.text) buttons.forEach((choice) => choice.setAttribute('aria-pressed', 'false'));
  row.append(...buttons);
  if (q.scale && (q.scale.min_label || q.scale.max_label)) surface.content.appendChild(scaleEnds(doc, q.scale));
  if (box) surface.content.append(box.label, box.field);
  // "Other" alone (an exit survey): Send sends the text on its own, once there is some.
  if (box && !q.text) box.field.addEventListener('input', () => (send.disabled = box.field.value.trim() === ''));
  surface.footer.appendChild(button(doc, 'Skip', 'wm-button', () => skip()));
  if (send) surface.footer.appendChild(send);
  report({ outcome: 'shown', events: [event('survey_shown')] });
  // A cached survey leaves at the end of its schedule, even with the service unreachable.
  const left = Date.parse(ask.until) - Date.now();
  if (left < 2 ** 31) timer = setTimeout(() => finish(null, []), Math.max(0, left));
  return { end: skip };
}

/** A served pulse survey (kind "survey"). */
export function showSurvey(ctx, doc) {
  const survey = doc.survey || {};
  const style = survey.style === 'toast' ? 'toast' : 'modal';
  const preview = Boolean(doc.preview); // shown on purpose: its schedule does not close it
  const until = !preview && doc.schedule ? doc.schedule.until : undefined;
  return askSurvey(ctx, { id: doc.id, title: doc.title, style, question: survey, run: impression(doc), preview, until });
}

/** A guide's exit survey, tied to the run and the step where the person left. */
export function showExitSurvey(ctx, guide, run) {
  const stepIndex = run.step_index;
  return askSurvey(ctx, {
    id: `exit:${guide.id}`,
    title: guide.title,
    style: 'modal',
    question: guide.exit_survey,
    run,
    step: guide.steps[stepIndex],
    stepIndex,
    preview: Boolean(guide.preview),
  });
}
