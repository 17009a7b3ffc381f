"""Background work: RQ jobs (thin), their queues and the periodic schedule."""
