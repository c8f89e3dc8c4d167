/**
 * What the web page can ask of the process that runs the lab beyond the admin API's own data. The
 * admin API is a simulator and never imports the proxy or the scenarios (imports flow one way), so
 * whoever starts it (`bpsim up`, `bpsim demo --web`, a test) passes these in.
 */

/** Queues and runs jobs with a simulated proxy; resolves once they are accepted, not when they end. */
export type JobRunner = (request: Record<string, unknown>) => Promise<{ accepted: number; steps: string[] }>;

export interface FaultCatalogEntry {
  family: string;
  type: string;
  target: string;
  params: string;
  reaction: string;
  shownIn: string;
}

export interface WebRunners {
  jobs?: JobRunner;
  /** The bundled scenarios the page lists (POST /scenarios/run runs one). */
  scenarios?: () => { name: string; description: string }[];
  /** Every fault type with its targets and parameters, for the page's fault form. */
  faultCatalog?: () => readonly FaultCatalogEntry[];
}
