/**
 * Which batches a sink writer has delivered. Batches arrive in increasing order; one at or below the
 * last delivered is a redelivery (after a crash, or a retried trigger), which an idempotent sink
 * must not apply twice.
 */
export class DeliveryLog {
  private last = -1;

  isRedelivery(batchId: number): boolean {
    return batchId <= this.last;
  }

  delivered(batchId: number): void {
    if (batchId > this.last) this.last = batchId;
  }

  get lastBatchId(): number {
    return this.last;
  }
}
