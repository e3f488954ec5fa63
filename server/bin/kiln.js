#!/usr/bin/env node
// Committed entry point, so npm can link `kiln` before the TypeScript is compiled.
require("../dist/cli.js");
