/** Placeholder written by the infra helper so that the worker image has an entry; the worker engineer replaces it. */
throw new Error("not implemented yet: worker");
