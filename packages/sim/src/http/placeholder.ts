/**
 * A tiny MP4-shaped file for result URLs: an `ftyp` box (so sniffers and `file` say "ISO Media, MP4"),
 * a `free` box naming the task, and a small empty `mdat`. It is not playable video; it is a few hundred
 * bytes so downloads and ZIP exports can be exercised end to end.
 */
export function placeholderMp4(taskId: string): Buffer {
  const box = (type: string, payload: Buffer) => {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + payload.length, 0);
    header.write(type, 4, 'latin1');
    return Buffer.concat([header, payload]);
  };
  const ftyp = box('ftyp', Buffer.concat([Buffer.from('isom', 'latin1'), uint32(0x200), Buffer.from('isomiso2mp41', 'latin1')]));
  const free = box('free', Buffer.from(`clipfleet-sim placeholder for ${taskId}`, 'utf8'));
  const mdat = box('mdat', Buffer.alloc(256));
  return Buffer.concat([ftyp, free, mdat]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}
