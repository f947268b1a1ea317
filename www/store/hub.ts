// The deploy side's shared state: the registry (kept in IndexedDB across reloads), the
// scenario being played and its timeline. The Deploy, Monitor and Feedback panels read it
// and listen for changes; the player steps the scenario through the worker.
import type { WorkbenchClient } from '../client';
import type { RegistryView, StepReport, Timeline, TrafficRequest } from '../protocol';
import * as store from '../persist/idb';
import { message } from '../errors';

const REGISTRY_KEY = 'registry';

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
      return `Restored the registry saved in this browser: ${n} version${n === 1 ? '' : 's'}.`;
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

  async clear(): Promise<void> {
    this.stop();
    this.registry = await this.client.deploy('registryClear');
    this.timeline = null;
    this.last = null;
    await store.del(REGISTRY_KEY);
    this.emitRegistry();
    this.emitTimeline();
  }

  async refreshRegistry(): Promise<void> {
    this.registry = await this.client.deploy('registry');
    this.emitRegistry();
  }

  async start(name: string, seed: number | null): Promise<void> {
    this.stop();
    this.timeline = await this.client.deploy('startScenario', name, seed);
    this.last = null;
    this.error = null;
    this.emitTimeline();
  }

  /** One step; returns false when the scenario has finished. */
  async step(): Promise<boolean> {
    if (!this.timeline) throw new Error('start a scenario first');
    const result = await this.client.deploy('step');
    this.last = result;
    this.timeline = await this.client.deploy('timeline');
    // outcomes for the comparison grow as labels arrive
    this.registry = await this.client.deploy('registry');
    this.emitTimeline();
    this.emitRegistry();
    return !result.finished;
  }

  /** Plays until paused, finished, or `until` says stop (checked after each step). */
  async play(until?: (last: StepReport) => boolean): Promise<void> {
    if (this.playing) return;
    this.playing = true;
    this.error = null;
    this.emitTimeline();
    try {
      while (this.playing) {
        const more = await this.step();
        if (!more || (until && this.last && until(this.last))) break;
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
  }

  private emitRegistry(): void {
    for (const l of this.registryListeners) l();
  }

  private emitTimeline(): void {
    for (const l of this.timelineListeners) l();
  }
}
