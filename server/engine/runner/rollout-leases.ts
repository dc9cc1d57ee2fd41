/**
 * The leases one runner holds, one per rollout, shared fairly with the other live runners of the store.
 *
 * Each lease scan renews the leases held, hands back those of finished rollouts and, when a replica joined, the
 * surplus over this runner's fair share (ceil(rollouts with work left / live runners)), then takes free leases up
 * to that share. Live runners are those whose heartbeat (`runners`) is younger than half a lease TTL: by then a
 * silent runner's leases are free or about to be. A lease left by a dead process of this host (a restart after a
 * crash) is taken over at once rather than waited out. Every take-over increments the lease's fencing token,
 * which each save of a pass confirms (`LeaseClaim`), so a runner that was paused past its lease writes nothing.
 */
import type { Logger } from "pino";
import type { Store } from "@/db/client";
import type { HeldLease, LeaseClaim } from "@/db/store/repositories/leases";
import { isDeadOnThisHost } from "./runner-ids";

/** One runner owns a rollout at a time: the lease's name (store.leases). */
export const rolloutLeaseName = (rolloutId: string) => `rollout:${rolloutId}`;

/** How far past its fair share a runner may hold before it hands the surplus back. */
const SHARE_SLACK = 1;

export type RolloutLeasesOptions = {
  db: Store;
  /** The runner's id: the owner named in its leases. */
  owner: string;
  leaseTtlMs: number;
  log: Logger;
  /** Called for each rollout taken, as it is taken (before the scan returns). */
  onTake: (rolloutId: string) => void;
  /** Called for each rollout whose lease this runner no longer holds (handed back or lost). */
  onDrop: (rolloutId: string) => void;
};

export class RolloutLeases {
  /** Rollouts whose lease we hold, with its expiry and fencing token. */
  private readonly held = new Map<string, HeldLease>();
  /**
   * Runners of this host found dead and marked gone; those that beat again since share our host name but not our
   * pid namespace (two containers named alike), and are never judged by their pid again.
   */
  private readonly buried = new Set<string>();
  private readonly pidBlind = new Set<string>();

  constructor(private readonly opts: RolloutLeasesOptions) {}

  has(rolloutId: string): boolean {
    return this.held.has(rolloutId);
  }

  rolloutIds(): string[] {
    return [...this.held.keys()];
  }

  /** What a pass of a held rollout confirms when it saves: the owner and the token the lease was taken with. */
  claimOf(rolloutId: string): LeaseClaim | null {
    const lease = this.held.get(rolloutId);
    return lease ? { name: rolloutLeaseName(rolloutId), owner: this.opts.owner, token: lease.token } : null;
  }

  /**
   * One lease scan over the rollouts with work left (`active`); `busy` says whether a rollout has a pass running
   * (asked at the moment of handing back: passes start while the scan runs), never handed back mid-pass. Returns
   * the rollouts newly taken.
   */
  async scan(active: Set<string>, busy: (rolloutId: string) => boolean, now: number): Promise<string[]> {
    const { db, owner, leaseTtlMs } = this.opts;
    for (const rolloutId of this.rolloutIds()) if (!active.has(rolloutId)) await this.handBack(rolloutId);

    // The ones we hold are renewed in a few statements, not one each (leases taken together expire together).
    // Renewed once a third of the TTL has passed (every 5 s at the default 15 s): two renewals can fail before it lapses.
    const renewing = [...this.held].filter(([, lease]) => lease.expiresAt - now <= (leaseTtlMs * 2) / 3).map(([rolloutId]) => rolloutId);
    const renewed = await db.leases.renewHeld(renewing.map(rolloutLeaseName), owner, now, leaseTtlMs);
    const lost: string[] = [];
    for (const rolloutId of renewing) {
      const lease = this.held.get(rolloutId);
      if (lease && renewed.has(rolloutLeaseName(rolloutId))) this.held.set(rolloutId, { ...lease, expiresAt: now + leaseTtlMs });
      else {
        this.drop(rolloutId);
        lost.push(rolloutId);
      }
    }
    // Not renewed in time (this runner was paused or cut off) and taken over: said once, whatever its passes find.
    if (lost.length > 0)
      this.opts.log.warn({ lost: lost.length, rolloutIds: lost }, "lease lost: other runners took these rollouts over while this one was not renewing them");

    const share = Math.ceil(active.size / (await this.liveRunners(now)));
    if (this.held.size > share + SHARE_SLACK) await this.handBackSurplus(this.held.size - share, busy);
    return this.held.size < active.size ? this.take(active, share, now) : [];
  }

  /** A pass found its lease taken over: drop it (unless taken again since, with a new token) and say so once. */
  lost(rolloutId: string, claim: LeaseClaim): void {
    if (this.held.get(rolloutId)?.token !== claim.token) return;
    this.drop(rolloutId);
    this.opts.log.warn({ rolloutId, token: claim.token }, "lease lost: another runner took the rollout over while a pass ran; the pass wrote nothing");
  }

  /** Shutdown: every lease handed back at once (its token kept), and this runner out of the live count. */
  async releaseAll(): Promise<void> {
    for (const rolloutId of this.rolloutIds()) await this.handBack(rolloutId);
    await this.opts.db.runners.markGone(this.opts.owner);
  }

  /**
   * Take the free leases of rollouts with work left while we hold fewer than `share`. A lease whose owner is a
   * dead process of this host is not waited out: taken at once, or past our share handed back for another runner.
   */
  private async take(active: Set<string>, share: number, now: number): Promise<string[]> {
    const { db, owner: me, leaseTtlMs } = this.opts;
    const owners = new Map((await db.leases.unexpired(now)).map((l) => [l.name, l.owner]));
    const dead = new Set<string>();
    const taken: string[] = [];
    for (const rolloutId of active) {
      if (this.held.has(rolloutId)) continue;
      const name = rolloutLeaseName(rolloutId);
      const owner = owners.get(name);
      const deadOwner = owner !== undefined && owner !== me && this.isDeadHere(owner) ? owner : null;
      if (owner !== undefined && owner !== me && !deadOwner) continue;
      if (deadOwner) dead.add(deadOwner);
      if (this.held.size >= share) {
        if (deadOwner) await db.leases.release(name, deadOwner);
        continue;
      }
      const lease = deadOwner ? await db.leases.takeFrom(name, deadOwner, me, now, leaseTtlMs) : await db.leases.acquire(name, me, now, leaseTtlMs);
      if (!lease) continue;
      this.held.set(rolloutId, lease);
      this.opts.onTake(rolloutId);
      taken.push(rolloutId);
    }
    for (const owner of dead) await this.markDead(owner);
    return taken;
  }

  /** How many runners share the rollouts: this one and the others that beat lately, less those of this host found dead. */
  private async liveRunners(now: number): Promise<number> {
    const rows = await this.opts.db.runners.aliveSince(now - this.opts.leaseTtlMs / 2);
    let others = 0;
    for (const row of rows) {
      if (row.id === this.opts.owner) continue;
      if (this.buried.has(row.id)) this.pidBlind.add(row.id);
      if (this.isDeadHere(row.id)) await this.markDead(row.id);
      else others++;
    }
    return others + 1;
  }

  private isDeadHere(runnerId: string): boolean {
    return !this.pidBlind.has(runnerId) && isDeadOnThisHost(runnerId);
  }

  /** A dead runner of this host leaves the live count at once (its leases are taken or handed back). */
  private async markDead(runnerId: string): Promise<void> {
    if (!this.buried.has(runnerId))
      this.opts.log.warn({ deadRunner: runnerId }, "a runner of this host is gone (its process exited): its leases are not waited out");
    this.buried.add(runnerId);
    await this.opts.db.runners.markGone(runnerId);
  }

  /** A replica joined: hand `count` leases back, the last taken first, none with a pass running. */
  private async handBackSurplus(count: number, busy: (rolloutId: string) => boolean): Promise<void> {
    let handedBack = 0;
    for (const rolloutId of this.rolloutIds().reverse()) {
      if (handedBack === count) break;
      if (busy(rolloutId)) continue;
      await this.handBack(rolloutId);
      handedBack++;
    }
    if (handedBack > 0) this.opts.log.info({ handedBack, held: this.held.size }, "handed leases back to share the rollouts with another runner");
  }

  /**
   * Give a lease up at once; its token is kept, the next owner's take-over increments it. Dropped before the
   * release is written, so no pass of it starts meanwhile.
   */
  private async handBack(rolloutId: string): Promise<void> {
    this.drop(rolloutId);
    await this.opts.db.leases.release(rolloutLeaseName(rolloutId), this.opts.owner);
  }

  private drop(rolloutId: string): void {
    this.held.delete(rolloutId);
    this.opts.onDrop(rolloutId);
  }
}
