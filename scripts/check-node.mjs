// Fails fast when npm scripts run on a Node older than the Lambda runtime (22.12+).
// The `node` dev dependency puts Node 22 first on PATH for npm scripts; if its install
// script was skipped (--ignore-scripts) scripts silently fall back to the machine's Node.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Ballast needs Node >= 22.12 for its scripts, but this is ${process.version} (${process.execPath}).\n` +
      'Run `npm ci` without --ignore-scripts so the `node` dev dependency installs Node 22.',
  );
  process.exit(1);
}
