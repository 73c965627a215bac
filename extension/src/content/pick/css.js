// Writing CSS selectors safely: identifiers (ids, classes, tags) and quoted
// attribute values. The browser's CSS.escape is used when it exists; the
// fallback follows the same CSSOM rules ("serialize an identifier") so that
// node's test runner, which has no CSS global, produces identical output.

function codePointEscape(codePoint) {
  return `\\${codePoint.toString(16)} `;
}

/** CSSOM "serialize an identifier", for runtimes without CSS.escape. */
export function escapeIdentifierFallback(value) {
  const text = String(value);
  let out = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    const code = text.charCodeAt(index);
    if (code === 0) out += '\ufffd';
    else if ((code >= 0x1 && code <= 0x1f) || code === 0x7f) out += codePointEscape(code);
    else if (index === 0 && code >= 0x30 && code <= 0x39) out += codePointEscape(code);
    else if (index === 1 && code >= 0x30 && code <= 0x39 && text[0] === '-') out += codePointEscape(code);
    else if (index === 0 && char === '-' && text.length === 1) out += '\\-';
    else if (code >= 0x80 || /[-_0-9A-Za-z]/.test(char)) out += char;
    else out += `\\${char}`;
  }
  return out;
}

/** An identifier ready for `#id`, `.class` or a tag name. */
export function escapeIdentifier(value) {
  if (typeof CSS !== 'undefined' && typeof CSS.escape === 'function') return CSS.escape(value);
  return escapeIdentifierFallback(value);
}

/** CSSOM "serialize a string": a double-quoted attribute value. */
export function quoteString(value) {
  let out = '"';
  for (const char of String(value)) {
    const code = char.codePointAt(0);
    if (code === 0) out += '\ufffd';
    else if ((code >= 0x1 && code <= 0x1f) || code === 0x7f) out += codePointEscape(code);
    else if (char === '"' || char === '\\') out += `\\${char}`;
    else out += char;
  }
  return `${out}"`;
}

/** `[name="value"]`; attribute names here are fixed, known-safe names. */
export function attributeSelector(name, value) {
  return `[${name}=${quoteString(value)}]`;
}
