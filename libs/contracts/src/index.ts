// The published language between features (and, with the relay, between processes): every domain event's name,
// version and payload schema. A feature publishes and subscribes through these definitions, so neither side imports
// the other. Add an event here, in the file of the feature that publishes it; a breaking change is a new version.
export * from './events/catalog.events';
export * from './events/orders.events';
export * from './events/reviews.events';
export * from './events/users.events';
