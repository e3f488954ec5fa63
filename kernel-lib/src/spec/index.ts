export * from "./pipeline-spec";
export * from "./pipeline-events";
export * from "./annotations";
