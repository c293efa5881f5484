import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

/**
 * Lease owners are "host/pid/random": unique per executor, and telling which process held a
 * lease, so an executor can release the leases of a dead process on its own host at once
 * instead of waiting for them to expire.
 */
export function newOwnerId(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** Owners among `owners` that were processes on this host and no longer exist. */
export function deadLocalOwners(owners: readonly string[], self: string): string[] {
  const host = hostname();
  return owners.filter((owner) => {
    if (owner === self) return false;
    const [ownerHost, pid] = owner.split("/");
    if (ownerHost !== host || pid === undefined || !/^\d+$/.test(pid)) return false;
    return !processExists(Number(pid));
  });
}

function processExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
