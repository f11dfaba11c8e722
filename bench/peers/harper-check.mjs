// Harper has no command line on npm: this lints each file named, as its CLI would, and prints the count.
import { readFileSync } from "node:fs";
import { LocalLinter } from "harper.js";
import { binaryInlined } from "harper.js/binaryInlined";

const linter = new LocalLinter({ binary: binaryInlined });
await linter.setup();
let problems = 0;
for (const path of process.argv.slice(2)) {
  problems += (await linter.lint(readFileSync(path, "utf8"))).length;
}
console.log(problems);
