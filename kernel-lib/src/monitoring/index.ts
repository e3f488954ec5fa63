// Monitoring of served models: data drift of the live inputs against the training reference.
export * from "./drift";
export * from "./report";
