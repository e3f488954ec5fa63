export * from "./pipeline-spec";
export * from "./pipeline-events";
