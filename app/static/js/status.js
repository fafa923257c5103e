// The sync state in words (design §7), in its order of precedence.

/**
 * @param {{rejected?: number, pending?: number, online?: boolean}} state
 *   rejected: mutations the server refused; pending: local changes the server has not
 *   acknowledged yet; online: whether the device believes it can reach the server.
 */
export function syncStatusText({ rejected = 0, pending = 0, online = true } = {}) {
  if (rejected > 0) return `Could not sync ${rejected} ${rejected === 1 ? 'change' : 'changes'}`;
  if (pending > 0 && !online) return 'Offline — will sync later';
  if (pending > 0) return 'Saved on this device';
  return 'Synced';
}
