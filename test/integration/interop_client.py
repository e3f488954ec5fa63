"""Calls a Kiln endpoint with clients nobody at Kiln wrote: NVIDIA's tritonclient (Open Inference
Protocol v2 over HTTP) and plain `requests` with MLflow's scoring formats. Prints one JSON document.

usage: interop_client.py SERVER_URL ENDPOINT PREDICT_KEY
"""

import json
import sys
from urllib.parse import urlparse

import numpy as np
import requests
import tritonclient.http as triton


def main():
    url, endpoint, key = sys.argv[1:4]
    headers = {"Authorization": f"Bearer {key}"}
    client = triton.InferenceServerClient(url=urlparse(url).netloc)
    inputs = []
    for name, values in [("vibration", [1.0, 9.0]), ("temperature", [2.0, 0.0]), ("spindle_load", [3.0, 4.0])]:
        tensor = triton.InferInput(name, [2], "FP32")
        # The client's defaults: binary tensors (the protocol's binary extension).
        tensor.set_data_from_numpy(np.array(values, dtype=np.float32))
        inputs.append(tensor)

    def infer(outputs):
        # tritonclient adds its own headers to the dict it is given: hand it a copy.
        return client.infer(endpoint, inputs, outputs=outputs, headers=dict(headers))

    results = {
        # No outputs named: the client asks for every output as binary (binary_data_output).
        "default": infer(None),
        # A named output is asked as binary by default (InferRequestedOutput's binary_data=True).
        "binary": infer([triton.InferRequestedOutput("output")]),
        "json": infer([triton.InferRequestedOutput("output", binary_data=False)]),
    }
    metadata = client.get_model_metadata(endpoint, headers=dict(headers))
    triton_out = {
        "live": client.is_server_live(),
        "metadata_inputs": [i["name"] for i in metadata["inputs"]],
        "results": {
            way: {
                "model_version": result.get_response()["model_version"],
                "kiln_fallback": result.get_response()["parameters"]["kiln_fallback"],
                "binary_data_size": (result.get_output("output").get("parameters") or {}).get("binary_data_size"),
                "output": result.as_numpy("output").reshape(-1).tolist(),
            }
            for way, result in results.items()
        },
    }
    mlflow_out = {}
    for name, body in [
        ("dataframe_split", {"dataframe_split": {"columns": ["vibration", "temperature", "spindle_load"], "data": [[1, 2, 3], [9, 0, 4]]}}),
        ("dataframe_records", {"dataframe_records": [{"vibration": 1, "temperature": 2, "spindle_load": 3}, {"vibration": 9, "temperature": 0, "spindle_load": 4}]}),
        ("instances", {"instances": [{"vibration": 1, "temperature": 2, "spindle_load": 3}, {"vibration": 9, "temperature": 0, "spindle_load": 4}]}),
        ("inputs", {"inputs": {"vibration": [1, 9], "temperature": [2, 0], "spindle_load": [3, 4]}}),
    ]:
        response = requests.post(f"{url}/endpoints/{endpoint}/invocations", json=body, headers=headers, timeout=10)
        mlflow_out[name] = {"status": response.status_code, "predictions": response.json().get("predictions")}
    csv = requests.post(
        f"{url}/endpoints/{endpoint}/invocations",
        data="vibration,temperature,spindle_load\n1,2,3\n9,0,4\n",
        headers={**headers, "Content-Type": "text/csv"},
        timeout=10,
    )
    mlflow_out["csv"] = {"status": csv.status_code, "predictions": csv.json().get("predictions")}
    print(json.dumps({"triton": triton_out, "mlflow": mlflow_out}))


if __name__ == "__main__":
    main()
