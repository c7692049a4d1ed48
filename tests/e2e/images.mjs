// Test images made on the spot: a real PNG (with node:zlib), a corrupt one, and a text file.
import zlib from "node:zlib";
import fs from "node:fs";
import path from "node:path";

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** An RGB PNG of `w`x`h` with a colour gradient seeded by `seed`. */
export function png(w, h, seed = 1) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 255 / w + seed * 40) & 255; raw[o + 1] = (y * 255 / h) & 255; raw[o + 2] = (seed * 90) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

export function writeFixtures(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const files = {};
  for (let i = 1; i <= 15; i++) {
    files[`photo${i}`] = path.join(dir, `photo${i}.png`);
    fs.writeFileSync(files[`photo${i}`], png(160 + i, 120, i));
  }
  files.corrupt = path.join(dir, "broken.png");
  fs.writeFileSync(files.corrupt, Buffer.concat([png(64, 64, 3).subarray(0, 40), Buffer.from("garbage")]));
  files.text = path.join(dir, "notes.txt");
  fs.writeFileSync(files.text, "not an image");
  return files;
}
