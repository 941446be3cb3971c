// Validates element templates against the official Camunda JSON schemas (pinned in
// package.json). Reads {"camunda8": [...], "camunda7": [...]} on stdin and prints
// {"camunda8": [errors per template], "camunda7": [...]} on stdout.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv = require("ajv");
const schemas = {
  camunda8: require("@camunda/zeebe-element-templates-json-schema/resources/schema.json"),
  camunda7: require("@camunda/element-templates-json-schema/resources/schema.json"),
};

// strict: false because the schemas carry the Modeler's own keywords (errorMessage,
// deprecationWarning); $data because conditions compare against sibling ids.
const ajv = new Ajv({ allErrors: true, strict: false, $data: true });
const input = JSON.parse(readFileSync(0, "utf8"));
const out = {};
for (const [engine, templates] of Object.entries(input)) {
  const validate = ajv.compile(schemas[engine]);
  out[engine] = templates.map((template) =>
    validate(template) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`),
  );
}
process.stdout.write(JSON.stringify(out));
