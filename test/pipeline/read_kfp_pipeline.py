"""Loads a pipeline YAML with the Kubeflow Pipelines SDK and prints what KFP sees in it.

Used by the Kubeflow export test to prove that the KFP SDK itself accepts what Kiln writes:
`load_component_from_file` parses the YAML into KFP's protobuf PipelineSpec (unknown fields or
wrong types fail there), and KFP's compiler must then compile a pipeline that runs the loaded one
as a sub-pipeline. The proto parse does not check references between tasks, so `problems` lists
any dangling one the way a KFP backend would reject it. Prints one JSON document on stdout.

usage: read_kfp_pipeline.py PIPELINE_YAML WORK_DIR
"""

import json
import os
import re
import sys

import yaml
from kfp import compiler, dsl
from kfp.components import load_component_from_file

PLACEHOLDER = re.compile(r"\{\{\$\.(inputs|outputs)\.(artifacts|parameters)\['([^']+)'\]")


def wiring_problems(ir):
    """References in the IR that point at nothing: tasks, artifacts, params, executors."""
    problems = []
    tasks = ir["root"]["dag"]["tasks"]
    root_params = ir["root"].get("inputDefinitions", {}).get("parameters", {})
    components = ir["components"]
    executors = ir["deploymentSpec"]["executors"]

    def outputs_of(task_name):
        component = components[tasks[task_name]["componentRef"]["name"]]
        return component.get("outputDefinitions", {}).get("artifacts", {})

    for name, task in tasks.items():
        component = components.get(task["componentRef"]["name"])
        if component is None:
            problems.append(f"{name}: no component {task['componentRef']['name']}")
            continue
        declared = component.get("inputDefinitions", {})
        inputs = task.get("inputs", {})
        for upstream in task.get("dependentTasks", []):
            if upstream not in tasks:
                problems.append(f"{name}: depends on missing task {upstream}")
        for key, value in inputs.get("artifacts", {}).items():
            ref = value["taskOutputArtifact"]
            if ref["producerTask"] not in tasks:
                problems.append(f"{name}.{key}: missing producer {ref['producerTask']}")
            elif ref["outputArtifactKey"] not in outputs_of(ref["producerTask"]):
                problems.append(
                    f"{name}.{key}: {ref['producerTask']} has no output {ref['outputArtifactKey']}"
                )
            if ref["producerTask"] not in task.get("dependentTasks", []):
                problems.append(f"{name}.{key}: producer {ref['producerTask']} not in dependentTasks")
        for key, value in inputs.get("parameters", {}).items():
            if value["componentInputParameter"] not in root_params:
                problems.append(f"{name}.{key}: no pipeline param {value['componentInputParameter']}")
        for kind in ("artifacts", "parameters"):
            if sorted(declared.get(kind, {})) != sorted(inputs.get(kind, {})):
                problems.append(f"{name}: {kind} fed by the task differ from the component's")
        executor = executors.get(component["executorLabel"])
        if executor is None:
            problems.append(f"{name}: no executor {component['executorLabel']}")
            continue
        container = executor["container"]
        for arg in container["command"] + container.get("args", []):
            for side, kind, key in PLACEHOLDER.findall(arg):
                defined = component.get(f"{side[:-1]}Definitions", {})  # inputs -> inputDefinitions
                if key not in defined.get(kind, {}):
                    problems.append(f"{name}: placeholder for undeclared {side} {kind} {key}")
    return problems


def summarize(ir):
    """The parts of a pipeline IR the test checks, in plain JSON."""
    tasks = {}
    for name, task in ir["root"]["dag"]["tasks"].items():
        component = ir["components"][task["componentRef"]["name"]]
        container = ir["deploymentSpec"]["executors"][component["executorLabel"]]["container"]
        inputs = task.get("inputs", {})
        tasks[name] = {
            "displayName": task["taskInfo"]["name"],
            "component": task["componentRef"]["name"],
            "dependentTasks": task.get("dependentTasks", []),
            "cache": task.get("cachingOptions", {}).get("enableCache", False),
            "artifacts": {
                key: value["taskOutputArtifact"]
                for key, value in inputs.get("artifacts", {}).items()
            },
            "parameters": {
                key: value["componentInputParameter"]
                for key, value in inputs.get("parameters", {}).items()
            },
            "outputs": sorted(component.get("outputDefinitions", {}).get("artifacts", {})),
            "image": container["image"],
            "command": container["command"],
            "args": container.get("args", []),
        }
    return {
        "name": ir["pipelineInfo"]["name"],
        "schemaVersion": ir["schemaVersion"],
        "sdkVersion": ir["sdkVersion"],
        "params": ir["root"].get("inputDefinitions", {}).get("parameters", {}),
        "tasks": tasks,
    }


def main():
    path, work_dir = sys.argv[1:3]
    component = load_component_from_file(path)

    @dsl.pipeline(name="outer")
    def outer():
        component()

    nested_path = os.path.join(work_dir, "nested.yaml")
    compiler.Compiler().compile(outer, nested_path)
    with open(path) as f:
        exported = yaml.safe_load(f)
    with open(nested_path) as f:
        nested = yaml.safe_load(f)
    print(
        json.dumps(
            {
                "loadedName": component.name,
                "loadedInputs": {
                    name: {"type": spec.type, "default": spec.default}
                    for name, spec in (component.component_spec.inputs or {}).items()
                },
                "problems": wiring_problems(exported),
                "exported": summarize(exported),
                "exportedTasks": exported["root"]["dag"]["tasks"],
                "nestedTasks": nested["components"][f"comp-{component.name}"]["dag"]["tasks"],
                "nestedSdkVersion": nested["sdkVersion"],
            }
        )
    )


if __name__ == "__main__":
    main()
