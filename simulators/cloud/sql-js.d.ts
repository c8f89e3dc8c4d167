// sql.js ships no types; metadata-db.ts describes the little of its API it uses.
declare module 'sql.js' {
  const initSqlJs: () => Promise<unknown>;
  export default initSqlJs;
}
