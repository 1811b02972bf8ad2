import type { Db } from '../db/client.ts';

/**
 * Domain events between modules, delivered synchronously inside the emitter's transaction, so a
 * reaction (an opening becoming available when its dataset opens) commits or rolls back with the
 * change that caused it. Modules add their events to this interface by declaration merging.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PlatformEvents {}

type Handler<P> = (payload: P, tx: Db) => Promise<void>;

export class EventBus {
  private readonly handlers = new Map<string, Handler<never>[]>();

  on<K extends keyof PlatformEvents>(name: K, handler: Handler<PlatformEvents[K]>): void {
    const list = this.handlers.get(name as string) ?? [];
    list.push(handler as Handler<never>);
    this.handlers.set(name as string, list);
  }

  async emit<K extends keyof PlatformEvents>(name: K, payload: PlatformEvents[K], tx: Db): Promise<void> {
    for (const h of this.handlers.get(name as string) ?? []) await (h as Handler<PlatformEvents[K]>)(payload, tx);
  }
}
