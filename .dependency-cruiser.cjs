/**
 * Import rules: no cycles, and no layer imports a higher one. Layers, lowest first (see
 * docs/ARCHITECTURE.md): core (contracts) < obs < store < ai < tasks < mesh < compute < node < platform
 * < ui < main.tsx; relay/ (the Node hosts and CLI) sits on top. `npm run lint` checks them.
 */
const LAYERS = ['core', 'obs', 'store', 'ai', 'tasks', 'mesh', 'compute', 'node', 'platform', 'ui']
/** what each layer may import besides itself and core */
const ALLOWED = {
  core: [],
  obs: [],
  store: ['obs'],
  ai: ['obs'],
  tasks: ['obs', 'store', 'ai'],
  mesh: ['obs'],
  compute: ['obs', 'store', 'ai', 'tasks', 'mesh'],
  node: ['obs', 'store', 'ai', 'tasks', 'mesh', 'compute'],
  platform: ['obs', 'store', 'ai', 'tasks', 'mesh', 'compute', 'node'],
  ui: [],
}

const layerRules = LAYERS.map((layer) => {
  const ok = new Set([layer, 'core', ...ALLOWED[layer]])
  const banned = LAYERS.filter((l) => !ok.has(l))
  return {
    name: `layer-${layer}`,
    comment: `src/${layer} may import only ${[...ok].join(', ')}`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: banned.length > 0 ? `^src/(${banned.join('|')})/` : '^$' },
  }
})

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'an import cycle makes start-up order and types fragile',
      from: { path: '^(src|relay)/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'src-stands-alone',
      severity: 'error',
      comment: 'the core never imports the hosts, tests or benchmarks',
      from: { path: '^src/' },
      to: { path: '^(relay|test|e2e|bench)/' },
    },
    {
      name: 'relay-not-ui',
      severity: 'error',
      comment: 'the Node hosts do not import the page',
      from: { path: '^relay/' },
      to: { path: '^src/(ui|main)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/core/proto/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
}
