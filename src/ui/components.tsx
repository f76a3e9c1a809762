import type { ComponentChildren } from 'preact';
import type { ParameterValue } from '../space/parameter.js';
import type { ExperimentStatus, TrialStatus } from '../store/records.js';

export function StatusBadge(props: { status: TrialStatus | ExperimentStatus | string }) {
  return <span class={`badge badge-${props.status}`}>{props.status}</span>;
}

/** `name=value` chips, one per knob. */
export function ConfigChips(props: { config: Readonly<Record<string, ParameterValue>> }) {
  return (
    <span class="chips">
      {Object.entries(props.config).map(([name, value]) => (
        <span class="chip" key={name}>
          <span class="chip-name">{name}</span>
          <span class="chip-value">{String(value)}</span>
        </span>
      ))}
    </span>
  );
}

/** A two-column table of labelled values. */
export function Facts(props: { rows: [string, ComponentChildren][]; class?: string }) {
  return (
    <table class={`facts ${props.class ?? ''}`}>
      <tbody>
        {props.rows.map(([label, value]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Card(props: {
  title?: ComponentChildren;
  class?: string;
  children: ComponentChildren;
  tools?: ComponentChildren;
}) {
  return (
    <section class={`card ${props.class ?? ''}`}>
      {(props.title || props.tools) && (
        <header class="card-header">
          {props.title && <h2>{props.title}</h2>}
          {props.tools && <div class="card-tools">{props.tools}</div>}
        </header>
      )}
      {props.children}
    </section>
  );
}

export function Notice(props: { kind?: 'error' | 'info' | 'warning'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${props.kind ?? 'info'}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** A drop-down with its label in front (`label` then a space, as the card tools write it). */
export function LabelledSelect(props: {
  label: string;
  testid: string;
  value: string | undefined;
  onChange: (value: string) => void;
  children: ComponentChildren;
}) {
  return (
    <label>
      {props.label}{' '}
      <select
        data-testid={props.testid}
        value={props.value}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.children}
      </select>
    </label>
  );
}
