// The app shell: reads the link's state, wires the navigation through the loop, and
// starts the Data and Model panels. The Wasm lives in the worker behind `WorkbenchClient`.
import './style.css';
import { WorkbenchClient } from './client';
import { byId } from './dom';
import { DataPanel } from './panels/data';
import { EdgePanel } from './panels/edge';
import { ModelPanel } from './panels/model';
import { DeployPanel } from './panels/deploy';
import { MonitorPanel } from './panels/monitor';
import { FeedbackPanel } from './panels/feedback';
import { DeployHub } from './store/hub';
import { ProjectControls } from './project';
import { Tour } from './tour';
import { Lesson } from './live/lesson';
import { parseHash, writeHash, UPLOADED, type State, type View, VIEWS } from './state';

let state: State = parseHash(location.hash);

const client = new WorkbenchClient();
// Deploy, Monitor and Feedback share the registry and the playing scenario.
const hub = new DeployHub(client);
const deployPanel = new DeployPanel(hub);
const monitorPanel = new MonitorPanel(hub);
new FeedbackPanel(hub);
// They need the worker's full engine (trainers, registry, monitor), so they start the first
// time one of them is opened: the first page load fetches only the small data module.
let deployStarted = false;
function startDeploy(): void {
  if (deployStarted) return;
  deployStarted = true;
  void hub.restore().then((note) => deployPanel.note(note), (err: unknown) => deployPanel.note(String(err)));
  void monitorPanel.load();
}
// A stream drawn from the loaded table continues only over that table: the hub waits for
// the first table before it reads a saved play back (or 20 s, if none ever loads).
let tableLoaded: () => void = () => {};
const firstTable = new Promise<void>((resolve) => {
  tableLoaded = resolve;
  setTimeout(resolve, 20_000);
});
hub.tableReady = () => firstTable;
// a link made on an uploaded file loads nothing until the file is chosen again
if (state.dataset === UPLOADED) tableLoaded();
// A restarted engine (a crash, or a cancelled training) has lost the registry and the
// stream it held; the panels read the saved ones back.
client.onCrash(() => {
  if (deployStarted) void hub.reloadAfterCrash().then((note) => deployPanel.note(note), (err: unknown) => deployPanel.note(String(err)));
});
const edge = new EdgePanel(client);
const model = new ModelPanel(client, state, (settings) => {
  state = { ...state, ...settings };
  writeHash(state);
});
const data = new DataPanel(
  client,
  (choice) => {
    state = { ...state, ...choice, file: null };
    writeHash(state);
  },
  (loaded, info) => {
    void model.setTable(loaded, info);
    edge.setTable(loaded);
    tableLoaded();
    if (deployStarted) void hub.tableLoaded().then((note) => deployPanel.note(note.trim()), () => {});
  },
  // the link says the data was uploaded (a link cannot carry the file)
  (file) => {
    state = { ...state, dataset: UPLOADED, file, rows: null, drift: null };
    writeHash(state);
  },
);

// The live view's 2-D data controls load through the Data panel, like any choice.
model.dataLoader = {
  data: () => {
    const c = data.source();
    return c?.kind === 'builtin' ? c.choice : null;
  },
  // the 2-D sets take no drift; a drift the current choice carries is kept
  loadData: (choice) => data.open({ drift: null, ...choice }),
};
model.hideControls(state.hide);

// The project file (download / open) spans the Data and Model panels.
new ProjectControls(byId('project-box'), data, model, () => state, (next) => {
  state = { ...next, view: state.view };
  writeHash(state);
  model.apply(state);
});

const navButtons = [...document.querySelectorAll<HTMLButtonElement>('nav button[data-view]')];

function showView(view: View): void {
  for (const name of VIEWS) byId(`panel-${name}`).hidden = name !== view;
  for (const button of navButtons) {
    if (button.dataset.view === view) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  if (view === 'deploy' || view === 'monitor' || view === 'feedback') startDeploy();
  if (view === 'edge') void edge.open();
}

for (const button of navButtons) {
  button.addEventListener('click', () => {
    state = { ...state, view: button.dataset.view as View };
    showView(state.view);
    writeHash(state);
    byId(`panel-${state.view}`).querySelector<HTMLElement>('h2')?.focus();
  });
}

// The guided tour of the fraud story; its step lives in the hash (`#tour=3`).
const tour = new Tour(hub, (view) => {
  state = { ...state, view };
  showView(view);
  writeHash(state);
}, (step) => {
  state = { ...state, tour: step };
  writeHash(state);
});

// The neural-network lesson on the circle data; its step lives in the hash (`#lesson=2`).
const lesson = new Lesson({
  loadCircle: async () => {
    await data.open({ dataset: 'circles', rows: 400, seed: 42, drift: null, noise: 0 });
    await model.whenReady();
  },
  setKind: (kind) => model.setKind(kind),
  setFeatures: (features) => model.setFeatures(features),
  train: () => model.trainNow(),
  play: () => model.playLive(),
  showModel: () => {
    state = { ...state, view: 'model' };
    showView('model');
    writeHash(state);
  },
  remember: (step) => {
    state = { ...state, lesson: step };
    writeHash(state);
  },
  lastRun: () => model.lastRun(),
});

// A link edited by hand (or pasted) while the page is open.
window.addEventListener('hashchange', () => {
  state = parseHash(location.hash);
  showView(state.view);
  model.apply(state);
  model.hideControls(state.hide);
  void data.open(state);
  if (state.tour !== null) startDeploy();
  tour.apply(state.tour);
  lesson.apply(state.lesson);
});

showView(state.view);
void data.start(state).then(() => {
  if (state.lesson !== null) void lesson.open(state.lesson);
  else if (state.play) void model.playLive();
});
if (state.tour !== null) {
  const step = state.tour;
  startDeploy();
  void hub.restore().then(() => tour.open(step));
}
