// A small fake DOM for the picker's tests (node has no DOM and the project
// uses no jsdom): elements with attributes, children, open shadow roots and
// same-origin frame documents, and a real (if small) selector engine for the
// syntax the picker writes: tags, #id, .class, [attr] / [attr="value"],
// :nth-of-type(n), descendant and child combinators, CSS escapes. Anything
// else throws a SyntaxError, as a browser would for invalid CSS, so a test
// fails if the picker writes something the engine cannot read.

class FakeElement {
  constructor(tag, attributes = {}, children = []) {
    this.localName = tag;
    this.tagName = tag.toUpperCase();
    this.attributes = new Map(Object.entries(attributes).filter(([name]) => !name.startsWith('$')));
    this.hidden = Boolean(attributes.$hidden);
    this.value = attributes.$value;
    this.parentElement = null;
    this.children = [];
    this.texts = [];
    this.shadowRoot = null;
    this.contentDocument = null;
    for (const child of children) this.append(child);
  }

  append(child) {
    if (typeof child === 'string') {
      this.texts.push(child);
      return;
    }
    child.parentElement = this;
    this.children.push(child);
  }

  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }

  hasAttribute(name) {
    return this.attributes.has(name);
  }

  get innerText() {
    if (this.hidden) return '';
    return [...this.texts, ...this.children.map((child) => child.innerText)].filter(Boolean).join(' ');
  }

  get textContent() {
    return this.innerText;
  }

  attachShadow(...children) {
    this.shadowRoot = new FakeRoot(children);
    return this.shadowRoot;
  }
}

class FakeRoot {
  constructor(children) {
    this.children = children;
  }

  descendants() {
    const all = [];
    const walk = (element) => {
      all.push(element);
      element.children.forEach(walk);
    };
    this.children.forEach(walk);
    return all;
  }

  querySelectorAll(selector) {
    const all = this.descendants();
    if (selector === '*') return all;
    const compiled = parseSelector(selector);
    return all.filter((element) => matchesComplex(element, compiled, compiled.length - 1));
  }
}

/** h('button', {class: 'btn'}, 'Save'): an element; strings are its text. */
export function h(tag, attributes, ...children) {
  return new FakeElement(tag, attributes || {}, children);
}

/** A document (or a frame's document) holding `children`. */
export function fakeDocument(...children) {
  return new FakeRoot(children);
}

/** An iframe element whose (same-origin) document is `doc`. */
export function frame(doc, attributes = {}) {
  const element = h('iframe', attributes);
  element.contentDocument = doc;
  return element;
}

export const env = {
  isVisible: (element) => {
    for (let node = element; node; node = node.parentElement) if (node.hidden) return false;
    return true;
  },
  visibleText: (element) => element.innerText || element.value || element.getAttribute('aria-label') || '',
};

// --- the selector engine -------------------------------------------------

const IDENT_CHAR = /[-_a-zA-Z0-9\u0080-\uffff]/;

function reader(text) {
  let index = 0;
  const peek = () => text[index];
  const fail = (what) => {
    throw new SyntaxError(`fake selector engine: ${what} at ${index} in ${JSON.stringify(text)}`);
  };
  function escape() {
    index += 1; // the backslash
    const hex = /^[0-9a-fA-F]{1,6}/.exec(text.slice(index));
    if (hex) {
      index += hex[0].length;
      if (/\s/.test(peek() || '')) index += 1; // one whitespace ends a hex escape
      return String.fromCodePoint(parseInt(hex[0], 16));
    }
    if (index >= text.length) fail('dangling backslash');
    return text[index++];
  }
  function ident() {
    let out = '';
    while (index < text.length) {
      if (peek() === '\\') out += escape();
      else if (IDENT_CHAR.test(peek())) out += text[index++];
      else break;
    }
    if (!out) fail('identifier expected');
    return out;
  }
  function string() {
    const quote = text[index++];
    let out = '';
    while (peek() !== quote) {
      if (index >= text.length) fail('unclosed string');
      out += peek() === '\\' ? escape() : text[index++];
    }
    index += 1;
    return out;
  }
  function expect(char) {
    if (peek() !== char) fail(`'${char}' expected`);
    index += 1;
  }
  return { peek, fail, ident, string, expect, done: () => index >= text.length, skipSpace() {
    const start = index;
    while (/\s/.test(peek() || '')) index += 1;
    return index > start;
  }, next: () => text[index++] };
}

function parseCompound(read) {
  const compound = { tag: null, ids: [], classes: [], attributes: [], nth: null };
  if (read.peek() === '*') read.next();
  else if (read.peek() && read.peek() !== '#' && read.peek() !== '.' && read.peek() !== '[' && read.peek() !== ':') compound.tag = read.ident().toLowerCase();
  for (;;) {
    const char = read.peek();
    if (char === '#') {
      read.next();
      compound.ids.push(read.ident());
    } else if (char === '.') {
      read.next();
      compound.classes.push(read.ident());
    } else if (char === '[') {
      read.next();
      const name = read.ident();
      let value = null;
      if (read.peek() === '=') {
        read.next();
        value = read.peek() === '"' || read.peek() === "'" ? read.string() : read.ident();
      }
      read.expect(']');
      compound.attributes.push({ name, value });
    } else if (char === ':') {
      read.next();
      if (read.ident() !== 'nth-of-type') read.fail('unsupported pseudo-class');
      read.expect('(');
      let digits = '';
      while (/[0-9]/.test(read.peek() || '')) digits += read.next();
      read.expect(')');
      compound.nth = Number(digits);
    } else {
      return compound;
    }
  }
}

/** [{compound, combinator}], left to right; combinator joins a part to the one before it. */
function parseSelector(selector) {
  const read = reader(selector.trim());
  const parts = [];
  let combinator = null;
  while (!read.done()) {
    parts.push({ compound: parseCompound(read), combinator });
    const spaced = read.skipSpace();
    if (read.done()) break;
    if (read.peek() === '>') {
      read.next();
      read.skipSpace();
      combinator = '>';
    } else if (spaced) {
      combinator = ' ';
    } else {
      read.fail('unsupported syntax');
    }
  }
  if (!parts.length) read.fail('empty selector');
  return parts;
}

function matchesCompound(element, compound) {
  if (compound.tag && compound.tag !== element.localName.toLowerCase()) return false;
  if (compound.ids.some((id) => element.getAttribute('id') !== id)) return false;
  const classes = (element.getAttribute('class') || '').split(/\s+/);
  if (compound.classes.some((name) => !classes.includes(name))) return false;
  for (const { name, value } of compound.attributes) {
    if (!element.hasAttribute(name) || (value !== null && element.getAttribute(name) !== value)) return false;
  }
  if (compound.nth !== null) {
    const siblings = element.parentElement ? element.parentElement.children : [element];
    const sameTag = siblings.filter((sibling) => sibling.localName === element.localName);
    if (sameTag.indexOf(element) + 1 !== compound.nth) return false;
  }
  return true;
}

function matchesComplex(element, parts, index) {
  if (!matchesCompound(element, parts[index].compound)) return false;
  if (index === 0) return true;
  if (parts[index].combinator === '>') return Boolean(element.parentElement) && matchesComplex(element.parentElement, parts, index - 1);
  for (let ancestor = element.parentElement; ancestor; ancestor = ancestor.parentElement) {
    if (matchesComplex(ancestor, parts, index - 1)) return true;
  }
  return false;
}
