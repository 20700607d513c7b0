import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { inspectDataFolderLock } from '../db/data-folder-lock.js';

/**
 * A server on the embedded database holds the data folder's lock, so no other process may open
 * the database. Command-line processes on the same machine talk to it over HTTP instead, with a
 * local admin key the server writes into the data folder (mode 0600, readable by the same user
 * only). That key grants nothing the folder's owner lacks: whoever can read the folder can read
 * the database itself. The server replaces the key at every start and revokes it when it stops.
 */
const announcementSchema = z.object({
  pid: z.number().int().positive(),
  url: z.url(),
  keyId: z.string(),
  key: z.string().startsWith('rhz_'),
  startedAt: z.string(),
});
export type LocalServerAnnouncement = z.infer<typeof announcementSchema>;

export const localServerFile = (dataDirectory: string) => join(dataDirectory, 'server.json');

export async function readLocalServerAnnouncement(
  dataDirectory: string,
): Promise<LocalServerAnnouncement | null> {
  try {
    const parsed = announcementSchema.safeParse(
      JSON.parse(await readFile(localServerFile(dataDirectory), 'utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Written only by the process that holds the folder lock; readable by the same user only. */
export async function writeLocalServerAnnouncement(
  dataDirectory: string,
  announcement: LocalServerAnnouncement,
): Promise<void> {
  const temporary = `${localServerFile(dataDirectory)}.${process.pid}.tmp`;
  // Created with 0600 from the start, so the key is never readable by others, not even briefly.
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(announcement)}\n`);
  } finally {
    await handle.close();
  }
  await rename(temporary, localServerFile(dataDirectory));
}

export async function removeLocalServerAnnouncement(dataDirectory: string): Promise<void> {
  await rm(localServerFile(dataDirectory), { force: true });
}

/**
 * The running server that holds this data folder, if there is one: the folder lock must be held by
 * the very process that wrote the announcement (a stale file of a dead server is ignored).
 */
export async function findLocalServer(
  dataDirectory: string,
  databaseDirectory: string,
): Promise<LocalServerAnnouncement | null> {
  const lock = await inspectDataFolderLock(databaseDirectory);
  if (lock.state !== 'held' || !lock.owner) return null;
  const announcement = await readLocalServerAnnouncement(dataDirectory);
  return announcement && announcement.pid === lock.owner.pid ? announcement : null;
}
