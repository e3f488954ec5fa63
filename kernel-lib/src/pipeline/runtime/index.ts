export * from "./context";
export * from "./params";
export * from "./log";
export { assertValidModelArtifactName } from "./log-sinks";
