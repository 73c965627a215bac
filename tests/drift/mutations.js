// Redesigns, as they happen to the apps Waymark runs on, applied to a live
// page in Chromium (tests/drift/corpus.py). Each mutation changes the page in
// place, in the document, its open shadow roots and same-origin frames; the
// elements themselves are kept (a redesign that replaces an element copies
// its __driftId, the corpus's ground truth). Deterministic: no randomness.
(() => {
  const roots = () => window.waymarkDrift.searchRoots(document);
  const all = (selector) => roots().flatMap((root) => [...root.querySelectorAll(selector)]);
  const INTERACTIVE = 'a, button, input, select, textarea, [role=tab], [role=button]';
  const TEST_ATTRIBUTES = ['data-testid', 'data-test', 'data-qa', 'data-cy'];

  function hash(text) {
    let value = 0;
    for (const char of text) value = (value * 31 + char.charCodeAt(0)) >>> 0;
    return value.toString(36).padStart(6, '0').slice(0, 6);
  }

  /** Every text node a person reads (not scripts or styles). */
  function textNodes() {
    const found = [];
    for (const root of roots()) {
      const doc = root.ownerDocument || root;
      const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (parent && !['SCRIPT', 'STYLE'].includes(parent.tagName) && /\p{L}/u.test(node.data)) found.push(node);
      }
    }
    return found;
  }

  function rewriteWords(change) {
    for (const node of textNodes()) node.data = change(node.data);
    for (const element of all('[aria-label], [title], [placeholder], [alt]')) {
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        if (element.hasAttribute(name)) element.setAttribute(name, change(element.getAttribute(name)));
      }
    }
  }

  // A slight rewording: "Save expense" -> "Save this expense", "Export" -> "Export now".
  function reword(text) {
    return text.replace(/\p{L}[\p{L}'-]*(?:\s+\p{L}[\p{L}'-]*)*/gu, (phrase) => {
      const words = phrase.split(/\s+/);
      if (words.length === 1) return `${phrase} now`;
      return [words[0], 'this', ...words.slice(1)].join(' ');
    });
  }

  const FRENCH = {
    new: 'nouveau', report: 'rapport', reports: 'rapports', save: 'enregistrer', expense: 'dépense',
    cancel: 'annuler', search: 'rechercher', export: 'exporter', as: 'en', csv: 'CSV', edit: 'modifier',
    delete: 'supprimer', next: 'suivante', page: 'page', previous: 'précédente', open: 'ouverts', paid: 'payés',
    archived: 'archivés', filter: 'filtrer', by: 'par', owner: 'propriétaire', anyone: "n'importe qui", me: 'moi',
    merchant: 'commerçant', date: 'date', total: 'total', amount: 'montant', category: 'catégorie',
    billable: 'facturable', to: 'à', a: 'un', client: 'client', description: 'description', attach: 'joindre',
    receipt: 'reçu', file: 'fichier', upload: 'téléverser', approve: 'approuver', reject: 'refuser',
    home: 'accueil', contact: 'contact', messages: 'messages', notifications: 'notifications',
    fullscreen: 'plein écran', dashboard: 'tableau de bord', widgets: 'widgets', layout: 'mise en page',
    options: 'options', charts: 'graphiques', collapse: 'replier', remove: 'retirer', sales: 'ventes',
    title: 'titre', notes: 'notes', review: 'relire', draft: 'brouillon', submit: 'soumettre',
    settings: 'paramètres', email: 'e-mail', when: 'quand', is: 'est', weekly: 'hebdomadaire', summary: 'résumé',
    bank: 'banque', account: 'compte', default: 'par défaut', currency: 'devise', approvals: 'approbations',
    activity: 'activité', cards: 'cartes', legacy: 'ancien', import: 'import', audit: 'audit', help: 'aide',
    who: 'qui', did: 'avez', you: 'vous', pay: 'payé', all: 'tous', expenses: 'dépenses', status: 'statut',
  };
  function translate(text) {
    return text.replace(/\p{L}[\p{L}'-]*/gu, (word) => {
      const french = FRENCH[word.toLowerCase()];
      if (!french) return word;
      return word[0] === word[0].toUpperCase() ? french[0].toUpperCase() + french.slice(1) : french;
    });
  }

  const single = {
    classes_hashed() {
      // As CSS modules and styled-components do: the markup and the stylesheets together.
      const renamed = (name) => (hash(name).charCodeAt(0) % 2 ? `sc-${hash(name)}X` : `${name}__${hash(name)}1`);
      for (const element of all('[class]')) {
        element.setAttribute('class', [...element.classList].map(renamed).join(' '));
      }
      for (const root of roots()) {
        for (const sheet of root.styleSheets || []) {
          let rules;
          try {
            rules = sheet.cssRules;
          } catch {
            continue;
          }
          for (const rule of rules) {
            if (rule.selectorText) rule.selectorText = rule.selectorText.replace(/\.([_a-zA-Z][-_a-zA-Z0-9]*)/g, (_, name) => `.${renamed(name)}`);
          }
        }
      }
    },
    wrappers_inserted() {
      for (const element of all(INTERACTIVE)) {
        const wrapper = element.ownerDocument.createElement('div');
        wrapper.className = 'wrapper';
        element.replaceWith(wrapper);
        wrapper.append(element);
      }
    },
    wrappers_removed() {
      const parents = new Set(all(INTERACTIVE).map((element) => element.parentElement)
        .filter((parent) => parent && ['DIV', 'SPAN', 'LI', 'SECTION', 'P'].includes(parent.tagName)));
      for (const parent of parents) parent.replaceWith(...parent.childNodes);
    },
    ids_removed() {
      for (const element of all('[id]')) {
        if (element.tagName !== 'IFRAME') element.removeAttribute('id');
      }
    },
    siblings_reordered() {
      const parents = new Set(all(INTERACTIVE).map((element) => element.parentElement).filter(Boolean));
      for (const parent of parents) {
        for (const child of [...parent.children].reverse()) parent.append(child);
      }
    },
    icons_added() {
      for (const element of all('a, button')) {
        const icon = element.ownerDocument.createElementNS('http://www.w3.org/2000/svg', 'svg');
        icon.setAttribute('class', 'icon');
        icon.setAttribute('aria-hidden', 'true');
        icon.setAttribute('width', '10');
        icon.setAttribute('height', '10');
        element.prepend(icon);
      }
    },
    labels_reworded() {
      rewriteWords(reword);
    },
    translated() {
      rewriteWords(translate);
    },
    lookalike_added() {
      // Next to each target, one like it: same tag, classes and behaviour, another
      // label and none of its own names (what a new row or a second toolbar adds).
      for (const target of all('*').filter((element) => element.__driftId)) {
        const twin = target.cloneNode(true);
        twin.removeAttribute('id');
        for (const name of TEST_ATTRIBUTES) twin.removeAttribute(name);
        if (twin.hasAttribute('name')) twin.setAttribute('name', `${twin.getAttribute('name')}_other`);
        if (twin.hasAttribute('href')) twin.setAttribute('href', `${twin.getAttribute('href')}/other`);
        for (const name of ['aria-label', 'title', 'placeholder']) {
          if (twin.hasAttribute(name)) twin.setAttribute(name, `${twin.getAttribute(name)} (other)`);
        }
        const walker = twin.ownerDocument.createTreeWalker(twin, NodeFilter.SHOW_TEXT);
        const first = walker.nextNode();
        if (first) first.data = `${first.data.trim()} and more`;
        target.before(twin);
      }
    },
  };

  const combined = {
    redesign: ['classes_hashed', 'wrappers_inserted', 'ids_removed', 'icons_added'],
    redesign_reworded: ['classes_hashed', 'wrappers_inserted', 'ids_removed', 'labels_reworded'],
    redesign_lookalike: ['lookalike_added', 'classes_hashed', 'ids_removed', 'wrappers_inserted'],
    translated_redesign: ['translated', 'classes_hashed', 'ids_removed'],
    restructured: ['wrappers_removed', 'siblings_reordered', 'ids_removed', 'classes_hashed'],
  };

  window.driftMutations = {
    names: [...Object.keys(single), ...Object.keys(combined)],
    apply(name) {
      for (const step of combined[name] || [name]) single[step]();
    },
  };
})();
