// The raw filter editor (CodeMirror 6, loaded lazily): SCIM highlighting, live
// validation with the SCIM library's parser (the error underlined at its position),
// attribute completion, and Ctrl/Cmd+Enter to run.
import {
  autocompletion,
  closeBrackets,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { parseFilter, ScimFilterError } from '@scim-console/scim';
import { useEffect, useRef } from 'react';
import { COMPARISON_WORDS, scimFilterHighlight, scimFilterLanguage } from './scim-filter-language';
import { OPERATOR_LABELS } from '../builder/fields';

export interface CompletionAttribute {
  path: string;
  label: string;
  type: string;
}

export interface RawFilterEditorProps {
  value: string;
  onChange: (text: string) => void;
  onRun?: () => void;
  attributes: CompletionAttribute[];
  /** id of the element that describes the editor (the validation message). */
  describedBy?: string;
  id?: string;
}

/** Diagnostics for a filter text: none when it parses (or is blank). */
export function filterDiagnostics(text: string): Diagnostic[] {
  if (text.trim() === '') return [];
  try {
    parseFilter(text);
    return [];
  } catch (e) {
    if (!(e instanceof ScimFilterError)) throw e;
    const at = Math.max(0, Math.min(e.position < 0 ? 0 : e.position, text.length));
    const from = at >= text.length ? Math.max(0, text.length - 1) : at;
    return [{ from, to: Math.min(text.length, from + 1), severity: 'error', message: e.message }];
  }
}

function completionSource(attributes: CompletionAttribute[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const word = ctx.matchBefore(/[\w$:.-]*/);
    if (!word || (word.from === word.to && !ctx.explicit)) return null;
    const before = ctx.state.sliceDoc(Math.max(0, word.from - 200), word.from).trimEnd();
    const prev = /([\w$:.-]+|[()[\]"])$/.exec(before)?.[1] ?? '';
    const prevLower = prev.toLowerCase();
    const afterAttribute =
      /^[A-Za-z$]|^urn:/i.test(prev) &&
      !['and', 'or', 'not', 'true', 'false', 'null', ...COMPARISON_WORDS].includes(prevLower);
    const afterValue =
      prev === '"' ||
      prev === ')' ||
      prev === ']' ||
      /^-?\d/.test(prev) ||
      ['true', 'false', 'null', 'pr'].includes(prevLower);
    if (afterAttribute) {
      return {
        from: word.from,
        options: COMPARISON_WORDS.map((op) => ({
          label: op,
          type: 'keyword',
          detail: OPERATOR_LABELS[op],
        })),
      };
    }
    if (afterValue) {
      return {
        from: word.from,
        options: [
          { label: 'and', type: 'keyword' },
          { label: 'or', type: 'keyword' },
        ],
      };
    }
    return {
      from: word.from,
      options: [
        ...attributes.map((a) => ({
          label: a.path,
          type: 'property',
          detail: a.type,
          info: a.label,
        })),
        { label: 'not', type: 'keyword', apply: 'not (' },
      ],
      validFor: /^[\w$:.-]*$/,
    };
  };
}

const theme = EditorView.theme({
  '&': {
    backgroundColor: 'var(--bs-body-bg)',
    color: 'var(--bs-body-color)',
    border: 'var(--bs-border-width) solid var(--bs-border-color)',
    borderRadius: 'var(--bs-border-radius)',
    fontSize: '0.95rem',
  },
  '&.cm-focused': {
    outline: '0',
    borderColor: '#86b7fe',
    boxShadow: '0 0 0 .25rem rgba(var(--bs-primary-rgb), .25)',
  },
  '.cm-content': {
    fontFamily: 'var(--bs-font-monospace)',
    minHeight: '4.5rem',
    caretColor: 'var(--bs-body-color)',
  },
  '.cm-gutters': {
    backgroundColor: 'var(--bs-tertiary-bg)',
    borderColor: 'var(--bs-border-color)',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--bs-body-bg)',
    color: 'var(--bs-body-color)',
    borderColor: 'var(--bs-border-color)',
  },
});

export default function RawFilterEditor({
  value,
  onChange,
  onRun,
  attributes,
  describedBy,
  id,
}: RawFilterEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, onRun });
  latest.current = { onChange, onRun };

  useEffect(() => {
    if (!host.current) return;
    const state = EditorState.create({
      doc: value,
      extensions: [
        history(),
        closeBrackets(),
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              run: () => {
                latest.current.onRun?.();
                return true;
              },
            },
          ]),
        ),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        scimFilterLanguage,
        syntaxHighlighting(scimFilterHighlight),
        linter((v) => filterDiagnostics(v.state.doc.toString()), { delay: 150 }),
        lintGutter(),
        autocompletion({ override: [completionSource(attributes)], activateOnTyping: true }),
        placeholder('e.g. userName sw "a" and emails[type eq "work" and value co "@example.com"]'),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          'aria-label': 'SCIM filter',
          ...(describedBy ? { 'aria-describedby': describedBy } : {}),
          ...(id ? { id } : {}),
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) latest.current.onChange(u.state.doc.toString());
        }),
        theme,
      ],
    });
    const v = new EditorView({ state, parent: host.current });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once per attribute list; `value` is synced below.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- recreating on every keystroke would lose the cursor
  }, [attributes, describedBy, id]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== value) v.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  return <div ref={host} data-testid="raw-filter-editor" />;
}
