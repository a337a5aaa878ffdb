import { DemandMeter, type KeyLease } from "./lease.js";
import { leaseGivenBack, type PendingSettle, type SettlePacket } from "./redis-pending.js";

/** What this instance knows of one key: how busy it is here, its live lease, its settles waiting. */
export interface KeyState {
  demand: DemandMeter;
  lease: KeyLease | undefined;
  /** The key's settles summed since its last call, while they wait for the next (see settle). */
  settling: PendingSettle | undefined;
  /** This instance's requests of the key that hold a max_concurrent slot and have not settled. */
  inflight: number;
  /** Whether this instance has ever held a slot of the key: then each call says how many it holds. */
  holdsSlots: boolean;
  /** The number of the key's last settle packet (see SettlePacket). */
  seq: number;
  /** Settle packets whose call failed, in the order they were first sent: they go first next time. */
  unsent: SettlePacket[];
}

export function newKeyState(): KeyState {
  return {
    demand: new DemandMeter(),
    lease: undefined,
    settling: undefined,
    inflight: 0,
    holdsSlots: false,
    seq: 0,
    unsent: [],
  };
}

/**
 * The slots this instance holds for the key, for the script to set its count to (-1: it has never
 * held one, nothing to say). Sent as a total rather than as slots freed since the last call, so a
 * call lost to a Redis outage (its settles, a lease given back, or admissions whose answer never came)
 * cannot leave the count wrong for longer than until the key's next call.
 */
export function heldSlots(state: KeyState | undefined): number {
  if (state === undefined || !state.holdsSlots) return -1;
  const lease = state.lease;
  return state.inflight + (lease?.booking.slot ? lease.unused : 0);
}

/** Ends the key's lease, if any: what it did not use, as the settle that gives it back. */
export function endLease(state: KeyState): PendingSettle | undefined {
  const lease = state.lease;
  if (lease === undefined) return undefined;
  state.lease = undefined;
  return leaseGivenBack(lease.close());
}
