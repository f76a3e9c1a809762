import type { EditorView } from '@codemirror/view';
import { useEffect, useRef, useState } from 'preact/hooks';
import exampleYaml from '../../examples/resnet-local.yaml';
import type { SpecProblemReport } from '../report/types.js';
import { ApiError, api, type ValidateResult } from './api.js';
import { Card, Notice } from './components.js';
import { formatNumber } from './data.js';
import { createEditor, goToLine, showProblems } from './editor.js';
import { experimentHref, navigate } from './router.js';

/** Validation waits until typing pauses this long. */
const VALIDATE_DELAY_MS = 400;

type Check =
  | { state: 'checking' }
  | { state: 'valid'; summary: Extract<ValidateResult, { valid: true }>['summary'] }
  | { state: 'invalid'; problems: SpecProblemReport[] }
  | { state: 'error'; message: string };

/** A YAML editor validated by the server as the user types; submit starts the experiment. */
export function SubmitPage() {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>();
  const ticket = useRef(0);
  const timer = useRef(0);
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string>();

  const validate = async (text: string) => {
    const mine = ++ticket.current;
    setCheck({ state: 'checking' });
    try {
      const result = await api.validate(text);
      if (mine !== ticket.current || !view.current) return;
      if (result.valid) {
        setCheck({ state: 'valid', summary: result.summary });
        showProblems(view.current, []);
      } else {
        setCheck({ state: 'invalid', problems: result.problems });
        showProblems(view.current, result.problems);
      }
    } catch (e) {
      if (mine === ticket.current) setCheck({ state: 'error', message: (e as Error).message });
    }
  };

  useEffect(() => {
    document.title = 'New experiment · Morphling';
    if (!host.current) return;
    const editor = createEditor(host.current, exampleYaml, (text) => {
      setSubmitError(undefined);
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void validate(text), VALIDATE_DELAY_MS);
    });
    view.current = editor;
    void validate(exampleYaml);
    return () => {
      window.clearTimeout(timer.current);
      ticket.current++;
      editor.destroy();
      view.current = undefined;
    };
  }, []);

  const submit = async () => {
    const editor = view.current;
    if (!editor) return;
    setSubmitting(true);
    setSubmitError(undefined);
    window.clearTimeout(timer.current);
    try {
      const { experiment } = await api.submit(editor.state.doc.toString());
      navigate(experimentHref(experiment.name));
    } catch (e) {
      if (e instanceof ApiError && e.problems.length > 0) {
        ticket.current++;
        setCheck({ state: 'invalid', problems: e.problems });
        showProblems(editor, e.problems);
      }
      setSubmitError((e as Error).message);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div data-testid="submit-page">
      <div class="page-title">
        <div>
          <a class="crumb" href="#/">
            ← Experiments
          </a>
          <h1>New experiment</h1>
          <p class="muted">
            A <code>ProfilingExperiment</code> in YAML, the same as <code>morphling run</code> takes. It is
            checked as you type.
          </p>
        </div>
        <div class="actions">
          <button
            type="button"
            class="button primary"
            data-testid="submit"
            disabled={submitting || check.state === 'invalid'}
            onClick={() => void submit()}
          >
            {submitting ? 'Submitting…' : 'Submit and run'}
          </button>
        </div>
      </div>
      {submitError && <Notice kind="error">Not submitted: {submitError}</Notice>}
      <div class="submit-grid">
        <div class="editor card" ref={host} data-testid="editor" />
        <Card title="Validation" class="validation">
          <div data-testid="validation" data-state={check.state}>
            {check.state === 'checking' && <p class="muted">Checking…</p>}
            {check.state === 'error' && <Notice kind="warning">Could not validate: {check.message}</Notice>}
            {check.state === 'valid' && (
              <>
                <p class="valid">✓ Valid experiment “{check.summary.name}”</p>
                <table class="facts">
                  <tbody>
                    <tr>
                      <th scope="row">Space</th>
                      <td>{formatNumber(check.summary.spaceSize)} configurations</td>
                    </tr>
                    <tr>
                      <th scope="row">Budget</th>
                      <td>{check.summary.maxNumTrials} trials</td>
                    </tr>
                    <tr>
                      <th scope="row">Algorithm</th>
                      <td>{check.summary.algorithm}</td>
                    </tr>
                    <tr>
                      <th scope="row">Runner</th>
                      <td>{check.summary.runner}</td>
                    </tr>
                  </tbody>
                </table>
              </>
            )}
            {check.state === 'invalid' && (
              <>
                <p class="invalid">
                  {check.problems.length} problem{check.problems.length === 1 ? '' : 's'}
                </p>
                <ul class="problems" data-testid="problems">
                  {check.problems.map((p, i) => (
                    <li key={`${p.path}-${i}`}>
                      <button
                        type="button"
                        class="problem"
                        onClick={() => view.current && goToLine(view.current, p.line ?? 1)}
                        title="show in the editor"
                      >
                        <span class="problem-line">{p.line ? `line ${p.line}` : 'line ?'}</span>
                        <code class="problem-path">{p.path || '(document)'}</code>
                        <span class="problem-message">{p.message}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </Card>
      </div>
    </div>
  );
}
