export { JobQueue, JobQueueStoppedError } from "./job-queue";
export type { CancelOutcome, JobQueueOptions, JobQueueStats, JobRequest } from "./job-queue";
export type { JobCallback, JobDocument, JobResult, JobStatus } from "./job-store";
export { CallbackDelivery, callbackUrlProblem } from "./callback-delivery";
export type { CallbackDeliveryOptions } from "./callback-delivery";
export { jobsRoutes } from "./jobs-routes";
export type { JobsRoutesOptions } from "./jobs-routes";
