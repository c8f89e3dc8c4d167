/**
 * Failed-login bookkeeping the way account lockout policies work on the real systems: a number of
 * failures inside a window locks the account for a while, and while it is locked even the right
 * password is refused. The clock is injected so tests can move time instead of waiting minutes.
 */

/** `vmware`: VMware's default policies (docs/reliability.md, "Security behaviour"); `off`: no lockout or throttling. */
export type LockoutMode = 'vmware' | 'off';

/** Whether a lab's mode (undefined: the default) locks accounts and throttles. */
export const lockoutOn = (mode: LockoutMode | undefined): boolean => (mode ?? 'vmware') === 'vmware';

/** Milliseconds since the epoch, like Date.now. */
export type Clock = () => number;

export interface LockoutPolicy {
  /** This many failures inside `windowMs` lock the account ... */
  maxFailures: number;
  windowMs: number;
  /** ... for this long. */
  unlockMs: number;
}

/** vCenter Single Sign-On's default lockout policy: 5 failures in 180 s, unlocked after 300 s. */
export const VCENTER_SSO_POLICY: LockoutPolicy = { maxFailures: 5, windowMs: 180_000, unlockMs: 300_000 };
/** ESXi: Security.AccountLockFailures = 5, Security.AccountUnlockTime = 900 s (pam_faillock's 900 s window). */
export const ESXI_POLICY: LockoutPolicy = { maxFailures: 5, windowMs: 900_000, unlockMs: 900_000 };
/** The backup cloud's activation endpoint: 10 wrong tokens per source address in 60 s, then 429 for 60 s. */
export const ACTIVATION_POLICY: LockoutPolicy = { maxFailures: 10, windowMs: 60_000, unlockMs: 60_000 };

/** Accounts (or source addresses) tracked at most; the oldest entry goes first, so a name flood costs bounded memory. */
const MAX_TRACKED = 10_000;

export type AttemptVerdict = 'ok' | 'wrong' | 'locked';

export class AccountLockout {
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();

  /** `policy` undefined: never locks (lockout mode "off"). */
  constructor(readonly policy: LockoutPolicy | undefined, private readonly now: Clock = Date.now) {}

  /**
   * One login attempt of `account` whose secret was `correct` or not. 'locked': refused whatever
   * the secret (attempts while locked neither count nor extend the lock).
   */
  attempt(account: string, correct: boolean): AttemptVerdict {
    const policy = this.policy;
    if (!policy) return correct ? 'ok' : 'wrong';
    if (this.retryAfterMs(account) > 0) return 'locked';
    if (correct) {
      this.failures.delete(account);
      return 'ok';
    }
    const now = this.now();
    const recent = (this.failures.get(account) ?? []).filter((t) => now - t < policy.windowMs);
    recent.push(now);
    this.failures.delete(account);
    if (recent.length >= policy.maxFailures) {
      remember(this.lockedUntil, account, now + policy.unlockMs);
    } else {
      remember(this.failures, account, recent);
    }
    return 'wrong';
  }

  /** How long `account` stays locked (0: not locked). */
  retryAfterMs(account: string): number {
    const until = this.lockedUntil.get(account);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.lockedUntil.delete(account);
    return 0;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
}
