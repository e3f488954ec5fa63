// The subset of the KFP v2 pipeline IR (the `PipelineSpec` proto of kubeflow/pipelines, in its
// JSON/YAML form) that Kiln writes. Field names follow the proto's JSON names exactly.

/** Parameter types of the IR; Kiln maps `number` to NUMBER_DOUBLE, `json` to STRUCT or LIST. */
export type KfpParameterType = "NUMBER_DOUBLE" | "STRING" | "BOOLEAN" | "STRUCT" | "LIST";

export type KfpArtifactType = { schemaTitle: "system.Artifact"; schemaVersion: "0.0.1" };

export type KfpInterface = {
  artifacts?: Record<string, { artifactType: KfpArtifactType }>;
  parameters?: Record<string, { parameterType: KfpParameterType }>;
};

export type KfpComponentSpec = {
  executorLabel: string;
  inputDefinitions?: KfpInterface;
  outputDefinitions?: KfpInterface;
};

export type KfpTaskSpec = {
  /** `{}` turns KFP's cache off for the task; the SDK writes the same for `set_caching_options(False)`. */
  cachingOptions: { enableCache?: true };
  componentRef: { name: string };
  dependentTasks?: string[];
  inputs?: {
    artifacts?: Record<
      string,
      { taskOutputArtifact: { producerTask: string; outputArtifactKey: string } }
    >;
    parameters?: Record<string, { componentInputParameter: string }>;
  };
  /** `name` is the display name in the KFP UI, so it keeps the step's own spelling. */
  taskInfo: { name: string };
};

export type KfpRootParameter = {
  parameterType: KfpParameterType;
  defaultValue: unknown;
  isOptional: true;
};

export type KfpPipelineSpec = {
  pipelineInfo: { name: string; displayName: string; description: string };
  components: Record<string, KfpComponentSpec>;
  deploymentSpec: {
    executors: Record<string, { container: { image: string; command: string[]; args: string[] } }>;
  };
  root: {
    dag: { tasks: Record<string, KfpTaskSpec> };
    inputDefinitions?: { parameters: Record<string, KfpRootParameter> };
  };
  schemaVersion: "2.1.0";
  sdkVersion: string;
};
