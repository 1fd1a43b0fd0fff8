/**
 * The exit codes, re-exported from their one table in src/exit/codes.ts for the modules that
 * still import them from here (k8s, reconcile). New code imports src/exit/codes.ts.
 * @module
 */
export { EXIT } from "../exit/codes.ts";
