import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Gives the whole run one temporary root: TMPDIR points into it before the test workers (and the
 * processes they spawn) start, so every `mkdtemp(tmpdir())` of a test lands there, and the root is
 * removed when the run ends — a run leaves no folder behind, whichever test created it.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR
  const root = mkdtempSync(join(previous ?? tmpdir(), 'firefront-test-run-'))
  // services started as root drop to their own user (Mosquitto does): they must reach their folders
  chmodSync(root, 0o755)
  process.env.TMPDIR = root
  return () => {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    rmSync(root, { recursive: true, force: true })
  }
}
