"""Reads back a run and a registered model with MLflow's own Python client.

Used by the tracking integration test to prove that a Python MLflow user sees exactly what
Kiln's TypeScript client wrote. Prints one JSON document on stdout.

usage: read_run.py TRACKING_URI RUN_ID MODEL_NAME ALIAS
"""

import json
import sys

from mlflow.tracking import MlflowClient


def list_artifacts(client, run_id, path=None):
    files = []
    for info in client.list_artifacts(run_id, path):
        if info.is_dir:
            files.extend(list_artifacts(client, run_id, info.path))
        else:
            files.append({"path": info.path, "size": info.file_size})
    return files


def main():
    uri, run_id, model_name, alias = sys.argv[1:5]
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    run = client.get_run(run_id)
    metrics = {}
    for key in run.data.metrics:
        history = client.get_metric_history(run_id, key)
        metrics[key] = sorted(([m.step, m.value] for m in history), key=lambda p: p[0])
    version = client.get_model_version_by_alias(model_name, alias)
    print(
        json.dumps(
            {
                "status": run.info.status,
                "params": run.data.params,
                "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
                "parent": run.data.tags.get("mlflow.parentRunId"),
                "metrics": metrics,
                "datasets": [
                    {"name": d.dataset.name, "digest": d.dataset.digest, "source": d.dataset.source}
                    for d in (run.inputs.dataset_inputs if run.inputs else [])
                ],
                "artifacts": list_artifacts(client, run_id),
                "model_version": {
                    "version": version.version,
                    "run_id": version.run_id,
                    "source": version.source,
                    "aliases": list(version.aliases),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
