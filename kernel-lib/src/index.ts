export * from "./mlflow/server";
export * from "./process/managed-process";
