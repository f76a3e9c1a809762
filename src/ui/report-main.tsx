/**
 * Entry of the report bundle (dist/ui/report.js): renders what the HTML file embeds, an experiment
 * (with the bench overlay when it was written with --bench) or a benchmark report.
 */
import { render } from 'preact';
import {
  type BenchReportData,
  isBenchReport,
  REPORT_DATA_ID,
  type ReportData,
  type ReportFileData,
} from '../report/types.js';
import { BenchView } from './bench-view.js';
import { formatTime } from './data.js';
import { ExperimentView } from './experiment-view.js';
import { experimentHref, useRoute } from './router.js';

function Header(props: { data: ReportFileData }) {
  return (
    <header class="topbar">
      <span class="brand">Morphling report</span>
      <span class="version">
        generated {formatTime(props.data.generatedAt)} by morphling v{props.data.version}
      </span>
    </header>
  );
}

function Report(props: { data: ReportData }) {
  const { data } = props;
  const route = useRoute();
  const name = data.experiment.name;
  const openSeq = route.page === 'experiment' && route.name === name ? route.trial : undefined;
  return (
    <>
      <Header data={data} />
      <main>
        <ExperimentView
          detail={data}
          trials={data.trials}
          openSeq={openSeq}
          trialHref={(seq) => experimentHref(name, seq)}
          closeHref={experimentHref(name)}
          bench={data.bench}
        />
      </main>
    </>
  );
}

function BenchReport(props: { data: BenchReportData }) {
  return (
    <>
      <Header data={props.data} />
      <main>
        <BenchView listing={props.data.listing} />
      </main>
    </>
  );
}

const element = document.getElementById(REPORT_DATA_ID);
const root = document.getElementById('app');
if (element?.textContent && root) {
  const data = JSON.parse(element.textContent) as ReportFileData;
  render(isBenchReport(data) ? <BenchReport data={data} /> : <Report data={data} />, root);
} else if (root) {
  root.textContent = 'This report has no embedded data.';
}
