/** Entry of the report bundle (dist/ui/report.js): renders the experiment embedded in the HTML file. */
import { render } from 'preact';
import { REPORT_DATA_ID, type ReportData } from '../report/types.js';
import { formatTime } from './data.js';
import { ExperimentView } from './experiment-view.js';
import { experimentHref, useRoute } from './router.js';

function Report(props: { data: ReportData }) {
  const { data } = props;
  const route = useRoute();
  const name = data.experiment.name;
  const openSeq = route.page === 'experiment' && route.name === name ? route.trial : undefined;
  return (
    <>
      <header class="topbar">
        <span class="brand">Morphling report</span>
        <span class="version">
          generated {formatTime(data.generatedAt)} by morphling v{data.version}
        </span>
      </header>
      <main>
        <ExperimentView
          detail={data}
          trials={data.trials}
          openSeq={openSeq}
          trialHref={(seq) => experimentHref(name, seq)}
          closeHref={experimentHref(name)}
        />
      </main>
    </>
  );
}

const element = document.getElementById(REPORT_DATA_ID);
const root = document.getElementById('app');
if (element?.textContent && root) {
  render(<Report data={JSON.parse(element.textContent) as ReportData} />, root);
} else if (root) {
  root.textContent = 'This report has no embedded experiment data.';
}
