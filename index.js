// n8n loads the nodes and credentials listed in package.json (section "n8n"); this file is not packed.
module.exports = {};
