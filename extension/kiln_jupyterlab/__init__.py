"""Kiln's JupyterLab extension, prebuilt: installing this package is all JupyterLab needs."""


def _jupyter_labextension_paths():
    # JupyterLab finds the built extension (package.json's jupyterlab.outputDir) through this.
    return [{"src": "labextension", "dest": "@kiln/jupyterlab"}]
