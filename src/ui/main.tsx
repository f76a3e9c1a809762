/** Entry of the web dashboard bundle (dist/ui/app.js). */
import { render } from 'preact';
import { initToken } from './api.js';
import { App } from './app.js';

initToken();
const root = document.getElementById('app');
if (root) render(<App />, root);
