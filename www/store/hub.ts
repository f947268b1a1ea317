// The deploy side's shared state: the registry and the scenario being played (both kept
// in IndexedDB across reloads, engine restarts and cancels: the registry with its
// artifacts, the play as the core saves it — scenario, position, every monitor's state),
// and the timeline. The Deploy, Monitor and Feedback panels read it and listen for
// changes; the player steps the scenario through the worker, pausing at the first alarm of
// each champion unless told not to, and plays on past the scenario's scripted end.
import type { WorkbenchClient } from '../client';
import type { RegistryView, RetrainReport, RetrainRequest, StepReport, TableScenarioRequest, Timeline, TrafficRequest } from '../protocol';
import * as store from '../persist/idb';
import { message } from '../errors';

const REGISTRY_KEY = 'registry';
const PLAY_KEY = 'play';

export type Listener = () => void;

/** Milliseconds between steps at each speed. */
export const SPEEDS: Record<string, number> = { '1×': 900, '2×': 450, '4×': 200, 'fastest': 0 };

export class DeployHub {
  registry: RegistryView | null = null;
  timeline: Timeline | null = null;
  last: StepReport | null = null;
  playing = false;
  speed = '2×';
  /** The last error of the player, shown by the Monitor panel. */
  error: string | null = null;
  /** Pause at the first alarm of each champion (the Monitor panel's setting). */
  pauseOnAlarm = true;
  /** Why the player last stopped by itself (an alarm), for the Monitor panel. */
  paused: string | null = null;
  /** A saved play that needs a table not loaded yet (a stream drawn from a file). */
  private waitingPlay: string | null = null;
  /** Settles when the page's table is loaded (a play drawn from it needs it). */
  tableReady: () => Promise<void> = () => Promise.resolve();
  private registryListeners: Listener[] = [];
  private timelineListeners: Listener[] = [];
  private restored: Promise<string> | null = null;

  constructor(readonly client: WorkbenchClient) {}

  onRegistry(listener: Listener): void {
    this.registryListeners.push(listener);
  }

  onTimeline(listener: Listener): void {
    this.timelineListeners.push(listener);
  }

  /**
   * Restores the registry saved in IndexedDB, if any, once: later calls share the first.
   * Resolves to a sentence on what happened.
   */
  restore(): Promise<string> {
    this.restored ??= this.load();
    return this.restored;
  }

  /**
   * After the engine restarted, the registry it held is gone: read the saved one back
   * (nothing is saved before that, see `change`). The scenario stops.
   */
  reloadAfterCrash(): Promise<string> {
    this.restored = null;
    this.playing = false;
    this.timeline = null;
    this.last = null;
    this.emitTimeline();
    return this.restore();
  }

  /** Reads the saved play back over the restored registry; a sentence on what happened. */
  private async loadPlay(): Promise<string> {
    let text: string | undefined;
    try {
      text = await store.get<string>(PLAY_KEY);
    } catch {
      return '';
    }
    if (typeof text !== 'string') return '';
    await this.tableReady();
    try {
      const r = await this.client.deploy('playRestore', text);
      this.waitingPlay = null;
      this.registry = r.registry;
      this.timeline = r.timeline;
      this.last = null;
      this.emitRegistry();
      this.emitTimeline();
      const t = r.timeline;
      return ` The ${t.scenario} stream continues at batch ${t.batches.length} with its ${t.alarms.length} alarm${t.alarms.length === 1 ? '' : 's'}.`;
    } catch (err) {
      const why = message(err);
      if (/load the table|another table/.test(why)) {
        this.waitingPlay = text;
        return ` The stream that was playing was drawn from a file: open the same file on the Data panel to continue it.`;
      }
      await store.del(PLAY_KEY).catch(() => {});
      return ` The saved stream could not be continued (${why}).`;
    }
  }

  /** A table was loaded: continue a saved play that was waiting for it. */
  async tableLoaded(): Promise<string> {
    if (!this.waitingPlay || !this.restored) return '';
    await this.restored;
    return this.loadPlay();
  }

  private async load(): Promise<string> {
    let text: string | undefined;
    try {
      text = await store.get<string>(REGISTRY_KEY);
    } catch (err) {
      this.registry = await this.client.deploy('registry');
      this.emitRegistry();
      return `The saved registry could not be read (${message(err)}).`;
    }
    if (typeof text !== 'string') {
      this.registry = await this.client.deploy('registry');
      this.emitRegistry();
      return '';
    }
    try {
      this.registry = await this.client.deploy('registryLoad', text);
      this.emitRegistry();
      const n = this.registry.versions.length;
      return `Restored the registry saved in this browser: ${n} version${n === 1 ? '' : 's'}.` + await this.loadPlay();
    } catch (err) {
      this.registry = await this.client.deploy('registry');
      this.emitRegistry();
      return `The saved registry was not valid and was ignored (${message(err)}).`;
    }
  }

  /** Runs a registry action, then saves the registry and tells the panels. */
  async change(action: () => Promise<RegistryView>): Promise<RegistryView> {
    await this.restore(); // never save over a registry that has not been read yet
    this.registry = await action();
    await this.save();
    this.emitRegistry();
    return this.registry;
  }

  deployLast(note: string): Promise<RegistryView> {
    return this.change(() => this.client.deploy('deployLast', note));
  }

  setChallenger(id: string | null): Promise<RegistryView> {
    return this.change(() => this.client.deploy('setChallenger', id));
  }

  setTraffic(request: TrafficRequest): Promise<RegistryView> {
    return this.change(() => this.client.deploy('setTraffic', request));
  }

  promote(): Promise<RegistryView> {
    return this.change(() => this.client.deploy('promote'));
  }

  rollback(): Promise<RegistryView> {
    return this.change(() => this.client.deploy('rollback'));
  }

  /** Retrains the champion on labelled batches (the new version is the challenger), saved. */
  async retrain(request: RetrainRequest): Promise<RetrainReport> {
    let report: RetrainReport | null = null;
    await this.change(async () => {
      report = await this.client.deploy('retrain', request);
      return this.client.deploy('registry');
    });
    return report!;
  }

  async clear(): Promise<void> {
    this.stop();
    await this.restore(); // a registry still being read back must not land after the clear
    this.registry = await this.client.deploy('registryClear');
    this.timeline = null;
    this.last = null;
    this.waitingPlay = null;
    await store.del(REGISTRY_KEY);
    await store.del(PLAY_KEY);
    this.emitRegistry();
    this.emitTimeline();
  }

  async refreshRegistry(): Promise<void> {
    this.registry = await this.client.deploy('registry');
    this.emitRegistry();
  }

  async start(name: string, seed: number | null): Promise<void> {
    this.stop();
    await this.restore();
    this.began(await this.client.deploy('startScenario', name, seed));
  }

  /** Starts a scenario drawn from the loaded table. */
  async startTable(request: TableScenarioRequest): Promise<void> {
    this.stop();
    await this.restore();
    this.began(await this.client.deploy('startTable', request));
  }

  private began(timeline: Timeline): void {
    this.timeline = timeline;
    this.last = null;
    this.error = null;
    this.paused = null;
    this.emitTimeline();
    void this.savePlay();
  }

  /** Adds batches after the stream's end (the core's default number when `null`). */
  async extend(batches: number | null = null): Promise<void> {
    this.timeline = await this.client.deploy('extend', batches);
    this.emitTimeline();
  }

  /** One step (playing on past the end when the stream has ended); false when it has. */
  async step(): Promise<boolean> {
    if (!this.timeline) throw new Error('start a scenario on the Monitor panel first');
    if (this.timeline.finished) await this.extend();
    const result = await this.client.deploy('step');
    this.last = result;
    this.timeline = await this.client.deploy('timeline');
    // outcomes for the comparison grow as labels arrive
    this.registry = await this.client.deploy('registry');
    this.emitTimeline();
    this.emitRegistry();
    void this.savePlay();
    return !result.finished;
  }

  /** Alarms raised so far while the current champion serves. */
  private championAlarms(): number {
    const t = this.timeline;
    const current = t?.segments[t.segments.length - 1];
    return t && current ? t.alarms.filter((a) => a.version === current.version && a.t >= current.offset).length : 0;
  }

  /**
   * Plays until paused, at the scripted end (a stream already past it plays on), at the
   * first alarm of the current champion (when `pauseOnAlarm`), or when `until` says stop
   * (checked after each step; `until` also turns the alarm pause off).
   */
  async play(until?: (last: StepReport) => boolean): Promise<void> {
    if (this.playing) return;
    if (!this.timeline) throw new Error('start a scenario on the Monitor panel first');
    this.playing = true;
    this.error = null;
    this.paused = null;
    const pastEnd = this.timeline.finished || this.timeline.batches.length >= this.timeline.batches_scripted;
    const quiet = this.championAlarms() === 0;
    this.emitTimeline();
    try {
      while (this.playing) {
        const more = await this.step();
        const last = this.last;
        if (until) {
          if (last && until(last)) break;
        } else {
          if (!more && !pastEnd) break;
          if (this.pauseOnAlarm && quiet && last && last.alarms.length > 0) {
            const a = last.alarms[0]!;
            this.paused = `Paused at the first alarm, batch ${a.t}: ${a.message} Press Play to go on.`;
            break;
          }
        }
        const wait = SPEEDS[this.speed] ?? 0;
        await new Promise((r) => setTimeout(r, wait));
      }
    } catch (err) {
      this.error = message(err);
    } finally {
      this.playing = false;
      this.emitTimeline();
    }
  }

  /** Plays `n` batches (on past the end if needed), without pausing at alarms. */
  async playBatches(n: number): Promise<void> {
    const t = this.timeline;
    if (!t) throw new Error('start a scenario on the Monitor panel first');
    const left = t.batches_total - t.batches.length;
    if (left < n) await this.extend(n - left);
    const target = (this.timeline?.batches.length ?? 0) + n;
    await this.play(() => (this.timeline?.batches.length ?? 0) >= target);
  }

  stop(): void {
    this.playing = false;
  }

  private async save(): Promise<void> {
    try {
      const text = await this.client.deploy('registrySave');
      await store.set(REGISTRY_KEY, text);
    } catch {
      // an empty registry has nothing to save; a full disk leaves the page working
    }
    await this.savePlay();
  }

  /** Saves the play (one write at a time; the last one wins). */
  private saving: Promise<void> = Promise.resolve();
  private savePlay(): Promise<void> {
    this.saving = this.saving.then(async () => {
      try {
        const text = await this.client.deploy('playSave');
        if (text) await store.set(PLAY_KEY, text);
      } catch {
        // nothing playing, or a full disk: the page keeps working
      }
    });
    return this.saving;
  }

  private emitRegistry(): void {
    for (const l of this.registryListeners) l();
  }

  private emitTimeline(): void {
    for (const l of this.timelineListeners) l();
  }
}
