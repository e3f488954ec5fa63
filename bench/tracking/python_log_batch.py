"""Peer (b) of bench/tracking: the Python mlflow client's best path for many metric points.

Logs N metric points to a new run with MlflowClient.log_batch, 1,000 metrics per call (MLflow's
per-request limit), and prints the seconds the logging took as JSON. Interpreter start-up and
imports are not timed, as Kiln's side does not time Node's start-up either.

usage: python_log_batch.py TRACKING_URI N KEYS
"""

import json
import sys
import time

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient


def main():
    uri, n, keys = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    client = MlflowClient(tracking_uri=uri)
    experiment_id = client.create_experiment(f"bench-python-{time.time_ns()}")
    run_id = client.create_run(experiment_id).info.run_id
    started = time.perf_counter()
    batch = []
    for i in range(n):
        batch.append(Metric(f"m{i % keys}", float(i), int(time.time() * 1000), i // keys))
        if len(batch) == 1000:
            client.log_batch(run_id, metrics=batch)
            batch = []
    if batch:
        client.log_batch(run_id, metrics=batch)
    client.set_terminated(run_id)
    print(json.dumps({"seconds": time.perf_counter() - started, "run_id": run_id}))


if __name__ == "__main__":
    main()
