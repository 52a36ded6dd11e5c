import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** A fact that happened, as subscribers receive it. */
export interface DomainEvent<P extends object = object> {
  /** UUID, unique per event: what a handler de-duplicates on, and the message id across processes. */
  readonly id: string;
  /** `<aggregate>.<past-tense fact>`, e.g. `order.placed`. */
  readonly name: string;
  /** The payload's schema version; a breaking change is a new version of the same name. */
  readonly version: number;
  /** What the fact is about (`order`) and which one (its id): events of one aggregate are delivered in order. */
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly occurredAt: Date;
  readonly payload: P;
}

/**
 * The definition of one event: its name, version and payload class (class-validator rules). Defined once in
 * `@app/contracts` and used by the publisher (`EventBus.publish(OrderPlaced, payload)`) and by every subscriber
 * (`@HandlesEvent(OrderPlaced)`), so both sides agree on the shape at compile time and at run time.
 */
export interface EventType<P extends object> {
  readonly name: string;
  readonly version: number;
  readonly aggregateType: string;
  /** The payload's class: its validation rules are the event's schema. */
  readonly payload: new () => P;
  /** The aggregate id, read from the payload. */
  readonly aggregateIdOf: (payload: P) => string;
  readonly description: string;
}

/** Every event type defined in this process, by `name@version`: the catalogue the docs and tests read. */
const defined = new Map<string, EventType<object>>();

export const eventKey = (type: { name: string; version: number }): string => `${type.name}@${type.version}`;

export function defineEvent<P extends object>(definition: EventType<P>): EventType<P> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/.test(definition.name)) {
    throw new Error(`Event name ${definition.name} must look like aggregate.fact (lower case, dots)`);
  }
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new Error(`Event ${definition.name}: version must be a positive integer`);
  }
  const key = eventKey(definition);
  if (defined.has(key) && defined.get(key) !== (definition as unknown as EventType<object>))
    throw new Error(`Event ${key} is defined twice`);
  defined.set(key, definition as unknown as EventType<object>);
  return definition;
}

/** The defined event types, sorted by name and version. */
export function definedEvents(): ReadonlyArray<EventType<object>> {
  return [...defined.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version - b.version);
}

/** Thrown when a payload breaks its event's schema (on publish: a bug; on delivery: an event never retried). */
export class InvalidEventPayloadError extends Error {
  constructor(
    readonly event: string,
    readonly problems: string[],
  ) {
    super(`Invalid ${event} payload: ${problems.join('; ')}`);
    this.name = 'InvalidEventPayloadError';
  }
}

/**
 * Checks `payload` against the event's payload class (every property declared, nothing else) and returns it as a
 * plain object (what is stored and sent). Throws {@link InvalidEventPayloadError}.
 */
export function validatePayload<P extends object>(type: EventType<P>, payload: unknown): P {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidEventPayloadError(eventKey(type), ['the payload must be an object']);
  }
  const instance = plainToInstance(type.payload, payload);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const problems = errors.flatMap((error) =>
      Object.values(error.constraints ?? { invalid: `${error.property} is invalid` }),
    );
    throw new InvalidEventPayloadError(eventKey(type), problems);
  }
  return { ...(payload as P) };
}
