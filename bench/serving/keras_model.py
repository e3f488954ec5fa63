"""bench/serving peer (b): the Kiln autoencoder rebuilt in Keras and logged with MLflow.

usage: python keras_model.py TRACKING_URI WEIGHTS_JSON

WEIGHTS_JSON (written by run.ts) holds the tfjs model's weights in Keras order (kernel, bias per
Dense layer), a sample input and the tfjs predictions for it. The Keras model gets the same
architecture and weights; its predictions must match tfjs (checked here), then it is logged with
mlflow.tensorflow.log_model. Prints one JSON line: {"run_id", "max_abs_diff", "tensorflow"}.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import mlflow  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402


def main() -> None:
    uri, weights_path = sys.argv[1], sys.argv[2]
    with open(weights_path) as f:
        spec = json.load(f)
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(64,), dtype="float32"),
            tf.keras.layers.Dense(16, activation="relu"),
            tf.keras.layers.Dense(64, activation="sigmoid"),
        ]
    )
    model.set_weights(
        [np.asarray(w["values"], dtype=np.float32).reshape(w["shape"]) for w in spec["weights"]]
    )
    sample = np.asarray(spec["sample"], dtype=np.float32)
    predicted = model.predict(sample, verbose=0)
    diff = float(np.max(np.abs(predicted - np.asarray(spec["expected"], dtype=np.float32))))
    if diff > 1e-4:
        raise SystemExit(f"Keras and tfjs disagree: max |diff| = {diff}")
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("bench-serving-keras")
    with mlflow.start_run() as run:
        mlflow.tensorflow.log_model(
            model, name="model", signature=infer_signature(sample, predicted)
        )
    print(json.dumps({"run_id": run.info.run_id, "max_abs_diff": diff, "tensorflow": tf.__version__}))


if __name__ == "__main__":
    main()
