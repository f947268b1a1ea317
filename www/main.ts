// The app shell: reads the link's state, wires the navigation through the loop, and
// starts the Data and Model panels. The Wasm lives in the worker behind `WorkbenchClient`.
import './style.css';
import { WorkbenchClient } from './client';
import { byId } from './dom';
import { DataPanel } from './panels/data';
import { ModelPanel } from './panels/model';
import { parseHash, writeHash, type State, type View, VIEWS } from './state';

let state: State = parseHash(location.hash);

const client = new WorkbenchClient();
const model = new ModelPanel(client, state, (settings) => {
  state = { ...state, ...settings };
  writeHash(state);
});
const data = new DataPanel(
  client,
  (choice) => {
    state = { ...state, ...choice };
    writeHash(state);
  },
  (loaded, info) => void model.setTable(loaded, info),
);

const navButtons = [...document.querySelectorAll<HTMLButtonElement>('nav button[data-view]')];

function showView(view: View): void {
  for (const name of VIEWS) byId(`panel-${name}`).hidden = name !== view;
  for (const button of navButtons) {
    if (button.dataset.view === view) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
}

for (const button of navButtons) {
  button.addEventListener('click', () => {
    state = { ...state, view: button.dataset.view as View };
    showView(state.view);
    writeHash(state);
    byId(`panel-${state.view}`).querySelector<HTMLElement>('h2')?.focus();
  });
}

// A link edited by hand (or pasted) while the page is open.
window.addEventListener('hashchange', () => {
  state = parseHash(location.hash);
  showView(state.view);
  model.apply(state);
  void data.open(state);
});

showView(state.view);
void data.start(state);
