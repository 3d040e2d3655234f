import { renderErrorAt } from "./render-error.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a manifest file as strict UTF-8 (a leading BOM is dropped).
 * Binary files and other encodings are refused with the line of the first
 * bad byte, rather than parsed into garbage objects.
 */
export function decodeManifestText(bytes: Uint8Array, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw renderErrorAt(
      { file, line: 1 },
      { code: "InvalidEncoding", message: "file is UTF-16 encoded; save it as UTF-8" },
    );
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw renderErrorAt(
      { file, line: lineAt(bytes, nul) },
      { code: "BinaryFile", message: "file contains NUL bytes and looks binary; only UTF-8 text manifests are rendered" },
    );
  }
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw renderErrorAt(
      { file, line: lineAt(bytes, firstInvalidByte(bytes)) },
      { code: "InvalidEncoding", message: "file is not valid UTF-8; save it as UTF-8", cause: err },
    );
  }
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0) return i;
    try {
      utf8.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return i;
}
