import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StartupError } from './errors.js';

/** The file system calls the check needs (injected in tests). */
export interface DirFs {
  stat(path: string): Stats | null;
  /** Throws (with an errno code) when the process may not create files in `path`. */
  checkWritable(path: string): void;
}

export const nodeDirFs: DirFs = {
  stat: (path) => {
    try {
      return statSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a component of the path is a file; the walk up finds and names it.
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw e;
    }
  },
  // access(W_OK) also answers EROFS for root on a read-only mount, where permission bits do not apply.
  checkWritable: (path) => accessSync(path, constants.W_OK),
};

/**
 * Checks, without creating anything, that `dataDir` is (or can be made) a writable directory, and
 * that the store file in it, if present, is writable. Throws DATA_DIR_NOT_DIRECTORY or
 * DATA_DIR_NOT_WRITABLE with the path at fault and what to do.
 */
export function checkDataDir(dataDir: string, storeFile: string, fs: DirFs = nodeDirFs): void {
  const target = resolve(dataDir);
  let existing = target;
  let st = fs.stat(existing);
  while (st === null && dirname(existing) !== existing) {
    existing = dirname(existing);
    st = fs.stat(existing);
  }
  if (st !== null && !st.isDirectory()) {
    const what = existing === target ? `data directory ${dataDir} is a file` : `data directory ${dataDir} cannot be created: ${existing} is a file`;
    throw new StartupError('DATA_DIR_NOT_DIRECTORY', `${what}, not a directory; choose another with --data <dir> (or dataDir)`);
  }
  writable(existing, dataDir, existing === target ? 'is not writable' : `cannot be created in ${existing}`, fs);
  if (existing === target && fs.stat(join(target, storeFile)) !== null) writable(join(target, storeFile), dataDir, `holds ${storeFile}, which is not writable`, fs);
}

function writable(path: string, dataDir: string, what: string, fs: DirFs): void {
  try {
    fs.checkWritable(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'EROFS' ? 'read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    throw new StartupError(
      'DATA_DIR_NOT_WRITABLE',
      `data directory ${dataDir} ${what} (${why}: ${code}); give the user running sheetlog write access to ${path}, or choose another with --data <dir>`,
    );
  }
}
