// Validates element templates against the official Camunda JSON schemas (pinned in
// package.json). Reads {"camunda8": [...], "camunda7": [...]} on stdin and prints
// {"camunda8": [errors per template], "camunda7": [...]} on stdout. An optional "$schemas"
// entry ({"name": schema}) adds schemas under other names, to check the validator itself.
// A schema that strict mode refuses ends the process with a non-zero code.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv = require("ajv");
const addFormats = require("ajv-formats");
const schemas = {
  camunda8: require("@camunda/zeebe-element-templates-json-schema/resources/schema.json"),
  camunda7: require("@camunda/element-templates-json-schema/resources/schema.json"),
};

// Strict: an unknown keyword or format in a schema is an error, never silently ignored, and
// formats (uri, date-time, ...) are checked. Two of ajv's strict checks judge how a schema
// is written, not the data, and the official schemas fail them by style: strictRequired
// (they list names in `required` next to an `allOf` that defines them) and strictTypes
// (`if` clauses without a `type`). $data because conditions compare against sibling ids.
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  strictRequired: false,
  strictTypes: false,
  $data: true,
});
addFormats(ajv);
// The Zeebe schema (0.46.0) writes `eventDefinition` as a keyword inside two `then`
// clauses of message events instead of under `properties`: a no-op there for every
// validator, the official one included. Known by name, so strict mode rejects any other.
ajv.addKeyword({ keyword: "eventDefinition", schemaType: "object" });
// The Modeler's own annotations: text it shows, no assertion (`example` is OpenAPI's
// singular spelling, `deprecationWarning` the note beside a deprecated property).
for (const keyword of ["example", "deprecationWarning", "errorMessage"]) {
  ajv.addKeyword({ keyword });
}
const { $schemas: extra = {}, ...input } = JSON.parse(readFileSync(0, "utf8"));
Object.assign(schemas, extra);
const out = {};
for (const [engine, templates] of Object.entries(input)) {
  const validate = ajv.compile(schemas[engine]);
  out[engine] = templates.map((template) =>
    validate(template) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`),
  );
}
process.stdout.write(JSON.stringify(out));
