export * from "./errors";
export * from "./export";
export * from "./names";
export * from "./pipeline-ir";
export * from "./step-command";
