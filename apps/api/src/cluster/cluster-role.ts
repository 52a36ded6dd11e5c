import cluster from 'node:cluster';

/**
 * Set by the primary in each worker's environment, so that a process knows it is one of this app's workers
 * (and not, say, a worker of another cluster manager such as pm2, which must run the app as usual).
 */
export const WORKER_ENV = 'API_CLUSTER_WORKER';

/** True in a worker forked by this app's cluster primary. */
export const isClusterWorker = (): boolean => cluster.isWorker && process.env[WORKER_ENV] === '1';
