// ONNX in and out, on the Deploy panel. In: an .onnx file (from skl2onnx, onnxmltools or
// driftlab) with its reference table — the loaded one, or a picked CSV — becomes the
// current model through the core's import and is registered like a trained one (its note
// says where it came from), so it is scored, monitored, compared and exported to the edge
// as any other version. Out: the last model trained or imported, as an .onnx file (the
// CLI's `export --format onnx`). Both run in the full module, which the worker loads on
// the first call that needs it.
import { h, saveFile } from '../dom';
import type { DeployHub } from '../store/hub';
import { message, showError } from '../errors';

export class OnnxPanel {
  readonly element: HTMLElement;
  private readonly file = h('input', { id: 'onnx-file', type: 'file', accept: '.onnx,application/octet-stream' });
  private readonly reference = h('input', { id: 'onnx-reference', type: 'file', accept: '.csv,text/csv' });
  private readonly target = h('input', { id: 'onnx-target', type: 'text', placeholder: 'guessed', autocomplete: 'off' });
  private readonly openButton = h('button', { id: 'onnx-open', type: 'button', class: 'primary', disabled: true }, 'Import and register');
  private readonly downloadButton = h('button', { id: 'onnx-download', type: 'button' }, 'Download the last model as .onnx');
  private readonly status = h('p', { id: 'onnx-status', class: 'status', role: 'status' });
  private readonly error = h('div', { id: 'onnx-error', class: 'error', role: 'alert', hidden: true });

  constructor(private readonly hub: DeployHub) {
    this.file.addEventListener('change', () => { this.openButton.disabled = !this.file.files?.length; });
    this.openButton.addEventListener('click', () => void this.open());
    this.downloadButton.addEventListener('click', () => void this.download());
    this.element = h('section', { class: 'controls onnx', 'aria-labelledby': 'onnx-title' },
      h('h3', { id: 'onnx-title' }, 'ONNX'),
      h('p', { class: 'note' },
        'Bring a model trained elsewhere (scikit-learn through skl2onnx, LightGBM or XGBoost through onnxmltools): '
        + 'with the table it was trained on as its reference, it becomes a version here, watched for drift like any other. '
        + 'Or take the last model to any ONNX runtime.'),
      h('div', { class: 'field' }, h('label', { for: 'onnx-file' }, 'ONNX model'), this.file),
      h('div', { class: 'field' }, h('label', { for: 'onnx-reference' }, 'Reference CSV (empty: the loaded table)'), this.reference),
      h('div', { class: 'field' }, h('label', { for: 'onnx-target' }, 'Target column of the reference'), this.target),
      h('div', { class: 'row-buttons' }, this.openButton, this.downloadButton),
      this.error,
      this.status);
  }

  private async open(): Promise<void> {
    const file = this.file.files?.[0];
    if (!file) return;
    this.openButton.disabled = true;
    showError(this.error, null);
    delete this.status.dataset.version;
    this.status.textContent = `Importing ${file.name}…`;
    try {
      const onnx = new Uint8Array(await file.arrayBuffer());
      const ref = this.reference.files?.[0];
      const csv = ref ? { bytes: new Uint8Array(await ref.arrayBuffer()), name: ref.name } : null;
      const target = this.target.value.trim() === '' ? null : this.target.value.trim();
      const imported = await this.hub.client.importOnnx(onnx, csv, target, file.name);
      const r = await this.hub.deployLast(`imported from ONNX: ${file.name}`);
      const version = (r.versions.find((v) => v.id === imported.card.hash) ?? r.versions[r.versions.length - 1])?.name ?? 'a new version';
      showError(this.error, null);
      this.status.textContent = `Imported ${file.name} as a ${imported.card.kind} model (${imported.card.features.length} features, reference ${ref?.name ?? 'the loaded table'}); registered as ${version}.`;
      this.status.dataset.version = version;
    } catch (err) {
      showError(this.error, message(err));
      this.status.textContent = '';
    } finally {
      this.openButton.disabled = !this.file.files?.length;
    }
  }

  private async download(): Promise<void> {
    try {
      const bytes = await this.hub.client.model('exportOnnx');
      saveFile(bytes as BlobPart, 'driftlab-model.onnx', 'application/octet-stream');
      showError(this.error, null);
      this.status.textContent = `Saved driftlab-model.onnx (${bytes.length.toLocaleString('en')} bytes).`;
    } catch (err) {
      showError(this.error, message(err));
    }
  }
}
