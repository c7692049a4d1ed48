//! PNG bombs for the reference tests and the memory benchmark (`examples/ref_memory.rs`): valid PNGs of
//! black pixels, about 160 times smaller on disk than in memory, written without ever holding the pixels.

/// A `width` x `height` 8-bit RGB PNG, all black. Its IDAT is one fixed-Huffman deflate block of
/// maximal back-references (258 bytes at distance 1, 13 bits each). `seed` goes into a text chunk, so
/// bombs with different seeds have different content hashes.
pub fn png_bomb(width: u32, height: u32, seed: u32) -> Vec<u8> {
    bomb(width, height, seed, false)
}

/// [`png_bomb`] interlaced (Adam7): its rows come in seven passes, so it is decoded whole.
pub fn png_bomb_interlaced(width: u32, height: u32, seed: u32) -> Vec<u8> {
    bomb(width, height, seed, true)
}

fn bomb(width: u32, height: u32, seed: u32, interlaced: bool) -> Vec<u8> {
    let row = |w: u64| 1 + w * 3;
    let raw: u64 = if interlaced {
        // Adam7: (x0, y0, dx, dy) per pass; an empty pass has no rows at all.
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            .iter()
            .map(|&(x0, y0, dx, dy)| {
                let pw = (u64::from(width) + dx - 1).saturating_sub(x0) / dx;
                let ph = (u64::from(height) + dy - 1).saturating_sub(y0) / dy;
                if pw == 0 || ph == 0 {
                    0
                } else {
                    ph * row(pw)
                }
            })
            .sum()
    } else {
        u64::from(height) * row(u64::from(width))
    };
    let mut bits = Bits::default();
    bits.out.extend_from_slice(&[0x78, 0x01]);
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = fixed Huffman
    bits.code(0x30, 8); // literal 0
    let mut left = raw - 1;
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    let mut zlib = bits.finish();
    // Adler-32 of `raw` zero bytes: a stays 1, b adds 1 a byte.
    let adler = (((raw % 65521) as u32) << 16) | 1;
    zlib.extend_from_slice(&adler.to_be_bytes());

    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, u8::from(interlaced)]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"tEXt", format!("Comment\0bomb {seed}").as_bytes());
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let table: Vec<u32> = (0..256u32)
        .map(|n| (0..8).fold(n, |c, _| if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 }))
        .collect();
    !data
        .iter()
        .fold(!0u32, |c, &b| table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8))
}

/// Deflate's bit order: values LSB first, Huffman codes MSB first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn code(&mut self, code: u32, len: u32) {
        let reversed = (0..len).fold(0, |r, i| r | ((code >> i) & 1) << (len - 1 - i));
        self.put(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}
