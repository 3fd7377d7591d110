// The dependency arrows of the design: web -> domain -> db, never backwards or sideways.
module.exports = {
  forbidden: [
    { name: 'web-not-db', severity: 'error', comment: 'web reaches the database only through domain functions',
      from: { path: '^src/web/' }, to: { path: '^src/db/' } },
    { name: 'web-not-federation', severity: 'error', comment: 'web does not call federation code',
      from: { path: '^src/web/' }, to: { path: '^src/federation/' } },
    { name: 'domain-not-web', severity: 'error', comment: 'the domain never sees Express or pages',
      from: { path: '^src/domain/' }, to: { path: '^src/(web|federation|jobs)/|^src/app\\.ts|^src/server\\.ts' } },
    { name: 'domain-not-express', severity: 'error', comment: 'domain functions are free of req/res',
      from: { path: '^src/domain/' }, to: { path: 'node_modules/(express|express-session)/' } },
    { name: 'db-only-knex', severity: 'error', comment: 'db is the bottom layer',
      from: { path: '^src/db/' }, to: { path: '^src/(web|domain|federation|jobs)/' } },
    { name: 'knex-only-in-db', severity: 'error', comment: 'only src/db imports knex (type imports aside)',
      from: { path: '^src/', pathNot: '^src/db/|^src/jobs/' }, to: { path: 'node_modules/knex/', dependencyTypesNot: ['type-only'] } },
    { name: 'migrations-self-contained', severity: 'error', comment: 'migrations import nothing from src/',
      from: { path: '^migrations/' }, to: { path: '^src/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
