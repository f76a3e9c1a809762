/** The YAML editor of the submit page: CodeMirror 6 with validation problems as lint diagnostics. */
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import type { SpecProblemReport } from '../report/types.js';

export function createEditor(
  parent: HTMLElement,
  text: string,
  onChange: (text: string) => void,
): EditorView {
  return new EditorView({
    parent,
    doc: text,
    extensions: [
      basicSetup,
      yaml(),
      lintGutter(),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChange(update.state.doc.toString());
      }),
      EditorView.theme({
        '&': { height: '100%', fontSize: '13px' },
        '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
      }),
    ],
  });
}

/** Shows the problems at their lines (line 1 when the server could not place one). */
export function showProblems(view: EditorView, problems: readonly SpecProblemReport[]): void {
  const doc = view.state.doc;
  const diagnostics: Diagnostic[] = problems.map((problem) => {
    const number = Math.min(Math.max(1, Math.trunc(problem.line ?? 1)), doc.lines);
    const line = doc.line(number);
    return {
      from: line.from,
      to: line.to,
      severity: 'error',
      source: problem.path || 'experiment',
      message: problem.message,
    };
  });
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

/** Puts the cursor on a line and scrolls it to the middle of the editor. */
export function goToLine(view: EditorView, lineNumber: number): void {
  const line = view.state.doc.line(Math.min(Math.max(1, lineNumber), view.state.doc.lines));
  view.dispatch({
    selection: { anchor: line.from },
    effects: EditorView.scrollIntoView(line.from, { y: 'center' }),
  });
  view.focus();
}
