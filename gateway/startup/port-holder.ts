import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which process listens on a port, for the "port in use" message. Best effort and Linux only (it
 * reads /proc; other processes' file descriptors are visible to root or their owner): null when
 * it cannot tell, and the message then says how to find out.
 */
export function portHolder(port: number, protocol: 'tcp' | 'udp', proc = '/proc'): { pid: number; name: string } | null {
  try {
    const inodes = new Set<string>();
    for (const table of [`${proc}/net/${protocol}`, `${proc}/net/${protocol}6`]) {
      let text: string;
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const inode of socketInodes(text, port, protocol)) inodes.add(inode);
    }
    if (inodes.size === 0) return null;
    for (const entry of readdirSync(proc)) {
      if (!/^\d+$/.test(entry)) continue;
      if (ownsSocket(`${proc}/${entry}/fd`, inodes)) return { pid: Number(entry), name: processName(`${proc}/${entry}`) };
    }
  } catch {
    // Anything unexpected in /proc: fall back to the generic hint.
  }
  return null;
}

/** Inodes of the sockets bound to `port` in a /proc/net/{tcp,udp}[6] table (TCP: listening only). */
export function socketInodes(table: string, port: number, protocol: 'tcp' | 'udp'): string[] {
  const out: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    if (local === undefined || cols.length < 10) continue;
    const localPort = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const listening = protocol === 'udp' || cols[3] === '0A';
    if (localPort === port && listening && cols[9] !== '0') out.push(cols[9] as string);
  }
  return out;
}

function ownsSocket(fdDir: string, inodes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${fdDir}/${fd}`));
      if (m && inodes.has(m[1] as string)) return true;
    } catch {
      // The descriptor closed meanwhile.
    }
  }
  return false;
}

function processName(dir: string): string {
  try {
    const cmd = readFileSync(`${dir}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    if (cmd) return cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd;
    return readFileSync(`${dir}/comm`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
